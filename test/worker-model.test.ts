// wasmlp/worker in Node: a model in a worker_threads Worker gives the same bits as the same calls on
// a model of this thread, forwards fit's callbacks in order (their answers stop it as in fitAsync),
// stops on a signal, ends with dispose (pending calls reject), lets the process exit, and throws the
// same error classes with the same fields. The built package (dist/) is tested: the worker runs
// dist/worker/entry.js, and its errors must be the classes 'wasmlp' exports.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mulberry32, randomMatrix } from './helpers/random.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const lib = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
const { createWorkerModel, loadWorkerModel } = (await import(new URL('../dist/worker/index.js', import.meta.url).href)) as typeof import('../src/worker/index.js');
const { createModel, loadModel, DataError, EngineError, FormatError, OptionsError, TrainingError, SpecError } = lib;

/** Every float64 as its 16 hex digits: equal only when the bits are. */
function bits(value: unknown): unknown {
  if (typeof value === 'number') return Buffer.from(new Float64Array([value]).buffer).toString('hex');
  if (ArrayBuffer.isView(value)) return bits(Array.from(value as Float64Array));
  if (Array.isArray(value)) return value.map(bits);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bits(v)]));
  return value;
}

const rand = mulberry32(23);
const X = randomMatrix(rand, 60, 3);
const labels = X.map(([a, b, c]) => (a + b * c > 0.1 ? 'yes' : a < -0.3 ? 'maybe' : 'no'));
const Yreg = X.map(([a, b, c]) => [Math.sin(a + b), a * c]);
const classifier = { inputs: 3, layers: [{ units: 12, activation: 'tanh' as const }, { units: 3, activation: 'softmax' as const }], loss: 'cce' as const, seed: 5 };
const regressor = { inputs: 3, layers: [{ units: 10, activation: 'relu' as const }, { units: 8, activation: 'sigmoid' as const }, { units: 2, activation: 'identity' as const }], loss: 'mse' as const, seed: 9 };
const adam = { epochs: 25, batchSize: 7, optimizer: 'adam' as const, learningRate: 0.02, shuffle: true, validationSplit: 0.2 };

/** What a fit's callbacks saw, in order. */
function recorder(): { seen: unknown[]; onEpochEnd: (epoch: number, logs: unknown) => void; onProgress: (progress: { epoch: number; steps: number; loss: number | undefined }) => void } {
  const seen: unknown[] = [];
  return {
    seen,
    onEpochEnd: (epoch, logs) => void seen.push(['epoch', epoch, bits(logs)]),
    onProgress: ({ epoch, steps, loss }) => void seen.push(['progress', epoch, steps, bits(loss)]),
  };
}

function errorFields(error: unknown): Record<string, unknown> {
  const e = error as Record<string, unknown>;
  return { class: (error as Error).constructor.name, name: e.name, code: e.code, message: e.message, path: e.path, expected: e.expected, received: e.received, epoch: e.epoch, step: e.step };
}

async function failure(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('a worker model gives the same bits as a model on this thread', () => {
  it('a classifier: fit with Adam, shuffling and validation (callbacks in the same order), predict, probabilities, classes, evaluate, loss, gradients, toJSON', async () => {
    const here = await createModel(classifier);
    const there = await createWorkerModel(classifier);
    try {
      const a = recorder(), b = recorder();
      const expected = await here.fitAsync(X, labels, { ...adam, progressEvery: 3, onEpochEnd: a.onEpochEnd, onProgress: a.onProgress });
      const history = await there.fit(X, labels, { ...adam, progressEvery: 3, onEpochEnd: b.onEpochEnd, onProgress: b.onProgress });
      expect(b.seen.length).toBeGreaterThan(adam.epochs);
      expect(b.seen).toEqual(a.seen);
      const { timeMs: _t1, ...h1 } = expected;
      const { timeMs: _t2, ...h2 } = history;
      expect(bits(h2)).toEqual(bits(h1));
      expect(there.classes).toEqual(['maybe', 'no', 'yes']);
      expect(there.classes).toEqual(here.classes);
      expect(bits(await there.getParamsFlat())).toEqual(bits(here.getParamsFlat()));
      const flat = new Float64Array(X.flat());
      const predicted = await there.predict(flat);
      expect(predicted).toBeInstanceOf(Float64Array);
      expect(bits(predicted)).toEqual(bits(here.predict(flat)));
      expect(bits(await there.predict(X))).toEqual(bits(here.predict(X)));
      expect(bits(await there.predictProba(X))).toEqual(bits(here.predictProba(X)));
      expect(await there.predictClasses(X)).toEqual(here.predictClasses(X));
      expect(bits(await there.evaluate(X, labels))).toEqual(bits(here.evaluate(X, labels)));
      expect(bits(await there.loss(X, labels))).toEqual(bits(here.loss(X, labels)));
      expect(bits(await there.gradients(X, labels, { traces: 'flat' }))).toEqual(bits(here.gradients(X, labels, { traces: 'flat' })));
      expect(await there.toJSON()).toEqual(here.toJSON());
    } finally {
      here.dispose();
      await there.dispose();
    }
  });

  it('a regressor: normalization, parameters set and read, a second fit that continues the first, and a model loaded in a worker', async () => {
    const here = await createModel(regressor);
    const there = await createWorkerModel(regressor);
    try {
      here.setNormalization(X, Yreg, { inputs: 'standardize', targets: 'minMax' });
      await there.setNormalization(X, Yreg, { inputs: 'standardize', targets: 'minMax' });
      const params = here.getParams();
      params[0].b[1] = 0.125;
      here.setParams(params);
      await there.setParams(params);
      const { validationSplit: _v, ...noValidation } = adam;
      for (const options of [noValidation, { epochs: 5, batchSize: 4, optimizer: 'adam' as const }]) {
        const { timeMs: _a, ...expected } = here.fit(X, Yreg, options);
        const { timeMs: _b, ...history } = await there.fit(X, Yreg, options);
        expect(bits(history)).toEqual(bits(expected));
      }
      expect(bits(await there.getParams())).toEqual(bits(here.getParams()));
      expect(await there.getNormalization()).toEqual(here.getNormalization());
      expect(bits(await there.gradients(X, Yreg))).toEqual(bits(here.gradients(X, Yreg)));
      expect(bits(await there.loss(X, Yreg, { units: 'target' }))).toEqual(bits(here.loss(X, Yreg, { units: 'target' })));
      const loaded = await loadWorkerModel(JSON.stringify(here.toJSON()));
      try {
        const reloaded = await loadModel(here.toJSON());
        const { timeMs: _c, ...expected } = reloaded.fit(X, Yreg, { epochs: 3 });
        const { timeMs: _d, ...history } = await loaded.fit(X, Yreg, { epochs: 3 });
        expect(bits(history)).toEqual(bits(expected));
        expect(bits(await loaded.predict(X))).toEqual(bits(reloaded.predict(X)));
      } finally {
        await loaded.dispose();
      }
    } finally {
      here.dispose();
      await there.dispose();
    }
  });
});

describe('callbacks and stopping', () => {
  it('a callback returning false, or a promise of false, stops the fit where fitAsync stops', async () => {
    const here = await createModel(regressor);
    const expected = await here.fitAsync(X, Yreg, { ...adam, onEpochEnd: (epoch) => epoch !== 6 });
    expect(expected.stopReason).toBe('callback');
    expect(expected.epochs).toBe(7);
    for (const onEpochEnd of [(epoch: number) => epoch !== 6, async (epoch: number) => epoch !== 6]) {
      const there = await createWorkerModel(regressor);
      const history = await there.fit(X, Yreg, { ...adam, onEpochEnd });
      expect(history.stopReason).toBe('callback');
      expect(bits(history.loss)).toEqual(bits(expected.loss));
      expect(bits(await there.getParamsFlat())).toEqual(bits(here.getParamsFlat()));
      await there.dispose();
    }
    here.dispose();
  });

  it('onProgress returning false stops it too', async () => {
    const there = await createWorkerModel(regressor);
    const history = await there.fit(X, Yreg, { epochs: 50, progressEvery: 2, onProgress: ({ steps }) => steps < 10 });
    expect(history.stopReason).toBe('callback');
    expect(history.steps).toBe(10);
    await there.dispose();
  });

  it('a callback that throws fails the fit with that very error, and the model is as it was', async () => {
    const there = await createWorkerModel(regressor);
    const before = await there.getParamsFlat();
    const thrown = new RangeError('not today');
    const error = await failure(() => there.fit(X, Yreg, { epochs: 9, onEpochEnd: (epoch) => {
      if (epoch === 4) throw thrown;
    } }));
    expect(error).toBe(thrown);
    expect(bits(await there.getParamsFlat())).toEqual(bits(before));
    await there.dispose();
  });

  it('a signal aborted before the call: no update; aborted in a callback: stopped after that epoch, as fitAsync', async () => {
    const there = await createWorkerModel(regressor);
    const before = await there.getParamsFlat();
    const history = await there.fit(X, Yreg, { epochs: 5, signal: AbortSignal.abort() });
    expect(history.stopReason).toBe('aborted');
    expect(history.steps).toBe(0);
    expect(bits(await there.getParamsFlat())).toEqual(bits(before));

    const here = await createModel(regressor);
    const inCallback = (controller: AbortController) => (epoch: number) => {
      if (epoch === 3) controller.abort();
    };
    const c1 = new AbortController(), c2 = new AbortController();
    const expected = await here.fitAsync(X, Yreg, { ...adam, signal: c1.signal, onEpochEnd: inCallback(c1) });
    const stopped = await there.fit(X, Yreg, { ...adam, signal: c2.signal, onEpochEnd: inCallback(c2) });
    expect(expected.stopReason).toBe('aborted');
    expect(stopped.stopReason).toBe('aborted');
    expect(bits(stopped.loss)).toEqual(bits(expected.loss));
    expect(bits(await there.getParamsFlat())).toEqual(bits(here.getParamsFlat()));
    here.dispose();
    await there.dispose();
  });

  it('a signal stops a long fit from outside it', async () => {
    const there = await createWorkerModel(regressor);
    const controller = new AbortController();
    let epochs = 0;
    const fit = there.fit(X, Yreg, { epochs: 1_000_000, signal: controller.signal, onEpochEnd: () => {
      if (++epochs === 5) setTimeout(() => controller.abort(), 0);
    } });
    const history = await fit;
    expect(history.stopReason).toBe('aborted');
    expect(history.epochs).toBeGreaterThanOrEqual(5);
    expect(history.epochs).toBeLessThan(1_000_000);
    await there.dispose();
  });
});

describe('dispose', () => {
  it('ends the worker: a running fit and every pending call reject with EngineError DISPOSED, and so does every later call', async () => {
    const there = await createWorkerModel(regressor);
    let disposing: Promise<void> | null = null;
    let pending: Promise<unknown> | null = null;
    const fit = there.fit(X, Yreg, { epochs: 1_000_000, onEpochEnd: (epoch) => {
      if (epoch !== 3) return;
      pending = there.predict(X);
      disposing = there.dispose();
    } });
    const error = await failure(() => fit);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as InstanceType<typeof EngineError>).code).toBe('DISPOSED');
    expect(await failure(() => pending)).toBe(error);
    await disposing;
    const later = await failure(() => there.getParams());
    expect(later).toBeInstanceOf(EngineError);
    expect((later as InstanceType<typeof EngineError>).code).toBe('DISPOSED');
    await there.dispose();
  });

  it('a Node process exits by itself, with its worker models disposed or not', () => {
    for (const end of ['await model.dispose();', '']) {
      const script = `
        import { createWorkerModel } from ${JSON.stringify(`${REPO}dist/worker/index.js`)};
        const model = await createWorkerModel(${JSON.stringify(regressor)});
        const history = await model.fit(${JSON.stringify(X)}, ${JSON.stringify(Yreg)}, { epochs: 3 });
        ${end}
        console.log(history.epochs);`;
      // the bound only detects a hang (a worker holding the process open); it measures nothing
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(child.stdout.trim()).toBe('3');
    }
  });
});

describe('errors thrown in the worker arrive as the same classes with the same fields', () => {
  it('data, options, training (BUSY and DIVERGED), format, saving; a spec error before any worker starts', async () => {
    const here = await createModel(regressor);
    const there = await createWorkerModel(regressor);
    const cases: [string, (m: any) => unknown, unknown][] = [
      ['wrong width', (m) => m.predict([[1, 2]]), DataError],
      ['non-finite', (m) => m.loss([[1, 2, NaN]], [[0, 0]]), DataError],
      ['unknown option', (m) => m.fit(X, Yreg, { epoch: 3 }), OptionsError],
      ['diverged', (m) => m.fit(X, Yreg.map(([a, b]) => [a * 1e150, b]), { learningRate: 1e10, epochs: 3 }), TrainingError],
      ['options not an object', (m) => m.fit(X, Yreg, 7), OptionsError],
      ['save where there is no IndexedDB', (m) => m.save('indexeddb://x'), OptionsError],
    ];
    for (const [what, call, Class] of cases) {
      const expected = await failure(() => call(here));
      const error = await failure(() => call(there));
      expect(error, what).toBeInstanceOf(Class as new () => Error);
      expect(errorFields(error), what).toEqual(errorFields(expected));
    }
    // BUSY: the epoch and step of the running fit
    const busy: unknown[] = [];
    await there.fit(X, Yreg, { epochs: 4, onEpochEnd: async (epoch) => {
      if (epoch === 2) busy.push(await failure(() => there.predict(X)));
    } });
    expect(busy[0]).toBeInstanceOf(TrainingError);
    // after epoch 2: 3 epochs of 2 updates (60 rows in batches of 32)
    expect(errorFields(busy[0])).toMatchObject({ code: 'BUSY', epoch: 3, step: 6 });
    const json = JSON.stringify(here.toJSON()).replace('"loss":"mse"', '"loss":"mae"');
    const format = await failure(() => loadWorkerModel(json));
    expect(format).toBeInstanceOf(FormatError);
    expect(errorFields(format)).toEqual(errorFields(await failure(() => loadModel(json))));
    const spec = await failure(() => createWorkerModel({ ...regressor, layers: [{ units: 0, activation: 'relu' }] }));
    expect(spec).toBeInstanceOf(SpecError);
    here.dispose();
    await there.dispose();
  });
});
