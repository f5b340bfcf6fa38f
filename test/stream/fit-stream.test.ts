// fitStream: the same bits as fit on the concatenated rows (shuffle: false), however the rows are cut,
// on both engines and on 1 and 2 threads; the shuffle buffer reproducible across runs and engines.
import { describe, expect, it } from 'vitest';
import { createModel, type FitStreamOptions, type ModelSpec } from '../../src/index.js';
import { ENGINES } from '../helpers/engines.js';
import { bytes, rowsOf, source } from './helpers.js';

const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 6, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 5 };
const ROWS = 2300;
const { X, Y } = rowsOf(ROWS, 3, 2);
const CUTS = [[1], [7], [1000], [5, 1, 0, 333, 64, 2]];

describe.each(ENGINES)('fitStream on the %s engine', (engine) => {
  it.each(CUTS)('chunks of %s rows: the bits of fit with shuffle: false (parameters and losses)', async (...sizes) => {
    const options = { epochs: 3, batchSize: 32, optimizer: 'adam' as const, learningRate: 0.01 };
    const reference = await createModel({ ...SPEC, engine });
    const fitted = reference.fit(X, Y, { ...options, shuffle: false });
    const model = await createModel({ ...SPEC, engine });
    // blocks of 5 batches: many blocks per epoch, and an epoch that ends inside one
    const streamed = await model.fitStream(source(X, Y, 3, 2, sizes), { ...options, progressEvery: 5 });
    expect(bytes(model.getParamsFlat())).toBe(bytes(reference.getParamsFlat()));
    expect(bytes(streamed.loss)).toBe(bytes(fitted.loss));
    expect(streamed.steps).toBe(fitted.steps);
    expect(streamed.rows).toBe(ROWS);
    expect(streamed.stopReason).toBe('epochs');
  });

  it('with row weights, dropout, l1, a schedule and validation arrays: still the bits of fit', async () => {
    const spec: ModelSpec = { ...SPEC, layers: [{ units: 6, activation: 'relu', dropout: 0.2 }, { units: 2, activation: 'identity' }] };
    const weights = Float64Array.from({ length: ROWS }, (_, r) => (r % 5) / 4);
    const V = rowsOf(50, 3, 2, 99);
    const options = { epochs: 3, batchSize: 10, l1: 1e-4, weightDecay: 1e-3, schedule: { name: 'exponential' as const, gamma: 0.9 }, validationData: [V.X, V.Y] as [Float64Array, Float64Array] };
    const reference = await createModel({ ...spec, engine });
    const fitted = reference.fit(X, Y, { ...options, shuffle: false, sampleWeight: weights });
    const model = await createModel({ ...spec, engine });
    const streamed = await model.fitStream(source(X, Y, 3, 2, [77, 3], (from, n) => ({ weights: weights.slice(from, from + n) })), options);
    expect(bytes(model.getParamsFlat())).toBe(bytes(reference.getParamsFlat()));
    expect(bytes(streamed.loss)).toBe(bytes(fitted.loss));
    expect(bytes(streamed.valLoss!)).toBe(bytes(fitted.valLoss!));
    expect(streamed.learningRate).toEqual(fitted.learningRate);
  });

  it('a classifier on labels with classWeight: the bits of fit', async () => {
    const labels = Array.from({ length: ROWS }, (_, r) => (X[r * 3] > 0.2 ? 'b' : 'a'));
    const spec: ModelSpec = { ...SPEC, layers: [{ units: 6, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cce', classes: ['a', 'b'] };
    const options = { epochs: 2, batchSize: 20, classWeight: { a: 1, b: 3 } };
    const reference = await createModel({ ...spec, engine });
    const fitted = reference.fit(X, labels, { ...options, shuffle: false });
    const model = await createModel({ ...spec, engine });
    const list = Array.from({ length: ROWS / 100 }, (_, i) => ({ x: X.slice(i * 300, (i + 1) * 300), y: labels.slice(i * 100, (i + 1) * 100) }));
    const streamed = await model.fitStream(list, options);
    expect(bytes(model.getParamsFlat())).toBe(bytes(reference.getParamsFlat()));
    expect(bytes(streamed.loss)).toBe(bytes(fitted.loss));
  });

  it('a validation source gives the validation loss of the same rows as arrays', async () => {
    const V = rowsOf(1500, 3, 2, 98);
    const options: FitStreamOptions = { epochs: 2, batchSize: 16 };
    const a = await createModel({ ...SPEC, engine });
    const b = await createModel({ ...SPEC, engine });
    const withArrays = await a.fitStream(source(X, Y, 3, 2, [100]), { ...options, validationData: [V.X, V.Y] });
    const withSource = await b.fitStream(source(X, Y, 3, 2, [100]), { ...options, validationData: source(V.X, V.Y, 3, 2, [13, 200]) });
    expect(bytes(withSource.valLoss!)).toBe(bytes(withArrays.valLoss!));
    expect(bytes(b.getParamsFlat())).toBe(bytes(a.getParamsFlat()));
  });

  it('stop rules as in fit: lossBelow, stepBelow, patience with restoreBest', async () => {
    // validation targets the model does not learn: its loss rises, and patience stops it
    const away = Y.slice(0, 200).map((v) => -v);
    for (const rule of [{ lossBelow: 0.005 }, { stepBelow: 0.001 }, { patience: 2, validationData: [X.slice(0, 300), away] as [Float64Array, Float64Array] }]) {
      const options = { epochs: 40, batchSize: 64, learningRate: 0.05, ...rule };
      const reference = await createModel({ ...SPEC, engine });
      const fitted = reference.fit(X, Y, { ...options, shuffle: false });
      const model = await createModel({ ...SPEC, engine });
      const streamed = await model.fitStream(source(X, Y, 3, 2, [500]), options);
      expect(streamed.stopReason, JSON.stringify(rule)).toBe(fitted.stopReason);
      expect(streamed.stopReason).not.toBe('epochs');
      expect(bytes(streamed.loss)).toBe(bytes(fitted.loss));
      expect(streamed.bestEpoch).toBe(fitted.bestEpoch);
      expect(bytes(model.getParamsFlat())).toBe(bytes(reference.getParamsFlat()));
    }
  });

  it('shuffle: { buffer } is reproducible run to run, and not the source order', async () => {
    const runs: string[] = [];
    for (const sizes of [[100], [7, 1, 500]]) {
      const model = await createModel({ ...SPEC, engine });
      await model.fitStream(source(X, Y, 3, 2, sizes), { epochs: 2, batchSize: 16, shuffle: { buffer: 300 } });
      runs.push(bytes(model.getParamsFlat()));
    }
    expect(runs[1]).toBe(runs[0]);
    const plain = await createModel({ ...SPEC, engine });
    await plain.fitStream(source(X, Y, 3, 2, [100]), { epochs: 2, batchSize: 16 });
    expect(bytes(plain.getParamsFlat())).not.toBe(runs[0]);
  });
});

describe('the shuffle buffer across engines', () => {
  it('trains on the same rows in the same order on both engines (agreement of the engines, 1e-10)', async () => {
    const results: Float64Array[] = [];
    for (const engine of ENGINES) {
      const model = await createModel({ ...SPEC, engine, layers: [{ units: 6, activation: 'relu', dropout: 0.1 }, { units: 2, activation: 'identity' }] });
      await model.fitStream(source(X, Y, 3, 2, [333]), { epochs: 2, batchSize: 16, shuffle: { buffer: 64 } });
      results.push(model.getParamsFlat());
    }
    const [ts, wasm] = results;
    for (let i = 0; i < ts.length; i++) expect(Math.abs(ts[i] - wasm[i])).toBeLessThan(1e-10 * Math.max(1, Math.abs(ts[i])));
  });
});

describe('threads', () => {
  // layers above the real thresholds, as test/threads.test.ts: the large passes split over 2 threads
  const big: ModelSpec = { inputs: 300, layers: [{ units: 200, activation: 'relu' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 3 };
  const D = rowsOf(200, 300, 2, 4);

  it('fitStream on 2 threads: the bits of fit on 1 thread, for chunks of 1, 7 and uneven sizes', async () => {
    const options = { epochs: 2, batchSize: 64, optimizer: 'momentum' as const, learningRate: 0.01 };
    const reference = await createModel({ ...big, threads: 1 });
    const fitted = reference.fit(D.X, D.Y, { ...options, shuffle: false });
    for (const sizes of [[1], [7], [1000], [3, 90, 1]]) {
      for (const threads of [1, 2]) {
        const model = await createModel({ ...big, threads });
        const streamed = await model.fitStream(source(D.X, D.Y, 300, 2, sizes), options);
        expect(bytes(model.getParamsFlat()), `${threads} threads, chunks ${sizes}`).toBe(bytes(reference.getParamsFlat()));
        expect(bytes(streamed.loss)).toBe(bytes(fitted.loss));
        // (a page that is not cross-origin isolated computes on one thread, and says why)
        if (threads === 2 && model.threadsNote === null) expect(model.threads).toBe(2);
        model.dispose();
      }
    }
  });
});
