// Dropout (`{ units, activation, dropout: p }`): inverted dropout on a hidden layer's output while
// training, with masks drawn from the model's seeded generator in the documented order
// (assembly/dropout.ts). Both engines draw the same masks (bit for bit) and keep the expected
// activation; p = 0 is today's model, bits, paths and file; a 1-2-1 step is checked by hand; N + N
// epochs are 2N, directly and through toJSON; everything but training ignores dropout; and the option
// is validated. The thread counts are checked in Node (the last block): the page is not isolated.
import { afterEach, describe, expect, it } from 'vitest';
import { SpecError, createModel, loadModel, toONNX, type FitOptions, type LayerSpec, type Model, type ModelSpec } from '../src/index.js';
import type { Engine } from '../src/engine/engine.js';
import { H } from '../src/layout/abi.js';
import { readRng, writeRng } from '../src/layout/pack.js';
import { threadSplitOverride, type Plan } from '../src/layout/plan.js';
import { nextBelow, nextUniform, seedState } from '../src/layout/rng.js';
import { apply_mask, dropout_mask } from '../src/engine/ts/dropout.js';
import { row_step_ready } from '../src/engine/ts/fused.js';
import { ENGINES } from './helpers/engines.js';
import { mulberry32, randomMatrix } from './helpers/random.js';

afterEach(() => {
  threadSplitOverride.minVolume = null;
  threadSplitOverride.minElements = null;
  threadSplitOverride.workersOnly = false;
});

const inside = (model: Model): { engine: Engine; plan: Plan } => model as unknown as { engine: Engine; plan: Plan };

/** The mask region (factors 0 or 1/(1 − p)) of layer `l` for `rows` rows, as the last update left it. */
function maskOf(model: Model, l: number, rows: number): Float64Array {
  const { engine, plan } = inside(model);
  const layer = plan.layers[l];
  expect(layer.mask, `layer ${l} has a mask region`).toBeGreaterThan(0);
  return engine.f64.slice(layer.mask >>> 3, (layer.mask >>> 3) + rows * layer.units);
}

const bits = (values: ArrayLike<number>): string => Array.from(values, (v) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0).toString(16);
}).join(',');

const rand = mulberry32(2024);
const X = randomMatrix(rand, 60, 3, -2, 2);
const Y = X.map(([a, b, c]) => [a * b - c, Math.sin(a + c)]);
const TWO_DROPOUTS: ModelSpec = {
  inputs: 3, seed: 17, loss: 'mse',
  layers: [{ units: 9, activation: 'tanh', dropout: 0.25 }, { units: 7, activation: 'relu', dropout: 0.4 }, { units: 2, activation: 'identity' }],
};
const SHUFFLED: FitOptions = { epochs: 6, batchSize: 16, shuffle: true, optimizer: 'adam', learningRate: 0.01 };

/**
 * The masks the documented order gives for one update: from `state` (advanced), for each layer with
 * dropout (units, p), each of `rows` rows, each unit: 1/(1 − p) where the next uniform is ≥ p, else 0.
 */
function drawMasks(state: Uint32Array, rows: number, layers: { units: number; p: number }[]): Float64Array[] {
  return layers.map(({ units, p }) => Float64Array.from({ length: rows * units }, () => (nextUniform(state) >= p ? 1 / (1 - p) : 0)));
}

describe('the masks', () => {
  it('are the documented draws, the same bits on both engines, and the generator ends in the same state', async () => {
    const results = [];
    for (const engine of ENGINES) {
      const model = await createModel({ ...TWO_DROPOUTS, engine });
      const { plan } = inside(model);
      const state = readRng(plan, inside(model).engine);
      // one epoch of four updates over rows in order (no shuffle): 16, 16, 16, 12 rows
      model.fit(X, Y, { epochs: 1, batchSize: 16, shuffle: false, learningRate: 0.01 });
      let last: Float64Array[] = [];
      for (const rows of [16, 16, 16, 12]) last = drawMasks(state, rows, [{ units: 9, p: 0.25 }, { units: 7, p: 0.4 }]);
      expect(bits(maskOf(model, 0, 12)), `${engine}: layer 0`).toBe(bits(last[0]));
      expect(bits(maskOf(model, 1, 12)), `${engine}: layer 1`).toBe(bits(last[1]));
      expect(Array.from(readRng(plan, inside(model).engine)), `${engine}: the generator after the epoch`).toEqual(Array.from(state));
      // then shuffled epochs: each epoch's order is drawn first, then the masks of each update
      const before = readRng(plan, inside(model).engine);
      const history = model.fit(X, Y, SHUFFLED);
      for (let e = 0; e < SHUFFLED.epochs!; e++) {
        for (let i = 0; i < X.length; i++) nextBelow(before, i + 1);
        for (const rows of [16, 16, 16, 12]) last = drawMasks(before, rows, [{ units: 9, p: 0.25 }, { units: 7, p: 0.4 }]);
      }
      expect(bits(maskOf(model, 1, 12)), `${engine}: layer 1 after shuffled epochs`).toBe(bits(last[1]));
      expect(Array.from(readRng(plan, inside(model).engine))).toEqual(Array.from(before));
      results.push({ masks: [bits(maskOf(model, 0, 12)), bits(maskOf(model, 1, 12))], params: model.getParamsFlat(), loss: history.loss });
      model.dispose();
    }
    const [ts, wasm] = results;
    expect(wasm.masks).toEqual(ts.masks);
    // the parameters agree as closely as the engines do without dropout (docs/engines.md: not the same bits)
    for (let i = 0; i < ts.params.length; i++) expect(Math.abs(wasm.params[i] - ts.params[i]), `parameter ${i}`).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(ts.params[i])));
    ts.loss.forEach((v, e) => expect(Math.abs(wasm.loss[e] - v), `loss of epoch ${e}`).toBeLessThanOrEqual(1e-10 * (1 + v)));
  });

  it('keep the expected activation: the masking kernel over 200,000 values', () => {
    for (const p of [0.1, 0.5, 0.9]) {
      const n = 200_000;
      const m = new Float64Array(2 * n);
      for (let k = 0; k < n; k++) m[k] = 1.5 - (k % 7) * 0.5; // values a in [−1.5, 1.5], 0 included
      const a = m.slice(0, n);
      dropout_mask(m, seedState(99), n, p, n);
      apply_mask(m, n, 0, n);
      let kept = 0, sum = 0, sumA = 0, sumA2 = 0, wrong = 0;
      for (let k = 0; k < n; k++) {
        if (m[n + k] !== 0) kept++;
        // a dropped value is +0, a kept one a · 1/(1 − p)
        if (!(m[n + k] === 0 ? Object.is(m[k], 0) : m[k] === a[k] * (1 / (1 - p)))) wrong++;
        sum += m[k];
        sumA += a[k];
        sumA2 += a[k] * a[k];
      }
      expect(wrong, `p = ${p}: values not dropped to +0 or scaled`).toBe(0);
      // kept ~ Binomial(n, 1 − p); Σ a_masked has mean Σ a and variance Σ a² · p / (1 − p): 5 standard errors
      expect(Math.abs(kept - n * (1 - p)), `p = ${p}: kept`).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
      expect(Math.abs(sum - sumA), `p = ${p}: Σ a_masked against Σ a`).toBeLessThan(5 * Math.sqrt(sumA2 * p / (1 - p)));
    }
  });

  ENGINES.forEach((engine) => {
    it(`keep the expected activation in a training step (${engine}): 4000 copies of one row, unit by unit`, async () => {
      const rows = 4000, p = 0.3;
      const spec: ModelSpec = { inputs: 2, seed: 5, loss: 'mse', engine, layers: [{ units: 6, activation: 'tanh', dropout: p }, { units: 1, activation: 'identity' }] };
      const model = await createModel(spec);
      const Xs = Array.from({ length: rows }, () => [0.7, -1.1]);
      const Ys = Array.from({ length: rows }, () => [0.5]);
      const a = model.gradients(Xs.slice(0, 1), Ys.slice(0, 1), { traces: true }).layers[0].a[0];
      model.fit(Xs, Ys, { epochs: 1, batchSize: rows, shuffle: false, learningRate: 0.01 });
      const { engine: e, plan } = inside(model);
      const masked = e.f64.subarray(plan.layers[0].a >>> 3, (plan.layers[0].a >>> 3) + rows * 6);
      for (let j = 0; j < 6; j++) {
        let mean = 0;
        for (let r = 0; r < rows; r++) mean += masked[r * 6 + j] / rows;
        const se = Math.abs(a[j]) * Math.sqrt(p / (1 - p) / rows);
        expect(Math.abs(mean - a[j]), `unit ${j}: mean ${mean} against ${a[j]}`).toBeLessThan(5 * se);
      }
      model.dispose();
    });
  });
});

describe('p = 0 is a model without dropout', () => {
  ENGINES.forEach((engine) => {
    it(`the same bits, paths and saved file (${engine})`, async () => {
      const layers: LayerSpec[] = [{ units: 5, activation: 'sigmoid' }, { units: 4, activation: 'leaky_relu', slope: 0.1 }, { units: 2, activation: 'identity' }];
      const spec = (dropout: boolean): ModelSpec => ({
        inputs: 3, loss: 'mse', seed: 8, engine, layers: layers.map((l, i) => (dropout && i < 2 ? { ...l, dropout: 0 } : l)),
      });
      for (const options of [SHUFFLED, { epochs: 3, batchSize: 1, shuffle: true, optimizer: 'sgd', learningRate: 0.05 } as FitOptions]) {
        const plain = await createModel(spec(false));
        const zero = await createModel(spec(true));
        const a = plain.fit(X, Y, options), b = zero.fit(X, Y, options);
        expect(bits(b.loss)).toBe(bits(a.loss));
        expect(bits(zero.getParamsFlat())).toBe(bits(plain.getParamsFlat()));
        expect(JSON.stringify(zero.toJSON())).toBe(JSON.stringify(plain.toJSON()));
        // the fused path and the one-row sgd step are still open to it
        const { engine: e, plan } = inside(zero);
        expect(plan.layers.map((l) => l.fusedRows)).toEqual(inside(plain).plan.layers.map((l) => l.fusedRows));
        expect(plan.layers.every((l) => l.fusedRows > 0 && l.mask === 0)).toBe(true);
        expect(e.i32[(plan.header >>> 2) + H.DROPOUT]).toBe(0);
        expect(row_step_ready(e.i32, plan.header)).toBe(true);
        plain.dispose();
        zero.dispose();
      }
    });
  });

  it('while p > 0 takes its layer off the fused path and closes the one-row step', async () => {
    const model = await createModel({ ...TWO_DROPOUTS, engine: 'ts' });
    const { engine, plan } = inside(model);
    expect(plan.layers.map((l) => l.fusedRows)).toEqual([0, 0, Math.floor(4096 / 14)]);
    expect(engine.i32[(plan.header >>> 2) + H.DROPOUT]).toBe(1);
    expect(row_step_ready(engine.i32, plan.header)).toBe(false);
  });
});

describe('a 1-2-1 identity network, one step by hand', () => {
  ENGINES.forEach((engine) => {
    it(`keeps unit 0, drops unit 1, and updates as computed (${engine})`, async () => {
      // x = 1, W1 = [0.5, −0.25], b1 = [0.25, 0.5], W2 = [1, 2], b2 = 0, target 1, mse, sgd with lr 1/8, p = 1/2
      const model = await createModel({
        inputs: 1, loss: 'mse', engine,
        layers: [{ units: 2, activation: 'identity', dropout: 0.5 }, { units: 1, activation: 'identity' }],
        params: [{ W: [[0.5], [-0.25]], b: [0.25, 0.5] }, { W: [[1, 2]], b: [0] }],
      });
      const { engine: e, plan } = inside(model);
      writeRng(plan, e, seedState(3));
      const state = seedState(3);
      const u = [nextUniform(state), nextUniform(state)];
      expect(u[0]).toBeGreaterThanOrEqual(0.5); // kept: factor 2
      expect(u[1]).toBeLessThan(0.5); // dropped
      const history = model.fit([[1]], [[1]], { epochs: 1, batchSize: 1, shuffle: false, optimizer: 'sgd', learningRate: 0.125 });
      // z1 = a1 = [0.75, 0.25]; dropped: h = [1.5, 0]; y = 1.5; loss (y − 1)² = 0.25; dL/dy = 1
      // gW2 = [1.5, 0], gb2 = 1; dL/dh = [1, 2], times the mask: dL/dz1 = [2, 0]; gW1 = [2, 0], gb1 = [2, 0]
      expect(history.loss).toEqual([0.25]);
      expect(Array.from(model.getParamsFlat())).toEqual([0.5 - 0.25, -0.25, 0.25 - 0.25, 0.5, 1 - 0.125 * 1.5, 2, -0.125]);
      expect(Array.from(maskOf(model, 0, 1))).toEqual([2, 0]);
      expect(Array.from(readRng(plan, e))).toEqual(Array.from(state));
      model.dispose();
    });
  });
});

describe('resuming', () => {
  ENGINES.forEach((engine) => {
    it(`N + N epochs are 2N epochs, directly and through toJSON (${engine})`, async () => {
      const spec = { ...TWO_DROPOUTS, engine };
      const once = await createModel(spec);
      const whole = once.fit(X, Y, { ...SHUFFLED, epochs: 8 });
      const twice = await createModel(spec);
      const first = twice.fit(X, Y, { ...SHUFFLED, epochs: 4 });
      const saved = twice.toJSON();
      const second = twice.fit(X, Y, { ...SHUFFLED, epochs: 4 });
      const loaded = await loadModel(saved, { engine });
      const resumed = loaded.fit(X, Y, { ...SHUFFLED, epochs: 4 });
      expect(bits([...first.loss, ...second.loss])).toBe(bits(whole.loss));
      expect(bits(resumed.loss)).toBe(bits(second.loss));
      expect(bits(twice.getParamsFlat())).toBe(bits(once.getParamsFlat()));
      expect(bits(loaded.getParamsFlat())).toBe(bits(once.getParamsFlat()));
      expect(saved.spec.layers.map((l) => l.dropout)).toEqual([0.25, 0.4, undefined]);
      expect(loaded.spec.layers.map((l) => l.dropout)).toEqual([0.25, 0.4, 0]);
      for (const m of [once, twice, loaded]) m.dispose();
    });
  });
});

describe('only training drops', () => {
  ENGINES.forEach((engine) => {
    it(`predict, loss, evaluate, gradients and toONNX are those of the network without dropout (${engine})`, async () => {
      const model = await createModel({ ...TWO_DROPOUTS, engine });
      model.fit(X, Y, SHUFFLED);
      const { layers, ...rest } = TWO_DROPOUTS;
      const plain = await createModel({ ...rest, engine, layers: layers.map(({ dropout: _, ...l }) => l), params: model.getParams() });
      expect(bits(model.getParamsFlat())).toBe(bits(plain.getParamsFlat()));
      expect(bits(model.predict(X).flat())).toBe(bits(plain.predict(X).flat()));
      expect(bits([model.loss(X, Y)])).toBe(bits([plain.loss(X, Y)]));
      expect(model.evaluate(X, Y)).toEqual(plain.evaluate(X, Y));
      const g = model.gradients(X, Y, { traces: 'flat' }), h = plain.gradients(X, Y, { traces: 'flat' });
      expect(bits([g.loss, ...g.gradsFlat])).toBe(bits([h.loss, ...h.gradsFlat]));
      g.layers.forEach((layer, l) => expect(bits(layer.a), `layer ${l}: a`).toBe(bits(h.layers[l].a)));
      // a second call gives the same again: nothing was drawn
      expect(bits(model.gradients(X, Y).gradsFlat)).toBe(bits(h.gradsFlat));
      expect(bits(toONNX(model))).toBe(bits(toONNX(plain)));
      model.dispose();
      plain.dispose();
    });
  });
});

describe('validation', () => {
  const spec = (layers: unknown[]): ModelSpec => ({ inputs: 2, loss: 'mse', layers } as unknown as ModelSpec);
  const hidden = (extra: object): unknown[] => [{ units: 3, activation: 'relu', ...extra }, { units: 1, activation: 'identity' }];
  const refuse = async (layers: unknown[], code: string, message: RegExp): Promise<void> => {
    const error = await createModel(spec(layers)).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).code).toBe(code);
    expect((error as SpecError).message).toMatch(message);
  };

  it('takes a rate in [0, 1) on a hidden layer', async () => {
    for (const p of [0, 1e-9, 0.5, 0.999]) (await createModel(spec(hidden({ dropout: p })))).dispose();
  });

  it('refuses p ≥ 1, p < 0, NaN and what is not a number', async () => {
    for (const p of [1, 1.5, -0.1, NaN, Infinity, '0.5', null]) await refuse(hidden({ dropout: p }), 'BAD_DROPOUT', /layers\[0\]\.dropout: expected a dropout rate in \[0, 1\)/);
  });

  it('refuses dropout on the output layer, saying why', async () => {
    await refuse([{ units: 3, activation: 'relu' }, { units: 1, activation: 'identity', dropout: 0.2 }], 'DROPOUT_ON_OUTPUT', /layers\[1\]\.dropout: dropout applies to hidden layers only/);
  });

  it('suggests dropout for a misspelled key', async () => {
    const error = await createModel(spec(hidden({ dropuot: 0.2 }))).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).message).toMatch(/dropuot/);
    expect((error as SpecError).message).toMatch(/did you mean "?dropout"?/i);
  });
});

/** The thread pool runs in Node here; the Chromium page is not cross-origin isolated (one thread). */
const inNode = typeof window === 'undefined';

describe.skipIf(!inNode)('threads', () => {
  it('the same bits on 1, 2 and 3 threads, every split forced onto the workers', async () => {
    threadSplitOverride.minVolume = 1;
    threadSplitOverride.minElements = 1;
    threadSplitOverride.workersOnly = true;
    const runs: string[][] = [];
    for (const threads of [1, 2, 3]) {
      const model = await createModel({ ...TWO_DROPOUTS, threads });
      const history = model.fit(X, Y, SHUFFLED);
      const tiles = (inside(model).engine as unknown as { poolStats?: () => { workerTiles: number } }).poolStats?.().workerTiles ?? 0;
      expect(model.threads).toBe(threads);
      if (threads > 1) expect(tiles, `${threads} threads: the workers ran tiles`).toBeGreaterThan(0);
      runs.push([bits(model.getParamsFlat()), bits(history.loss), bits(maskOf(model, 0, 12)), bits(maskOf(model, 1, 12))]);
      model.dispose();
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });
});
