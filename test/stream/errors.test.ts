// What goes wrong with a stream: options a stream cannot take, sources of the wrong form, a source that
// throws or gives a bad chunk (a StreamError naming the chunk and the cell; the model as after its last
// update, or as before the call, and the error says which), divergence as in fit.
import { describe, expect, it } from 'vitest';
import { createModel, OptionsError, StreamError, TrainingError, type Chunk, type FitStreamOptions, type ModelSpec } from '../../src/index.js';
import { ENGINES } from '../helpers/engines.js';
import { bytes, rowsOf, source } from './helpers.js';

const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 2 };
const { X, Y } = rowsOf(200, 3, 2, 3);
const good = source(X, Y, 3, 2, [10]);

async function failure(promise: Promise<unknown>): Promise<StreamError & OptionsError & TrainingError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).not.toBeNull();
  return error as StreamError & OptionsError & TrainingError;
}

describe('options and sources', () => {
  it.each([
    [{ shuffle: true }, 'SHUFFLE_NEEDS_BUFFER', /\{ buffer: n \}/],
    [{ shuffle: { buffer: 0 } }, 'BAD_OPTION', /options\.shuffle\.buffer/],
    [{ shuffle: { size: 3 } }, 'UNKNOWN_OPTION', /buffer/],
    [{ validationSplit: 0.2 }, 'NOT_FOR_STREAMS', /validationData/],
    [{ sampleWeight: [1] }, 'NOT_FOR_STREAMS', /weights/],
    [{ normalize: { inputs: 'minMax' } }, 'NOT_FOR_STREAMS', /setNormalizationStream/],
    [{ classWeight: 'balanced' }, 'NOT_FOR_STREAMS', /by label/],
    [{ epoch: 3 }, 'UNKNOWN_OPTION', /did you mean "epochs"/],
    [{ resume: 'yes' }, 'BAD_OPTION', /options\.resume/],
    [{ batchSize: 0 }, 'BAD_OPTION', /options\.batchSize/],
  ])('%j is an OptionsError %s', async (options, code, words) => {
    const model = await createModel(SPEC);
    const error = await failure(model.fitStream(good, options as FitStreamOptions));
    expect(error).toBeInstanceOf(OptionsError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(words);
  });

  it('a ReadableStream itself, a string, a number: OptionsError BAD_SOURCE; a generator object runs dry at its second pass', async () => {
    const model = await createModel(SPEC);
    for (const bad of [new ReadableStream(), 'rows.csv', 3]) {
      const error = await failure(model.fitStream(bad as never));
      expect(error).toBeInstanceOf(OptionsError);
      expect(error.code).toBe('BAD_SOURCE');
    }
    const once = await failure(model.fitStream(good(), { epochs: 2 }));
    expect(once).toBeInstanceOf(StreamError);
    expect(once.code).toBe('EMPTY_STREAM');
    expect(once.message).toMatch(/epoch 1 read no rows.*function that returns a fresh one/);
  });
});

describe.each(ENGINES)('faults of the data on the %s engine', (engine) => {
  it('an iterator that throws: StreamError naming the chunk; the model keeps the updates before, and continues from there', async () => {
    const options = { epochs: 1, batchSize: 10, progressEvery: 1 };
    const model = await createModel({ ...SPEC, engine });
    const broken = function* (): Generator<Chunk> {
      let i = 0;
      for (const chunk of good()) {
        if (i++ === 3) throw new Error('disk gone');
        yield chunk;
      }
    };
    const error = await failure(model.fitStream(broken, options));
    expect(error).toBeInstanceOf(StreamError);
    expect(error.code).toBe('SOURCE_FAILED');
    expect(error.chunk).toBe(3);
    expect(error.message).toMatch(/reading chunk 3 failed: disk gone; the model keeps the 3 updates made before .*continues from row 30 of epoch 0/);
    expect((error.history as { steps: number }).steps).toBe(3);
    const reference = await createModel({ ...SPEC, engine });
    reference.fit(X.slice(0, 90), Y.slice(0, 60), { ...options, shuffle: false });
    expect(bytes(model.getParamsFlat())).toBe(bytes(reference.getParamsFlat()));
    // the same source again: the epoch goes on from row 30, as one epoch over all rows
    await model.fitStream(good, options);
    const whole = await createModel({ ...SPEC, engine });
    whole.fit(X, Y, { ...options, shuffle: false });
    expect(bytes(model.getParamsFlat())).toBe(bytes(whole.getParamsFlat()));
  });

  it('a chunk of the wrong width names the chunk, the field and the widths; before any update, the model is as before', async () => {
    const model = await createModel({ ...SPEC, engine });
    const before = bytes(model.getParamsFlat());
    const wide = function* (): Generator<Chunk> {
      yield { x: [[1, 2, 3]], y: [[0, 1]] };
      yield { x: [[1, 2, 3]], y: [[0, 1]] };
      yield { x: [[1, 2, 3, 4]], y: [[0, 1]] };
    };
    const error = await failure(model.fitStream(wide));
    expect(error).toBeInstanceOf(StreamError);
    expect(error.code).toBe('WRONG_WIDTH');
    expect(error.chunk).toBe(2);
    expect(error.path).toBe('chunks[2].x[0]');
    expect(error.message).toMatch(/chunks\[2\]\.x\[0\]: expected 3 values per row; row 0 has 4 values; the model is as before the call/);
    expect(bytes(model.getParamsFlat())).toBe(before);
  });

  it('a value that is not finite, y missing, weights in some chunks only, an unknown key: StreamErrors with the cell', async () => {
    const model = await createModel({ ...SPEC, engine });
    const cases: [Chunk[], string, string][] = [
      [[{ x: [[1, 2, 3], [1, NaN, 3]], y: [[0, 0], [0, 0]] }], 'NON_FINITE', 'chunks[0].x[1][1]'],
      [[{ x: [[1, 2, 3]], y: [[0, 0]] }, { x: [[1, 2, 3]] }], 'MISSING_TARGETS', 'chunks[1].y'],
      [[{ x: [[1, 2, 3]], y: [[0, 0]] }, { x: [[1, 2, 3]], y: [[0, 0]], weights: [2] }], 'MIXED_WEIGHTS', 'chunks[1].weights'],
      [[{ x: [[1, 2, 3]], y: [[0, 0]], weight: [1] } as Chunk], 'UNKNOWN_KEY', 'chunks[0].weight'],
      [[{ x: [[1, 2, 3]], y: [[0, 0], [1, 1]] }], 'ROW_COUNT_MISMATCH', 'chunks[0].y'],
    ];
    for (const [list, code, path] of cases) {
      const error = await failure(model.fitStream(list));
      expect(error, code).toBeInstanceOf(StreamError);
      expect(error.code).toBe(code);
      expect(error.path).toBe(path);
      expect(error.message).toContain(path);
    }
  });

  it("divergence: onDiverge 'throw' puts the model back as before the call; 'stop' keeps the last finite state, as fit", async () => {
    const wild = { epochs: 5, batchSize: 20, learningRate: 1e3, progressEvery: 2 };
    const model = await createModel({ ...SPEC, engine });
    const before = bytes(model.getParamsFlat());
    const error = await failure(model.fitStream(good, wild));
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.code).toBe('DIVERGED');
    expect(bytes(model.getParamsFlat())).toBe(before);
    // failures at various places: inside a block, at a block's first batch (the update before it, the
    // previous block's last, is undone), at an epoch's end
    const reasons: string[] = [];
    for (const learningRate of [1e3, 2e2, 60, 30, 1e4]) {
      for (const batchSize of [1, 7, 20]) {
        const options = { ...wild, learningRate, batchSize, onDiverge: 'stop' as const };
        const reference = await createModel({ ...SPEC, engine });
        const fitted = reference.fit(X, Y, { ...options, shuffle: false });
        const streaming = await createModel({ ...SPEC, engine });
        const streamed = await streaming.fitStream(good, options);
        const label = `lr ${learningRate}, batch ${batchSize}`;
        expect(streamed.stopReason, label).toBe(fitted.stopReason);
        expect(streamed.steps, label).toBe(fitted.steps);
        expect(bytes(streamed.loss), label).toBe(bytes(fitted.loss));
        expect(bytes(streaming.getParamsFlat()), label).toBe(bytes(reference.getParamsFlat()));
        reasons.push(streamed.stopReason);
      }
    }
    expect(reasons.filter((r) => r === 'diverged').length).toBeGreaterThanOrEqual(12);
  });
});
