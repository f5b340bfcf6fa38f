// The fused path of small layers (assembly/fused.ts, src/engine/ts/fused.ts) and the general path give
// the same bits: one model trained with every layer forced onto each path, on both engines, for every
// activation (hidden and output), odd widths, a partial last batch, shuffled rows, every optimizer and
// the logit losses; and a model whose layers take different paths by size against the all-general run.
import { afterEach, describe, expect, it } from 'vitest';
import { createModel, type Activation, type FitOptions, type Loss, type ModelSpec } from '../src/index.js';
import { FUSED_VOLUME, fusedRows, layerPathOverride } from '../src/layout/plan.js';
import { ENGINES } from './helpers/engines.js';
import { mulberry32, randomDistributions, randomMatrix } from './helpers/random.js';

const ACTIVATIONS: Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softplus'];
const OPTIMIZERS: FitOptions[] = [
  { optimizer: 'sgd', learningRate: 0.1 },
  { optimizer: 'sgd', learningRate: 0.1, weightDecay: 0.01 },
  { optimizer: 'momentum', learningRate: 0.05 },
  { optimizer: { name: 'momentum', momentum: 0.8, nesterov: true }, learningRate: 0.05 },
  { optimizer: 'adam', learningRate: 0.01 },
];

afterEach(() => {
  layerPathOverride.force = null;
});

interface Run { params: Float64Array; loss: number[]; fusedRows: number[] }

/** Trains a fresh model of `spec` on (X, Y) with every layer's path forced (or chosen by size: null). */
async function train(spec: ModelSpec, X: number[][], Y: number[][], options: FitOptions, force: 'fused' | 'general' | null): Promise<Run> {
  layerPathOverride.force = force;
  try {
    const model = await createModel(spec);
    const history = model.fit(X, Y, options);
    const plan = (model as unknown as { plan: { layers: { fusedRows: number }[] } }).plan;
    return { params: model.getParamsFlat(), loss: history.loss, fusedRows: plan.layers.map((l) => l.fusedRows) };
  } finally {
    layerPathOverride.force = null;
  }
}

function expectSameBits(a: Run, b: Run, what: string): void {
  expect(a.params.length).toBe(b.params.length);
  a.params.forEach((v, i) => expect(Object.is(v, b.params[i]), `${what}: parameter ${i}: ${v} vs ${b.params[i]}`).toBe(true));
  expect(a.loss.length).toBe(b.loss.length);
  a.loss.forEach((v, i) => expect(Object.is(v, b.loss[i]), `${what}: loss of epoch ${i}: ${v} vs ${b.loss[i]}`).toBe(true));
}

describe('the path choice', () => {
  it('fuses a layer up to FUSED_VOLUME multiply-adds per step, never softmax, and the override forces either path', () => {
    const shape = (inputs: number, units: number, activation: Activation = 'tanh') => ({ index: 0, inputs, units, activation, slope: 0.01 });
    expect(FUSED_VOLUME).toBe(4096);
    expect(fusedRows(shape(2, 8))).toBe(256);
    expect(fusedRows(shape(8, 8))).toBe(64);
    expect(fusedRows(shape(784, 128))).toBe(0);
    expect(fusedRows(shape(3, 3, 'softmax'))).toBe(0);
    layerPathOverride.force = 'fused';
    expect(fusedRows(shape(784, 128))).toBeGreaterThanOrEqual(2 ** 31 - 1);
    expect(fusedRows(shape(3, 3, 'softmax'))).toBe(0);
    layerPathOverride.force = 'general';
    expect(fusedRows(shape(2, 8))).toBe(0);
  });
});

describe.each(ENGINES)('fused and general paths on the %s engine', (engine) => {
  ACTIVATIONS.forEach((activation, a) => {
    it(`${activation}: hidden and output layers, odd widths, a partial last batch, every optimizer: the same bits`, async () => {
      const rand = mulberry32(500 + a);
      const rows = 13; // batches of 4: the last one has 1 row
      const X = randomMatrix(rand, rows, 3, -2, 2);
      const Y = randomMatrix(rand, rows, 3, -1, 1);
      const spec: ModelSpec = {
        inputs: 3,
        layers: [{ units: 5, activation }, { units: 7, activation: ACTIVATIONS[(a + 2) % 6] }, { units: 3, activation }],
        loss: 'mse', seed: 11 + a, engine,
      };
      for (const [o, optimizer] of OPTIMIZERS.entries()) {
        const options: FitOptions = { ...optimizer, epochs: 6, batchSize: 4, shuffle: true };
        const fused = await train(spec, X, Y, options, 'fused');
        const general = await train(spec, X, Y, options, 'general');
        expect(fused.fusedRows.every((r) => r >= 4)).toBe(true);
        expect(general.fusedRows.every((r) => r === 0)).toBe(true);
        expectSameBits(fused, general, `${activation}, optimizer ${o}`);
        expect(general.loss.every(Number.isFinite)).toBe(true);
      }
    });
  });

  const LOSSES: { loss: Loss; output: Activation; plainLoss?: boolean }[] = [
    { loss: 'ssr', output: 'tanh' },
    { loss: 'half_se', output: 'softplus' },
    { loss: 'bce', output: 'sigmoid' },
    { loss: 'bce', output: 'sigmoid', plainLoss: true },
    { loss: 'cce', output: 'softmax' },
    { loss: 'cce', output: 'sigmoid', plainLoss: true },
  ];
  LOSSES.forEach(({ loss, output, plainLoss }, k) => {
    it(`${output} output with ${loss}${plainLoss ? ' (plain)' : ''}: the same bits`, async () => {
      const rand = mulberry32(700 + k);
      const rows = 11;
      const X = randomMatrix(rand, rows, 2, -2, 2);
      const Y = loss === 'cce' ? randomDistributions(rand, rows, 3) : randomMatrix(rand, rows, 3, loss === 'bce' ? 0 : -1, 1);
      const spec: ModelSpec = { inputs: 2, layers: [{ units: 9, activation: 'tanh' }, { units: 3, activation: output }], loss, plainLoss, seed: 3, engine };
      const options: FitOptions = { optimizer: 'adam', learningRate: 0.02, epochs: 8, batchSize: 3 };
      expectSameBits(await train(spec, X, Y, options, 'fused'), await train(spec, X, Y, options, 'general'), `${output} + ${loss}`);
    });
  });

  // Steps of one row with plain sgd on a network fused for one row take the one-row step (forward,
  // then one pass back that updates each parameter as it goes: assembly/fused.ts row_backward_sgd).
  describe('the one-row sgd step', () => {
    const history = async (spec: ModelSpec, X: number[][], Y: number[][], options: FitOptions, force: 'fused' | 'general') => {
      layerPathOverride.force = force;
      try {
        const model = await createModel(spec);
        const h = model.fit(X, Y, options);
        return { params: model.getParamsFlat(), loss: h.loss, fusedRows: [], h };
      } finally {
        layerPathOverride.force = null;
      }
    };

    ACTIVATIONS.forEach((activation, a) => {
      it(`${activation} in every layer, batch size 1, sgd with and without decay, shuffled or not: the same bits`, async () => {
        const rand = mulberry32(1100 + a);
        const rows = 7;
        const X = randomMatrix(rand, rows, 3, -2, 2);
        const Y = randomMatrix(rand, rows, 2, -1, 1);
        const spec: ModelSpec = {
          inputs: 3,
          layers: [{ units: 5, activation }, { units: 4, activation: ACTIVATIONS[(a + 3) % 6] }, { units: 2, activation }],
          loss: 'mse', seed: 21 + a, engine,
        };
        for (const extra of [{ shuffle: false }, { shuffle: true }, { shuffle: true, weightDecay: 0.03 }] as FitOptions[]) {
          const options: FitOptions = { optimizer: 'sgd', learningRate: 0.2, epochs: 9, batchSize: 1, ...extra };
          const fused = await history(spec, X, Y, options, 'fused');
          const general = await history(spec, X, Y, options, 'general');
          expectSameBits(fused, general, `${activation}, ${JSON.stringify(extra)}`);
          expect(fused.h.lastStep).toBe(general.h.lastStep);
          expect(general.loss.every(Number.isFinite)).toBe(true);
        }
      });
    });

    (['ssr', 'half_se', 'mse', 'bce'] as Loss[]).forEach((loss) => {
      it(`${loss} at the output, batch size 1: the same bits`, async () => {
        const rand = mulberry32(1200 + loss.length);
        const X = randomMatrix(rand, 6, 2, -2, 2);
        const Y = randomMatrix(rand, 6, 2, 0, 1);
        const output: Activation = loss === 'bce' ? 'sigmoid' : 'softplus';
        for (const plainLoss of loss === 'bce' ? [false, true] : [false]) {
          const spec: ModelSpec = { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: output }], loss, plainLoss, seed: 5, engine };
          const options: FitOptions = { optimizer: 'sgd', learningRate: 0.3, epochs: 12, batchSize: 1 };
          expectSameBits(await history(spec, X, Y, options, 'fused'), await history(spec, X, Y, options, 'general'), `${loss}${plainLoss ? ' (plain)' : ''}`);
        }
      });
    });

    it('Mazur\'s 2-2-2 network: the same bits, and the stop rules end at the same update', async () => {
      const spec: ModelSpec = {
        inputs: 2, layers: [{ units: 2, activation: 'sigmoid' }, { units: 2, activation: 'sigmoid' }], loss: 'mse', engine,
        params: [{ W: [[0.15, 0.2], [0.25, 0.3]], b: [0.35, 0.35] }, { W: [[0.4, 0.45], [0.5, 0.55]], b: [0.6, 0.6] }],
      };
      const X = [[0.05, 0.1]], Y = [[0.01, 0.99]];
      const runs: FitOptions[] = [
        { epochs: 3000 },
        { epochs: 3000, stepBelow: 1e-4 },
        { epochs: 3000, lossBelow: 1e-3 },
      ];
      for (const extra of runs) {
        const options: FitOptions = { optimizer: 'sgd', learningRate: 0.5, batchSize: 1, shuffle: false, ...extra };
        const fused = await history(spec, X, Y, options, 'fused');
        const general = await history(spec, X, Y, options, 'general');
        expectSameBits(fused, general, JSON.stringify(extra));
        expect(fused.h.stopReason).toBe(general.h.stopReason);
        expect(fused.h.steps).toBe(general.h.steps);
        expect(fused.h.lastStep).toBe(general.h.lastStep);
      }
      // the textbook's one update (half squared error; test/fixtures/reference/mazur-2-2-2.json):
      // w5+ = 0.35891648, w1+ = 0.149780716
      const one = await history({ ...spec, loss: 'half_se' }, X, Y, { optimizer: 'sgd', learningRate: 0.5, batchSize: 1, epochs: 1 }, 'fused');
      expect(one.params[6]).toBeCloseTo(0.35891648, 8);
      expect(one.params[0]).toBeCloseTo(0.149780716, 9);
    });

    it('a diverging run stops at the same last finite state on both paths', async () => {
      const rand = mulberry32(1300);
      const X = randomMatrix(rand, 5, 2, -3, 3);
      const Y = randomMatrix(rand, 5, 1, -50, 50);
      const spec: ModelSpec = { inputs: 2, layers: [{ units: 3, activation: 'relu' }, { units: 1, activation: 'identity' }], loss: 'ssr', seed: 9, engine };
      const options: FitOptions = { optimizer: 'sgd', learningRate: 3, epochs: 400, batchSize: 1, onDiverge: 'stop' };
      const fused = await history(spec, X, Y, options, 'fused');
      const general = await history(spec, X, Y, options, 'general');
      expect(general.h.stopReason).toBe('diverged');
      expect(fused.h.stopReason).toBe('diverged');
      expect(fused.h.steps).toBe(general.h.steps);
      expectSameBits(fused, general, 'diverged');
    });
  });

  it('layers on different paths by size (general, fused, fused) give the bits of the all-general run', async () => {
    const rand = mulberry32(901);
    const rows = 21;
    const X = randomMatrix(rand, rows, 37, -1, 1);
    const Y = randomMatrix(rand, rows, 3, 0, 1);
    const spec: ModelSpec = { inputs: 37, layers: [{ units: 33, activation: 'sigmoid' }, { units: 5, activation: 'tanh' }, { units: 3, activation: 'sigmoid' }], loss: 'mse', seed: 4, engine };
    const options: FitOptions = { optimizer: 'momentum', learningRate: 0.1, epochs: 4, batchSize: 8 };
    const bySize = await train(spec, X, Y, options, null);
    expect(bySize.fusedRows[0]).toBeLessThan(8);
    expect(bySize.fusedRows[1]).toBeGreaterThanOrEqual(8);
    expect(bySize.fusedRows[2]).toBeGreaterThanOrEqual(8);
    expectSameBits(bySize, await train(spec, X, Y, options, 'general'), 'mixed paths');
  });
});
