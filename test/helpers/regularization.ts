// Shared by test/l1.test.ts and test/weights.test.ts: bits as text, parameters against a reference,
// and putting the path and thread-split testing hooks back after each test.
import { expect } from 'vitest';
import type { LayerParams } from '../../src/index.js';
import { layerPathOverride, threadSplitOverride } from '../../src/layout/plan.js';

export const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** The bytes of a list of float64 as text: equal text, equal bits (−0 and NaN payloads included). */
export const bytes = (a: Float64Array | number[]): string => Array.from(new Uint8Array(Float64Array.from(a).buffer)).join(',');

/** Every weight and bias within `tolerance` (relative) of the reference's. */
export function expectParamsNear(actual: LayerParams[], expected: LayerParams[], tolerance: number): void {
  actual.forEach((layer, l) => {
    layer.W.flat().forEach((w, i) => expect(relative(w, expected[l].W.flat()[i]), `layers[${l}].W (${i})`).toBeLessThanOrEqual(tolerance));
    layer.b.forEach((b, i) => expect(relative(b, expected[l].b[i]), `layers[${l}].b[${i}]`).toBeLessThanOrEqual(tolerance));
  });
}

/** The hooks back to their defaults: paths chosen by size, the real split thresholds. */
export function resetOverrides(): void {
  layerPathOverride.force = null;
  threadSplitOverride.minVolume = null;
  threadSplitOverride.minElements = null;
  threadSplitOverride.workersOnly = false;
}

/** Splits every pass that can be split, each tile computed by a worker (as test/threads.test.ts). */
export function splitEverything(): void {
  threadSplitOverride.minVolume = 1;
  threadSplitOverride.minElements = 1;
  threadSplitOverride.workersOnly = true;
}

/** Tiles the model's workers have run (0 on the TypeScript engine or without a pool). */
export const workerTiles = (model: object): number =>
  (model as { engine: { poolStats?: () => { workerTiles: number } } }).engine.poolStats?.().workerTiles ?? 0;
