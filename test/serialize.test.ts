// Save and load: exact parameters, scalers and training state; resuming equals never stopping;
// every corrupt input is refused with a FormatError naming the field. And normalization on a model.
import { describe, expect, it } from 'vitest';
import { createModel, loadModel, FormatError, OptionsError, type ModelJSON, type ModelSpec } from '../src/index.js';
import { decodeFloat64, encodeFloat64, encodeModel, type ModelState } from '../src/model/serialize.js';
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

// ---------------------------------------------------------------------------------------------------
// Saved models are verified: every field strictly, every array by its checksum.

/** CRC-32 computed bit by bit (no table), independently of the library's. */
function crc32Reference(bytes: Uint8Array): string {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}
const base64Bytes = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A model written by wasmlp with format version 1 (no checksums): adam state, both scalers, a `cli` block. */
const V1_MODEL = '{"format":"wasmlp-model","version":1,"spec":{"inputs":2,"layers":[{"units":3,"activation":"leaky_relu","slope":0.2},{"units":1,"activation":"identity"}],"loss":"mse","plainLoss":false,"seed":11,"init":"auto"},"params":"zEkCpqX6+r9+P9QNwA3gv1hqDCm1P+C/MTf/B/7V+T/Eebbf+Nzvv06odoMdzd6/Bue1MUbMsb+ZoVcyK0egv9oSXLYeFLK/KM4aig7l6j+gd2igkVfBP2TJg4q8pfE/Q7qts+OTq78=","scalers":{"inputs":{"kind":"standardize","range":[0,1],"a":[0.5,1.7],"b":[1,1.5362291495737217]},"targets":{"kind":"minMax","range":[-1,1],"a":[1],"b":[10]}},"training":{"optimizer":"{\\"id\\":2,\\"momentum\\":0.9,\\"nesterov\\":false,\\"beta1\\":0.9,\\"beta2\\":0.999,\\"epsilon\\":1e-8}","moments":"0AHG4LkX+79Mekn/lZjoPwiiuljTc9m/DIpPQtiWvz8+gY+ZwowBwH7zmuWBJO8/fEXjQJ5q9z9GiKn33tqzP+V+6JP16/4/C9KAtXK6BkDT7U6SGC4FQBcS6Fu1Rfg/3hmtNgpK8z/sPXLzBAfDPx8wPsS8I8A/PsD1bbv1eD9tXjywVxJzP44doKV7I9A/qxDLFz3Cyz8SmXwQC266P2C8SPO4y2Y/2kOyx1jAxj/TN3US9GLVP8utuIil+eg/BwRXUCJCtT9gV/ZQDwrFPw==","scalars":[9,0.38742048900000015,0.9910359161258742],"rng":[4135905939,3259608784,3117486754,545885717]},"cli":{"version":1,"inputs":["x1","x2"],"targets":["y"],"task":"regression","labels":null,"training":null}}';
/** What that model predicted (TypeScript engine) when it was written. */
const V1_X = [[0, 1], [1, 0], [2, 3], [-1, 4], [0.5, 0.5]];
const V1_OUT = [12.194243725161883, 4.698865966313129, 1.363038775803606, 17.125214863192614, 7.834493539526462];
/** The same model written by wasmlp with format version 2 (a checksum per field, no list of them). */
const V2_MODEL = '{"format":"wasmlp-model","version":2,"spec":{"inputs":2,"layers":[{"units":3,"activation":"leaky_relu","slope":0.2},{"units":1,"activation":"identity"}],"loss":"mse","plainLoss":false,"seed":11,"init":"auto"},"params":"zEkCpqX6+r9+P9QNwA3gv1hqDCm1P+C/MTf/B/7V+T/Eebbf+Nzvv06odoMdzd6/Bue1MUbMsb+ZoVcyK0egv9oSXLYeFLK/KM4aig7l6j+gd2igkVfBP2TJg4q8pfE/Q7qts+OTq78=","scalers":{"inputs":{"kind":"standardize","range":[0,1],"a":[0.5,1.7],"b":[1,1.5362291495737217]},"targets":{"kind":"minMax","range":[-1,1],"a":[1],"b":[10]}},"training":{"optimizer":"{\\"id\\":2,\\"momentum\\":0.9,\\"nesterov\\":false,\\"beta1\\":0.9,\\"beta2\\":0.999,\\"epsilon\\":1e-8}","moments":"0AHG4LkX+79Mekn/lZjoPwiiuljTc9m/DIpPQtiWvz8+gY+ZwowBwH7zmuWBJO8/fEXjQJ5q9z9GiKn33tqzP+V+6JP16/4/C9KAtXK6BkDT7U6SGC4FQBcS6Fu1Rfg/3hmtNgpK8z/sPXLzBAfDPx8wPsS8I8A/PsD1bbv1eD9tXjywVxJzP44doKV7I9A/qxDLFz3Cyz8SmXwQC266P2C8SPO4y2Y/2kOyx1jAxj/TN3US9GLVP8utuIil+eg/BwRXUCJCtT9gV/ZQDwrFPw==","scalars":[9,0.38742048900000015,0.9910359161258742],"rng":[4135905939,3259608784,3117486754,545885717]},"checksums":{"spec":"bd8d4498","params":"e45193df","scalers.inputs":"eae9c365","scalers.targets":"c46413db","training.optimizer":"0b7d8b67","training.moments":"de471c8a","training.scalars":"f9130fc9","training.rng":"2f7bf1b5"},"cli":{"version":1,"inputs":["x1","x2"],"targets":["y"],"task":"regression","labels":null,"training":null}}';
const TRAINING_FIELDS = ['training.optimizer', 'training.moments', 'training.scalars', 'training.rng'];

async function loadError(input: unknown, options: object = {}): Promise<unknown> {
  try {
    (await loadModel(input as ModelJSON, options)).dispose();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectFormatError(error: unknown, path: string, code?: string): void {
  expect(error, path).toBeInstanceOf(FormatError);
  const e = error as FormatError;
  expect(e.path, `${path}: ${e.message}`).toBe(path);
  expect(e.message).toContain(path);
  if (code !== undefined) expect(e.code, e.message).toBe(code);
  expect(e.expected && e.received, 'expected and received are described').toBeTruthy();
}

describe.each(ENGINES)('saved models are verified, %s engine', (engine) => {
  /** A model with both scalers and Adam state, saved; and its outputs. */
  async function saved(): Promise<{ json: ModelJSON; text: string; out: Float64Array }> {
    const model = await createModel({ ...SPEC, engine });
    model.fit(X, Y, { ...TRAIN, epochs: 3, normalize: NORMALIZE });
    const json = model.toJSON();
    const out = model.predict(new Float64Array(X.flat()));
    model.dispose();
    return { json, text: JSON.stringify(json), out };
  }
  const P = 3 * 6 + 6 + 6 * 2 + 2;
  const edit = (text: string, change: (j: Record<string, any>) => void): Record<string, any> => {
    const j = JSON.parse(text);
    change(j);
    return j;
  };

  it('writes format version 3 with a CRC-32 of every field and of their list (checked against an independent CRC-32)', async () => {
    expect(crc32Reference(utf8('123456789'))).toBe('cbf43926'); // the standard check value
    const { json } = await saved();
    expect(json.version).toBe(3);
    const j = json as Required<ModelJSON>;
    expect(j.checksums).toEqual({
      spec: crc32Reference(utf8(JSON.stringify(j.spec))),
      params: crc32Reference(base64Bytes(j.params)),
      'scalers.inputs': crc32Reference(utf8(JSON.stringify(j.scalers.inputs))),
      'scalers.targets': crc32Reference(utf8(JSON.stringify(j.scalers.targets))),
      'training.optimizer': crc32Reference(utf8(JSON.stringify(j.training.optimizer))),
      'training.moments': crc32Reference(base64Bytes(j.training.moments)),
      'training.scalars': crc32Reference(utf8(JSON.stringify(j.training.scalars))),
      'training.rng': crc32Reference(utf8(JSON.stringify(j.training.rng))),
      fields: crc32Reference(utf8('["spec","params","scalers.inputs","scalers.targets","training.optimizer","training.moments","training.scalars","training.rng"]')),
    });
  });

  it('scalers that are not scalers are errors, not dropped', async () => {
    const { text } = await saved();
    for (const value of ['x', null, 0, [], true, 1]) {
      expectFormatError(await loadError(edit(text, (j) => (j.scalers = value)), { engine }), 'scalers');
      expectFormatError(await loadError(edit(text, (j) => (j.scalers.inputs = value)), { engine }), 'scalers.inputs');
      expectFormatError(await loadError(edit(text, (j) => (j.scalers.targets = value)), { engine }), 'scalers.targets');
    }
    const cases: [(j: Record<string, any>) => void, string][] = [
      [(j) => (j.scalers.inputs.a = [0, 1]), 'scalers.inputs.a'],
      [(j) => (j.scalers.inputs.b = [1, 1, 1, 1]), 'scalers.inputs.a'],
      [(j) => (j.scalers.targets = { ...j.scalers.targets, a: [0, 0, 0], b: [1, 1, 1] }), 'scalers.targets.a'],
      [(j) => (j.scalers.inputs.b[1] = -1), 'scalers.inputs.b[1]'], // a negative standard deviation
      [(j) => (j.scalers.targets.b[0] = j.scalers.targets.a[0] - 1), 'scalers.targets.b[0]'], // max below min
      [(j) => (j.scalers.targets.a[1] = '0'), 'scalers.targets.a[1]'],
      [(j) => (j.scalers.targets.a[1] = null), 'scalers.targets.a[1]'],
      [(j) => (j.scalers.inputs.kind = 'minmax'), 'scalers.inputs.kind'],
      [(j) => (j.scalers.inputs.range = [0, 2]), 'scalers.inputs.range'],
      [(j) => (j.scalers.inputs.mean = [0, 0, 0]), 'scalers.inputs.mean'],
      [(j) => (j.scalers.input = j.scalers.inputs), 'scalers.input'],
    ];
    for (const [change, path] of cases) expectFormatError(await loadError(edit(text, change), { engine }), path);
  });

  it("Adam's scalars, the moments, the shuffler state and the optimizer are checked", async () => {
    const { text, json } = await saved();
    const t = json.training!.scalars[0];
    expect(t).toBe(15); // 3 epochs of 5 batches
    const moments = base64Bytes(json.training!.moments);
    const withMoment = (i: number, v: number) => {
      const values = new Float64Array(moments.slice().buffer);
      values[i] = v;
      return encodeFloat64(values);
    };
    const cases: [(j: Record<string, any>) => void, string][] = [
      [(j) => (j.training.scalars = [t, 0.5]), 'training.scalars'],
      [(j) => (j.training.scalars[0] = -1), 'training.scalars[0]'],
      [(j) => (j.training.scalars[0] = 2.5), 'training.scalars[0]'],
      [(j) => (j.training.scalars[0] = 2 ** 60), 'training.scalars[0]'],
      [(j) => (j.training.scalars[0] = '15'), 'training.scalars[0]'],
      [(j) => (j.training.scalars[1] = 1.5), 'training.scalars[1]'],
      [(j) => (j.training.scalars[1] = -0.1), 'training.scalars[1]'],
      [(j) => (j.training.scalars[2] = 1), 'training.scalars[2]'], // β2^t = 1 after 15 steps
      [(j) => (j.training.scalars = [0, 1, 0.5]), 'training.scalars[2]'], // β2^t ≠ 1 before the first step
      [(j) => (j.training.moments = withMoment(P + 3, -1e-12)), `training.moments[${P + 3}]`], // a negative second moment
      [(j) => (j.training.moments = withMoment(P + 3, NaN)), `training.moments[${P + 3}]`],
      [(j) => (j.training.rng = [0, 0, 0, 0]), 'training.rng'],
      [(j) => (j.training.rng[1] = 1.5), 'training.rng[1]'],
      [(j) => (j.training.rng[2] = 2 ** 32), 'training.rng[2]'],
      [(j) => (j.training.rng[3] = -1), 'training.rng[3]'],
      [(j) => (j.training.optimizer = 'rmsprop'), 'training.optimizer'],
      [(j) => (j.training.optimizer = 'toString'), 'training.optimizer'],
      [(j) => (j.training.optimizer = j.training.optimizer.replace('"id":2', '"id":7')), 'training.optimizer'],
      [(j) => (j.training.optimizer = j.training.optimizer.replace('"beta2":0.999', '"beta2":1')), 'training.optimizer'],
      [(j) => (j.training.optimizer = j.training.optimizer.replace('}', ',"extra":1}')), 'training.optimizer'],
      [(j) => (j.training.optimizer = 7), 'training.optimizer'],
      [(j) => (j.training.step = 1), 'training.step'],
      [(j) => (j.training = null), 'training'],
      [(j) => (j.training = []), 'training'],
    ];
    for (const [change, path] of cases) expectFormatError(await loadError(edit(text, change), { engine }), path);
  });

  it('unknown fields are errors that name the close one', async () => {
    const { text } = await saved();
    const cases: [(j: Record<string, any>) => void, string, string][] = [
      [(j) => (j.scaler = j.scalers), 'scaler', 'scalers'],
      [(j) => (j.spec.param = 1), 'spec.param', 'plainLoss'],
      [(j) => (j.spec.params = []), 'spec.params', 'plainLoss'],
      [(j) => (j.spec.engine = 'ts'), 'spec.engine', 'init'],
      [(j) => (j.spec.layers[0].unit = 6), 'spec.layers[0].unit', 'units'],
      [(j) => (j.checksums.param = '00000000'), 'checksums.param', 'params'],
    ];
    for (const [change, path, word] of cases) {
      const error = await loadError(edit(text, change), { engine });
      expectFormatError(error, path);
      expect((error as Error).message).toContain(word);
    }
  });

  it('a changed value that is still valid is caught by its checksum; a removed field by the checksums list', async () => {
    const { text, json } = await saved();
    const params = new Float64Array(base64Bytes(json.params).buffer);
    params[7] = params[7] * (1 + 2 ** -40); // a finite, plausible value: only the checksum can tell
    const cases: [(j: Record<string, any>) => void, string, string][] = [
      [(j) => (j.params = encodeFloat64(params)), 'params', 'CHECKSUM_MISMATCH'],
      [(j) => (j.spec.seed = 5), 'spec', 'CHECKSUM_MISMATCH'],
      [(j) => (j.spec.layers[0].slope = 0.2), 'spec', 'CHECKSUM_MISMATCH'],
      [(j) => (j.scalers.inputs.a[0] += 1e-9), 'scalers.inputs', 'CHECKSUM_MISMATCH'],
      [(j) => (j.scalers.targets.range = [0, 1]), 'scalers.targets', 'CHECKSUM_MISMATCH'],
      [(j) => (j.training.scalars[0] += 1), 'training.scalars', 'CHECKSUM_MISMATCH'],
      [(j) => (j.training.rng[0] = (j.training.rng[0] ^ 1) >>> 0), 'training.rng', 'CHECKSUM_MISMATCH'],
      [(j) => (j.training.optimizer = j.training.optimizer.replace('"beta1":0.9', '"beta1":0.8')), 'training.optimizer', 'CHECKSUM_MISMATCH'],
      [(j) => (j.training.optimizer = ''), 'training.optimizer', 'CHECKSUM_MISMATCH'],
      [(j) => delete j.scalers, 'scalers.inputs', 'MISSING_FIELD'],
      [(j) => delete j.scalers.targets, 'scalers.targets', 'MISSING_FIELD'],
      [(j) => delete j.training, 'training.optimizer', 'MISSING_FIELD'],
      [(j) => delete j.checksums, 'checksums', 'BAD_MODEL_JSON'],
      [(j) => (j.checksums.params = j.checksums.params.toUpperCase() + 'x'), 'checksums.params', 'BAD_MODEL_JSON'],
      [(j) => delete j.checksums['training.rng'], 'checksums.training.rng', 'BAD_MODEL_JSON'],
      [(j) => (j.version = 1), 'checksums', 'UNKNOWN_FIELD'], // a version 1 file has no checksums
    ];
    for (const [change, path, code] of cases) expectFormatError(await loadError(edit(text, change), { engine }), path, code);
  });

  it('version 3: an optional field removed together with its checksum is refused (the list of fields is checksummed)', async () => {
    const { text } = await saved();
    const cases: [(j: Record<string, any>) => void, string, string][] = [
      [(j) => {
        delete j.scalers;
        delete j.checksums['scalers.inputs'];
        delete j.checksums['scalers.targets'];
      }, 'scalers.inputs', 'MISSING_FIELD'],
      [(j) => {
        delete j.scalers.targets;
        delete j.checksums['scalers.targets'];
      }, 'scalers.targets', 'MISSING_FIELD'],
      [(j) => {
        delete j.training;
        for (const field of TRAINING_FIELDS) delete j.checksums[field];
      }, 'training.optimizer', 'MISSING_FIELD'],
      [(j) => {
        delete j.scalers.inputs;
        delete j.checksums['scalers.inputs'];
        delete j.training;
        for (const field of TRAINING_FIELDS) delete j.checksums[field];
      }, 'scalers.inputs', 'MISSING_FIELD'],
      [(j) => delete j.checksums.fields, 'checksums.fields', 'BAD_MODEL_JSON'],
      [(j) => (j.checksums.fields = '00000000'), 'checksums.fields', 'CHECKSUM_MISMATCH'],
      [(j) => (j.version = 2), 'checksums.fields', 'UNKNOWN_FIELD'], // version 2 had no list
    ];
    for (const [change, path, code] of cases) expectFormatError(await loadError(edit(text, change), { engine }), path, code);
    const error = await loadError(edit(text, cases[0][0]), { engine });
    expect((error as Error).message).toContain('scalers.inputs, scalers.targets');
    // a field added with a checksum of its own does not match the list either
    const model = await createModel({ ...SPEC, engine });
    const plain = model.toJSON({ training: false });
    model.dispose();
    const scaler = { kind: 'minMax', range: [0, 1], a: [0, 0, 0], b: [1, 1, 1] };
    const added = { ...plain, scalers: { inputs: scaler }, checksums: { ...plain.checksums, 'scalers.inputs': crc32Reference(utf8(JSON.stringify(scaler))) } };
    expectFormatError(await loadError(added, { engine }), 'checksums.fields', 'CHECKSUM_MISMATCH');
    // toJSON({ training: false }) lists only what it writes, and loads
    (await loadModel(plain, { engine })).dispose();
  });

  it('loads format version 2 (no list of fields) into the same model, with its per-field checks', async () => {
    const model = await loadModel(V2_MODEL, { engine });
    const out = model.predict(new Float64Array(V1_X.flat()));
    if (engine === 'ts') expect(Array.from(out)).toEqual(V1_OUT);
    else for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(V1_OUT[i], 10);
    const again = model.toJSON();
    model.dispose();
    const v2 = JSON.parse(V2_MODEL);
    expect(again.version).toBe(3);
    for (const key of ['spec', 'params', 'scalers', 'training', 'cli'] as const) expect(again[key], key).toEqual(v2[key]);
    expect(again.checksums).toEqual({ ...v2.checksums, fields: again.checksums!.fields });
    expectFormatError(await loadError(edit(V2_MODEL, (j) => (j.scalers.inputs.a[0] += 1e-9)), { engine }), 'scalers.inputs', 'CHECKSUM_MISMATCH');
    expectFormatError(await loadError(edit(V2_MODEL, (j) => delete j.checksums['scalers.inputs']), { engine }), 'checksums.scalers.inputs', 'BAD_MODEL_JSON');
  });

  it('loads format version 1 (no checksums) into the same model, and checks it as strictly', async () => {
    const model = await loadModel(V1_MODEL, { engine });
    const out = model.predict(new Float64Array(V1_X.flat()));
    if (engine === 'ts') expect(Array.from(out)).toEqual(V1_OUT);
    else for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(V1_OUT[i], 10);
    expect(model.getNormalization().targets).toEqual({ kind: 'minMax', range: [-1, 1], a: [1], b: [10] });
    expect(model.metadata.cli).toEqual(JSON.parse(V1_MODEL).cli);
    // saved again, it is version 3 with the same fields, and loads as the same model
    const again = model.toJSON();
    expect(again.version).toBe(3);
    const v1 = JSON.parse(V1_MODEL);
    for (const key of ['spec', 'params', 'scalers', 'training', 'cli'] as const) expect(again[key], key).toEqual(v1[key]);
    model.dispose();
    for (const value of ['x', null, 0, []]) expectFormatError(await loadError(edit(V1_MODEL, (j) => (j.scalers = value)), { engine }), 'scalers');
    expectFormatError(await loadError(edit(V1_MODEL, (j) => (j.training.rng = [0, 0, 0, 0])), { engine }), 'training.rng');
    expectFormatError(await loadError(edit(V1_MODEL, (j) => (j.extra = 1)), { engine }), 'extra', 'UNKNOWN_FIELD');
  });

  it("keeps a CLI model's `cli` block as read-only metadata that survives load and save", async () => {
    const { json, out } = await saved();
    const cli = { version: 1, inputs: ['a', 'b', 'c'], targets: ['y1', 'y2'], task: 'regression', labels: null, training: { loss: [0.5, 0.25], nested: { deep: [true, 'x'] } } };
    const text = JSON.stringify({ ...json, cli });
    const model = await loadModel(text, { engine });
    expect(model.metadata).toEqual({ cli });
    expect(Object.isFrozen(model.metadata.cli)).toBe(true);
    expect(Object.isFrozen(model.metadata.cli!.training)).toBe(true);
    expect(() => {
      (model.metadata.cli as Record<string, unknown>).task = 'classification';
    }).toThrow(TypeError);
    expect(bytes(model.predict(new Float64Array(X.flat())))).toEqual(bytes(out));
    // written back unchanged: the text of the reloaded model is the text that was loaded
    const saved2 = model.toJSON();
    expect(JSON.stringify(saved2)).toBe(text);
    // the output is the caller's to change: the model keeps its own copy
    (saved2.cli as Record<string, unknown>).task = 'changed';
    expect(model.metadata.cli!.task).toBe('regression');
    const twice = await loadModel(saved2, { engine });
    expect(twice.metadata.cli!.task).toBe('changed');
    twice.dispose();
    model.dispose();
    // a model that was not loaded with any has none, and writes none
    const plain = await createModel({ ...SPEC, engine });
    expect(plain.metadata).toEqual({});
    expect('cli' in plain.toJSON()).toBe(false);
    plain.dispose();
  });

  it('a `cli` block that is not a JSON object is a FormatError', async () => {
    const { json } = await saved();
    for (const value of [null, 'x', 0, [], true]) expectFormatError(await loadError({ ...json, cli: value }, { engine }), 'cli');
    const cases: [unknown, string][] = [
      [{ a: NaN }, 'cli.a'],
      [{ a: [1, Infinity] }, 'cli.a[1]'],
      [{ a: { b: () => 1 } }, 'cli.a.b'],
      [{ a: new Date(0) }, 'cli.a'],
      [{ a: undefined }, 'cli.a'],
    ];
    for (const [value, path] of cases) expectFormatError(await loadError({ ...json, cli: value }, { engine }), path);
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(await loadError({ ...json, cli: { deep } }, { engine })).toBeInstanceOf(FormatError);
    // a `__proto__` key is data, kept as a key
    const text = JSON.stringify({ ...json, cli: {} }).replace('"cli":{}', '"cli":{"__proto__":{"polluted":true}}');
    const model = await loadModel(text, { engine });
    expect(Object.keys(model.metadata.cli!)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(model.toJSON())).toBe(text);
    model.dispose();
  });

  it("loadModel's and toJSON's options: unknown keys and bad values are OptionsErrors", async () => {
    const { json } = await saved();
    const engineTypo = await loadError(json, { engin: 'ts' });
    expect(engineTypo).toBeInstanceOf(OptionsError);
    expect((engineTypo as OptionsError).path).toBe('options.engin');
    expect((engineTypo as Error).message).toContain('did you mean "engine"?');
    const badEngine = await loadError(json, { engine: 'gpu' });
    expect(badEngine).toBeInstanceOf(OptionsError);
    expect((badEngine as OptionsError).path).toBe('options.engine');
    expect(badEngine).not.toBeInstanceOf(FormatError);
    expect(await loadError(json, null as never)).toBeInstanceOf(OptionsError);
    const model = await createModel({ ...SPEC, engine });
    expect(() => model.toJSON({ trainin: false } as never)).toThrow(OptionsError);
    expect(() => model.toJSON({ training: 'no' } as never)).toThrow(OptionsError);
    expect(model.toJSON({ training: false }).training).toBeUndefined();
    // JSON.stringify calls toJSON with the property name: the same text as toJSON()
    expect(JSON.stringify(model)).toBe(JSON.stringify(model.toJSON()));
    expect(JSON.stringify({ model })).toBe(JSON.stringify({ model: model.toJSON() }));
    model.dispose();
  });
});

describe('toJSON writes only what loadModel reads', () => {
  it('a non-finite number anywhere is a FormatError naming the field, not null or bits that do not load', async () => {
    const model = await createModel({ ...SPEC, engine: 'ts' });
    const P = model.getParamsFlat().length;
    const state = (): ModelState => ({
      spec: model.spec,
      names: model.names,
      params: model.getParamsFlat(),
      scalers: {},
      training: { optimizer: '', moments: new Float64Array(2 * P), scalars: Float64Array.of(0, 1, 1), rng: Uint32Array.of(1, 2, 3, 4), schedule: null },
      metadata: {},
    });
    expect(() => encodeModel(state())).not.toThrow();
    const cases: [(s: ModelState) => void, string][] = [
      [(s) => (s.params[3] = NaN), 'params[3]'],
      [(s) => (s.params[0] = -Infinity), 'params[0]'],
      [(s) => (s.training!.moments[1] = Infinity), 'training.moments[1]'],
      [(s) => (s.training!.moments[P + 2] = Infinity), `training.moments[${P + 2}]`], // Adam's v after a gradient beyond 1.3e154
      [(s) => (s.training!.moments[P] = -1), `training.moments[${P}]`],
      [(s) => (s.training!.scalars[1] = NaN), 'training.scalars[1]'],
      [(s) => (s.metadata = { cli: { loss: [0.5, NaN] } }), 'cli.loss[1]'],
    ];
    for (const [change, path] of cases) {
      const s = state();
      change(s);
      let error: unknown;
      try {
        encodeModel(s);
      } catch (e) {
        error = e;
      }
      expect(error, path).toBeInstanceOf(FormatError);
      expect((error as FormatError).path, path).toBe(path);
      expect((error as Error).message).toContain('cannot be saved');
    }
    model.dispose();
  });
});

describe('float64 as base64', () => {
  it('encodes many chunks exactly (checked against an independent encoder) and decodes back to the same bytes', () => {
    const r = mulberry32(77);
    const values = Float64Array.from({ length: 20011 }, (_, i) => (i % 7 === 0 ? -0 : i % 11 === 0 ? Number.MIN_VALUE * i : (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20)));
    const bytesLE = new Uint8Array(values.length * 8);
    const view = new DataView(bytesLE.buffer);
    values.forEach((v, i) => view.setFloat64(i * 8, v, true));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let reference = '';
    for (let i = 0; i < bytesLE.length; i += 3) {
      const n = (bytesLE[i] << 16) | ((bytesLE[i + 1] ?? 0) << 8) | (bytesLE[i + 2] ?? 0);
      reference += alphabet[n >> 18] + alphabet[(n >> 12) & 63];
      reference += i + 1 < bytesLE.length ? alphabet[(n >> 6) & 63] : '=';
      reference += i + 2 < bytesLE.length ? alphabet[n & 63] : '=';
    }
    const text = encodeFloat64(values);
    expect(text.length).toBe(reference.length);
    expect(text === reference).toBe(true);
    expect(bytes(decodeFloat64(text, values.length, 'x'))).toEqual(bytes(values));
  });
});
