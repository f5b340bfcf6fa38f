// A seeded fuzz of loadModel: random truncations, character and byte flips in every stored array,
// flips anywhere in the text, wrong types, removed and added fields everywhere. Every corrupted input
// must be a FormatError, or load as exactly the saved model (the same JSON, the same parameter and
// prediction bytes): a flip in base64's unused padding bits decodes to the same bytes, and removing a
// field that holds its default changes nothing. No input may load as a different model.
// Deterministic (fixed seeds) and fast: most inputs are refused before a model is built.
import { describe, expect, it } from 'vitest';
import { createModel, loadModel, FormatError, type Model, type ModelJSON, type ModelSpec } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { mulberry32, randomMatrix } from './helpers/random.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const SPEC: ModelSpec = {
  inputs: 3,
  layers: [{ units: 6, activation: 'leaky_relu', slope: 0.1 }, { units: 4, activation: 'tanh' }, { units: 2, activation: 'identity' }],
  loss: 'mse',
  seed: 9,
};
const rand = mulberry32(2024);
const X = randomMatrix(rand, 24, 3, -2, 5);
const Y = X.map(([a, b, c]) => [a * b - c, Math.sin(a) + 3]);
const XF = new Float64Array(X.flat());
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Values of every JSON type, and some that are only possible in an object (not in JSON text). */
const WRONG = [null, true, false, 0, -1, 1.5, 2 ** 32, 1e308, '', 'x', '0', [], [0], {}, { a: 1 }, NaN, Infinity, undefined];

const bytesOf = (a: Float64Array): number[] => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

interface Saved {
  json: ModelJSON;
  text: string;
  params: number[];
  out: number[];
}

async function makeSaved(engine: 'ts' | 'wasm', cli?: object): Promise<Saved> {
  const model = await createModel({ ...SPEC, engine });
  model.fit(X, Y, { epochs: 4, batchSize: 5, optimizer: 'adam', learningRate: 0.01, normalize: { inputs: 'standardize', targets: { kind: 'minMax', range: [-1, 1] } } });
  const json = cli === undefined ? model.toJSON() : { ...model.toJSON(), cli };
  const saved = { json, text: JSON.stringify(json), params: bytesOf(model.getParamsFlat()), out: bytesOf(model.predict(XF) as Float64Array) };
  model.dispose();
  return saved;
}

/** The outcome of loading one corrupted input; fails the test on any other outcome. */
class Checker {
  rejected = 0;
  identical = 0;
  constructor(private readonly saved: Saved, private readonly engine: 'ts' | 'wasm', private readonly withoutCli = false) {}

  private same(model: Model): boolean {
    const json: Json = model.toJSON();
    const want: Json = { ...this.saved.json };
    if (this.withoutCli) {
      delete json.cli;
      delete want.cli;
    }
    return JSON.stringify(json) === JSON.stringify(want)
      && JSON.stringify(bytesOf(model.getParamsFlat())) === JSON.stringify(this.saved.params)
      && JSON.stringify(bytesOf(model.predict(XF) as Float64Array)) === JSON.stringify(this.saved.out);
  }

  async check(input: unknown, what: string): Promise<'rejected' | 'identical'> {
    let model: Model;
    try {
      model = await loadModel(input as ModelJSON, { engine: this.engine });
    } catch (error) {
      if (!(error instanceof FormatError)) expect.fail(`${what}: expected a FormatError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      expect(typeof error.path === 'string' && error.path.length > 0, `${what}: the error names a field (${error.message})`).toBe(true);
      this.rejected++;
      return 'rejected';
    }
    const same = this.same(model);
    model.dispose();
    if (!same) expect.fail(`${what}: loaded as a different model`);
    this.identical++;
    return 'identical';
  }
}

/** Every path of a JSON value (objects and arrays, down to the leaves), with its parent and key. */
function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (value !== null && typeof value === 'object') {
    for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
      out.push([...at, key]);
      out.push(...paths(value[key], [...at, key]));
    }
  }
  return out;
}
function withChange(json: Json, path: (string | number)[], change: (parent: Json, key: string | number) => void): Json {
  const copy = structuredClone(json);
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  change(parent, path[path.length - 1]);
  return copy;
}
const show = (path: (string | number)[]) => path.map(String).join('.');

describe.each(ENGINES)('loadModel fuzz, %s engine', (engine) => {
  it('random truncations of the text, and of every stored array, are refused', async () => {
    const saved = await makeSaved(engine);
    const checker = new Checker(saved, engine);
    const r = mulberry32(1);
    for (let i = 0; i < 200; i++) {
      const cut = Math.floor(r() * saved.text.length);
      expect(await checker.check(saved.text.slice(0, cut), `text cut at ${cut}`)).toBe('rejected');
    }
    const j: Json = saved.json;
    for (const path of [['params'], ['training', 'moments']]) {
      const text: string = path.reduce((v: Json, k) => v[k], j);
      for (let i = 0; i < 60; i++) {
        const keep = Math.floor(r() * text.length);
        await checker.check(withChange(j, path, (p, k) => (p[k] = text.slice(0, keep))), `${show(path)} cut to ${keep} characters`);
      }
      // without its padding, base64 still decodes to the same bytes: the same model
      const unpadded = text.replace(/=+$/, '');
      expect(unpadded.length).toBeLessThan(text.length);
      expect(await checker.check(withChange(j, path, (p, k) => (p[k] = unpadded)), `${show(path)} without padding`)).toBe('identical');
    }
    for (const path of [['scalers', 'inputs', 'a'], ['scalers', 'inputs', 'b'], ['scalers', 'targets', 'a'], ['scalers', 'targets', 'b'], ['training', 'scalars'], ['training', 'rng'], ['spec', 'layers']]) {
      const array: Json[] = path.reduce((v: Json, k) => v[k], j);
      for (let keep = 0; keep < array.length; keep++) {
        expect(await checker.check(withChange(j, path, (p, k) => (p[k] = array.slice(0, keep))), `${show(path)} cut to ${keep}`)).toBe('rejected');
      }
    }
    expect(checker.rejected).toBeGreaterThan(200 + 7);
  });

  it('character flips in every stored array: refused, or the same bytes and the same model', async () => {
    const saved = await makeSaved(engine);
    const checker = new Checker(saved, engine);
    const r = mulberry32(2);
    const j: Json = saved.json;
    for (const path of [['params'], ['training', 'moments']]) {
      const text: string = path.reduce((v: Json, k) => v[k], j);
      for (let i = 0; i < 150; i++) {
        const at = Math.floor(r() * text.length);
        const alphabet = r() < 0.9 ? BASE64 : '=!-_ .\n\u00e9';
        let c = alphabet[Math.floor(r() * alphabet.length)];
        if (c === text[at]) c = c === 'A' ? 'B' : 'A';
        const flipped = text.slice(0, at) + c + text.slice(at + 1);
        await checker.check(withChange(j, path, (p, k) => (p[k] = flipped)), `${show(path)}[${at}] = ${JSON.stringify(c)}`);
      }
      // the last character before the padding carries unused low bits: of its 64 values, those that
      // keep the used bits decode to the same bytes (the same model); every other one is refused
      const last = text.replace(/=+$/, '').length - 1;
      const unused = text.length - 1 - last === 2 ? 4 : 2; // '==' leaves 4 bits unused, '=' leaves 2
      const keep = BASE64.indexOf(text[last]) >> unused;
      for (const c of BASE64) {
        const flipped = text.slice(0, last) + c + text.slice(last + 1);
        const outcome = await checker.check(withChange(j, path, (p, k) => (p[k] = flipped)), `${show(path)}[${last}] = ${c}`);
        expect(outcome, `${show(path)}[${last}] = ${c}`).toBe(BASE64.indexOf(c) >> unused === keep ? 'identical' : 'rejected');
      }
    }
    expect(checker.rejected).toBeGreaterThan(250);
  });

  it('byte flips in every stored array are refused (checksums)', async () => {
    const saved = await makeSaved(engine);
    const checker = new Checker(saved, engine);
    const r = mulberry32(3);
    const j: Json = saved.json;
    for (const path of [['params'], ['training', 'moments']]) {
      const bytes = Uint8Array.from(atob(path.reduce((v: Json, k) => v[k], j)), (c) => c.charCodeAt(0));
      for (let i = 0; i < 150; i++) {
        const flipped = bytes.slice();
        const at = Math.floor(r() * flipped.length);
        if (i % 2 === 0) flipped[at] ^= 1 << Math.floor(r() * 8); // one bit
        else flipped[at] = (flipped[at] + 1 + Math.floor(r() * 255)) & 0xff; // any other byte
        if (i % 5 === 0) flipped[Math.floor(r() * flipped.length)] ^= 0xff; // and sometimes a second one
        const text = btoa(String.fromCharCode(...flipped));
        const outcome = await checker.check(withChange(j, path, (p, k) => (p[k] = text)), `${show(path)} byte ${at}`);
        const same = flipped.every((b, n) => b === bytes[n]);
        expect(outcome).toBe(same ? 'identical' : 'rejected');
      }
    }
  });

  it('character flips anywhere in the text: refused, or the same model', async () => {
    const saved = await makeSaved(engine);
    const checker = new Checker(saved, engine);
    const r = mulberry32(4);
    const printable = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';
    for (let i = 0; i < 600; i++) {
      const at = Math.floor(r() * saved.text.length);
      let c = printable[Math.floor(r() * printable.length)];
      if (c === saved.text[at]) c = c === '0' ? '1' : '0';
      await checker.check(saved.text.slice(0, at) + c + saved.text.slice(at + 1), `text[${at}] = ${JSON.stringify(c)}`);
    }
    // digit changes in every number of the text (values that stay valid, caught by the checksums)
    const numbers = [...saved.text.matchAll(/(?<![\w"])-?\d+(\.\d+)?(e-?\d+)?/g)];
    expect(numbers.length).toBeGreaterThan(20);
    for (const m of numbers) {
      const at = m.index! + m[0].search(/\d/);
      const c = saved.text[at] === '9' ? '8' : String(Number(saved.text[at]) + 1);
      expect(await checker.check(saved.text.slice(0, at) + c + saved.text.slice(at + 1), `number ${m[0]} at ${m.index}`)).toBe('rejected');
    }
    expect(checker.rejected).toBeGreaterThan(500);
  });

  it('wrong types, removed fields and added fields, everywhere', async () => {
    const saved = await makeSaved(engine);
    const checker = new Checker(saved, engine);
    const j: Json = saved.json;
    const all = paths(j);
    expect(all.length).toBeGreaterThan(60);
    for (const path of all) {
      for (const value of WRONG) await checker.check(withChange(j, path, (p, k) => (p[k] = value)), `${show(path)} = ${String(value)}`);
      await checker.check(withChange(j, path, (p, k) => (Array.isArray(p) ? p.splice(Number(k), 1) : delete p[k])), `${show(path)} removed`);
    }
    // an unknown field in every object of the file
    for (const path of [[], ...all.filter((p) => { const v = p.reduce((o: Json, k) => o[k], j); return v !== null && typeof v === 'object' && !Array.isArray(v); })]) {
      const object = path.length === 0 ? structuredClone(j) : withChange(j, path, () => {});
      const target = path.reduce((o: Json, k) => o[k], object);
      target.extra = 1;
      expect(await checker.check(object, `${show(path)}.extra`)).toBe('rejected');
    }
    // the whole file as a wrong type
    for (const value of WRONG) expect(await checker.check(value, `model = ${String(value)}`)).toBe('rejected');
    // the few inputs that load change nothing: a field removed (or undefined) that holds its default
    // (plainLoss false, init auto, range [0, 1]), or a value replaced by the same value
    expect(checker.identical).toBeLessThan(20);
    expect(checker.rejected).toBeGreaterThan(all.length * WRONG.length * 0.9);
  });

  it("the `cli` block is metadata: changes outside it are refused or change nothing, changes inside it change only the metadata", async () => {
    const cli = { version: 1, inputs: ['a', 'b', 'c'], targets: ['p', 'q'], task: 'regression', labels: null, training: { loss: [0.5, 0.25] } };
    const saved = await makeSaved(engine, cli);
    const strict = new Checker(saved, engine);
    const modelOnly = new Checker(saved, engine, true);
    const r = mulberry32(5);
    const start = saved.text.indexOf('"cli":');
    for (let i = 0; i < 300; i++) {
      const at = Math.floor(r() * saved.text.length);
      const c = saved.text[at] === 'x' ? 'y' : 'x';
      const text = saved.text.slice(0, at) + c + saved.text.slice(at + 1);
      // outside the block: refused or the very same file; inside: refused or the same model
      await (at < start ? strict : modelOnly).check(text, `text[${at}] = x`);
    }
    expect(strict.rejected + modelOnly.rejected).toBeGreaterThan(250);
  });
});
