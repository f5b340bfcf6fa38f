// `wasmlp export --onnx` and `wasmlp import`: a trained iris model goes to ONNX (the model's names, the
// task and the column of labels in its metadata), runs in ONNX Runtime with the model's own outputs, and
// comes back as a model file whose `predict` prints the same CSV. The metadata keys of earlier versions
// (wasmlp.columns.*, wasmlp.labels) are still read. Inputs are never written over; a bad ONNX file is
// exit 1, no output.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, toONNX } from '../../src/index.js';
import { runOrt, worstRelative } from '../helpers/onnx.js';
import { cleanup, json, listing, parseCsv, scratch, wasmlp } from './helpers.js';

let dir: string;
const FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
  const run = await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '30', '--layers', '16', '--seed', '7', '--no-plot', '--out', 'iris.model.json'], dir);
  expect(run.code, run.stderr).toBe(0);
});
afterAll(cleanup);

describe('wasmlp export and import', () => {
  it('export writes an ONNX file that ONNX Runtime runs as the model predicts, names in its metadata', async () => {
    const run = await wasmlp(['export', 'iris.model.json', '--onnx', 'iris.onnx', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run);
    expect(doc.ok).toBe(true);
    expect(doc.opset).toBe(17);
    expect(doc.columns.labels).toEqual(['setosa', 'versicolor', 'virginica']);
    const bytes = new Uint8Array(readFileSync(join(dir, 'iris.onnx')));
    expect(doc.bytes).toBe(bytes.length);
    const model = await loadModel(readFileSync(join(dir, 'iris.model.json'), 'utf8'));
    const rows = parseCsv(readFileSync(join(dir, 'iris.csv'), 'utf8')).slice(1);
    const X = new Float64Array(rows.flatMap((r) => r.slice(0, 4).map(Number)));
    const ort = await runOrt(bytes, X, rows.length, 4);
    expect(worstRelative(ort, model.predict(X))).toBeLessThanOrEqual(1e-12);
    const text = new TextDecoder().decode(bytes);
    // the model's names, as the library writes them, and the task and column of labels the CLI adds
    expect(text).toContain('wasmlp.names');
    expect(text).toContain('{"inputs":["sepal_length","sepal_width","petal_length","petal_width"],"classes":["setosa","versicolor","virginica"]}');
    expect(text).toContain('wasmlp.columns.targets');
    expect(text).toContain('["species"]');
  });

  it('import brings the model and its names back: predict prints the same CSV', async () => {
    const run = await wasmlp(['import', 'iris.onnx', '--out', 'back.model.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/wrote back\.model\.json: 4 → 16 relu → 3 softmax, loss cce/);
    const back = JSON.parse(readFileSync(join(dir, 'back.model.json'), 'utf8'));
    expect(back.names).toEqual({ inputs: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], classes: ['setosa', 'versicolor', 'virginica'] });
    expect(back.cli).toEqual({ version: 2, task: 'classification', target: 'species', training: null });
    expect(run.stdout).toMatch(/columns\s+sepal_length, sepal_width, petal_length, petal_width → species \(setosa, versicolor, virginica\)/);
    const before = await wasmlp(['predict', 'iris.model.json', 'iris.csv'], dir);
    const after = await wasmlp(['predict', 'back.model.json', 'iris.csv'], dir);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe(before.stdout);
  });

  it('import reads the names of an earlier version\'s metadata keys', async () => {
    // an earlier export: no wasmlp.names, the CLI's names as wasmlp.columns.*, wasmlp.task and wasmlp.labels
    const model = await loadModel(readFileSync(join(dir, 'iris.model.json'), 'utf8'));
    model.setNames({ inputs: null, classes: null });
    const old = { 'wasmlp.columns.inputs': JSON.stringify(['sl', 'sw', 'pl', 'pw']), 'wasmlp.columns.targets': '["kind"]', 'wasmlp.task': 'classification', 'wasmlp.labels': '["a","b","c"]' };
    writeFileSync(join(dir, 'old.onnx'), toONNX(model, { metadata: old }));
    model.dispose();
    expect(new TextDecoder().decode(readFileSync(join(dir, 'old.onnx')))).not.toContain('wasmlp.names');
    const doc = json(await wasmlp(['import', 'old.onnx', '--out', 'old.model.json', '--json'], dir));
    expect(doc.columns).toEqual({ inputs: ['sl', 'sw', 'pl', 'pw'], targets: ['kind'], task: 'classification', labels: ['a', 'b', 'c'] });
    const saved = JSON.parse(readFileSync(join(dir, 'old.model.json'), 'utf8'));
    expect(saved.names).toEqual({ inputs: ['sl', 'sw', 'pl', 'pw'], classes: ['a', 'b', 'c'] });
    expect(saved.cli).toEqual({ version: 2, task: 'classification', target: 'kind', training: null });
  });

  it('import drops names the model file could not hold (a column named twice) and says so', async () => {
    const model = await loadModel(readFileSync(join(dir, 'iris.model.json'), 'utf8'));
    model.setNames({ inputs: null, classes: null });
    const inputs = JSON.stringify(['sepal_length', 'sepal_length', 'petal_length', 'petal_width']);
    writeFileSync(join(dir, 'twice.onnx'), toONNX(model, { metadata: { 'wasmlp.columns.inputs': inputs, 'wasmlp.columns.targets': '["species"]' } }));
    model.dispose();
    const run = await wasmlp(['import', 'twice.onnx', '--out', 'twice.model.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/the column names in the file do not fit the model: not kept/);
    // what was written is a model file the command line reads
    const info = await wasmlp(['info', 'twice.model.json'], dir);
    expect(info.code, info.stderr).toBe(0);
    const rows = parseCsv(readFileSync(join(dir, 'iris.csv'), 'utf8'));
    writeFileSync(join(dir, 'inputs.csv'), rows.map((r) => r.slice(0, 4).join(',')).join('\n') + '\n');
    const predict = await wasmlp(['predict', 'twice.model.json', 'inputs.csv'], dir);
    expect(predict.code, predict.stderr).toBe(0);
    expect(predict.stdout.trim().split('\n')).toHaveLength(rows.length);
  });

  it('import of a PyTorch file without names: a model for info and the library', async () => {
    copyFileSync(join(FIXTURES, 'softmax.f32.onnx'), join(dir, 'torch.onnx'));
    const run = await wasmlp(['import', 'torch.onnx', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run);
    expect(doc.out).toBe('torch.model.json');
    expect(doc.network).toBe('3 → 8 tanh → 4 softmax');
    expect(doc.columns).toBe(null);
    const info = await wasmlp(['info', 'torch.model.json'], dir);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/3 → 8 tanh → 4 softmax/);
    const predict = await wasmlp(['predict', 'torch.model.json', 'iris.csv'], dir);
    expect(predict.code).toBe(1);
    expect(predict.stderr).toMatch(/no column names/);
  });

  it('never writes over its input, and a bad ONNX file is exit 1 with nothing written', async () => {
    const model = readFileSync(join(dir, 'iris.model.json'));
    let run = await wasmlp(['export', 'iris.model.json', '--onnx', 'iris.model.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--onnx iris\.model\.json: is the model .*refusing to write over an input/);
    expect(readFileSync(join(dir, 'iris.model.json'))).toEqual(model);
    const onnx = readFileSync(join(dir, 'iris.onnx'));
    run = await wasmlp(['import', 'iris.onnx', '--out', './iris.onnx'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--out \.\/iris\.onnx: is the ONNX file .*refusing to write over an input/);
    expect(readFileSync(join(dir, 'iris.onnx'))).toEqual(onnx);
    writeFileSync(join(dir, 'cut.onnx'), onnx.subarray(0, Math.floor(onnx.length / 2)));
    const files = listing(dir);
    run = await wasmlp(['import', 'cut.onnx', '--out', 'cut.model.json', '--json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cut\.onnx: not an ONNX model wasmlp reads \(.*truncated/);
    expect(json(run).error.code).toBe('BAD_ONNX_FILE');
    expect(listing(dir)).toEqual(files);
    run = await wasmlp(['export', 'iris.model.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--onnx <file> is required/);
  });
});
