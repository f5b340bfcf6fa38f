// Scalers, predictions and scores from sources, with the bits of the in-memory methods; ReadableStream
// factories as sources (read with getReader, cancelled when a pass ends early).
import { describe, expect, it } from 'vitest';
import { createModel, OptionsError, StreamError, type Chunk, type ModelSpec } from '../../src/index.js';
import { ENGINES } from '../helpers/engines.js';
import { bytes, cuts, rowsOf, source } from './helpers.js';

const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 7, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 4 };
const ROWS = 2600; // more than two blocks of 1024 rows: the loss is summed per block
const { X, Y } = rowsOf(ROWS, 3, 2, 5);

describe('setNormalizationStream', () => {
  it('minMax and standardize, both sides: the scalers of setNormalization on the concatenated rows', async () => {
    for (const spec of [{ inputs: 'minMax', targets: 'standardize' }, { inputs: 'standardize', targets: { kind: 'minMax', range: [-1, 1] } }] as const) {
      const a = await createModel(SPEC);
      const b = await createModel(SPEC);
      a.setNormalization(X, Y, spec);
      await b.setNormalizationStream(source(X, Y, 3, 2, [1, 7, 500]), spec);
      expect(b.getNormalization()).toEqual(a.getNormalization());
    }
  });

  it('values beyond 1e154 (sums that overflow): the overflow-safe statistics, the same bits, in three passes', async () => {
    const huge = X.map((v, i) => (i % 3 === 0 ? v * 1e300 : i % 3 === 1 ? 1.7e308 - Math.abs(v) * 1e300 : v));
    let passes = 0;
    const counted = (): Generator<Chunk> => {
      passes++;
      return source(huge, Y, 3, 2, [333])();
    };
    const a = await createModel(SPEC);
    const b = await createModel(SPEC);
    a.setNormalization(huge, null, { inputs: 'standardize' });
    await b.setNormalizationStream(counted, { inputs: 'standardize' });
    expect(b.getNormalization()).toEqual(a.getNormalization());
    expect(passes).toBe(3);
    for (const v of b.getNormalization().inputs!.b) expect(Number.isFinite(v)).toBe(true);
  });

  it('a source with no rows, or targets missing for a target scaler: StreamErrors; the scalers unchanged', async () => {
    const model = await createModel(SPEC);
    await expect(model.setNormalizationStream([], { inputs: 'minMax' })).rejects.toThrow(StreamError);
    await expect(model.setNormalizationStream([{ x: [[1, 2, 3]] }], { targets: 'minMax' })).rejects.toThrow(/chunks\[0\]\.y/);
    expect(model.getNormalization()).toEqual({ inputs: undefined, targets: undefined });
  });
});

describe.each(ENGINES)('predictStream and evaluateStream on the %s engine', (engine) => {
  it('a regressor with scalers: predictions of each chunk and evaluate\'s numbers, the same bits', async () => {
    const model = await createModel({ ...SPEC, engine });
    model.fit(X, Y, { epochs: 2, normalize: { inputs: 'standardize', targets: 'minMax' } });
    const sizes = [1, 700, 0, 333];
    const parts: number[] = [];
    let i = 0;
    for await (const p of model.predictStream(source(X, Y, 3, 2, sizes))) {
      expect((p as Float64Array).length).toBe(cuts(ROWS, sizes)[i++] * 2);
      parts.push(...(p as Float64Array));
    }
    expect(bytes(parts)).toBe(bytes(model.predict(X)));
    expect(await model.evaluateStream(source(X, Y, 3, 2, sizes))).toEqual(model.evaluate(X, Y));
  });

  it('a classifier: classes, probabilities and nested rows as the chunk gives them; its scores', async () => {
    const labels = Array.from({ length: ROWS }, (_, r) => (X[r * 3] + X[r * 3 + 1] > 0 ? 'up' : X[r * 3 + 2] > 0 ? 'flat' : 'down'));
    const model = await createModel({ ...SPEC, engine, layers: [{ units: 7, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cce' });
    model.fit(X, labels, { epochs: 3 });
    const chunks = (): Generator<Chunk> => (function* () {
      for (let at = 0; at < ROWS; at += 900) {
        const n = Math.min(900, ROWS - at);
        yield { x: Array.from({ length: n }, (_, r) => Array.from(X.subarray((at + r) * 3, (at + r + 1) * 3))), y: labels.slice(at, at + n) };
      }
    })();
    const classes: unknown[] = [], proba: number[][] = [];
    for await (const c of model.predictStream(chunks, { output: 'classes' })) classes.push(...(c as string[]));
    for await (const p of model.predictStream(chunks, { output: 'proba' })) proba.push(...(p as number[][]));
    expect(classes).toEqual(model.predictClasses(X));
    expect(bytes(proba.flat())).toBe(bytes(model.predictProba(X) as Float64Array));
    expect(await model.evaluateStream(chunks)).toEqual(model.evaluate(X, labels));
    await expect(async () => {
      for await (const _ of model.predictStream(chunks, { output: 'probabilities' as never })) void _;
    }).rejects.toThrow(OptionsError);
  });
});

/** A ReadableStream factory of the chunks of `sizes`, counting cancellations. */
function readable(sizes: number[], cancelled: { count: number }): () => ReadableStream<Chunk> {
  return () => {
    const it = source(X, Y, 3, 2, sizes)();
    return new ReadableStream<Chunk>({
      pull(controller) {
        const next = it.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      },
      cancel() {
        cancelled.count++;
      },
    });
  };
}

describe('ReadableStream factories', () => {
  it('train with the bits of a generator source; a stop inside an epoch cancels the stream', async () => {
    const cancelled = { count: 0 };
    const a = await createModel(SPEC);
    const b = await createModel(SPEC);
    await a.fitStream(source(X, Y, 3, 2, [50]), { epochs: 2, batchSize: 16 });
    await b.fitStream(readable([50], cancelled), { epochs: 2, batchSize: 16 });
    expect(bytes(b.getParamsFlat())).toBe(bytes(a.getParamsFlat()));
    expect(cancelled.count).toBe(0);
    let calls = 0;
    const stopped = await b.fitStream(readable([50], cancelled), { epochs: 2, batchSize: 16, progressEvery: 4, onProgress: () => (++calls === 3 ? false : undefined) });
    expect(stopped.stopReason).toBe('callback');
    expect(cancelled.count).toBe(1);
    expect(await b.evaluateStream(readable([13], cancelled))).toEqual(b.evaluate(X, Y));
  });
});
