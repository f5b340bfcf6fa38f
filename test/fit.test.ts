// Basic training: determinism, memory growth, divergence, option errors, kernel traps.
import { describe, expect, it } from 'vitest';
import { createModel, EngineError, OptionsError, TrainingError, type ModelSpec } from '../src/index.js';
import { WasmEngine } from '../src/engine/wasm/wasm-engine.js';
import { compileKernels } from '../src/engine/wasm/loader.js';
import { computePlan } from '../src/layout/plan.js';
import { validateSpec } from '../src/spec/validate.js';
import { resolveSpec } from '../src/model/factory.js';
import { H } from '../src/layout/abi.js';
import { ENGINES } from './helpers/engines.js';
import { expectTypedError } from './helpers/errors.js';
import { mulberry32, randomMatrix } from './helpers/random.js';

const rand = mulberry32(11);
const X = randomMatrix(rand, 50, 4);
const Y = X.map(([a, b, c, d]) => [a * b > 0 ? 1 : 0, Math.tanh(c - d) > 0 ? 1 : 0]);
const SPEC: ModelSpec = {
  inputs: 4,
  layers: [{ units: 9, activation: 'tanh' }, { units: 5, activation: 'relu' }, { units: 2, activation: 'sigmoid' }],
  loss: 'bce',
  seed: 123,
};
const bytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each(ENGINES)('fit on the %s engine', (engine) => {
  it('is bit-identical run to run with seeded shuffling', async () => {
    const runs = [];
    for (let r = 0; r < 2; r++) {
      const model = await createModel({ ...SPEC, engine });
      const history = model.fit(X, Y, { epochs: 30, batchSize: 7, learningRate: 0.5, shuffle: true });
      runs.push({ params: model.getParamsFlat(), loss: history.loss });
    }
    expect(bytes(runs[0].params)).toEqual(bytes(runs[1].params));
    expect(runs[0].loss).toEqual(runs[1].loss);
    expect(runs[0].loss[29]).toBeLessThan(runs[0].loss[0]);
  });

  it('shuffling changes the trajectory, and a different seed changes it again', async () => {
    const results = [];
    for (const [seed, shuffle] of [[123, false], [123, true], [124, true]] as const) {
      const model = await createModel({ ...SPEC, engine, seed, params: (await createModel({ ...SPEC, engine })).getParams() });
      model.fit(X, Y, { epochs: 3, batchSize: 7, learningRate: 0.5, shuffle });
      results.push(model.getParamsFlat());
    }
    expect(results[0]).not.toEqual(results[1]);
    expect(results[1]).not.toEqual(results[2]);
  });

  it('full-batch SGD equals the gradient step θ − lr·∇L', async () => {
    const model = await createModel({ ...SPEC, engine });
    const before = model.getParamsFlat();
    const { gradsFlat, loss } = model.gradients(X, Y);
    const history = model.fit(X, Y, { epochs: 1, batchSize: X.length, learningRate: 0.25, shuffle: false });
    const after = model.getParamsFlat();
    for (let i = 0; i < before.length; i++) expect(after[i]).toBe(before[i] - 0.25 * gradsFlat[i]);
    expect(history.loss[0]).toBeCloseTo(loss, 14);
    expect(history.steps).toBe(1);
  });

  it('keeps parameters and valid views when the arena grows mid-life', async () => {
    const model = await createModel({ ...SPEC, engine });
    model.fit(X.slice(0, 5), Y.slice(0, 5), { epochs: 2, batchSize: 2, learningRate: 0.1 });
    const params = model.getParamsFlat();
    const bigRand = mulberry32(3);
    const bigX = randomMatrix(bigRand, 5000, 4); // forces growth: activations for 1024-row chunks, data for 5000 rows
    const out = model.predict(bigX);
    expect(out.length).toBe(5000);
    expect(model.getParamsFlat()).toEqual(params);
    const g = model.gradients(bigX, bigX.map(() => [0, 1]), { traces: true }); // grows again to hold 5000 rows of activations
    expect(g.layers[0].z.length).toBe(5000);
    expect(model.getParamsFlat()).toEqual(params);
    const history = model.fit(bigX, bigX.map(([a]) => [a > 0 ? 1 : 0, 0]), { epochs: 2, batchSize: 500, learningRate: 0.1 });
    expect(history.loss.every(Number.isFinite)).toBe(true);
    expect(model.predict([[0.1, 0.2, 0.3, 0.4]])[0].every(Number.isFinite)).toBe(true);
  });

  it('stops a diverging run with a TrainingError naming epoch and step, and restores the parameters', async () => {
    const model = await createModel({ inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'ssr', engine, params: [{ W: [[1]], b: [0] }] });
    const before = model.getParamsFlat();
    const xs = [[1e3], [2e3], [3e3]];
    let error: unknown;
    try {
      model.fit(xs, [[1], [2], [3]], { epochs: 200, batchSize: 3, learningRate: 1, shuffle: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as TrainingError).code).toBe('DIVERGED');
    expect((error as TrainingError).message).toMatch(/epoch \d+, step 0/);
    expect((error as TrainingError).epoch).toBeGreaterThan(0);
    expect(model.getParamsFlat()).toEqual(before);
  });

  it('rejects bad options before anything runs', async () => {
    const model = await createModel({ ...SPEC, engine });
    const before = model.getParamsFlat();
    const cases: [Record<string, unknown>, string][] = [
      [{ epochs: -1 }, 'options.epochs'],
      [{ epochs: 1.5 }, 'options.epochs'],
      [{ batchSize: 0 }, 'options.batchSize'],
      [{ batchSize: 51 }, 'options.batchSize'],
      [{ learningRate: 0 }, 'options.learningRate'],
      [{ learningRate: NaN }, 'options.learningRate'],
      [{ learningRate: -0.1 }, 'options.learningRate'],
      [{ shuffle: 'yes' }, 'options.shuffle'],
      [{ learningrate: 0.1 }, 'options.learningrate'],
    ];
    for (const [options, path] of cases) {
      expectTypedError(() => model.fit(X, Y, options), OptionsError, path, undefined, JSON.stringify(options));
    }
    expect(model.getParamsFlat()).toEqual(before);
  });
});

describe('WebAssembly traps', () => {
  it('become an EngineError naming the kernel', async () => {
    const engine = new WasmEngine(await compileKernels());
    const spec = resolveSpec(validateSpec({ inputs: 2, layers: [{ units: 3, activation: 'tanh' }], loss: 'mse' }));
    const plan = computePlan(spec, { batch: 4, rows: 4 }, engine.base);
    engine.bind(plan);
    engine.i32[(plan.header >> 2) + H.TABLE] = 0x7ffffff0; // a layer table far outside memory
    let error: unknown;
    try {
      engine.forward(4, plan.x);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('WASM_TRAP');
    expect((error as EngineError).message).toContain('network_forward');
  });

  it('leave a model unchanged when its call fails', async () => {
    const model = await createModel({ ...SPEC, engine: 'wasm' });
    const before = model.getParamsFlat();
    expect(() => model.fit(X, Y, { epochs: 1, batchSize: 0 })).toThrow(OptionsError);
    expect(model.getParamsFlat()).toEqual(before);
  });
});
