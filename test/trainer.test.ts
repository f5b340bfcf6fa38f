// The trainer's control: chunked and async training equal one-shot training bit for bit, validation,
// patience with restore-best, timeout, abort, callbacks, divergence handling.
import { describe, expect, it } from 'vitest';
import { createModel, TrainingError, type ModelSpec } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { mulberry32, randomMatrix } from './helpers/random.js';

const rand = mulberry32(21);
const X = randomMatrix(rand, 60, 3);
const Y = X.map(([a, b, c]) => [Math.sin(a + b) * 0.5, c * b]);
const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 7, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 8 };
const bytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const BASE = { epochs: 12, batchSize: 7, learningRate: 0.05, shuffle: true, optimizer: 'adam' as const };

describe.each(ENGINES)('trainer on the %s engine', (engine) => {
  it('chunks of updates (cutting epochs mid-way), fitAsync and one-shot fit give the same bits', async () => {
    const one = await createModel({ ...SPEC, engine });
    const h1 = one.fit(X, Y, BASE);
    const chunked = await createModel({ ...SPEC, engine });
    const progress: number[] = [];
    const h2 = chunked.fit(X, Y, { ...BASE, progressEvery: 3, onProgress: (p) => void progress.push(p.steps) });
    const async = await createModel({ ...SPEC, engine });
    const h3 = await async.fitAsync(X, Y, { ...BASE, progressEvery: 5 });
    expect(bytes(chunked.getParamsFlat())).toEqual(bytes(one.getParamsFlat()));
    expect(bytes(async.getParamsFlat())).toEqual(bytes(one.getParamsFlat()));
    expect(h2.loss).toEqual(h1.loss);
    expect(h3.loss).toEqual(h1.loss);
    expect(h1.steps).toBe(12 * Math.ceil(60 / 7));
    expect(progress.slice(0, 3)).toEqual([3, 6, 9]);
  });

  it('N fit calls of one epoch give the same bits as one fit of N epochs (shuffled, adam)', async () => {
    const one = await createModel({ ...SPEC, engine });
    const h1 = one.fit(X, Y, { ...BASE, epochs: 6 });
    const stepwise = await createModel({ ...SPEC, engine });
    const losses: number[] = [];
    for (let e = 0; e < 6; e++) losses.push(...stepwise.fit(X, Y, { ...BASE, epochs: 1 }).loss);
    expect(losses).toEqual(h1.loss);
    expect(bytes(stepwise.getParamsFlat())).toEqual(bytes(one.getParamsFlat()));
  });

  it('fitAsync lets other work run while it trains', async () => {
    const model = await createModel({ ...SPEC, engine });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await model.fitAsync(X, Y, { ...BASE, epochs: 200, progressEvery: 5 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  it('validationSplit holds out the last rows and reports their loss each epoch', async () => {
    const model = await createModel({ ...SPEC, engine });
    const history = model.fit(X, Y, { ...BASE, validationSplit: 0.25 });
    expect(history.valLoss).toHaveLength(12);
    const last = model.loss(X.slice(45), Y.slice(45));
    expect(history.valLoss![11]).toBeCloseTo(last, 12);
    // the same as training on the first 45 rows with validationData
    const other = await createModel({ ...SPEC, engine });
    const h2 = other.fit(X.slice(0, 45), Y.slice(0, 45), { ...BASE, validationData: [X.slice(45), Y.slice(45)] });
    expect(h2.valLoss).toEqual(history.valLoss);
    expect(bytes(other.getParamsFlat())).toEqual(bytes(model.getParamsFlat()));
  });

  it('normalize with validationSplit fits the scalers on the training rows only', async () => {
    const model = await createModel({ ...SPEC, engine });
    // the held-out rows (the last quarter) reach far outside the training rows' range
    const wide = X.map((row, r) => (r >= 45 ? row.map((v) => v * 100) : row));
    model.fit(wide, Y, { ...BASE, epochs: 1, validationSplit: 0.25, normalize: { inputs: 'minMax', targets: 'standardize' } });
    const { inputs, targets } = model.getNormalization();
    const column = (rows: number[][], c: number) => rows.slice(0, 45).map((row) => row[c]);
    expect(inputs!.a).toEqual([0, 1, 2].map((c) => Math.min(...column(wide, c))));
    expect(inputs!.b).toEqual([0, 1, 2].map((c) => Math.max(...column(wide, c))));
    const mean = column(Y, 0).reduce((s, v) => s + v, 0) / 45;
    expect(targets!.a[0]).toBeCloseTo(mean, 14);
  });

  it('patience stops when validation loss stops improving and restores the best epoch', async () => {
    const model = await createModel({ ...SPEC, engine });
    // a learning rate far too large makes validation loss worse after the first epochs
    const history = model.fit(X, Y, { ...BASE, epochs: 200, learningRate: 0.3, validationSplit: 0.3, patience: 3 });
    expect(history.stopReason).toBe('patience');
    const best = Math.min(...history.valLoss!);
    expect(history.valLoss![history.bestEpoch!]).toBe(best);
    expect(history.valLoss!.length).toBe(history.bestEpoch! + 4);
    expect(model.loss(X.slice(42), Y.slice(42))).toBeCloseTo(best, 12);
  });

  it('stops on timeout, on an aborted signal and when a callback returns false', async () => {
    const model = await createModel({ ...SPEC, engine });
    const timed = model.fit(X, Y, { ...BASE, epochs: 1e6, timeout: 50 });
    expect(timed.stopReason).toBe('timeout');
    expect(timed.epochs).toBeLessThan(1e6);
    const controller = new AbortController();
    const aborted = model.fit(X, Y, { ...BASE, epochs: 1000, signal: controller.signal, onEpochEnd: (e) => void (e === 4 && controller.abort()) });
    expect(aborted.stopReason).toBe('aborted');
    expect(aborted.epochs).toBe(5);
    const stopped = model.fit(X, Y, { ...BASE, epochs: 1000, onEpochEnd: (e, logs) => (expect(Number.isFinite(logs.loss)).toBe(true), e < 2) });
    expect(stopped.stopReason).toBe('callback');
    expect(stopped.epochs).toBe(3);
  });

  it('a throwing callback leaves the model as it was before fit', async () => {
    const model = await createModel({ ...SPEC, engine });
    const before = model.getParamsFlat();
    expect(() => model.fit(X, Y, { ...BASE, onEpochEnd: (e) => { if (e === 3) throw new Error('boom'); } })).toThrow('boom');
    expect(bytes(model.getParamsFlat())).toEqual(bytes(before));
  });

  it("onDiverge 'stop' returns stopReason 'diverged' with the last finite parameters", async () => {
    const model = await createModel({ inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'ssr', engine, params: [{ W: [[1]], b: [0] }] });
    const xs = [[1e3], [2e3], [3e3]], ys = [[1], [2], [3]];
    const history = model.fit(xs, ys, { epochs: 500, batchSize: 3, learningRate: 1, shuffle: false, onDiverge: 'stop', onEpochEnd: () => true });
    expect(history.stopReason).toBe('diverged');
    const params = model.getParamsFlat();
    expect(Array.from(params).every(Number.isFinite)).toBe(true);
    // the last finite state is the one after the last logged epoch
    expect(Number.isFinite(model.loss(xs, ys))).toBe(true);
    expect(history.loss.every(Number.isFinite)).toBe(true);
    let thrown: unknown;
    try {
      model.fit(xs, ys, { epochs: 500, batchSize: 3, learningRate: 1, shuffle: false });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TrainingError);
  });

  it('rejects bad trainer options', async () => {
    const model = await createModel({ ...SPEC, engine });
    const bad: [Record<string, unknown>, string][] = [
      [{ validationSplit: 0 }, 'options.validationSplit'],
      [{ validationSplit: 1 }, 'options.validationSplit'],
      [{ validationSplit: 0.2, validationData: [X, Y] }, 'options.validationData'],
      [{ patience: 0 }, 'options.patience'],
      [{ timeout: -5 }, 'options.timeout'],
      [{ onEpochEnd: 3 }, 'options.onEpochEnd'],
      [{ signal: {} }, 'options.signal'],
      [{ onDiverge: 'ignore' }, 'options.onDiverge'],
      [{ progressEvery: 0.5 }, 'options.progressEvery'],
    ];
    for (const [options, path] of bad) {
      expect(() => model.fit(X, Y, options), path).toThrow(path);
    }
    // an error in validationData names it, not the training rows
    expect(() => model.fit(X, Y, { validationData: [X, [[1, 2, 3]]] })).toThrow(/^options\.validationData\[1\]\[0\]: /);
  });
});
