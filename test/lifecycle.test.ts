// A model's lifetime around training: one training at a time (BUSY), dispose during training,
// counts at the i32 edges, a failed fit that changes nothing, an aborted signal that makes no update.
// Runs in Node and in the Chromium suite (no Node-only APIs).
import { describe, expect, it } from 'vitest';
import { createModel, DataError, EngineError, OptionsError, TrainingError, WasmlpError, type FitOptions, type Model, type ModelSpec } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { mulberry32, randomMatrix } from './helpers/random.js';

const rand = mulberry32(7);
const X = randomMatrix(rand, 24, 3);
const Y = X.map(([a, b, c]) => [Math.sin(a - b) * 0.5, c * a]);
const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 4 };
const BASE: FitOptions = { epochs: 6, batchSize: 5, learningRate: 0.05, optimizer: 'adam' };
const bytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** Everything a saved model holds: parameters, optimizer and shuffler state, scalers. */
const state = (model: Model): string => JSON.stringify(model.toJSON());

function caught(run: () => unknown): WasmlpError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WasmlpError);
    return error as WasmlpError;
  }
  throw new Error('expected a throw');
}

async function rejected(promise: Promise<unknown>): Promise<WasmlpError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WasmlpError);
    return error as WasmlpError;
  }
  throw new Error('expected a rejection');
}

function expectBusy(error: WasmlpError, method: string): void {
  expect(error).toBeInstanceOf(TrainingError);
  expect(error.code).toBe('BUSY');
  expect(error.path).toBe(method);
  expect(error.message).toContain(method);
}

describe.each(ENGINES)('one training at a time on the %s engine', (engine) => {
  it('fit, and every call that computes or writes, inside onEpochEnd gets BUSY; the running fit gives the bits of an undisturbed one', async () => {
    const alone = await createModel({ ...SPEC, engine });
    const h1 = alone.fit(X, Y, BASE);
    const model = await createModel({ ...SPEC, engine });
    const errors: WasmlpError[] = [];
    const attempt = (run: () => unknown) => errors.push(caught(run));
    const h2 = model.fit(X, Y, {
      ...BASE,
      onEpochEnd: (epoch) => {
        if (epoch !== 2) return;
        attempt(() => model.fit(X, Y, { epochs: 3, batchSize: 1, learningRate: 1, optimizer: 'sgd' }));
        attempt(() => model.setParams(new Float64Array(model.getParamsFlat().length)));
        attempt(() => model.setNormalization(X, Y, { inputs: 'minMax' }));
        attempt(() => model.predict(X));
        attempt(() => model.forward(X));
        attempt(() => model.loss(X, Y));
        attempt(() => model.gradients(X, Y));
        attempt(() => model.gradCheck(X.slice(0, 2), Y.slice(0, 2)));
        // reads that touch no engine scratch are allowed
        expect(model.getParamsFlat()).toHaveLength(alone.getParamsFlat().length);
        expect(model.getNormalization()).toEqual({});
      },
    });
    expect(errors.map((e) => e.path)).toEqual(['fit', 'setParams', 'setNormalization', 'predict', 'forward', 'loss', 'gradients', 'gradCheck']);
    errors.forEach((e) => expectBusy(e, e.path!));
    expect(h2.loss).toEqual(h1.loss);
    expect(h2.steps).toBe(h1.steps);
    expect(bytes(model.getParamsFlat())).toEqual(bytes(alone.getParamsFlat()));
    expect(state(model)).toBe(state(alone));
    // once the training is over, the model is free again
    expect(() => model.fit(X, Y, BASE)).not.toThrow();
  });

  it('fit, setParams, predict and a second fitAsync during a fitAsync get BUSY; the running call finishes as if alone', async () => {
    const alone = await createModel({ ...SPEC, engine });
    const h1 = await alone.fitAsync(X, Y, { ...BASE, progressEvery: 2 });
    const model = await createModel({ ...SPEC, engine });
    const running = model.fitAsync(X, Y, { ...BASE, progressEvery: 2 });
    // the first chunk has run; the call now waits between chunks
    expectBusy(caught(() => model.fit(X, Y, { epochs: 2, batchSize: 1, learningRate: 3 })), 'fit');
    expectBusy(caught(() => model.setParams(new Float64Array(model.getParamsFlat().length))), 'setParams');
    expectBusy(caught(() => model.predict(X)), 'predict');
    expectBusy(await rejected(model.fitAsync(X, Y, { epochs: 2, batchSize: 1, learningRate: 3 })), 'fitAsync');
    const h2 = await running;
    expect(h2.loss).toEqual(h1.loss);
    expect(h2.steps).toBe(h1.steps);
    expect(state(model)).toBe(state(alone));
    expect(() => model.predict(X)).not.toThrow();
  });

  it('two concurrent fitAsync: the second is refused, the first gives the bits of an undisturbed run', async () => {
    const alone = await createModel({ ...SPEC, engine });
    const h1 = await alone.fitAsync(X, Y, { ...BASE, progressEvery: 3 });
    const model = await createModel({ ...SPEC, engine });
    const results = await Promise.allSettled([
      model.fitAsync(X, Y, { ...BASE, progressEvery: 3 }),
      model.fitAsync(X.slice(0, 10), Y.slice(0, 10), { epochs: 4, batchSize: 1, learningRate: 0.5, progressEvery: 1 }),
    ]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1].status).toBe('rejected');
    expectBusy((results[1] as PromiseRejectedResult).reason, 'fitAsync');
    const h2 = (results[0] as PromiseFulfilledResult<Awaited<ReturnType<Model['fitAsync']>>>).value;
    expect(h2.loss).toEqual(h1.loss);
    expect(h2.loss.every((l) => l >= 0)).toBe(true);
    expect(state(model)).toBe(state(alone));
  });
});

describe.each(ENGINES)('dispose during training on the %s engine', (engine) => {
  it("dispose() inside onEpochEnd ends fit at once with stopReason 'disposed'", async () => {
    const model = await createModel({ ...SPEC, engine });
    const seen: number[] = [];
    const history = model.fit(X, Y, { ...BASE, epochs: 50, onEpochEnd: (epoch) => void (seen.push(epoch), epoch === 2 && model.dispose()) });
    expect(history.stopReason).toBe('disposed');
    expect(history.epochs).toBe(3);
    expect(seen).toEqual([0, 1, 2]);
    expect(caught(() => model.predict(X)).code).toBe('DISPOSED');
  });

  it("dispose() inside onProgress, and between fitAsync chunks, ends the call with stopReason 'disposed'", async () => {
    const a = await createModel({ ...SPEC, engine });
    const h1 = a.fit(X, Y, { ...BASE, epochs: 50, progressEvery: 3, onProgress: (p) => void (p.steps >= 9 && a.dispose()) });
    expect(h1.stopReason).toBe('disposed');
    expect(h1.steps).toBe(9);
    const b = await createModel({ ...SPEC, engine });
    const running = b.fitAsync(X, Y, { ...BASE, epochs: 50, progressEvery: 4 });
    // the first chunk ran synchronously; dispose while the call waits for its next chunk
    b.dispose();
    const h2 = await running;
    expect(h2.stopReason).toBe('disposed');
    expect(h2.steps).toBe(4);
    const c = await createModel({ ...SPEC, engine });
    const h3 = await c.fitAsync(X, Y, { ...BASE, epochs: 50, onEpochEnd: (e) => void (e === 1 && c.dispose()) });
    expect(h3.stopReason).toBe('disposed');
    expect(h3.epochs).toBe(2);
  });

  it('a disposed model throws DISPOSED (an EngineError, not an OptionsError) from every method, setNormalization and getNormalization included', async () => {
    const model = await createModel({ ...SPEC, engine });
    model.setNormalization(X, Y, { inputs: 'minMax' });
    model.dispose();
    const calls: [string, () => unknown][] = [
      ['setNormalization', () => model.setNormalization(X, Y, { inputs: 'standardize' })],
      ['getNormalization', () => model.getNormalization()],
      ['predict', () => model.predict(X)],
      ['loss', () => model.loss(X, Y)],
      ['fit', () => model.fit(X, Y)],
      ['setParams', () => model.setParams(new Float64Array(22))],
      ['getParamsFlat', () => model.getParamsFlat()],
      ['toJSON', () => model.toJSON()],
    ];
    for (const [name, call] of calls) {
      const error = caught(call);
      expect(error.code, name).toBe('DISPOSED');
      expect(error, name).toBeInstanceOf(EngineError);
      expect(error, name).not.toBeInstanceOf(OptionsError);
    }
    expect((await rejected(model.fitAsync(X, Y))).code).toBe('DISPOSED');
  });
});

describe.each(ENGINES)('counts at the i32 edges on the %s engine', (engine) => {
  const tinyX = [[0.1, 0.2], [0.4, -0.3], [-0.5, 0.9], [0.7, 0.05]];
  const tinyY = tinyX.map(([a, b]) => [a * b]);
  const tiny: ModelSpec = { inputs: 2, layers: [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 1 };
  const fitOptions: FitOptions = { epochs: 3, batchSize: 1, learningRate: 0.1 };

  for (const progressEvery of [2 ** 31 - 1, 2 ** 31, 2 ** 32]) {
    it(`progressEvery ${progressEvery} with onProgress, timeout, signal or fitAsync trains exactly as a plain fit`, async () => {
      const plain = await createModel({ ...tiny, engine });
      plain.fit(tinyX, tinyY, fitOptions);
      const expected = bytes(plain.getParamsFlat());
      let calls = 0;
      const variants: [string, (m: Model) => Promise<{ steps: number; stopReason: string }>][] = [
        ['onProgress', async (m) => m.fit(tinyX, tinyY, { ...fitOptions, progressEvery, onProgress: () => {
          // a wrapped count makes chunks of no update at all: fail instead of spinning
          if (++calls > 100) throw new Error('onProgress called more than 100 times for 12 updates');
        } })],
        ['timeout', async (m) => m.fit(tinyX, tinyY, { ...fitOptions, progressEvery, timeout: 1e12 })],
        ['signal', async (m) => m.fit(tinyX, tinyY, { ...fitOptions, progressEvery, signal: new AbortController().signal })],
        ['fitAsync', (m) => m.fitAsync(tinyX, tinyY, { ...fitOptions, progressEvery })],
      ];
      for (const [name, run] of variants) {
        const model = await createModel({ ...tiny, engine });
        const history = await run(model);
        expect(history.steps, name).toBe(12);
        expect(history.stopReason, name).toBe('epochs');
        expect(bytes(model.getParamsFlat()), name).toEqual(expected);
      }
      expect(calls).toBe(1);
    });
  }
});

describe.each(ENGINES)('epoch counts at the i32 edges on the %s engine', (engine) => {
  const tinyX = [[0.1, 0.2], [0.4, -0.3], [-0.5, 0.9], [0.7, 0.05]];
  const tinyY = tinyX.map(([a, b]) => [a * b]);
  const tiny: ModelSpec = { inputs: 2, layers: [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 1 };

  it('epochs 2**31 − 1, 2**31 and 2**32 stop where their stop rules say', async () => {
    for (const epochs of [2 ** 31 - 1, 2 ** 31, 2 ** 32]) {
      const model = await createModel({ ...tiny, engine });
      const below = model.fit(tinyX, tinyY, { epochs, batchSize: 1, learningRate: 0.1, lossBelow: 1e300 });
      expect([below.stopReason, below.epochs, below.steps], String(epochs)).toEqual(['lossBelow', 1, 4]);
      let total = 0;
      const stopped = await model.fitAsync(tinyX, tinyY, { epochs, batchSize: 1, learningRate: 0.1, progressEvery: 6, onProgress: (p) => ((total = p.totalSteps), false) });
      expect([stopped.stopReason, stopped.epochs, stopped.steps], String(epochs)).toEqual(['callback', 1, 6]);
      expect(total).toBe(epochs * 4);
    }
  });
});

describe.each(ENGINES)('a failed fit changes nothing on the %s engine', (engine) => {
  it('a NaN in validationData: a DataError naming validationData, no scalers left behind, and a retry works', async () => {
    const model = await createModel({ ...SPEC, engine });
    const before = state(model);
    const badX = X.slice(0, 4).map((row) => [...row]);
    badX[2][1] = NaN;
    const error = caught(() => model.fit(X, Y, { ...BASE, normalize: { inputs: 'standardize', targets: 'minMax' }, validationData: [badX, Y.slice(0, 4)] }));
    expect(error).toBeInstanceOf(DataError);
    expect(error.code).toBe('NON_FINITE');
    expect(error.path).toBe('options.validationData[0][2][1]');
    expect(model.getNormalization()).toEqual({});
    expect(state(model)).toBe(before);
    const rows = caught(() => model.fit(X, Y, { ...BASE, normalize: { inputs: 'minMax' }, validationData: [X.slice(0, 4), Y.slice(0, 3)] }));
    expect(rows.code).toBe('ROW_COUNT_MISMATCH');
    expect(rows.path).toBe('options.validationData[1]');
    expect(state(model)).toBe(before);
    const history = model.fit(X, Y, { ...BASE, normalize: { inputs: 'standardize' }, validationData: [X.slice(0, 4), Y.slice(0, 4)] });
    expect(history.valLoss).toHaveLength(6);
    expect(model.getNormalization().inputs).toBeDefined();
  });

  it('DIVERGED (onDiverge throw) puts everything back: parameters, optimizer and shuffler state, and the scalers normalize fitted', async () => {
    const model = await createModel({ ...SPEC, engine });
    model.fit(X, Y, { ...BASE, epochs: 2 });
    const before = state(model);
    const error = caught(() => model.fit(X, Y, { epochs: 50, batchSize: 1, learningRate: 1e6, normalize: { inputs: 'minMax', targets: 'standardize' } }));
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.code).toBe('DIVERGED');
    expect(model.getNormalization()).toEqual({});
    expect(state(model)).toBe(before);
    // not ALREADY_NORMALIZED: the retry trains
    expect(model.fit(X, Y, { ...BASE, normalize: { inputs: 'minMax' } }).stopReason).toBe('epochs');
  });

  it('an already aborted signal: no update and nothing changes, in fit and in fitAsync', async () => {
    const model = await createModel({ ...SPEC, engine });
    model.fit(X, Y, { ...BASE, epochs: 1 });
    const before = state(model);
    const h1 = model.fit(X, Y, { ...BASE, signal: AbortSignal.abort(), normalize: { inputs: 'minMax' }, optimizer: 'momentum' });
    expect(h1.stopReason).toBe('aborted');
    expect(h1.steps).toBe(0);
    expect(h1.epochs).toBe(0);
    expect(state(model)).toBe(before);
    const h2 = await model.fitAsync(X, Y, { ...BASE, signal: AbortSignal.abort() });
    expect(h2.steps).toBe(0);
    expect(state(model)).toBe(before);
  });
});

describe.each(ENGINES)("onDiverge 'stop' keeps the last finite state on the %s engine", (engine) => {
  const small = [[0.5, -1], [1, 2], [-1.5, 0.3], [2, -0.7], [0.1, 0.9], [-0.4, -2], [1.3, 1.1]];
  const target = small.map(([a, b]) => [a - b]);
  const spec: ModelSpec = { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 3 };

  /** A fresh model trained for exactly `steps` updates with the same options. */
  async function trainedFor(steps: number, options: FitOptions, xs = small, ys = target): Promise<{ model: Model; loss: number[]; valLoss?: number[] }> {
    const model = await createModel({ ...spec, engine });
    const { onDiverge: _, onEpochEnd: __, ...rest } = options;
    const history = model.fit(xs, ys, { ...rest, progressEvery: 1, onProgress: (p) => p.steps < steps });
    expect(history.steps).toBe(steps);
    return { model, loss: history.loss, valLoss: history.valLoss };
  }

  for (const [label, options] of [
    ['stochastic, chunks of 5 updates cutting epochs, shuffled', { epochs: 100, batchSize: 1, learningRate: 1e6, onDiverge: 'stop', progressEvery: 5, onProgress: () => true }],
    ['stochastic, one chunk', { epochs: 100, batchSize: 1, learningRate: 1e6, onDiverge: 'stop' }],
    ['mini-batches, per-epoch chunks', { epochs: 300, batchSize: 3, learningRate: 5, onDiverge: 'stop', onEpochEnd: () => true }],
    ['validation data, chunks of 2 updates cutting epochs', { epochs: 300, batchSize: 2, learningRate: 5, onDiverge: 'stop', progressEvery: 2, onProgress: () => true, validationData: [small.slice(0, 3), target.slice(0, 3)] }],
  ] as [string, FitOptions][]) {
    it(`${label}: the model holds exactly the updates the history reports`, async () => {
      const model = await createModel({ ...spec, engine });
      const history = model.fit(small, target, options);
      expect(history.stopReason).toBe('diverged');
      expect(history.steps).toBeGreaterThan(0);
      expect(model.getParamsFlat().every(Number.isFinite)).toBe(true);
      const reference = await trainedFor(history.steps, options);
      expect(state(model)).toBe(state(reference.model));
      expect(history.loss).toEqual(reference.loss);
      expect(history.valLoss).toEqual(reference.valLoss);
      expect(history.epochs).toBe(history.loss.length);
    });
  }

  it('across chunk sizes, batch sizes and learning rates, the model always holds exactly the reported updates', async () => {
    let diverged = 0;
    for (const progressEvery of [1, 3, 4, 7]) {
      for (const batchSize of [1, 2, 3]) {
        for (const learningRate of [3, 30, 1e6]) {
          const options: FitOptions = { epochs: 200, batchSize, learningRate, onDiverge: 'stop', progressEvery, onProgress: () => true };
          const model = await createModel({ ...spec, engine });
          const history = model.fit(small, target, options);
          const label = JSON.stringify({ progressEvery, batchSize, learningRate, steps: history.steps });
          if (history.stopReason !== 'diverged' || history.steps === 0) continue;
          diverged++;
          const reference = await trainedFor(history.steps, options);
          expect(state(model), label).toBe(state(reference.model));
          expect(history.loss, label).toEqual(reference.loss);
        }
      }
    }
    expect(diverged).toBeGreaterThan(20);
  });

  it('a non-finite loss at the first batch of a chunk goes back into the chunk before; the history drops what was undone', async () => {
    const xs = [[1e3], [2e3], [3e3]], ys = [[1], [2], [3]];
    const line: ModelSpec = { inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'ssr', engine, params: [{ W: [[1]], b: [0] }] };
    const model = await createModel(line);
    const options: FitOptions = { epochs: 500, batchSize: 3, learningRate: 1, shuffle: false, onDiverge: 'stop', onEpochEnd: () => true };
    const history = model.fit(xs, ys, options);
    expect(history.stopReason).toBe('diverged');
    expect(history.epochs).toBe(history.steps);
    expect(history.loss).toHaveLength(history.epochs);
    const reference = await createModel(line);
    const h = reference.fit(xs, ys, { epochs: history.epochs, batchSize: 3, learningRate: 1, shuffle: false });
    expect(state(model)).toBe(state(reference));
    expect(history.loss).toEqual(h.loss);
    expect(Number.isFinite(model.loss(xs, ys))).toBe(true);
  });
});

describe.each(ENGINES)('callbacks agree on the %s engine', (engine) => {
  it('onEpochEnd and onProgress number epochs from 0 alike, and the last progress call reports every update', async () => {
    const model = await createModel({ ...SPEC, engine });
    const events: string[] = [];
    const progress: { epoch: number; steps: number; totalSteps: number }[] = [];
    model.fit(X, Y, {
      ...BASE, epochs: 5,
      onEpochEnd: (epoch) => void events.push(`end ${epoch}`),
      onProgress: (p) => void (progress.push(p), events.push(`progress ${p.epoch}`)),
    });
    // 24 rows in batches of 5: 5 updates per epoch, one progress call per epoch by default
    expect(events).toEqual([0, 1, 2, 3, 4].flatMap((e) => [`end ${e}`, `progress ${e}`]));
    expect(progress.map((p) => p.steps)).toEqual([5, 10, 15, 20, 25]);
    expect(progress[4].steps).toBe(progress[4].totalSteps);
    const chunks: { epoch: number; steps: number }[] = [];
    const other = await createModel({ ...SPEC, engine });
    other.fit(X, Y, { ...BASE, epochs: 2, progressEvery: 3, onProgress: (p) => void chunks.push({ epoch: p.epoch, steps: p.steps }) });
    // the epoch of each chunk's last update: steps 1–5 are epoch 0, 6–10 epoch 1
    expect(chunks).toEqual([{ epoch: 0, steps: 3 }, { epoch: 1, steps: 6 }, { epoch: 1, steps: 9 }, { epoch: 1, steps: 10 }]);
  });
});

describe('row counts of { data, rows }', () => {
  it('a fractional, negative or missing row count is a BAD_ROWS error that says what it got', async () => {
    const model = await createModel({ ...SPEC, engine: 'ts' });
    const data = new Float64Array(9);
    for (const [rows, text] of [[1.5, '1.5'], [-3, '-3'], [undefined, 'undefined'], ['3', '"3"']] as const) {
      const error = caught(() => model.predict({ data, rows } as unknown as { data: Float64Array; rows: number }));
      expect(error).toBeInstanceOf(DataError);
      expect(error.code).toBe('BAD_ROWS');
      expect(error.path).toBe('X.rows');
      expect(error.received).toBe(text);
      expect(error.message).not.toContain('NaN');
    }
    const width = caught(() => model.predict({ data, rows: 2 }));
    expect(width.code).toBe('WRONG_WIDTH');
  });
});
