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
