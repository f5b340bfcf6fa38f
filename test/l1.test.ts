// The l1 option: g = ∇L + l1·sign(θ) + λθ on the trainable parameters (sign(0) = 0), as l1·Σ|θ| added
// to the loss in PyTorch followed by the optimizer's weight_decay. Against PyTorch float64
// (test/fixtures/regularization, made by the script beside it) for sgd, Nesterov momentum and Adam;
// l1 = 0 is the bits of a fit without the option; the one-row step and the general path, and 1, 2 and
// 3 threads, give the same bits with l1; N + N epochs are 2N, directly and through toJSON.
/// <reference types="vite/client" />
import { afterEach, describe, expect, it } from 'vitest';
import { createModel, loadModel, OptionsError, type FitOptions, type LayerParams, type ModelSpec } from '../src/index.js';
import { layerPathOverride } from '../src/layout/plan.js';
import { ENGINES } from './helpers/engines.js';
import { expectTypedError } from './helpers/errors.js';
import { bytes, expectParamsNear, relative, resetOverrides, splitEverything, workerTiles } from './helpers/regularization.js';
import { mulberry32, randomMatrix } from './helpers/random.js';

interface Trajectory {
  name: string; optimizer: 'sgd' | 'nesterov' | 'adam'; learningRate: number; weightDecay: number; l1: number; epochs: number;
  X: number[][]; Y: number[][]; params: LayerParams[]; final: LayerParams[]; losses: number[];
}
const fixtures = Object.values(import.meta.glob('./fixtures/regularization/regularization.json', { eager: true, import: 'default' }))[0] as { l1: Trajectory[] };

const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse' };
const OPTIMIZER: Record<Trajectory['optimizer'], FitOptions['optimizer']> = {
  sgd: 'sgd', nesterov: { name: 'momentum', momentum: 0.9, nesterov: true }, adam: 'adam',
};

afterEach(resetOverrides);

describe.each(ENGINES)('l1 on the %s engine', (engine) => {
  for (const t of fixtures.l1) {
    it(`agrees with PyTorch float64 to 1e-9 (parameters, and the data loss it reports): ${t.name}`, async () => {
      const model = await createModel({ ...SPEC, engine, params: t.params });
      const history = model.fit(t.X, t.Y, {
        epochs: t.epochs, batchSize: 4, shuffle: false, learningRate: t.learningRate, weightDecay: t.weightDecay, l1: t.l1, optimizer: OPTIMIZER[t.optimizer],
      });
      history.loss.forEach((loss, e) => expect(relative(loss, t.losses[e]), `loss of epoch ${e}`).toBeLessThanOrEqual(1e-9));
      expectParamsNear(model.getParams(), t.final, 1e-9);
    });
  }

  it('l1: 0 is the bits of a fit without the option: every optimizer, batch sizes 1 to all, shuffled, a frozen layer', async () => {
    const rand = mulberry32(41);
    const X = randomMatrix(rand, 11, 3, -2, 2), Y = randomMatrix(rand, 11, 2);
    const spec: ModelSpec = { ...SPEC, layers: [{ units: 6, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }], engine, seed: 4 };
    const variants: FitOptions[] = [
      { optimizer: 'sgd', batchSize: 1 }, { optimizer: 'sgd', batchSize: 3, weightDecay: 0.01 }, { optimizer: 'sgd', batchSize: 11, trainable: ['1.W', '0.b'] },
      { optimizer: 'momentum', batchSize: 4 }, { optimizer: { name: 'momentum', nesterov: true }, batchSize: 2, weightDecay: 0.02 }, { optimizer: 'adam', batchSize: 5 },
    ];
    for (const v of variants) {
      const options: FitOptions = { epochs: 5, learningRate: 0.1, ...v };
      const without = await createModel(spec), zero = await createModel(spec);
      const h0 = without.fit(X, Y, options), h1 = zero.fit(X, Y, { ...options, l1: 0 });
      expect(bytes(zero.getParamsFlat()), JSON.stringify(v)).toBe(bytes(without.getParamsFlat()));
      expect(bytes(h1.loss), JSON.stringify(v)).toBe(bytes(h0.loss));
    }
  });

  it('with l1, the one-row step and the general path give the same bits (sgd, with and without decay); momentum and Adam too', async () => {
    const rand = mulberry32(42);
    const X = randomMatrix(rand, 9, 3, -2, 2), Y = randomMatrix(rand, 9, 2);
    const spec: ModelSpec = { inputs: 3, layers: [{ units: 5, activation: 'softplus' }, { units: 4, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', engine, seed: 8 };
    const variants: FitOptions[] = [
      { optimizer: 'sgd', batchSize: 1, l1: 0.01 }, { optimizer: 'sgd', batchSize: 1, l1: 0.003, weightDecay: 0.02 },
      { optimizer: 'sgd', batchSize: 4, l1: 0.01 }, { optimizer: 'momentum', batchSize: 1, l1: 0.01 }, { optimizer: 'adam', batchSize: 3, l1: 0.001 },
    ];
    for (const v of variants) {
      const options: FitOptions = { epochs: 6, learningRate: 0.1, shuffle: true, ...v };
      const runs = [];
      for (const force of ['fused', 'general'] as const) {
        layerPathOverride.force = force;
        const model = await createModel(spec);
        const h = model.fit(X, Y, options);
        runs.push([bytes(model.getParamsFlat()), bytes(h.loss), h.lastStep]);
      }
      layerPathOverride.force = null;
      expect(runs[0], JSON.stringify(v)).toEqual(runs[1]);
    }
  });

  it('only trainable parameters feel l1: frozen ones stay bit-identical; a zero parameter with a zero gradient stays 0 (sign(0) = 0)', async () => {
    // unit 1 of the hidden layer is dead (relu, z = −1 for every row): its weights' gradients are 0
    const params: LayerParams[] = [
      { W: [[0.5, -0.3], [0, 0]], b: [0.1, -5] },
      { W: [[0.7, 0]], b: [0.2] },
    ];
    const spec: ModelSpec = { inputs: 2, layers: [{ units: 2, activation: 'relu' }, { units: 1, activation: 'identity' }], loss: 'mse', engine, params };
    const X = [[0.2, 0.4], [-0.3, 0.1], [0.5, -0.5]], Y = [[0.3], [-0.2], [0.1]];
    for (const optimizer of ['sgd', 'adam'] as const) {
      const model = await createModel(spec);
      model.fit(X, Y, { epochs: 4, batchSize: 1, learningRate: 0.1, optimizer, l1: 0.05, shuffle: false });
      const [hidden, out] = model.getParams();
      expect(hidden.W[1], optimizer).toEqual([0, 0]);
      expect(hidden.b[1], optimizer).toBeGreaterThan(-5); // pulled towards 0 by l1 alone (and still dead)
      expect(out.W[0][1], optimizer).toBe(0); // its input (the dead unit) is 0 and so is its gradient
      const frozen = await createModel(spec);
      frozen.fit(X, Y, { epochs: 4, batchSize: 1, learningRate: 0.1, optimizer, l1: 0.05, trainable: ['1.W', '1.b'] });
      expect(frozen.getParams()[0], optimizer).toEqual(params[0]);
    }
    // one update by hand: sgd on b of the dead unit: b ← b − lr·(0 + l1·sign(b))
    const model = await createModel(spec);
    model.fit([X[0]], [Y[0]], { epochs: 1, batchSize: 1, learningRate: 0.1, l1: 0.05 });
    expect(model.getParams()[0].b[1]).toBe(-5 - 0.1 * (0 + 0.05 * -1));
  });

  it('N + N epochs are 2N with l1, bit for bit, directly and through toJSON', async () => {
    const t = fixtures.l1[0];
    for (const v of [{ optimizer: 'sgd', batchSize: 1 }, { optimizer: 'momentum', batchSize: 4 }, { optimizer: 'adam', batchSize: 5, weightDecay: 0.01 }] as FitOptions[]) {
      const options: FitOptions = { shuffle: true, learningRate: 0.05, l1: 0.004, ...v };
      const whole = await createModel({ ...SPEC, engine, params: t.params, seed: 9 });
      const h = whole.fit(t.X, t.Y, { ...options, epochs: 6 });
      const split = await createModel({ ...SPEC, engine, params: t.params, seed: 9 });
      const h1 = split.fit(t.X, t.Y, { ...options, epochs: 3 });
      const resumed = await loadModel(JSON.stringify(split.toJSON()), { engine });
      const h2 = split.fit(t.X, t.Y, { ...options, epochs: 3 });
      const h3 = resumed.fit(t.X, t.Y, { ...options, epochs: 3 });
      expect(bytes([...h1.loss, ...h2.loss]), JSON.stringify(v)).toBe(bytes(h.loss));
      expect(bytes(split.getParamsFlat()), JSON.stringify(v)).toBe(bytes(whole.getParamsFlat()));
      expect(bytes(resumed.getParamsFlat()), `${JSON.stringify(v)}, resumed from toJSON`).toBe(bytes(whole.getParamsFlat()));
      expect(bytes(h3.loss)).toBe(bytes(h2.loss));
    }
  });

  it('a bad l1 is an OptionsError naming options.l1', async () => {
    const model = await createModel({ ...SPEC, engine });
    const X = [[0, 0, 0], [1, 1, 1]], Y = [[0, 0], [1, 1]];
    for (const bad of [-0.1, NaN, Infinity, '0.1', null]) {
      expectTypedError(() => model.fit(X, Y, { l1: bad as number }), OptionsError, 'options.l1', /non-negative finite number/, String(bad));
    }
  });
});

describe('l1 on threads', () => {
  it('the same bits on 1, 2 and 3 threads, every update split (the pool carries l1 to each tile)', async () => {
    splitEverything();
    const rand = mulberry32(43);
    const X = randomMatrix(rand, 40, 6, -2, 2), Y = randomMatrix(rand, 40, 3);
    const spec: ModelSpec = { inputs: 6, layers: [{ units: 9, activation: 'tanh' }, { units: 3, activation: 'identity' }], loss: 'mse', seed: 5 };
    const results: Record<number, string[]> = {};
    for (const threads of [1, 2, 3]) {
      results[threads] = [];
      for (const v of [{ optimizer: 'sgd' }, { optimizer: 'sgd', trainable: ['0.W', '1.b'] }, { optimizer: { name: 'momentum', nesterov: true } }, { optimizer: 'adam' }] as FitOptions[]) {
        const model = await createModel({ ...spec, threads });
        const h = model.fit(X, Y, { epochs: 3, batchSize: 7, learningRate: 0.05, l1: 0.01, weightDecay: 0.001, ...v });
        results[threads].push(bytes(model.getParamsFlat()), bytes(h.loss));
        // where threads run (not in a page that is not cross-origin isolated), the workers computed tiles
        if (threads > 1 && model.threadsNote === null) expect(workerTiles(model), `${threads} threads`).toBeGreaterThan(0);
        model.dispose();
      }
    }
    expect(results[2]).toEqual(results[1]);
    expect(results[3]).toEqual(results[1]);
  });
});
