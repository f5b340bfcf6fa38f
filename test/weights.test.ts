// Row weights: fit's sampleWeight (one weight ≥ 0 per row given) and a classifier's classWeight
// ('balanced' or { label: weight }), which multiply. Row r's loss terms and output δ count w_r times,
// at today's scale (1/(N·K) for mse, 1/N for cce). Against PyTorch float64 (test/fixtures/regularization,
// made by the script beside it) for mse and a softmax cce; weights of 1 are the unweighted bits; a
// weight of 0 removes a row from the loss (not from its batch); 'balanced' is the hand-computed map;
// shuffled weighted fits are the same bits on 1, 2 and 3 threads and (a model whose sums both engines
// order alike) on both engines; N + N epochs are 2N; and the errors name the option and the row.
/// <reference types="vite/client" />
import { afterEach, describe, expect, it } from 'vitest';
import { createModel, loadModel, OptionsError, type FitOptions, type LayerParams, type ModelSpec } from '../src/index.js';
import { H } from '../src/layout/abi.js';
import { computePlan, layerPathOverride, type Plan } from '../src/layout/plan.js';
import { validateSpec } from '../src/spec/validate.js';
import { resolveSpec } from '../src/model/factory.js';
import { ENGINES } from './helpers/engines.js';
import { expectTypedError } from './helpers/errors.js';
import { bytes, expectParamsNear, relative, resetOverrides, splitEverything, workerTiles } from './helpers/regularization.js';
import { mulberry32, normwise, randomDistributions, randomMatrix } from './helpers/random.js';

interface Trajectory {
  name: string; loss: 'mse' | 'cce'; optimizer: 'sgd' | 'adam'; learningRate: number; weightDecay: number; l1: number; epochs: number;
  sampleWeight: number[]; X: number[][]; Y: number[][]; params: LayerParams[]; final: LayerParams[]; losses: number[];
}
const fixtures = Object.values(import.meta.glob('./fixtures/regularization/regularization.json', { eager: true, import: 'default' }))[0] as { weighted: Trajectory[] };

const planOf = (model: object): Plan => (model as { plan: Plan }).plan;
const engineOf = (model: object): { i32: Int32Array } => (model as { engine: { i32: Int32Array } }).engine;

/** Trains a fresh model; the parameters' and the loss history's bits. */
async function run(spec: ModelSpec, X: number[][], Y: number[][] | (string | number)[], options: FitOptions): Promise<string[]> {
  const model = await createModel(spec);
  const h = model.fit(X, Y as number[][], options);
  return [bytes(model.getParamsFlat()), bytes(h.loss)];
}

afterEach(resetOverrides);

describe.each(ENGINES)('row weights on the %s engine', (engine) => {
  for (const t of fixtures.weighted) {
    it(`agrees with PyTorch float64 to 1e-9 (parameters, and the weighted loss it reports): ${t.name}`, async () => {
      const cce = t.loss === 'cce';
      const spec: ModelSpec = {
        inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: cce ? 3 : 2, activation: cce ? 'softmax' : 'identity' }], loss: t.loss, engine, params: t.params,
      };
      const model = await createModel(spec);
      const history = model.fit(t.X, t.Y, {
        epochs: t.epochs, batchSize: 4, shuffle: false, learningRate: t.learningRate, weightDecay: t.weightDecay, l1: t.l1,
        optimizer: t.optimizer, sampleWeight: t.sampleWeight,
      });
      history.loss.forEach((loss, e) => expect(relative(loss, t.losses[e]), `loss of epoch ${e}`).toBeLessThanOrEqual(1e-9));
      expectParamsNear(model.getParams(), t.final, 1e-9);
    });
  }

  const PAIRINGS: { loss: ModelSpec['loss']; output: 'identity' | 'sigmoid' | 'softmax' | 'tanh'; plainLoss?: boolean }[] = [
    { loss: 'mse', output: 'tanh' }, { loss: 'ssr', output: 'identity' }, { loss: 'half_se', output: 'sigmoid' },
    { loss: 'bce', output: 'sigmoid' }, { loss: 'bce', output: 'sigmoid', plainLoss: true },
    { loss: 'cce', output: 'softmax' }, { loss: 'cce', output: 'softmax', plainLoss: true },
  ];
  PAIRINGS.forEach(({ loss, output, plainLoss }, k) => {
    it(`${output} + ${loss}${plainLoss ? ' (plain)' : ''}: weights of 1 are the unweighted bits (every path, batch 1 to all, shuffled)`, async () => {
      const rand = mulberry32(900 + k);
      const rows = 10;
      const X = randomMatrix(rand, rows, 3, -2, 2);
      const Y = loss === 'cce' ? randomDistributions(rand, rows, 3) : randomMatrix(rand, rows, 3, loss === 'bce' ? 0 : -1, 1);
      const spec: ModelSpec = { inputs: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 3, activation: output }], loss, plainLoss, engine, seed: 7 };
      for (const force of ['fused', 'general'] as const) {
        layerPathOverride.force = force;
        for (const v of [{ batchSize: 1 }, { batchSize: 3, optimizer: 'momentum' }, { batchSize: 10, shuffle: false, optimizer: 'adam' }] as FitOptions[]) {
          const options: FitOptions = { epochs: 4, learningRate: 0.1, ...v };
          const what = `${force}, ${JSON.stringify(v)}`;
          const plain = await run(spec, X, Y, options);
          expect(await run(spec, X, Y, { ...options, sampleWeight: new Array(rows).fill(1) }), what).toEqual(plain);
          expect(await run(spec, X, Y, { ...options, sampleWeight: new Float64Array(rows).fill(1) }), what).toEqual(plain);
        }
      }
    });
  });

  it('a weight of 0 takes a row out of the loss: its values change nothing (it keeps its place in its batch)', async () => {
    const rand = mulberry32(77);
    const X = randomMatrix(rand, 9, 2, -2, 2), Y = randomMatrix(rand, 9, 2);
    const w = Array.from({ length: 9 }, () => 0.5 + rand());
    w[4] = 0;
    const spec: ModelSpec = { inputs: 2, layers: [{ units: 5, activation: 'sigmoid' }, { units: 2, activation: 'identity' }], loss: 'mse', engine, seed: 2 };
    const X2 = X.map((row, r) => (r === 4 ? [7, -3] : row)), Y2 = Y.map((row, r) => (r === 4 ? [100, -50] : row));
    for (const v of [{ batchSize: 1 }, { batchSize: 4, optimizer: 'adam' }, { batchSize: 9, shuffle: false }] as FitOptions[]) {
      const options: FitOptions = { epochs: 5, learningRate: 0.1, sampleWeight: w, ...v };
      expect(await run(spec, X2, Y2, options), JSON.stringify(v)).toEqual(await run(spec, X, Y, options));
    }
    // In a full batch it is the fit without the row, but for the scale (N rows, not N − 1): weights
    // of N / (N − 1) on the other rows make up for it (equal to rounding; in smaller batches a 0-weight
    // row still takes a place, so the other rows' batches are not those of the data without it).
    const kept = [0, 1, 2, 3, 5, 6, 7, 8];
    const full = await createModel(spec), without = await createModel(spec);
    full.fit(X, Y, { epochs: 5, batchSize: 9, learningRate: 0.1, sampleWeight: w });
    without.fit(kept.map((r) => X[r]), kept.map((r) => Y[r]), { epochs: 5, batchSize: 8, learningRate: 0.1, sampleWeight: kept.map((r) => (w[r] * 8) / 9) });
    const a = full.getParamsFlat(), b = without.getParamsFlat();
    a.forEach((v, i) => expect(relative(v, b[i]), `parameter ${i}`).toBeLessThanOrEqual(1e-13));
  });

  it('sampleWeight with validationSplit: one weight per row given, the held-out rows\' unused; validation losses are unweighted', async () => {
    const rand = mulberry32(78);
    const X = randomMatrix(rand, 12, 2, -2, 2), Y = randomMatrix(rand, 12, 1);
    const w = Array.from({ length: 12 }, () => 2 * rand());
    const spec: ModelSpec = { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse', engine, seed: 6 };
    const options: FitOptions = { epochs: 4, batchSize: 3, learningRate: 0.1 };
    const split = await createModel(spec), given = await createModel(spec);
    const hs = split.fit(X, Y, { ...options, validationSplit: 0.25, sampleWeight: w });
    const hg = given.fit(X.slice(0, 9), Y.slice(0, 9), { ...options, validationData: [X.slice(9), Y.slice(9)], sampleWeight: w.slice(0, 9) });
    expect(bytes(split.getParamsFlat())).toBe(bytes(given.getParamsFlat()));
    expect(hs.loss).toEqual(hg.loss);
    expect(hs.valLoss).toEqual(hg.valLoss);
    expect(relative(hs.valLoss![3], split.loss(X.slice(9), Y.slice(9)))).toBeLessThanOrEqual(1e-15);
  });

  it("'balanced' class weights are the hand-computed map; classWeight and sampleWeight multiply", async () => {
    const rand = mulberry32(79);
    const labels = ['b', 'a', 'c', 'b', 'b', 'c', 'b', 'a', 'b', 'c', 'b', 'b'];
    const X = randomMatrix(rand, labels.length, 2, -2, 2);
    const spec: ModelSpec = { inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cce', engine, seed: 1 };
    // counts a 2, b 7, c 3 of 12 rows: w_k = 12 / (3 · count_k)
    const map = { a: 12 / (3 * 2), b: 12 / (3 * 7), c: 12 / (3 * 3) };
    const perRow = labels.map((l) => map[l as keyof typeof map]);
    expect(perRow.reduce((s, v) => s + v, 0) / labels.length).toBeCloseTo(1, 14); // they average 1 over the rows
    const options: FitOptions = { epochs: 4, batchSize: 5, learningRate: 0.2 };
    const balanced = await run(spec, X, labels, { ...options, classWeight: 'balanced' });
    expect(await run(spec, X, labels, { ...options, classWeight: map })).toEqual(balanced);
    expect(await run(spec, X, labels, { ...options, sampleWeight: perRow })).toEqual(balanced);
    // one-hot rows (the model learns no classes from them): 'balanced' needs none
    const oneHot = labels.map((l) => ['a', 'b', 'c'].map((c) => (c === l ? 1 : 0)));
    expect(await run(spec, X, oneHot, { ...options, classWeight: 'balanced' })).toEqual(balanced);
    // both options: their product
    const s = labels.map(() => 0.25 + rand());
    expect(await run(spec, X, labels, { ...options, classWeight: map, sampleWeight: s }))
      .toEqual(await run(spec, X, labels, { ...options, sampleWeight: s.map((v, r) => v * perRow[r]) }));
    // with validationSplit, 'balanced' counts the training rows (the first 9: a 2, b 5, c 2)
    const trained = { a: 9 / (3 * 2), b: 9 / (3 * 5), c: 9 / (3 * 2) };
    expect(await run(spec, X, labels, { ...options, classWeight: 'balanced', validationSplit: 0.25 }))
      .toEqual(await run(spec, X, labels, { ...options, classWeight: trained, validationSplit: 0.25 }));
  });

  it('one sigmoid output: the class of a row is t > 0.5, numeric labels map by their text', async () => {
    const rand = mulberry32(80);
    const labels = [0, 1, 1, 0, 1, 1, 1, 0];
    const X = randomMatrix(rand, labels.length, 2, -2, 2);
    const spec: ModelSpec = { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'bce', engine, seed: 3 };
    const options: FitOptions = { epochs: 3, batchSize: 3, learningRate: 0.3 };
    const map = { 0: 8 / (2 * 3), 1: 8 / (2 * 5) };
    const expected = await run(spec, X, labels, { ...options, sampleWeight: labels.map((l) => map[l as 0 | 1]) });
    expect(await run(spec, X, labels, { ...options, classWeight: 'balanced' })).toEqual(expected);
    expect(await run(spec, X, labels, { ...options, classWeight: map })).toEqual(expected);
    expect(await run(spec, X, labels.map((l) => [l === 1 ? 0.9 : 0.2]), { ...options, classWeight: 'balanced' }))
      .toEqual(await run(spec, X, labels.map((l) => [l === 1 ? 0.9 : 0.2]), { ...options, sampleWeight: labels.map((l) => map[l as 0 | 1]) }));
  });

  it('N + N epochs are 2N with weights (given to both calls), directly and through toJSON', async () => {
    const rand = mulberry32(81);
    const X = randomMatrix(rand, 13, 3, -2, 2), Y = randomMatrix(rand, 13, 2);
    const w = Array.from({ length: 13 }, () => 2 * rand());
    const spec: ModelSpec = { inputs: 3, layers: [{ units: 6, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', engine, seed: 9 };
    for (const v of [{ optimizer: 'sgd', batchSize: 1 }, { optimizer: 'momentum', batchSize: 4, l1: 0.003 }, { optimizer: 'adam', batchSize: 5 }] as FitOptions[]) {
      const options: FitOptions = { learningRate: 0.05, sampleWeight: w, ...v };
      const whole = await createModel(spec);
      const h = whole.fit(X, Y, { ...options, epochs: 6 });
      const split = await createModel(spec);
      const h1 = split.fit(X, Y, { ...options, epochs: 3 });
      const resumed = await loadModel(JSON.stringify(split.toJSON()), { engine });
      const h2 = split.fit(X, Y, { ...options, epochs: 3 });
      const h3 = resumed.fit(X, Y, { ...options, epochs: 3 });
      expect(bytes([...h1.loss, ...h2.loss]), JSON.stringify(v)).toBe(bytes(h.loss));
      expect(bytes(split.getParamsFlat()), JSON.stringify(v)).toBe(bytes(whole.getParamsFlat()));
      expect(bytes(resumed.getParamsFlat()), `${JSON.stringify(v)}, resumed`).toBe(bytes(whole.getParamsFlat()));
      expect(bytes(h3.loss)).toBe(bytes(h2.loss));
    }
  });

  it('without weights there is no pointer: a fit after a weighted one clears the header slots', async () => {
    const rand = mulberry32(82);
    const X = randomMatrix(rand, 6, 2), Y = randomMatrix(rand, 6, 1);
    const model = await createModel({ inputs: 2, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', engine });
    const slots = (): number[] => {
      const h = planOf(model).header >>> 2;
      return [engineOf(model).i32[h + H.WEIGHTS], engineOf(model).i32[h + H.BATCH_WEIGHTS]];
    };
    model.fit(X, Y, { epochs: 1 });
    expect(slots()).toEqual([0, 0]);
    expect(planOf(model).weighted).toBe(false);
    model.fit(X, Y, { epochs: 1, sampleWeight: [1, 2, 3, 4, 5, 6] });
    expect(planOf(model).weighted).toBe(true);
    expect(slots()).toEqual([planOf(model).weights, planOf(model).batchWeights]);
    model.fit(X, Y, { epochs: 1 });
    expect(slots()).toEqual([0, 0]);
  });

  it('errors: sampleWeight of another length, negative or not finite (naming the row); classWeight on a regressor, missing or unknown classes', async () => {
    const X = [[0, 1], [1, 0], [1, 1], [0, 0]];
    const regressor = await createModel({ inputs: 2, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', engine });
    const Y = [[0], [1], [1], [0]];
    const fit = (options: FitOptions) => () => regressor.fit(X, Y, options);
    expectTypedError(fit({ sampleWeight: [1, 2, 3] }), OptionsError, 'options.sampleWeight', /4 weights \(one per row given\), got an array of length 3/);
    expectTypedError(fit({ sampleWeight: [1, 2, 3, 4, 5], validationSplit: 0.25 }), OptionsError, 'options.sampleWeight', /4 weights/);
    expectTypedError(fit({ sampleWeight: [1, -2, 3, 4] }), OptionsError, 'options.sampleWeight[1]', /finite number ≥ 0, got -2/);
    expectTypedError(fit({ sampleWeight: new Float64Array([1, 2, NaN, 4]) }), OptionsError, 'options.sampleWeight[2]', /got NaN/);
    expectTypedError(fit({ sampleWeight: [1, 2, 3, Infinity] }), OptionsError, 'options.sampleWeight[3]', /got Infinity/);
    expectTypedError(fit({ sampleWeight: [1, '2', 3, 4] as never }), OptionsError, 'options.sampleWeight[1]');
    expectTypedError(fit({ sampleWeight: 1 as never }), OptionsError, 'options.sampleWeight', /an array or Float64Array/);
    expectTypedError(fit({ classWeight: 'balanced' }), OptionsError, 'options.classWeight', /needs a classifier/);

    const classifier = await createModel({ inputs: 2, layers: [{ units: 3, activation: 'softmax' }], loss: 'cce', engine });
    const labels = ['cat', 'dog', 'eel', 'dog'];
    const fitC = (options: FitOptions, y: unknown = labels) => () => classifier.fit(X, y as string[], options);
    expectTypedError(fitC({ classWeight: { cat: 1, dog: 2 } }), OptionsError, 'options.classWeight["eel"]', /no weight for class "eel"; give one for every class \("cat", "dog", "eel"\)/);
    expectTypedError(fitC({ classWeight: { cat: 1, dog: 2, eel: 1, emu: 3 } }), OptionsError, 'options.classWeight', /"emu" is not one of the model's classes \("cat", "dog", "eel"\)/);
    expectTypedError(fitC({ classWeight: { cat: 1, dog: -2, eel: 1 } }), OptionsError, 'options.classWeight["dog"]', /finite number ≥ 0, got -2/);
    expectTypedError(fitC({ classWeight: 'balance' as never }), OptionsError, 'options.classWeight', /'balanced' or an object/);
    // a failed fit leaves the model as it was: no classes learned from its labels
    expect(classifier.classes).toBeNull();
    const oneHot = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]];
    expectTypedError(fitC({ classWeight: { 0: 1, 1: 1, 2: 1 } }, oneHot), OptionsError, 'options.classWeight', /need the model's classes/);
  });
});

describe('weighted fits: the same bits on 1, 2 and 3 threads, and on both engines where their sums agree', () => {
  it('shuffled, weighted, every pass split on the threads (the batch weights gathered with the rows)', async () => {
    splitEverything();
    const rand = mulberry32(83);
    const labels = Array.from({ length: 41 }, (_, r) => ['x', 'y', 'y', 'z', 'y'][r % 5]);
    const X = randomMatrix(rand, 41, 5, -2, 2), Y = randomMatrix(rand, 41, 3);
    const w = Array.from({ length: 41 }, () => 2 * rand());
    const regressor: ModelSpec = { inputs: 5, layers: [{ units: 9, activation: 'tanh' }, { units: 3, activation: 'sigmoid' }], loss: 'mse', seed: 4 };
    const classifier: ModelSpec = { inputs: 5, layers: [{ units: 9, activation: 'relu' }, { units: 3, activation: 'softmax' }], loss: 'cce', seed: 4 };
    const results: Record<number, string[]> = {};
    for (const threads of [1, 2, 3]) {
      results[threads] = [];
      for (const [spec, y, options] of [
        [regressor, Y, { sampleWeight: w, batchSize: 7 }], [regressor, Y, { sampleWeight: w, batchSize: 1, optimizer: 'sgd' }],
        [classifier, labels, { classWeight: 'balanced', sampleWeight: w, batchSize: 6, optimizer: 'adam' }],
      ] as [ModelSpec, number[][] | string[], FitOptions][]) {
        const model = await createModel({ ...spec, threads });
        const h = model.fit(X, y as number[][], { epochs: 3, learningRate: 0.05, ...options });
        results[threads].push(bytes(model.getParamsFlat()), bytes(h.loss));
        // where threads run (not in a page that is not cross-origin isolated), the workers computed
        // tiles; not in the one-row sgd step, which has no pass to split
        if (threads > 1 && model.threadsNote === null && options.batchSize! > 1) expect(workerTiles(model), `${threads} threads`).toBeGreaterThan(0);
        model.dispose();
      }
    }
    expect(results[2]).toEqual(results[1]);
    expect(results[3]).toEqual(results[1]);
  });

  it('shuffled weighted mini-batches: ts and wasm agree to 1e-10 (their sums differ in order, not their rows or weights)', async () => {
    const rand = mulberry32(85);
    const X = randomMatrix(rand, 23, 3, -2, 2), Y = randomMatrix(rand, 23, 2);
    const w = Array.from({ length: 23 }, () => 3 * rand());
    const spec: ModelSpec = { inputs: 3, layers: [{ units: 7, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }], loss: 'mse', seed: 13 };
    for (const v of [{ batchSize: 1 }, { batchSize: 4, optimizer: 'adam' }, { batchSize: 6, l1: 0.001 }] as FitOptions[]) {
      const options: FitOptions = { epochs: 5, learningRate: 0.1, sampleWeight: w, ...v };
      const [ts, wasm] = [await createModel({ ...spec, engine: 'ts' }), await createModel({ ...spec, engine: 'wasm' })];
      const [ht, hw] = [ts.fit(X, Y, options), wasm.fit(X, Y, options)];
      expect(normwise(ts.getParamsFlat(), wasm.getParamsFlat()), JSON.stringify(v)).toBeLessThanOrEqual(1e-10);
      expect(normwise(ht.loss, hw.loss), JSON.stringify(v)).toBeLessThanOrEqual(1e-10);
    }
  });

  it('a linear model with rows one at a time (every sum of one order in both engines): the same bits on ts and wasm', async () => {
    const rand = mulberry32(84);
    const X = randomMatrix(rand, 15, 4, -2, 2), Y = randomMatrix(rand, 15, 2);
    const w = Array.from({ length: 15 }, () => 2 * rand());
    w[3] = 0;
    const spec: ModelSpec = { inputs: 4, layers: [{ units: 2, activation: 'identity' }], loss: 'mse', seed: 12 };
    for (const v of [{ optimizer: 'sgd', l1: 0.01 }, { optimizer: 'momentum' }, { optimizer: 'adam', weightDecay: 0.01 }] as FitOptions[]) {
      const options: FitOptions = { epochs: 4, batchSize: 1, learningRate: 0.05, sampleWeight: w, ...v };
      expect(await run({ ...spec, engine: 'ts' }, X, Y, options), JSON.stringify(v)).toEqual(await run({ ...spec, engine: 'wasm' }, X, Y, options));
    }
  });
});

describe('the plan', () => {
  it('has the weights regions only for weighted fits, and every other offset where it was', () => {
    const spec = resolveSpec(validateSpec({ inputs: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse' }));
    const plain = computePlan(spec, { batch: 5, rows: 20 });
    const weighted = computePlan(spec, { batch: 5, rows: 20, weights: true });
    expect(plain.weighted).toBe(false);
    expect([plain.weights, plain.batchWeights]).toEqual([plain.batchX, plain.lossLog]); // both empty
    expect(weighted.weights).toBeGreaterThanOrEqual(weighted.perm + 20 * 4);
    expect(weighted.batchX).toBeGreaterThanOrEqual(weighted.weights + 20 * 8);
    expect(weighted.batchWeights).toBeGreaterThanOrEqual(weighted.batchY + 5 * 2 * 8);
    expect(weighted.lossLog).toBeGreaterThanOrEqual(weighted.batchWeights + 5 * 8);
    for (const key of ['header', 'pool', 'table', 'params', 'grads', 'rng', 'optState', 'x', 'y', 'perm'] as const) expect(weighted[key], key).toBe(plain[key]);
  });
});
