// toONNX: every exported model runs in ONNX Runtime (onnxruntime-web: in Node, and in Chromium in the
// browser suite) and agrees with model.predict to 1e-12 relative, element by element: every
// activation, with and without scalers, deep and wide, batch 1 and 1000. And toONNX → loadONNX gives
// the same parameters and predictions, bit for bit.
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, OptionsError, createModel, loadModel, loadONNX, readONNXMetadata, toONNX, type Activation, type Model, type ModelSpec, type NormalizationSpec } from '../src/index.js';
import { loadONNXWithMetadata } from '../src/onnx/import.js';
import { WASMLP_VERSION } from '../src/onnx/version.js';
import { bytesOf, runOrt, worstRelative } from './helpers/onnx.js';
import { mulberry32, randomMatrix } from './helpers/random.js';

/// <reference types="vite/client" />
const pkg = Object.values(import.meta.glob('../package.json', { eager: true, import: 'default' }))[0] as { version: string };

const TOLERANCE = 1e-12;
/**
 * An element's error is measured against max(|its value|, FLOOR × its column's largest |value|)
 * (see worstRelative). ONNX Runtime sums a layer's products in another order than wasmlp's kernels:
 * the two agree to a few ulps of the terms, so an output that cancels to near 0 (measured: down to
 * 1/1000 of its column) differs by up to 2e-11 of itself while it agrees to 1e-14 of its column.
 */
const FLOOR = 1e-2;
/** Set WASMLP_REPORT_ERRORS=1 to print the measured errors. */
const REPORT = typeof process !== 'undefined' && process.env?.WASMLP_REPORT_ERRORS === '1';

/** The output layer that goes with a hidden activation: the same one (softmax: hidden tanh). */
function layers(act: Activation, hidden: number[], outputs: number): ModelSpec['layers'] {
  const h = act === 'softmax' ? 'tanh' : act;
  return [...hidden.map((units) => ({ units, activation: h, ...(h === 'leaky_relu' ? { slope: 0.07 } : {}) })), { units: outputs, activation: act, ...(act === 'leaky_relu' ? { slope: 0.07 } : {}) }];
}

const SHAPES = {
  deep: { inputs: 5, hidden: [12, 10, 9, 8, 7], outputs: 3 },
  wide: { inputs: 24, hidden: [320], outputs: 4 },
};

/** Scaler settings that cycle through every kind on both sides. */
const NORMALIZATIONS: NormalizationSpec[] = [
  { inputs: 'standardize', targets: 'minMax' },
  { inputs: { kind: 'minMax', range: [-1, 1] }, targets: 'standardize' },
  { inputs: 'minMax', targets: { kind: 'minMax', range: [-1, 1] } },
];

async function build(act: Activation, shape: keyof typeof SHAPES, seed: number, normalization: NormalizationSpec | null): Promise<{ model: Model; data: (rows: number) => Float64Array; inputs: number }> {
  const s = SHAPES[shape];
  const model = await createModel({ inputs: s.inputs, layers: layers(act, s.hidden, s.outputs), loss: act === 'softmax' ? 'cce' : 'mse', seed, init: 'glorot' });
  const rand = mulberry32(seed);
  // inputs in their own units: offsets and spreads far from [0, 1], so scaling matters
  const data = (rows: number) => new Float64Array(randomMatrix(rand, rows, s.inputs, -40, 60).flat());
  if (normalization !== null) {
    const X = data(200);
    const Y = new Float64Array(200 * s.outputs).map((_, i) => 1000 * Math.sin(i) + 50 * (i % 7));
    model.setNormalization({ data: X, rows: 200 }, act === 'softmax' ? null : { data: Y, rows: 200 }, act === 'softmax' ? { inputs: normalization.inputs } : normalization);
  }
  return { model, data, inputs: s.inputs };
}

describe('toONNX runs in ONNX Runtime as model.predict', () => {
  let i = 0;
  for (const act of ACTIVATIONS) {
    for (const shape of ['deep', 'wide'] as const) {
      for (const scaled of [false, true]) {
        const n = i++;
        const normalization = scaled ? NORMALIZATIONS[n % NORMALIZATIONS.length] : null;
        const label = scaled ? `scalers ${JSON.stringify(normalization)}` : 'no scalers';
        it(`${act}, ${shape}, ${label}: batch 1 and 1000 within ${TOLERANCE} relative`, async () => {
          const { model, data, inputs } = await build(act, shape, 100 + n, normalization);
          const onnx = toONNX(model);
          for (const rows of [1, 1000]) {
            const X = data(rows);
            const ort = await runOrt(onnx, X, rows, inputs);
            const expected = model.predict(X);
            const K = model.outputs;
            const worst = worstRelative(ort, expected, FLOOR, K);
            expect(worst, `${rows} rows`).toBeLessThanOrEqual(TOLERANCE);
            if (REPORT) console.log(`onnx-export ${act} ${shape} ${scaled} ${rows}: ${worst} (plain ${worstRelative(ort, expected, 0, K)}, floor 1e-6 ${worstRelative(ort, expected, 1e-6, K)}, normwise ${worstRelative(ort, expected, 1, K)})`);
          }
          model.dispose();
        });
      }
    }
  }

  it('is accurate in the tails: z from −700 to 700 through each activation', async () => {
    const z = Array.from({ length: 141 }, (_, k) => -700 + 10 * k).concat([-40, -30, -20.5, -1e-3, -1e-300, -0, 0, 1e-300, 1e-3, 19.5, 20.5, 36, 40]);
    for (const act of ACTIVATIONS) {
      const units = act === 'softmax' ? 2 : 1;
      // one input into 1 (or 2: softmax) units with weights 1 (and 0), so z is the input itself
      const model = await createModel({ inputs: 1, layers: [{ units, activation: act, ...(act === 'leaky_relu' ? { slope: 0.3 } : {}) }], loss: 'mse', params: [{ W: units === 1 ? [[1]] : [[1], [0]], b: new Array(units).fill(0) }] });
      const X = Float64Array.from(z);
      const ort = await runOrt(toONNX(model), X, z.length, 1);
      // element by element, no floor: each output against its own magnitude
      expect(worstRelative(ort, model.predict(X), 0), act).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('constant columns map to the middle of the range and back, as in normalize.ts', async () => {
    for (const normalization of NORMALIZATIONS) {
      const model = await createModel({ inputs: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 3 });
      const X = [[1, 5, -2], [2, 5, 7], [3, 5, 1], [4, 5, 0]];
      const Y = [[10, 7], [20, 7], [35, 7], [5, 7]];
      model.setNormalization(X, Y, normalization);
      const probe = new Float64Array([1, 5, -2, 9, 123, 4, -3, -8, 0.5]);
      const ort = await runOrt(toONNX(model), probe, 3, 3);
      const expected = model.predict(probe);
      expect(worstRelative(ort, expected), JSON.stringify(normalization)).toBeLessThanOrEqual(TOLERANCE);
      // the constant target column is the constant itself
      expect([ort[1], ort[3], ort[5]]).toEqual([7, 7, 7]);
    }
  });
});

describe('toONNX of scalers whose differences overflow (a range from −1e308 to 1e308)', () => {
  it('runs in ONNX Runtime as model.predict, bit for bit, and loads back as the same scalers', async () => {
    // an identity layer and the same scaler on both sides: the outputs are the inputs, scaled and unscaled
    const X = [[-1e308, 2e154, -1.7e308], [1e308, -2e154, 1.7e308], [0, 3e154, 1.7e308], [5e307, 1e152, 1]];
    const normalizations: NormalizationSpec[] = [
      { inputs: 'minMax', targets: 'minMax' },
      { inputs: { kind: 'minMax', range: [-1, 1] }, targets: { kind: 'minMax', range: [-1, 1] } },
      { inputs: 'standardize', targets: 'standardize' },
    ];
    for (const normalization of normalizations) {
      const W = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
      const model = await createModel({ inputs: 3, layers: [{ units: 3, activation: 'identity' }], loss: 'mse', params: [{ W, b: [0, 0, 0] }] });
      model.setNormalization(X, X, normalization);
      const probe = new Float64Array(X.flat());
      const expected = model.predict(probe);
      expect(expected.every(Number.isFinite), JSON.stringify(normalization)).toBe(true);
      const onnx = toONNX(model);
      expect(bytesOf(await runOrt(onnx, probe, X.length, 3)), JSON.stringify(normalization)).toEqual(bytesOf(expected));
      const again = await loadONNX(onnx);
      expect(again.getNormalization()).toEqual(model.getNormalization());
      expect(bytesOf(again.predict(probe))).toEqual(bytesOf(expected));
      again.dispose();
      model.dispose();
    }
  });
});

describe('toONNX → loadONNX', () => {
  it('gives bit-identical parameters, predictions, activations, scalers and loss', async () => {
    let n = 0;
    for (const act of ACTIVATIONS) {
      for (const normalization of [null, ...NORMALIZATIONS]) {
        const { model, data, inputs } = await build(act, 'deep', 300 + n++, normalization);
        const again = await loadONNX(toONNX(model));
        expect(bytesOf(again.getParamsFlat())).toEqual(bytesOf(model.getParamsFlat()));
        expect(again.spec.layers).toEqual(model.spec.layers);
        expect(again.spec.loss).toBe(model.spec.loss);
        expect(again.getNormalization()).toEqual(model.getNormalization());
        const X = data(257);
        expect(bytesOf(again.predict(X)), `${act} ${JSON.stringify(normalization)}`).toEqual(bytesOf(model.predict(X)));
        expect(inputs).toBe(again.inputs);
      }
    }
  });

  it('keeps scalers with constant columns, of every kind on both sides', async () => {
    for (const normalization of NORMALIZATIONS) {
      const model = await createModel({ inputs: 3, layers: [{ units: 4, activation: 'softplus' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 5 });
      model.setNormalization([[1, 5, -2], [2, 5, 7], [3, 5, 1]], [[10, 7], [20, 7], [35, 7]], normalization);
      const again = await loadONNX(toONNX(model));
      expect(again.getNormalization(), JSON.stringify(normalization)).toEqual(model.getNormalization());
      const X = new Float64Array([1, 5, -2, 9, 123, 4, -3, -8, 0.5]);
      expect(bytesOf(again.predict(X))).toEqual(bytesOf(model.predict(X)));
    }
  });

  it('keeps constant-column scalers, the leaky slope, seed, init and plainLoss', async () => {
    const model = await createModel({ inputs: 2, layers: [{ units: 3, activation: 'leaky_relu', slope: 0.1 }, { units: 1, activation: 'identity' }], loss: 'bce', plainLoss: true, seed: 77, init: 'he' });
    model.setNormalization([[1, 4], [1, 5]], [[0], [0]], { inputs: { kind: 'minMax', range: [-1, 1] }, targets: 'standardize' });
    const again = await loadONNX(toONNX(model));
    expect(again.spec).toEqual(model.spec);
    expect(again.spec.layers[0].slope).toBe(0.1); // a float64 initializer: exact, unlike LeakyRelu's float32 alpha
    expect(again.getNormalization()).toEqual(model.getNormalization());
    const X = new Float64Array([1, 4, 2, 4.5, -7, 3]);
    expect(bytesOf(again.predict(X))).toEqual(bytesOf(model.predict(X)));
  });

  it('reads a graph without wasmlp metadata the same way (scalers as their arithmetic)', async () => {
    for (const normalization of NORMALIZATIONS) {
      const { model, data } = await build('softplus', 'deep', 5, normalization);
      const bare = stripMetadata(toONNX(model));
      expect(readONNXMetadata(bare)).toEqual({});
      const again = await loadONNX(bare);
      const X = data(64);
      expect(bytesOf(again.predict(X)), JSON.stringify(normalization)).toEqual(bytesOf(model.predict(X)));
      expect(bytesOf(again.getParamsFlat())).toEqual(bytesOf(model.getParamsFlat()));
    }
  });
});

describe('toONNX metadata and options', () => {
  it('writes the wasmlp version, the loss and the given names', async () => {
    expect(WASMLP_VERSION).toBe(pkg.version);
    const model = await createModel({ inputs: 2, layers: [{ units: 2, activation: 'softmax' }], loss: 'cce' });
    const meta = readONNXMetadata(toONNX(model, { metadata: { 'wasmlp.columns.inputs': '["a","b"]', note: 'x' } }));
    expect(meta['wasmlp.version']).toBe(pkg.version);
    expect(meta['wasmlp.loss']).toBe('cce');
    expect(meta['wasmlp.columns.inputs']).toBe('["a","b"]');
    expect(meta.note).toBe('x');
  });

  it("loadONNXWithMetadata gives loadONNX's model and readONNXMetadata's object, and loadONNX's faults", async () => {
    const model = await createModel({ inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cce', seed: 7 });
    const onnx = toONNX(model, { metadata: { note: 'x' } });
    const both = await loadONNXWithMetadata(onnx, { loss: 'mse' });
    const alone = await loadONNX(onnx, { loss: 'mse' });
    expect(both.metadata).toEqual(readONNXMetadata(onnx));
    expect(both.model.toJSON()).toEqual(alone.toJSON());
    for (const m of [model, both.model, alone]) m.dispose();
    for (const [bytes, options] of [[onnx.slice(0, 40), {}], [onnx, { loss: 'nope' }], [new Uint8Array(0), { engine: 'js' }]] as const) {
      const fault = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);
      const [a, b] = [await fault(loadONNXWithMetadata(bytes, options as object)), await fault(loadONNX(bytes, options as object))];
      expect(a).toBeInstanceOf(Error);
      expect([a?.constructor, a?.message]).toEqual([b?.constructor, b?.message]);
    }
  });

  it("writes the command line's names of a model file (model.metadata.cli) by themselves", async () => {
    const trained = await createModel({ inputs: 2, layers: [{ units: 3, activation: 'softmax' }], loss: 'cce' });
    const cli = { version: 1, inputs: ['a', 'b'], targets: ['kind'], task: 'classification', labels: ['x', 'y', 'z'], training: null };
    const model = await loadModel({ ...trained.toJSON(), cli });
    const meta = readONNXMetadata(toONNX(model));
    expect(meta['wasmlp.columns.inputs']).toBe('["a","b"]');
    expect(meta['wasmlp.columns.targets']).toBe('["kind"]');
    expect(meta['wasmlp.task']).toBe('classification');
    expect(meta['wasmlp.labels']).toBe('["x","y","z"]');
    expect(readONNXMetadata(toONNX(trained))['wasmlp.columns.inputs']).toBeUndefined();
    expect(readONNXMetadata(toONNX(model, { metadata: { 'wasmlp.labels': '["p","q","r"]' } }))['wasmlp.labels']).toBe('["p","q","r"]');
  });

  it('refuses metadata that is not strings, or that overrides its own keys', async () => {
    const model = await createModel({ inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'mse' });
    expect(() => toONNX(model, { metadata: { a: 1 as unknown as string } })).toThrow(OptionsError);
    expect(() => toONNX(model, { metadata: { 'wasmlp.loss': 'mse' } })).toThrow(/reserved/);
    expect(() => toONNX(model, { metadata: 'x' as unknown as Record<string, string> })).toThrow(OptionsError);
  });

  it('an unknown option key is an OptionsError that lists the valid ones and suggests the close one', async () => {
    const model = await createModel({ inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'mse' });
    for (const call of [() => toONNX(model, { metadta: { note: 'x' } } as never), () => toONNX(model, { metadta: { note: 'x' } } as never)]) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OptionsError);
      expect((error as OptionsError).code).toBe('UNKNOWN_OPTION');
      expect((error as OptionsError).path).toBe('options.metadta');
      expect((error as Error).message).toContain('expected one of metadata');
      expect((error as Error).message).toContain('did you mean "metadata"?');
    }
    expect(() => toONNX(model, [] as never)).toThrow(OptionsError);
    expect(readONNXMetadata(toONNX(model, { metadata: { note: 'x' } })).note).toBe('x');
    model.dispose();
  });

  it('is refused on a disposed model', async () => {
    const model = await createModel({ inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'mse' });
    model.dispose();
    expect(() => toONNX(model)).toThrow(/disposed/);
  });
});

/** The same file without metadata_props (field 14 of ModelProto), as another tool might write it. */
function stripMetadata(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let at = 0;
  const varint = () => {
    let v = 0, shift = 0, b;
    do {
      b = bytes[at++];
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  };
  while (at < bytes.length) {
    const start = at;
    const key = varint();
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 2) {
      const length = varint();
      at += length;
    }
    else throw new Error(`unexpected wire type ${wire}`);
    if (key >>> 3 !== 14) out.push(...bytes.subarray(start, at));
  }
  return Uint8Array.from(out);
}
