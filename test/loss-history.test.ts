// The loss history of a fit nothing observes epoch by epoch is sized once for every epoch the fit may
// make and cut to the epochs it completed (src/train/epoch-log.ts): whether the fit runs them all or
// a stop rule ends it early, it holds the same losses, one per completed epoch and no gaps, as the same
// fit read epoch by epoch (an onEpochEnd callback).
import { describe, expect, it } from 'vitest';
import { createModel, type FitOptions, type ModelSpec } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';

const SPEC: ModelSpec = { inputs: 2, layers: [{ units: 2, activation: 'sigmoid' }, { units: 2, activation: 'sigmoid' }], loss: 'mse', seed: 4 };
const X = [[0.05, 0.1], [0.3, 0.9]], Y = [[0.01, 0.99], [0.5, 0.2]];

async function both(engine: 'wasm' | 'ts', options: FitOptions) {
  const quiet = await createModel({ ...SPEC, engine });
  const watched = await createModel({ ...SPEC, engine });
  const seen: number[] = [];
  const h1 = quiet.fit(X, Y, options);
  const h2 = watched.fit(X, Y, { ...options, onEpochEnd: (_, logs) => void seen.push(logs.loss) });
  return { h1, h2, seen };
}

describe.each(ENGINES)('the loss history on the %s engine', (engine) => {
  it('all epochs (more than one engine call): the losses read epoch by epoch, no gaps', async () => {
    const { h1, h2, seen } = await both(engine, { epochs: 2500, batchSize: 1, learningRate: 0.5, shuffle: false });
    expect(h1.epochs).toBe(2500);
    expect(h1.loss).toHaveLength(2500);
    expect(Object.keys(h1.loss)).toHaveLength(2500);
    expect(h1.loss).toEqual(seen);
    expect(h1.loss).toEqual(h2.loss);
  });

  it('stopped early by lossBelow: cut to the epochs completed', async () => {
    const { h1, h2, seen } = await both(engine, { epochs: 100000, batchSize: 1, learningRate: 0.5, shuffle: false, lossBelow: 0.01 });
    expect(h1.stopReason).toBe('lossBelow');
    expect(h1.epochs).toBeGreaterThan(1);
    expect(h1.epochs).toBeLessThan(100000);
    expect(h1.loss).toHaveLength(h1.epochs);
    expect(Object.keys(h1.loss)).toHaveLength(h1.epochs);
    expect(h1.loss).toEqual(seen);
    expect(h1.loss).toEqual(h2.loss);
    expect(h1.loss.at(-1)).toBeLessThan(0.01);
  });

  it('stopped early by stepBelow (a last, partial epoch): the same as read epoch by epoch', async () => {
    const { h1, h2, seen } = await both(engine, { epochs: 100000, batchSize: 1, learningRate: 0.5, shuffle: false, stepBelow: 1e-4 });
    expect(h1.stopReason).toBe('stepBelow');
    expect(h1.loss).toHaveLength(h1.epochs);
    expect(h1.loss).toEqual(seen);
    expect(h1.loss).toEqual(h2.loss);
  });
});
