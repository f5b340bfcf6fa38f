// Save and load: exact parameters, scalers and training state; resuming equals never stopping;
// every corrupt input is refused with a FormatError naming the field. And normalization on a model.
import { describe, expect, it } from 'vitest';
import { createModel, loadModel, FormatError, type ModelJSON, type ModelSpec } from '../src/index.js';
import { encodeFloat64 } from '../src/model/serialize.js';
import { ENGINES } from './helpers/engines.js';
import { mulberry32, randomMatrix } from './helpers/random.js';

const rand = mulberry32(31);
const X = randomMatrix(rand, 40, 3, -5, 50);
const Y = X.map(([a, b, c]) => [100 + 10 * Math.tanh(a / 5 - b / 50), c > 20 ? 1 : 0]);
const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 6, activation: 'leaky_relu', slope: 0.1 }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 4 };
const bytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const TRAIN = { epochs: 15, batchSize: 8, learningRate: 0.01, optimizer: 'adam' as const };
const NORMALIZE = { inputs: 'standardize' as const, targets: { kind: 'minMax' as const, range: [-1, 1] as const } };

describe.each(ENGINES)('save and load on the %s engine', (engine) => {
  it('a reloaded model predicts bit-identically, scalers included', async () => {
    const model = await createModel({ ...SPEC, engine });
    model.fit(X, Y, { ...TRAIN, normalize: NORMALIZE });
    const text = JSON.stringify(model.toJSON());
    const again = await loadModel(text, { engine });
    expect(bytes(again.getParamsFlat())).toEqual(bytes(model.getParamsFlat()));
    const p1 = model.predict(new Float64Array(X.flat())), p2 = again.predict(new Float64Array(X.flat()));
    expect(bytes(p2)).toEqual(bytes(p1));
    expect(again.getNormalization()).toEqual(model.getNormalization());
  });

  it('keeps -0 and every bit of the parameters', async () => {
    const model = await createModel({ inputs: 1, layers: [{ units: 2, activation: 'identity' }], loss: 'ssr', engine, params: [{ W: [[-0], [Math.PI]], b: [Number.MIN_VALUE, -1e300] }] });
    const again = await loadModel(model.toJSON(), { engine });
    expect(Object.is(again.getParamsFlat()[0], -0)).toBe(true);
    expect(bytes(again.getParamsFlat())).toEqual(bytes(model.getParamsFlat()));
  });

  it('resumes training exactly where it stopped (Adam state, shuffling)', async () => {
    const straight = await createModel({ ...SPEC, engine });
    straight.fit(X, Y, { ...TRAIN, normalize: NORMALIZE });
    straight.fit(X, Y, TRAIN);
    const first = await createModel({ ...SPEC, engine });
    first.fit(X, Y, { ...TRAIN, normalize: NORMALIZE });
    const resumed = await loadModel(JSON.stringify(first.toJSON()), { engine });
    resumed.fit(X, Y, TRAIN);
    expect(bytes(resumed.getParamsFlat())).toEqual(bytes(straight.getParamsFlat()));
    // without the training state the optimizer starts afresh: a different result
    const fresh = await loadModel(first.toJSON({ training: false }), { engine });
    fresh.fit(X, Y, TRAIN);
    expect(bytes(fresh.getParamsFlat())).not.toEqual(bytes(straight.getParamsFlat()));
  });

  it('refuses corrupt or truncated input with a FormatError naming the field', async () => {
    const model = await createModel({ ...SPEC, engine });
    const good = model.toJSON();
    const text = JSON.stringify(good);
    const cases: [unknown, string][] = [
      [text.slice(0, text.length / 2), 'model'],
      [null, 'model'],
      [{ ...good, format: 'other' }, 'format'],
      [{ ...good, version: 99 }, 'version'],
      [{ ...good, params: good.params.slice(0, 20) }, 'params'],
      [{ ...good, params: '***' }, 'params'],
      [{ ...good, params: encodeFloat64(Float64Array.from({ length: 3 * 6 + 6 + 6 * 2 + 2 }, (_, i) => (i === 5 ? NaN : 0))) }, 'params[5]'],
      [{ ...good, spec: { ...good.spec, layers: [{ units: 6, activation: 'swish' }, { units: 2, activation: 'identity' }] } }, 'spec.layers[0].activation'],
      [{ ...good, spec: { ...good.spec, layers: 'x' } }, 'spec.layers'],
      [{ ...good, training: { ...good.training!, rng: [1, 2, 3] } }, 'training.rng'],
      [{ ...good, training: { ...good.training!, moments: good.params } }, 'training.moments'],
      [{ ...good, scalers: { inputs: { kind: 'minMax', a: [0, 0], b: [1, 1] } } }, 'scalers.inputs.a'],
      [{ ...good, scalers: { inputs: { kind: 'minMax', range: [0, 1], a: [0, 0, 0], b: [1, 1] } } }, 'scalers.inputs.a'],
      [{ ...good, scalers: { targets: { kind: 'minMax', range: [0, 1], a: [0, NaN], b: [1, 1] } } }, 'scalers.targets.a[1]'],
      [{ ...good, scalers: { targets: { kind: 'cubic', a: [0, 0], b: [1, 1] } } }, 'scalers.targets.kind'],
    ];
    for (const [input, path] of cases) {
      let error: unknown;
      try {
        await loadModel(input as ModelJSON, { engine });
      } catch (e) {
        error = e;
      }
      expect(error, path).toBeInstanceOf(FormatError);
      expect((error as FormatError).path, path).toBe(path);
      expect((error as FormatError).message).toContain(path);
    }
  });
});

describe.each(ENGINES)('normalization on a model, %s engine', (engine) => {
  it('predict takes raw inputs and returns outputs in target units', async () => {
    const model = await createModel({ ...SPEC, engine });
    model.setNormalization(X, Y, NORMALIZE);
    const norm = model.getNormalization();
    expect(norm.targets!.a).toEqual([Math.min(...Y.map((r) => r[0])), 0]);
    model.fit(X, Y, { ...TRAIN, epochs: 300, learningRate: 0.02 });
    // network output -1 and 1 map back to the targets' min and max
    const yMin = norm.targets!.a[0], yMax = norm.targets!.b[0];
    const out = model.predict(X);
    const mse = out.reduce((s, row, i) => s + (row[0] - Y[i][0]) ** 2, 0) / X.length;
    expect(mse).toBeLessThan(((yMax - yMin) / 10) ** 2);
    // the loss is measured in scaled units, the same as on pre-scaled data without scalers
    const plain = await createModel({ ...SPEC, engine, params: model.getParams() });
    const sx = X.map((row) => row.map((v, c) => (v - norm.inputs!.a[c]) / norm.inputs!.b[c]));
    const sy = Y.map((row) => row.map((v, c) => (2 * (v - norm.targets!.a[c])) / (norm.targets!.b[c] - norm.targets!.a[c]) - 1));
    expect(model.loss(X, Y)).toBeCloseTo(plain.loss(sx, sy), 12);
  });

  it('the normalize option refuses a model that already has scalers, and bad specs are typed', async () => {
    const model = await createModel({ ...SPEC, engine });
    model.setNormalization(X, null, { inputs: 'minMax' });
    expect(() => model.fit(X, Y, { normalize: { inputs: 'minMax' } })).toThrow(/options\.normalize/);
    expect(() => model.setNormalization(X, null, { inputs: 'zscore' as never })).toThrow(/normalization\.inputs/);
    expect(() => model.setNormalization(X, null, { inputs: { kind: 'minMax', range: [0, 2] as never } })).toThrow(/normalization\.inputs\.range/);
    expect(() => model.setNormalization(X, null, { targets: 'minMax' })).toThrow(/targets/);
  });
});
