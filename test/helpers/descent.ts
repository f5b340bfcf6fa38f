// Full-batch gradient descent as the reference cases define it, driven through the public API
// (gradients, getParamsFlat, setParams): θ ← θ − lr · dL/dθ on the listed parameters only, stopping
// after the first update whose largest |lr · gradient| is below `stop_step_below` (that update applied).
import type { Model } from '../../src/index.js';
import type { Json } from './reference.js';

export interface TrajectoryPoint {
  step: number;
  loss: number;
  params: Json;
  grads: Json;
  paramsFlat: Float64Array;
}

/** Indices of the flat parameter vector selected by names like "1.b" or "0.W" (all when absent). */
export function selectedIndices(model: Model, names: string[] | undefined): number[] {
  const out: number[] = [];
  let at = 0;
  model.spec.layers.forEach((layer, l) => {
    const weights = layer.units * layer.inputs;
    for (let i = 0; i < weights; i++) if (!names || names.includes(`${l}.W`)) out.push(at + i);
    at += weights;
    for (let j = 0; j < layer.units; j++) if (!names || names.includes(`${l}.b`)) out.push(at + j);
    at += layer.units;
  });
  return out;
}

export function descend(model: Model, X: number[][], Y: number[][], train: Json, keep: (step: number) => boolean): { points: Map<number, TrajectoryPoint>; stepsTaken: number; final: Json } {
  const indices = selectedIndices(model, train.params);
  const points = new Map<number, TrajectoryPoint>();
  let step = 0;
  for (;;) {
    const g = model.gradients(X, Y);
    if (keep(step)) points.set(step, { step, loss: g.loss, params: model.getParams(), grads: g.grads, paramsFlat: model.getParamsFlat() });
    if (step === train.steps) break;
    const theta = model.getParamsFlat();
    let largest = 0;
    for (const i of indices) {
      const change = train.lr * g.gradsFlat[i];
      theta[i] -= change;
      largest = Math.max(largest, Math.abs(change));
    }
    model.setParams(theta);
    step++;
    if (train.stop_step_below !== undefined && largest < train.stop_step_below) {
      const last = model.gradients(X, Y);
      points.set(step, { step, loss: last.loss, params: model.getParams(), grads: last.grads, paramsFlat: model.getParamsFlat() });
      break;
    }
  }
  return { points, stepsTaken: step, final: model.getParams() };
}
