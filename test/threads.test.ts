// Threads: the same bits for any thread count, and workers that end.
//
// The seeded scenarios of the Node = Chromium test (every activation, sgd / momentum / Adam, shuffling,
// scalers, odd sizes, batch 1 to full batch) train on 1, 2 and 3 threads. Their layers are small, so
// the split thresholds are lowered to split every product, activation, gather and update that can
// be split (threadSplitOverride, as layerPathOverride for the fused path): results must not move by
// a bit, and the workers must really have run tiles. A model with layers above the real thresholds
// checks the same without the override, with validation and momentum, and on a memory that grows.
import { afterEach, describe, expect, it } from 'vitest';
import { createModel, loadModel, type Model } from '../src/index.js';
import { threadSplitOverride, PARALLEL_VOLUME } from '../src/layout/plan.js';
import { liveWorkers, poolTesting, POOL_LINGER_MS } from '../src/engine/wasm/pool.js';
import { AUTO_THREADS_CAP, availableCores } from '../src/engine/threads.js';
import { DataError, EngineError, OptionsError, SpecError } from '../src/errors.js';
import { P, PF } from '../src/layout/abi.js';
import type { Plan } from '../src/layout/plan.js';
import { SCENARIOS, seededRuns, type SeededRun } from './platform/seeded-runs.mjs';
import { mulberry32 } from './helpers/mulberry32.mjs';

const stats = (model: Model): { workers: number; workerTiles: number } =>
  (model as unknown as { engine: { poolStats?: () => { workers: number; workerTiles: number } } }).engine.poolStats?.() ?? { workers: 0, workerTiles: 0 };

const planOf = (model: Model): Plan => (model as unknown as { plan: Plan }).plan;

const bytes = (a: Float64Array | number[]): string => Buffer.from(Float64Array.from(a).buffer).toString('base64');

/** Waits until no worker is left: a pool no model uses ends after POOL_LINGER_MS. */
const allEnded = (): Promise<void> => expect.poll(() => liveWorkers(), { timeout: POOL_LINGER_MS + 15_000, interval: 100 }).toBe(0);

afterEach(() => {
  threadSplitOverride.minVolume = null;
  threadSplitOverride.minElements = null;
  threadSplitOverride.workersOnly = false;
  poolTesting.failAttach = false;
});

describe('the same bits on 1, 2 and 3 threads', () => {
  it('every seeded scenario, with every pass split that can be, every tile run by a worker', async () => {
    threadSplitOverride.minVolume = 1;
    threadSplitOverride.minElements = 1;
    // the calling thread takes no tile: each split pass is computed by the workers alone, whatever the load
    threadSplitOverride.workersOnly = true;
    const runs: Record<number, SeededRun[]> = {};
    for (const threads of [1, 2, 3]) runs[threads] = await seededRuns(await import('../src/index.js'), 'wasm', threads);
    for (const threads of [1, 2, 3]) expect(runs[threads].map((r) => r.threads)).toEqual(SCENARIOS.map(() => threads));
    for (const [i, scenario] of SCENARIOS.entries()) {
      const one = runs[1][i];
      expect(one.workerTiles, `${scenario.name}: one thread has no workers`).toBe(0);
      for (const threads of [2, 3]) {
        const many = runs[threads][i];
        expect(many.workerTiles, `${scenario.name}: the workers ran tiles on ${threads} threads`).toBeGreaterThan(0);
        expect(many.paramsHash, `${scenario.name}, ${threads} threads: parameters`).toBe(one.paramsHash);
        expect(many.predictionsHash, `${scenario.name}, ${threads} threads: predictions`).toBe(one.predictionsHash);
        expect(many.lossHash, `${scenario.name}, ${threads} threads: loss history`).toBe(one.lossHash);
      }
    }
  }, 120_000);

  it('layers above the real thresholds: momentum, validation, shuffling, a partial batch and a memory that grows', async () => {
    const rand = mulberry32(5);
    const inputs = 97, rows = 203;
    const make = (n: number): { X: Float64Array; Y: Float64Array } => ({
      X: Float64Array.from({ length: n * inputs }, () => 2 * rand() - 1),
      Y: Float64Array.from({ length: n * 3 }, () => rand()),
    });
    const small = make(rows), large = make(rows * 9);
    const spec = {
      inputs, loss: 'mse' as const, seed: 21,
      layers: [{ units: 129, activation: 'tanh' as const }, { units: 67, activation: 'sigmoid' as const }, { units: 3, activation: 'identity' as const }],
    };
    // a batch of 37 rows: 37 × 97 × 129 multiply-adds is above the real threshold
    expect(37 * inputs * 129).toBeGreaterThan(PARALLEL_VOLUME);
    const fit = { epochs: 3, batchSize: 37, learningRate: 0.05, optimizer: { name: 'momentum' as const, momentum: 0.9 }, validationSplit: 0.2 };
    threadSplitOverride.workersOnly = true; // the real thresholds, every split pass computed by the workers
    const results: Record<number, string[]> = {};
    for (const threads of [1, 2, 3]) {
      const model = await createModel({ ...spec, threads });
      const first = model.fit(small.X, small.Y, fit);
      const second = model.fit(large.X, large.Y, { ...fit, epochs: 1 }); // more rows: the shared memory grows
      results[threads] = [bytes(model.getParamsFlat()), bytes(model.predict(large.X)), bytes([...first.loss, ...first.valLoss!, ...second.loss])];
      if (threads > 1) expect(stats(model).workerTiles, `${threads} threads: workers ran tiles`).toBeGreaterThan(0);
      model.dispose();
    }
    expect(results[2]).toEqual(results[1]);
    expect(results[3]).toEqual(results[1]);
  }, 120_000);

  it('a product\'s shared operand packed once for all its tiles: column and row blocks, partial panels, two depth blocks', async () => {
    // 300 inputs: the forward product's depth spans two packed blocks (256 + 44); a batch of 41 rows
    // and 7 output units leave partial 4-wide panels. Split everywhere: the forward product of layer 1
    // (41 × 600 × 300) in column blocks sharing X, that of layer 2 (41 × 7 × 600) in row blocks
    // sharing W, the gradients' products in column blocks; predicting 700 rows cuts layer 1's
    // forward product (700 × 600 × 300) in row blocks sharing W1, whose 600 columns span two
    // packed column blocks (512 + 88), and predicting 200 rows in column blocks sharing the rows,
    // which span two packed row blocks (128 + 72).
    const rand = mulberry32(8);
    const inputs = 300, rows = 123;
    const X = Float64Array.from({ length: rows * inputs }, () => 2 * rand() - 1);
    const Y = Float64Array.from({ length: rows * 7 }, () => rand());
    const many = Float64Array.from({ length: 700 * inputs }, () => 2 * rand() - 1);
    const spec = {
      inputs, loss: 'mse' as const, seed: 13,
      layers: [{ units: 600, activation: 'tanh' as const }, { units: 7, activation: 'sigmoid' as const }],
    };
    const fit = { epochs: 2, batchSize: 41, learningRate: 0.1 };
    threadSplitOverride.minVolume = 1;
    threadSplitOverride.workersOnly = true;
    const results: Record<number, string[]> = {};
    for (const threads of [1, 2, 3]) {
      const model = await createModel({ ...spec, threads });
      const history = model.fit(X, Y, fit);
      results[threads] = [bytes(model.getParamsFlat()), bytes(model.predict(many)), bytes(model.predict(many.subarray(0, 200 * inputs))), bytes(history.loss)];
      const plan = planOf(model);
      if (threads > 1) {
        expect(stats(model).workerTiles, `${threads} threads: workers ran tiles`).toBeGreaterThan(0);
        // the region holds what was packed there (41 rows of X, 4-wide panels: 44 × 300 doubles at least)
        expect(plan.wholeBytes).toBeGreaterThanOrEqual(44 * 300 * 8);
        const f64 = (model as unknown as { engine: { f64: Float64Array } }).engine.f64;
        const region = f64.subarray(plan.whole >>> 3, (plan.whole + plan.wholeBytes) >>> 3);
        expect(region.some((v) => v !== 0), `${threads} threads: an operand was packed whole`).toBe(true);
      } else {
        expect(plan.wholeBytes).toBe(0);
      }
      model.dispose();
    }
    expect(results[2]).toEqual(results[1]);
    expect(results[3]).toEqual(results[1]);
  }, 120_000);
});

describe('the kernels\' measure of whether the pool pays', () => {
  it('the host writes when each kernel call began and ended (the time between calls is the caller\'s, left out)', async () => {
    const model = await createModel({ inputs: 300, layers: [{ units: 200, activation: 'relu' }, { units: 2, activation: 'identity' }], loss: 'mse', threads: 2 });
    const plan = planOf(model);
    const f64 = (): Float64Array => (model as unknown as { engine: { f64: Float64Array } }).engine.f64;
    const at = plan.pool >>> 3;
    const before = performance.now();
    model.predict(new Float64Array(64 * 300).fill(0.5));
    const after = performance.now();
    const start = f64()[at + PF.CALL_START], end = f64()[at + PF.CALL_END];
    expect(start).toBeGreaterThanOrEqual(before);
    expect(end).toBeGreaterThanOrEqual(start);
    expect(end).toBeLessThanOrEqual(after);
    model.dispose();
  });
});

describe('predict checks its rows in engine memory, on the threads', () => {
  it('names the first value that is not finite, in a later chunk, on 1 and 2 threads and the TS engine', async () => {
    const rand = mulberry32(3);
    const rows = 3000, inputs = 300; // three chunks of 1,024 rows
    const X = Float64Array.from({ length: rows * inputs }, () => rand() - 0.5);
    X[2500 * inputs + 7] = NaN;
    X[2100 * inputs + 299] = -Infinity;
    const spec = { inputs, layers: [{ units: 40, activation: 'tanh' as const }, { units: 2, activation: 'identity' as const }], loss: 'mse' as const };
    for (const variant of [{ threads: 1 }, { threads: 2 }, { engine: 'ts' as const }]) {
      const model = await createModel({ ...spec, ...variant });
      const error = (() => { try { model.predict(X); } catch (e) { return e; } return null; })();
      expect(error, JSON.stringify(variant)).toBeInstanceOf(DataError);
      expect((error as DataError).code).toBe('NON_FINITE');
      expect((error as DataError).path).toBe('X[2100][299]');
      expect((error as DataError).message).toContain('-Infinity');
      X[2100 * inputs + 299] = 0.25;
      X[2500 * inputs + 7] = 0.5;
      const clean = model.predict(X);
      expect(clean.every(Number.isFinite)).toBe(true);
      X[2500 * inputs + 7] = NaN;
      X[2100 * inputs + 299] = -Infinity;
      model.dispose();
    }
  });

  it('a finite value that the input scaler makes infinite is not an error (as before)', async () => {
    const model = await createModel({ inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', params: [{ W: [[0]], b: [1] }] });
    model.setNormalization([[0], [1e-300]], null, { inputs: 'minMax' });
    // 1e300 scaled by 1 / 1e-300 overflows: the network sees Infinity, as it did before this check moved
    const out = model.predict(new Float64Array([1e300]));
    expect(Number.isFinite(out[0])).toBe(false);
    model.dispose();
  });
});

describe('threads option', () => {
  it('model.threads: the count asked for, 1 on the TS engine, "auto" the cores up to the cap', async () => {
    const spec = { inputs: 2, layers: [{ units: 1, activation: 'sigmoid' as const }], loss: 'mse' as const };
    const three = await createModel({ ...spec, threads: 3 });
    expect(three.threads).toBe(3);
    const auto = await createModel(spec);
    expect(auto.threads).toBe(Math.min(AUTO_THREADS_CAP, availableCores()));
    const ts = await createModel({ ...spec, engine: 'ts', threads: 4 });
    expect(ts.threads).toBe(1);
    for (const m of [three, auto, ts]) m.dispose();
  });

  it('a bad count is a SpecError naming the field; loadModel takes threads and saves none', async () => {
    const spec = { inputs: 2, layers: [{ units: 1, activation: 'sigmoid' as const }], loss: 'mse' as const };
    for (const bad of [0, 1.5, 65, -1, '2', 'many', null]) {
      const error = await createModel({ ...spec, threads: bad as never }).catch((e: unknown) => e);
      expect(error, String(bad)).toBeInstanceOf(SpecError);
      expect((error as SpecError).code).toBe('BAD_THREADS');
      expect((error as SpecError).path).toBe('threads');
    }
    const model = await createModel({ ...spec, threads: 2 });
    const saved = model.toJSON();
    expect(JSON.stringify(saved)).not.toContain('threads');
    const loaded = await loadModel(saved, { threads: 3 });
    expect(loaded.threads).toBe(3);
    const error = await loadModel(saved, { threads: 'x' as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionsError);
    expect((error as OptionsError).path).toBe('options.threads');
    const unknown = await loadModel(saved, { thread: 2 } as never).catch((e: unknown) => e);
    expect((unknown as Error).message).toMatch(/threads/);
    for (const m of [model, loaded]) m.dispose();
  });
});

describe('workers end', () => {
  const big = { inputs: 300, layers: [{ units: 200, activation: 'relu' as const }, { units: 2, activation: 'identity' as const }], loss: 'mse' as const };
  const data = (): { X: Float64Array; Y: Float64Array } => {
    const rand = mulberry32(9);
    return { X: Float64Array.from({ length: 64 * 300 }, () => rand() - 0.5), Y: Float64Array.from({ length: 64 * 2 }, () => rand()) };
  };

  it('dispose during training ends the workers (the idle pool after POOL_LINGER_MS)', async () => {
    await allEnded(); // the workers of earlier tests have exited
    const model = await createModel({ ...big, threads: 3 });
    // the process's one pool: threads − 1 workers, at most cores − 1
    const workers = Math.min(2, availableCores() - 1);
    expect(stats(model).workers).toBe(workers);
    expect(liveWorkers()).toBe(workers);
    const { X, Y } = data();
    const history = await model.fitAsync(X, Y, { epochs: 50, batchSize: 16, onEpochEnd: (epoch) => { if (epoch === 2) model.dispose(); } });
    expect(history.stopReason).toBe('disposed');
    await allEnded();
  });

  it('a worker that ends while idle costs nothing but speed: the model trains on, with the same bits', async () => {
    const { X, Y } = data();
    const fit = { epochs: 2, batchSize: 16, optimizer: 'adam' as const };
    const reference = await createModel({ ...big, threads: 1 });
    reference.fit(X, Y, fit);
    reference.fit(X, Y, fit);
    const model = await createModel({ ...big, threads: 3 });
    model.fit(X, Y, fit);
    const live = liveWorkers();
    // end one worker from outside, as a crash of its thread would
    (model as unknown as { engine: { pool: { handles: { terminate(): void }[] } } }).engine.pool.handles[0].terminate();
    await expect.poll(() => liveWorkers()).toBe(live - 1);
    model.fit(X, Y, fit);
    expect(bytes(model.getParamsFlat())).toBe(bytes(reference.getParamsFlat()));
    expect(bytes(model.predict(X))).toBe(bytes(reference.predict(X)));
    for (const m of [model, reference]) m.dispose();
  });

  it('a worker that fails during a call: EngineError WORKER_FAILED, the model as before the call, then one thread with the same bits', async () => {
    const { X, Y } = data();
    const fit = { epochs: 3, batchSize: 16, optimizer: 'adam' as const };
    const reference = await createModel({ ...big, threads: 1 });
    reference.fit(X, Y, fit);
    threadSplitOverride.workersOnly = true; // the workers compute every split tile: the broken one is theirs
    const model = await createModel({ ...big, threads: 2 });
    const before = bytes(model.getParamsFlat());
    const engine = (model as unknown as { engine: { i32: Int32Array } }).engine;
    const error = await Promise.resolve().then(() => model.fit(X, Y, {
      ...fit,
      // after the first epoch, point the workers' scratch past the end of memory: the next packed product traps in a worker
      onEpochEnd: (epoch) => { if (epoch === 0) engine.i32[(planOf(model).pool >>> 2) + P.SCRATCH] = 0x7ff00000; },
    })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('WORKER_FAILED');
    expect(bytes(model.getParamsFlat()), 'the failed call changed nothing').toBe(before);
    expect(model.threads).toBe(1);
    model.fit(X, Y, fit);
    expect(bytes(model.getParamsFlat())).toBe(bytes(reference.getParamsFlat()));
    for (const m of [model, reference]) m.dispose();
  });

  it('workers that cannot make the model\'s instance: one thread, the same bits, and threadsNote says why', async () => {
    const { X, Y } = data();
    const fit = { epochs: 2, batchSize: 16 };
    const reference = await createModel({ ...big, threads: 1 });
    reference.fit(X, Y, fit);
    poolTesting.failAttach = true;
    const model = await createModel({ ...big, threads: 2 });
    poolTesting.failAttach = false;
    if (availableCores() > 1) {
      expect(model.threadsNote).toMatch(/^Runs on 1 thread, not the 2 asked for: no worker thread could start \(.*told to fail.*\)\.$/);
      expect(model.threads).toBe(1);
    } else {
      expect(model.threadsNote).toBeNull(); // one core: no worker was meant to start
    }
    model.fit(X, Y, fit);
    expect(stats(model).workerTiles).toBe(0);
    expect(bytes(model.getParamsFlat())).toBe(bytes(reference.getParamsFlat()));
    // the pool itself is fine: the next model gets its workers
    const next = await createModel({ ...big, threads: 2 });
    expect(next.threadsNote).toBeNull();
    next.fit(X, Y, fit);
    expect(bytes(next.getParamsFlat())).toBe(bytes(reference.getParamsFlat()));
    for (const m of [reference, model, next]) m.dispose();
  });

  it('many create / train / dispose cycles leave no worker behind', async () => {
    await allEnded();
    const { X, Y } = data();
    for (let i = 0; i < 12; i++) {
      const model = await createModel({ ...big, threads: 2, seed: i });
      model.fit(X, Y, { epochs: 1, batchSize: 32 });
      expect(stats(model).workers).toBe(1);
      model.dispose();
    }
    await allEnded();
  }, 60_000);
});

describe('one pool per process', () => {
  const spec = (seed: number, threads: number) => ({
    inputs: 300, layers: [{ units: 200 + seed, activation: 'tanh' as const }, { units: 3, activation: 'identity' as const }], loss: 'mse' as const, seed, threads,
  });
  const data = (seed: number): { X: Float64Array; Y: Float64Array } => {
    const rand = mulberry32(seed);
    return { X: Float64Array.from({ length: 64 * 300 }, () => rand() - 0.5), Y: Float64Array.from({ length: 64 * 3 }, () => rand()) };
  };
  const fit = { epochs: 1, batchSize: 16, optimizer: 'adam' as const, shuffle: true };

  it('many threaded models share at most cores − 1 workers, take turns on them, and train the bits they train alone', async () => {
    await allEnded();
    // every split tile on a worker: each model must really have been served by the shared workers
    threadSplitOverride.workersOnly = true;
    const counts = [2, 3, 2, 4, 2, 3];
    const models = await Promise.all(counts.map((threads, i) => createModel(spec(i, threads))));
    const pool = Math.min(Math.max(...counts) - 1, availableCores() - 1);
    expect(liveWorkers(), 'one pool for all').toBe(pool);
    // rounds of one epoch each, model after model: the pool turns from one to the next every call
    for (let round = 0; round < 3; round++) {
      for (const [i, model] of models.entries()) model.fit(data(i).X, data(i).Y, fit);
      expect(liveWorkers()).toBe(pool);
    }
    // a model that leaves releases its share; the others go on
    models[1].dispose();
    models[4].dispose();
    for (const i of [0, 2, 3, 5]) models[i].fit(data(i).X, data(i).Y, fit);
    expect(liveWorkers()).toBe(pool);
    for (const [i, model] of models.entries()) {
      if (i === 1 || i === 4) continue;
      const alone = await createModel(spec(i, 1));
      for (let round = 0; round < 4; round++) alone.fit(data(i).X, data(i).Y, fit);
      expect(bytes(model.getParamsFlat()), `model ${i} (${counts[i]} threads)`).toBe(bytes(alone.getParamsFlat()));
      if (pool > 0) expect(stats(model).workerTiles, `model ${i}: the shared workers ran its tiles`).toBeGreaterThan(0);
      alone.dispose();
    }
    for (const i of [0, 2, 3, 5]) models[i].dispose();
    await allEnded(); // the last model out ends the pool (after POOL_LINGER_MS)
  }, 120_000);
});

