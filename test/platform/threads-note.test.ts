// model.threadsNote in Node: null when the model runs on the threads asked for, else one sentence
// saying why it runs on one. The browsers' reasons (a page that is not cross-origin isolated, no
// SharedArrayBuffer) are asserted in the pages: threads.test.ts (Chromium) and browser-suite.ts
// (Firefox, WebKit).
import { afterEach, describe, expect, it } from 'vitest';
import { createModel, createModelSync, loadModel, type Model } from '../../src/index.js';
import { availableCores } from '../../src/engine/threads.js';
import { threadSplitOverride } from '../../src/layout/plan.js';
import { P } from '../../src/layout/abi.js';
import type { Plan } from '../../src/layout/plan.js';
import { EngineError } from '../../src/errors.js';
import { mulberry32 } from '../helpers/mulberry32.mjs';

const small = { inputs: 2, layers: [{ units: 3, activation: 'tanh' as const }, { units: 1, activation: 'sigmoid' as const }], loss: 'bce' as const, seed: 5 };
const big = { inputs: 48, layers: [{ units: 64, activation: 'relu' as const }, { units: 10, activation: 'softmax' as const }], loss: 'cce' as const, seed: 3 };

const models: Model[] = [];
async function made(model: Promise<Model> | Model): Promise<Model> {
  const m = await model;
  models.push(m);
  return m;
}

afterEach(() => {
  for (const m of models.splice(0)) m.dispose();
  threadSplitOverride.minVolume = null;
  threadSplitOverride.minElements = null;
  threadSplitOverride.workersOnly = false;
});

describe('model.threadsNote in Node', () => {
  it('is null when the model runs on what was asked: threads: 1 on either engine, threads: 2 on WebAssembly', async () => {
    expect((await made(createModel({ ...small, threads: 1 }))).threadsNote).toBeNull();
    expect((await made(createModel({ ...small, engine: 'ts', threads: 1 }))).threadsNote).toBeNull();
    const two = await made(createModel({ ...small, threads: 2 }));
    expect(two.threads).toBe(2);
    expect(two.threadsNote).toBeNull();
    const auto = await made(createModel(small));
    expect(auto.threads).toBe(Math.min(8, availableCores()));
    expect(auto.threadsNote).toBeNull();
  });

  it('the TypeScript engine asked for threads says it computes on one', async () => {
    const model = await made(createModel({ ...small, engine: 'ts', threads: 4 }));
    expect(model.threads).toBe(1);
    expect(model.threadsNote).toBe("Runs on 1 thread, not the 4 asked for: the TypeScript engine ('ts') computes on one thread: threads are the WebAssembly engine's.");
    expect((await made(createModelSync({ ...small, engine: 'ts', threads: 2 }))).threadsNote).toMatch(/^Runs on 1 thread, not the 2 asked for: the TypeScript engine/);
    // 'auto' asks for the cores: on a machine of one core that is what the model gets
    const auto = await made(createModel({ ...small, engine: 'ts' }));
    if (availableCores() > 1) expect(auto.threadsNote).toMatch(/^Runs on 1 thread, not the \d that threads: 'auto' asks for here: the TypeScript engine/);
    else expect(auto.threadsNote).toBeNull();
  });

  it('a model loaded onto the TypeScript engine with threads says so; loaded on WebAssembly it has none', async () => {
    const saved = (await made(createModel({ ...small, threads: 1 }))).toJSON();
    const ts = await made(loadModel(saved, { engine: 'ts', threads: 3 }));
    expect(ts.threadsNote).toMatch(/^Runs on 1 thread, not the 3 asked for: the TypeScript engine/);
    expect((await made(loadModel(saved, { threads: 3 }))).threadsNote).toBeNull();
  });

  it('a Node.js without process.getBuiltinModule: one thread, and the note names it', async () => {
    const proc = process as unknown as { getBuiltinModule?: unknown };
    const original = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      const model = await made(createModel({ ...small, threads: 2 }));
      expect(model.threads).toBe(1);
      expect(model.threadsNote).toBe(`Runs on 1 thread, not the 2 asked for: this Node.js (${process.version}) has no process.getBuiltinModule (Node.js 20.16 or later) to start worker threads with.`);
    } finally {
      proc.getBuiltinModule = original;
    }
  });

  it('a shared memory that cannot be reserved: one thread, and the note says so', async () => {
    await made(createModel({ ...small, threads: 2 })); // the threaded kernels are compiled
    const Memory = WebAssembly.Memory;
    (WebAssembly as { Memory: unknown }).Memory = function (descriptor: WebAssembly.MemoryDescriptor) {
      if (descriptor.shared) throw new RangeError('simulated: out of address space');
      return new Memory(descriptor);
    };
    try {
      const model = await made(createModel({ ...small, threads: 3 }));
      expect(model.threads).toBe(1);
      expect(model.threadsNote).toBe('Runs on 1 thread, not the 3 asked for: a shared WebAssembly memory (up to 4 GiB) for 3 threads could not be reserved (RangeError: simulated: out of address space).');
    } finally {
      (WebAssembly as { Memory: unknown }).Memory = Memory;
    }
  });

  it('a worker that fails during a call: the model continues on one thread, and the note says so', async () => {
    const rand = mulberry32(17);
    const X = Array.from({ length: 64 }, () => Array.from({ length: 48 }, () => 2 * rand() - 1));
    const Y = X.map((_, r) => Array.from({ length: 10 }, (_, j) => (j === r % 10 ? 1 : 0)));
    threadSplitOverride.workersOnly = true; // the workers compute every split tile: the broken one is theirs
    threadSplitOverride.minVolume = 1;
    threadSplitOverride.minElements = 1;
    const model = await made(createModel({ ...big, threads: 2 }));
    expect(model.threadsNote).toBeNull();
    const engine = (model as unknown as { engine: { i32: Int32Array } }).engine;
    const planOf = (m: Model): Plan => (m as unknown as { plan: Plan }).plan;
    const error = await Promise.resolve().then(() => model.fit(X, Y, {
      epochs: 3, batchSize: 16,
      // after the first epoch, point the workers' scratch past the end of memory: the next packed product traps in a worker
      onEpochEnd: (epoch) => { if (epoch === 0) engine.i32[(planOf(model).pool >>> 2) + P.SCRATCH] = 0x7ff00000; },
    })).catch((e: unknown) => e);
    expect((error as EngineError).code).toBe('WORKER_FAILED');
    expect(model.threads).toBe(1);
    expect(model.threadsNote).toMatch(/^Runs on 1 thread, not the 2 asked for: a worker thread failed during the WebAssembly kernel \w+, and the model continues on one\.$/);
  });
});
