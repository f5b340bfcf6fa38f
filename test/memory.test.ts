// Engine memory: sizes are checked before anything is allocated, plans use unsigned offsets up to the
// 4 GiB of a wasm32 memory, a call too large for the memory is refused (fit) or split into chunks
// (predict, loss, gradients) with the same bits, and a refused or failed growth leaves the model
// exactly as it was. The limit is lowered for most tests (setEngineMemoryLimit), so they reach it
// without allocating gigabytes; the >2 GiB plans themselves are checked as arithmetic.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createModel,
  createModelSync,
  EngineError,
  FormatError,
  init,
  loadModel,
  SpecError,
  WasmlpError,
  type EngineKind,
  type Loss,
  type Activation,
  type Model,
  type ModelJSON,
  type ModelSpec,
} from '../src/index.js';
import type { Engine } from '../src/engine/engine.js';
import { H, HEADER_BYTES, L, LAYER_RECORD_BYTES, POOL_BYTES } from '../src/layout/abi.js';
import { ENGINE_MEMORY_LIMIT, setEngineMemoryLimit } from '../src/layout/budget.js';
import { writeDescriptors } from '../src/layout/pack.js';
import { computePlan } from '../src/layout/plan.js';
import { validateSpec } from '../src/spec/validate.js';
import { resolveSpec } from '../src/model/factory.js';
import { ENGINES } from './helpers/engines.js';
import { mulberry32, randomDistributions, randomMatrix } from './helpers/random.js';

afterEach(() => setEngineMemoryLimit(null));

const FOUR_GIB = 4294967296;

/** The model's engine (private), to count its calls or make its growth fail. */
const engineOf = (model: Model): Engine => (model as unknown as { engine: Engine }).engine;

function caught(call: () => unknown): WasmlpError {
  try {
    call();
  } catch (error) {
    return error as WasmlpError;
  }
  throw new Error('expected the call to throw');
}

async function caughtAsync(call: () => Promise<unknown>): Promise<WasmlpError> {
  try {
    await call();
  } catch (error) {
    return error as WasmlpError;
  }
  throw new Error('expected the call to throw');
}

/** The bytes of a Float64Array, for bit-for-bit comparison (-0, NaN payloads included). */
const bytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

/** Where two lists of numbers first differ in a bit (or in length), as text for the assertion; '' when identical. */
function firstBitDifference(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  const x = new BigInt64Array(Float64Array.from(a).buffer), y = new BigInt64Array(Float64Array.from(b).buffer);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `[${i}]: ${a[i]} vs ${b[i]}`;
  return '';
}
const flat = (rows: number[][]): number[] => rows.flat();

describe('models too large for any memory are refused from the spec, before any parameter exists', () => {
  const rss = (): number => (typeof process !== 'undefined' && typeof process.memoryUsage === 'function' ? process.memoryUsage().rss : 0);
  const cases: { what: string; spec: ModelSpec; path: string }[] = [
    { what: 'units: 1e9', spec: { inputs: 1, layers: [{ units: 1e9, activation: 'relu' }, { units: 1, activation: 'identity' }], loss: 'mse' }, path: 'layers[0]' },
    { what: 'inputs: 2**31', spec: { inputs: 2 ** 31, layers: [{ units: 1, activation: 'identity' }], loss: 'mse' }, path: 'layers[0]' },
    { what: 'a 30000 → 20000 layer (600M parameters, 4.8 GB of values alone)', spec: { inputs: 30000, layers: [{ units: 20000, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse' }, path: 'layers[0]' },
    { what: 'inputs and units 1e9 (1e18 parameters, past 2^53)', spec: { inputs: 1e9, layers: [{ units: 1e9, activation: 'tanh' }], loss: 'mse' }, path: 'layers[0]' },
  ];
  for (const engine of ENGINES) {
    for (const { what, spec, path } of cases) {
      it(`${engine}: ${what}`, async () => {
        const before = rss();
        const error = await caughtAsync(() => createModel({ ...spec, engine }));
        expect(error).toBeInstanceOf(SpecError);
        expect(error.code).toBe('MODEL_TOO_LARGE');
        expect(error.path).toBe(path);
        expect(error.message).toContain(path);
        // how much it needs (40 bytes per parameter at least) and what the limit is
        const P = spec.layers.reduce((sum, layer, l) => sum + layer.units * ((l === 0 ? spec.inputs : spec.layers[l - 1].units) + 1), 0);
        const needed = Number(/need [\d.]+ GiB \((\d+) bytes\)/.exec(error.message)?.[1]);
        expect(needed).toBeGreaterThanOrEqual(40 * P);
        expect(error.message).toContain(`${FOUR_GIB} bytes`);
        expect(error.expected).toContain(`${FOUR_GIB} bytes`);
        // nothing of the model's size was allocated on the way (the old path filled gigabytes first)
        if (before > 0) expect(rss() - before).toBeLessThan(256 * 2 ** 20);
        await init();
        const sync = caught(() => createModelSync({ ...spec, engine }));
        expect(sync).toBeInstanceOf(SpecError);
        expect(sync.code).toBe('MODEL_TOO_LARGE');
      });
    }
  }

  it('a saved model claiming such a shape is a FormatError, raised before its parameters are decoded', async () => {
    const small = await createModel({ inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse' });
    const json = small.toJSON({ training: false });
    const huge: ModelJSON = { ...json, spec: { ...json.spec, layers: [{ units: 30000, activation: 'tanh' }, { units: 20000, activation: 'identity' }] } };
    const error = await caughtAsync(() => loadModel(huge));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.code).toBe('MODEL_TOO_LARGE');
    expect(error.path).toBe('spec.layers[1]');
  });

  it('the limit applies as set (lowered here to 4 MiB)', () => {
    // 1 input → u identity units: 2u parameters, 40 bytes each, plus one row of activations and the
    // GEMM scratch (at most 1.3 MB)
    const spec = (u: number): ModelSpec => ({ inputs: 1, layers: [{ units: u, activation: 'identity' }], loss: 'ssr', engine: 'ts' });
    setEngineMemoryLimit(2 ** 22);
    expect(() => createModelSync(spec(4096)).dispose()).not.toThrow(); // 0.33 MB of parameters and state
    const error = caught(() => createModelSync(spec(65536))); // 5.2 MB
    expect(error).toBeInstanceOf(SpecError);
    expect(error.code).toBe('MODEL_TOO_LARGE');
    expect(error.message).toContain(`${2 ** 22} bytes`);
    setEngineMemoryLimit(null);
    expect(() => createModelSync(spec(65536)).dispose()).not.toThrow();
  });
});

describe('plans past 2 GiB: unsigned offsets up to 4 GiB (arithmetic, nothing allocated)', () => {
  const spec = resolveSpec(validateSpec({ inputs: 100, layers: [{ units: 16, activation: 'relu' }, { units: 1, activation: 'identity' }], loss: 'mse' }));

  it('3,000,000 rows of 100 inputs: every region 16-byte aligned, in order, disjoint, ending past 2^31 and within 2^32', () => {
    const N = 3_000_000, B = 32;
    const plan = computePlan(spec, { batch: B, rows: N }, 1024);
    expect(plan.end).toBeGreaterThan(2 ** 31);
    expect(plan.end).toBeLessThanOrEqual(2 ** 32);
    // each region [start, start + size) in layout order; sizes computed here from the layout document
    const regions: [string, number, number][] = [
      ['header', plan.header, HEADER_BYTES],
      ['pool', plan.pool, POOL_BYTES],
      ['table', plan.table, plan.layers.length * LAYER_RECORD_BYTES],
      ['params', plan.params, spec.paramCount * 8],
      ['grads', plan.grads, spec.paramCount * 8],
      ['rng', plan.rng, 16],
      ['optimizer', plan.optState, 3 * spec.paramCount * 8 + 32],
      ...plan.layers.flatMap((l, i): [string, number, number][] => [[`z${i}`, l.z, B * l.units * 8], [`a${i}`, l.a, B * l.units * 8], [`delta${i}`, l.delta, B * l.units * 8]]),
      ['x', plan.x, N * 100 * 8],
      ['y', plan.y, N * 1 * 8],
      ['perm', plan.perm, N * 4],
      ['batchX', plan.batchX, B * 100 * 8],
      ['batchY', plan.batchY, B * 8],
      ['lossLog', plan.lossLog, 1024 * 8],
      ['scratch', plan.scratch, plan.scratchBytes * spec.threads],
      ['whole', plan.whole, plan.wholeBytes], // one thread: empty
    ];
    let previousEnd = 1024;
    for (const [name, start, size] of regions) {
      expect(Number.isInteger(start), name).toBe(true);
      expect(start % 16, name).toBe(0);
      expect(start, name).toBeGreaterThanOrEqual(previousEnd);
      expect(start - previousEnd, `${name}: gap`).toBeLessThan(16);
      previousEnd = start + size;
    }
    expect(plan.end).toBeGreaterThanOrEqual(previousEnd);
    expect(plan.end - previousEnd).toBeLessThan(16);
    // x alone is 2.4e9 bytes: y, perm and everything after it sit above 2^31
    expect(plan.y).toBeGreaterThan(2 ** 31);
  });

  it('offsets above 2^31 are written to the header and layer table with the same 32 bits', () => {
    // one input, 16 units: a batch of 6,000,000 rows puts the second layer's activations past 2^31
    const wide = resolveSpec(validateSpec({ inputs: 1, layers: [{ units: 16, activation: 'relu' }, { units: 1, activation: 'identity' }], loss: 'mse' }));
    const plan = computePlan(wide, { batch: 6_000_000, rows: 1000 });
    expect(plan.layers[1].z).toBeGreaterThan(2 ** 31);
    expect(plan.end).toBeLessThanOrEqual(2 ** 32);
    // only the header and the layer table are written: a small buffer holds them
    const buffer = new ArrayBuffer(plan.table + plan.layers.length * LAYER_RECORD_BYTES);
    const views = { f64: new Float64Array(buffer), i32: new Int32Array(buffer) };
    writeDescriptors(plan, views);
    const u32 = new Uint32Array(buffer);
    const h = plan.header / 4;
    expect(u32[h + H.X]).toBe(plan.x);
    expect(u32[h + H.Y]).toBe(plan.y);
    expect(u32[h + H.PERM]).toBe(plan.perm);
    expect(u32[h + H.SCRATCH]).toBe(plan.scratch);
    plan.layers.forEach((layer, l) => {
      const r = (plan.table + l * LAYER_RECORD_BYTES) / 4;
      expect(u32[r + L.Z]).toBe(layer.z);
      expect(u32[r + L.A]).toBe(layer.a);
      expect(u32[r + L.DELTA]).toBe(layer.delta);
    });
  });
});

describe('the hosts shift byte offsets unsigned', () => {
  // Offsets reach 4 GiB; a signed shift (`>> 3`) of one past 2^31 gives a negative index. The engine,
  // layout, model and trainer code has no arithmetic right shift at all (rng.ts shifts with >>> too),
  // so a new one (a new kernel mirror, say) cannot slip in unnoticed. Node only: it reads the sources.
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  it.runIf(isNode)('no `>>` by a constant in src/engine, src/layout, src/model, src/train', async () => {
    const fs = (await import(/* @vite-ignore */ ['node', 'fs'].join(':'))) as typeof import('node:fs');
    const root = new URL('../src/', import.meta.url);
    const found: string[] = [];
    for (const dir of ['engine', 'engine/ts', 'engine/wasm', 'layout', 'model', 'train']) {
      for (const name of fs.readdirSync(new URL(`${dir}/`, root))) {
        if (!name.endsWith('.ts')) continue;
        fs.readFileSync(new URL(`${dir}/${name}`, root), 'utf8').split('\n').forEach((line, i) => {
          if (/[^>]>>\s*\d/.test(line.replace(/\/\/.*$/, ''))) found.push(`src/${dir}/${name}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(found).toEqual([]);
  });
});

/** A 3 → 8 → 2 regression model and seeded rows for it. */
function smallSpec(engine: EngineKind): ModelSpec {
  return { inputs: 3, layers: [{ units: 8, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 11, engine };
}
function rowsOf(n: number, seed = 1): { X: Float64Array; Y: Float64Array } {
  const rand = mulberry32(seed);
  return { X: Float64Array.from(randomMatrix(rand, n, 3).flat()), Y: Float64Array.from(randomMatrix(rand, n, 2).flat()) };
}

describe('beyond the limit: a typed error that says how many rows fit, and the model stays as it was', () => {
  for (const engine of ENGINES) {
    it(`${engine}: a fit too large for the engine memory`, async () => {
      setEngineMemoryLimit(2 ** 20);
      const model = await createModel(smallSpec(engine));
      const probe = rowsOf(4, 2);
      const small = rowsOf(64, 3);
      model.fit(small.X, small.Y, { epochs: 2, optimizer: 'adam' }); // optimizer state to keep, too
      const params = bytes(model.getParamsFlat());
      const json = JSON.stringify(model.toJSON());
      const predicted = bytes(model.predict(probe.X));

      const big = rowsOf(100_000, 4); // 100,000 × 5 values: 4 MB of data, over a 1 MiB memory
      const error = caught(() => model.fit(big.X, big.Y, { epochs: 1, normalize: { inputs: 'standardize' } }));
      expect(error).toBeInstanceOf(EngineError);
      expect(error.code).toBe('OUT_OF_MEMORY');
      expect(error.path).toBe('X');
      expect(error.message).toContain('100000 rows');
      expect(error.message).toContain(`${2 ** 20} bytes`);
      const fit = Number(/at most (\d+) data rows fit/.exec(error.message)?.[1]);
      expect(fit).toBeGreaterThan(1000);
      expect(fit).toBeLessThan(100_000);
      expect(error.expected).toBe(`at most ${fit} rows`);

      // exactly as it was: parameters, optimizer and shuffler state, no scalers, same predictions
      expect(bytes(model.getParamsFlat())).toEqual(params);
      expect(JSON.stringify(model.toJSON())).toBe(json);
      expect(model.getNormalization()).toEqual({ inputs: undefined, targets: undefined });
      expect(bytes(model.predict(probe.X))).toEqual(predicted);

      // and it keeps working: the number of rows it named fits, one more does not
      const most = { X: big.X.subarray(0, fit * 3), Y: big.Y.subarray(0, fit * 2) };
      expect(model.fit(most.X, most.Y, { epochs: 1 }).epochs).toBe(1);
      const more = { X: big.X.subarray(0, (fit + 1) * 3), Y: big.Y.subarray(0, (fit + 1) * 2) };
      expect(caught(() => model.fit(more.X, more.Y, { epochs: 1 })).code).toBe('OUT_OF_MEMORY');
      expect(model.predict(probe.X)).toHaveLength(8);
      // predict and loss over all 100,000 rows run in chunks instead
      expect(model.predict(big.X)).toHaveLength(200_000);
      expect(Number.isFinite(model.loss(big.X, big.Y))).toBe(true);
      model.dispose();
    });

    it(`${engine}: a growth the engine cannot make (memory refused) leaves the model usable and unchanged`, async () => {
      const model = await createModel(smallSpec(engine));
      const probe = rowsOf(4, 5);
      const params = bytes(model.getParamsFlat());
      const predicted = bytes(model.predict(probe.X));
      const eng = engineOf(model);
      const bind = eng.bind.bind(eng);
      eng.bind = (plan) => {
        if (plan.batchCapacity > 4 || plan.rowCapacity > 4) throw new EngineError('OUT_OF_MEMORY', 'simulated: the memory could not grow', {});
        bind(plan);
      };
      const many = rowsOf(500, 6);
      expect(caught(() => model.predict(many.X)).code).toBe('OUT_OF_MEMORY');
      expect(caught(() => model.fit(many.X, many.Y, { epochs: 1 })).code).toBe('OUT_OF_MEMORY');
      expect(caught(() => model.gradients(many.X, many.Y)).code).toBe('OUT_OF_MEMORY');
      // the failed growth changed nothing: small calls still work on the old arena
      expect(bytes(model.predict(probe.X))).toEqual(predicted);
      expect(bytes(model.getParamsFlat())).toEqual(params);
      expect(Number.isFinite(model.gradients(probe.X, probe.Y).loss)).toBe(true);
      eng.bind = bind;
      expect(model.fit(many.X, many.Y, { epochs: 1 }).epochs).toBe(1);
      model.dispose();
    });
  }
});

describe('an engine that cannot grow says so with a typed error and keeps its arena', () => {
  for (const engine of ENGINES) {
    it(`${engine}: bind to a plan beyond what the host can allocate`, async () => {
      const model = await createModel(smallSpec(engine));
      const probe = rowsOf(4, 7);
      const predicted = bytes(model.predict(probe.X));
      const eng = engineOf(model);
      const plan = (model as unknown as { plan: ReturnType<typeof computePlan> }).plan;
      const length = eng.f64.length;
      // past what either engine can hold: a wasm32 memory (4 GiB) or an ArrayBuffer (2^53 bytes)
      const error = caught(() => eng.bind({ ...plan, end: engine === 'wasm' ? 2 ** 32 + 2 ** 16 : 2 ** 53 }));
      expect(error).toBeInstanceOf(EngineError);
      expect(error.code).toBe('OUT_OF_MEMORY');
      expect(eng.f64.length).toBe(length);
      expect(bytes(model.predict(probe.X))).toEqual(predicted);
      model.dispose();
    });
  }
});

describe('calls split by rows run in chunks when the memory is short, with the same bits as one call', () => {
  const pairings: { loss: Loss; output: Activation; plainLoss?: boolean }[] = [
    { loss: 'mse', output: 'identity' },
    { loss: 'cce', output: 'softmax' },
    { loss: 'bce', output: 'sigmoid' },
    { loss: 'bce', output: 'softmax', plainLoss: true },
  ];
  for (const engine of ENGINES) {
    for (const pairing of pairings) {
      it(`${engine}: ${pairing.output} + ${pairing.loss}${pairing.plainLoss ? ' (plain)' : ''}: predict, loss, gradients`, async () => {
        const rand = mulberry32(21);
        const N = 2501; // past the 1024-row blocks of loss, odd (the TS weight gradient pairs rows)
        const spec: ModelSpec = {
          inputs: 5, layers: [{ units: 64, activation: 'tanh' }, { units: 3, activation: pairing.output }],
          loss: pairing.loss, plainLoss: pairing.plainLoss, seed: 3, engine,
        };
        const X = randomMatrix(rand, N, 5, -2, 2);
        const Y = pairing.loss === 'cce' ? randomDistributions(rand, N, 3) : randomMatrix(rand, N, 3, 0, 1);

        // the reference: one call over all rows, with the real limit
        const whole = await createModel(spec);
        const gradCalls = { n: 0 };
        const wholeEngine = engineOf(whole);
        const wholeGradients = wholeEngine.gradients.bind(wholeEngine);
        wholeEngine.gradients = (...args) => (gradCalls.n++, wholeGradients(...args));
        const ref = whole.gradients(X, Y, { traces: true });
        expect(gradCalls.n).toBe(1);
        const refPredict = whole.predict(X);
        const refLoss = whole.loss(X, Y);

        // 256 KiB of engine memory: about 100 rows of this model at a time
        setEngineMemoryLimit(2 ** 18);
        const chunked = await createModel({ ...spec, params: whole.getParams() });
        const eng = engineOf(chunked);
        const calls = { forward: 0, loss: 0, gradients: 0 };
        const forward = eng.forward.bind(eng), lossSum = eng.lossSum.bind(eng), gradients = eng.gradients.bind(eng);
        eng.forward = (...args) => (calls.forward++, forward(...args));
        eng.lossSum = (...args) => (calls.loss++, lossSum(...args));
        eng.gradients = (...args) => (calls.gradients++, gradients(...args));
        expect(caught(() => chunked.fit(X, Y, { epochs: 1 })).code).toBe('OUT_OF_MEMORY'); // all rows at once do not fit

        const got = chunked.gradients(X, Y, { traces: true });
        expect(calls.gradients).toBeGreaterThan(10);
        expect(firstBitDifference([got.loss], [ref.loss]), 'loss').toBe('');
        expect(firstBitDifference(got.gradsFlat, ref.gradsFlat), 'gradsFlat').toBe('');
        got.layers.forEach((layer, l) => {
          expect(firstBitDifference(flat(layer.z), flat(ref.layers[l].z)), `layers[${l}].z`).toBe('');
          expect(firstBitDifference(flat(layer.a), flat(ref.layers[l].a)), `layers[${l}].a`).toBe('');
          expect(firstBitDifference(flat(layer.delta), flat(ref.layers[l].delta)), `layers[${l}].delta`).toBe('');
        });
        expect(firstBitDifference(flat(chunked.predict(X)), flat(refPredict)), 'predict').toBe('');
        expect(calls.forward).toBeGreaterThan(10);
        const loss = chunked.loss(X, Y);
        expect(calls.loss).toBeGreaterThan(10);
        expect(firstBitDifference([loss], [refLoss]), 'loss()').toBe('');
        whole.dispose();
        chunked.dispose();
      });
    }
  }
});
