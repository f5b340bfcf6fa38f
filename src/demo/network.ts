// The StatQuest dosage network and its three observations: drug dosage 0, 0.5, 1 (low, medium,
// high) with efficacy 0, 1, 0. Parameter map: layer 0 W = [[w1], [w2]], b = [b1, b2] (top, bottom
// hidden unit); layer 1 W = [[w3, w4]], b = [b3].
import type { ModelSpec } from '../index.js';

export const X = [[0], [0.5], [1]];
export const Y = [[0], [1], [0]];

export const DOSAGE_SPEC: ModelSpec = {
  inputs: 1,
  layers: [
    { units: 2, activation: 'softplus' },
    { units: 1, activation: 'identity' },
  ],
  loss: 'ssr',
};

/** Names of the flat parameters, in the layout's order (layer 0 W, layer 0 b, layer 1 W, layer 1 b). */
export const PARAM_NAMES = ['w1', 'w2', 'b1', 'b2', 'w3', 'w4', 'b3'];

/** Flat parameters (PARAM_NAMES order) as the spec's per-layer `params`. */
export function layered(p: readonly number[]) {
  return [
    { W: [[p[0]], [p[1]]], b: [p[2], p[3]] },
    { W: [[p[4], p[5]]], b: [p[6]] },
  ];
}
