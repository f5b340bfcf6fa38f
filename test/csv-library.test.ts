// readCsv of 'wasmlp/csv' (src/csv/read.ts): a CSV file or its text as the arrays a model takes,
// read by the command line's own reader. CRLF, a byte-order mark, quotes (a quoted delimiter, a
// quoted line break), `;` and tab delimiters, .tsv files; a bad cell is a CsvError naming file, line
// and column; `wasmlp train` and readCsv read a file into the same numbers (the same trained bits);
// a classifier from readCsv's output in a few lines; and the bundled dist/csv.js, whose errors are
// the classes 'wasmlp' exports. Node only (it reads files).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvError, readCsv } from '../src/csv/index.js';
import { createModel, DataError, OptionsError } from '../src/index.js';
import { cleanup, json, scratch, wasmlp } from './cli/helpers.js';

/** A scratch directory holding iris.csv as `wasmlp example iris` writes it (as in the README), and its text. */
let dir: string;
let iris: string;
beforeAll(async () => {
  dir = scratch();
  const example = await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir);
  expect(example.code, example.stderr).toBe(0);
  iris = readFileSync(join(dir, 'iris.csv'), 'utf8');
});
afterAll(cleanup);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<CsvError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(CsvError);
  return error as CsvError;
}

describe('readCsv', () => {
  it('reads inputs as a row-major Float64Array and a label target as labels and their sorted classes', async () => {
    const data = await readCsv(join(dir, 'iris.csv'), { target: 'species' });
    expect(data.rows).toBe(150);
    expect(data.inputNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(data.targetNames).toEqual(['species']);
    expect(data.X).toBeInstanceOf(Float64Array);
    expect(data.X.length).toBe(600);
    expect(Array.from(data.X.subarray(0, 4))).toEqual(iris.split('\n')[1].split(',').slice(0, 4).map(Number));
    expect(data.y).toHaveLength(150);
    expect((data.y as string[])[0]).toBe('setosa');
    expect(data.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(data.Y).toBeNull();
    expect(data).toMatchObject({ delimiter: ',', delimiterSource: 'detected', file: join(dir, 'iris.csv'), headerLine: 1, notes: [] });
  });

  it('CRLF line ends, a byte-order mark, blank lines before the header, a quoted delimiter and a quoted line break', async () => {
    const text = '\uFEFF\r\n\r\n x ,note,label\r\n1,"a, b",yes\r\n2,"two\r\nlines",no\r\n\r\n3,"say ""hi""",yes\r\n';
    const data = await readCsv(file('crlf.csv', text), { target: 'label', ignore: ['note'] });
    expect(data.headerLine).toBe(3);
    expect(data.inputNames).toEqual(['x']);
    expect(Array.from(data.X)).toEqual([1, 2, 3]);
    expect(data.y).toEqual(['yes', 'no', 'yes']);
    expect(data.classes).toEqual(['no', 'yes']);
    // lines are the file's own: the blank lines, the header and the quoted line break are counted
    const e = await failure(readCsv(file('crlf-bad.csv', `${text}oops,"x",no\r\n`), { target: 'label', ignore: ['note'] }));
    expect(e).toMatchObject({ line: 9, column: 'x' });
  });

  it('detects ; and tab delimiters from the header, reads a .tsv file with tabs, and takes a given delimiter', async () => {
    const reference = await readCsv(join(dir, 'iris.csv'), { target: 'species' });
    for (const [name, d, source] of [['semi.csv', ';', 'detected'], ['tabs.csv', '\t', 'detected'], ['pipes.txt', '|', 'detected']] as const) {
      const data = await readCsv(file(name, iris.replaceAll(',', d)), { target: 'species' });
      expect(data.delimiter, name).toBe(d);
      expect(data.delimiterSource, name).toBe(source);
      expect(data.X, name).toEqual(reference.X);
      expect(data.y, name).toEqual(reference.y);
    }
    // a .tsv file is read with tabs even when its header holds a comma
    const tsv = await readCsv(file('odd.tsv', iris.replaceAll(',', '\t').replace('sepal_length', 'sepal,length')), { target: 'species' });
    expect(tsv).toMatchObject({ delimiter: '\t', delimiterSource: 'tsv' });
    expect(tsv.inputNames[0]).toBe('sepal,length');
    expect(tsv.X).toEqual(reference.X);
    const given = await readCsv(file('given.txt', 'a;b,c\n1;2,3\n'), { target: 'b,c', delimiter: ';' });
    expect(given).toMatchObject({ delimiter: ';', delimiterSource: 'given', inputNames: ['a'] });
    expect(given.y).toEqual(['2,3']);
  });

  it('reads text (a string with a line break), a path and a file: URL alike', async () => {
    const path = join(dir, 'iris.csv');
    const fromPath = await readCsv(path, { target: 'species' });
    const fromText = await readCsv(iris, { target: 'species' });
    const fromUrl = await readCsv(pathToFileURL(path), { target: 'species' });
    for (const data of [fromText, fromUrl]) {
      expect(data.X).toEqual(fromPath.X);
      expect(data.y).toEqual(fromPath.y);
    }
    expect(fromText.file).toBeNull();
    expect(fromUrl.file).toBe(path);
  });

  it('a numeric target: y numbers (and Y as rows), a note when it holds a few integers; classes: true reads labels', async () => {
    const text = `a,b,digit\n${Array.from({ length: 12 }, (_, i) => `${i},${i / 2},${i % 3}`).join('\n')}\n`;
    const reg = await readCsv(text, { target: 'digit' });
    expect(reg.y).toBeInstanceOf(Float64Array);
    expect(Array.from(reg.y as Float64Array)).toEqual(Array.from({ length: 12 }, (_, i) => i % 3));
    expect(reg.Y).toEqual({ data: reg.y, rows: 12 });
    expect(reg.classes).toBeNull();
    expect(reg.notes).toEqual(['"digit" holds 3 distinct integers (0, 1, 2): read as numbers, a regression target; to read them as class labels, pass classes: true']);
    const labels = await readCsv(text, { target: 'digit', classes: true });
    expect(labels.y).toEqual(Array.from({ length: 12 }, (_, i) => i % 3));
    expect(labels.classes).toEqual([0, 1, 2]);
    expect(labels.Y).toBeNull();
    // several numeric targets: rows of targets, in the order given; inputs in the order given
    const two = await readCsv(text, { targets: ['digit', 'a'], inputs: ['b'] });
    expect(two.targetNames).toEqual(['digit', 'a']);
    expect(Array.from((two.y as Float64Array).subarray(0, 6))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(two.Y?.rows).toBe(12);
    expect(Array.from(two.X.subarray(0, 3))).toEqual([0, 0.5, 1]);
    // without a target: every column is an input
    const all = await readCsv(text);
    expect(all).toMatchObject({ y: null, Y: null, classes: null, targetNames: [], inputNames: ['a', 'b', 'digit'] });
  });

  it('a bad cell is a CsvError (a DataError) naming file, line and column, what was expected and what was found', async () => {
    const path = file('bad.csv', 'a,note,y\n1,"two\nlines",3\n\n4,x,oops\n');
    const e = await failure(readCsv(path, { target: 'y', ignore: ['note'] }));
    expect(e).toBeInstanceOf(DataError);
    expect(e).toMatchObject({ code: 'NOT_A_NUMBER', file: path, line: 5, column: 'y', expected: 'a decimal number', received: '"oops"' });
    expect(e.message).toBe(`${path}: line 5, column "y": expected a number, got "oops" (the column's first value is a number, so it is read as numbers; pass classes: true to read its values as class labels)`);
    const hex = await failure(readCsv('a,y\n0x10,1\n', { target: 'y' }));
    expect(hex.message).toBe('line 2, column "a": expected a number, got "0x10" (numbers are read in decimal only)');
    expect(hex.file).toBeUndefined();
    const ragged = await failure(readCsv(file('ragged.csv', 'a,y\n1,2\n3\n'), { target: 'y' }));
    expect(ragged).toMatchObject({ code: 'RAGGED_ROW', line: 3, message: `${join(dir, 'ragged.csv')}: line 3: expected 2 fields (as in the header), got 1` });
  });

  it('a missing column names the delimiter used; files that cannot be read say why; options are checked', async () => {
    const semi = join(dir, 'semi.csv');
    writeFileSync(semi, iris.replaceAll(',', ';'));
    const e = await failure(readCsv(semi, { target: 'label' }));
    expect(e).toMatchObject({ code: 'MISSING_COLUMN', file: semi, line: 1, column: 'label' });
    expect(e.message).toBe(`${semi}: no column "label" (given in options.target); the header (line 1) has "sepal_length", "sepal_width", "petal_length", "petal_width", "species" (read with delimiter ";", detected from the header; choose another with options.delimiter)`);
    const missing = await failure(readCsv(join(dir, 'missing.csv'), { target: 'y' }));
    expect(missing).toMatchObject({ code: 'CANNOT_READ', message: `${join(dir, 'missing.csv')}: cannot read (no such file or directory)` });
    expect((await failure(readCsv(dir, { target: 'y' }))).code).toBe('NOT_A_FILE');
    expect((await failure(readCsv(file('empty.csv', ''), { target: 'y' }))).code).toBe('EMPTY_FILE');
    expect((await failure(readCsv('a,y\n', { target: 'y' }))).message).toBe('no data rows after the header (line 1)');
    expect((await failure(readCsv('a,b,y\nx,z,1\n', { targets: ['a', 'b'] }))).code).toBe('ONE_LABEL_TARGET');
    const option = (options: object) => readCsv(iris, options as never).then(() => null, (error: unknown) => error);
    expect(await option({ traget: 'species' })).toMatchObject({ code: 'UNKNOWN_OPTION', message: expect.stringContaining('did you mean "target"?') });
    expect(await option({ target: 'species', delimiter: '"' })).toBeInstanceOf(OptionsError);
    expect(await option({ target: 'species', inputs: ['species'] })).toBeInstanceOf(OptionsError);
    expect(await option({ targets: ['a', 'b'], classes: true })).toBeInstanceOf(OptionsError);
  });
});

describe('readCsv and `wasmlp train`', () => {
  it('read the same file into the same numbers: the same training gives the same bits', async () => {
    // a file that exercises the reader: a byte-order mark, semicolons, CRLF, quoted labels
    const lines = iris.trim().split('\n').map((line, i) => {
      const cells = line.split(',');
      return (i === 0 ? cells : [...cells.slice(0, 4), `"${cells[4]}"`]).join(';');
    });
    file('same.csv', `\uFEFF${lines.join('\r\n')}\r\n`);
    // the network and training settings of the model below (the CLI's defaults are others)
    const run = await wasmlp(['train', 'same.csv', '--target', 'species', '--epochs', '3', '--layers', '16', '--init', 'auto', '--lr', '0.01', '--patience', '0', '--validation-split', '0', '--normalize', 'none', '--no-plot', '--out', 'same.json', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const cli = JSON.parse(readFileSync(join(dir, 'same.json'), 'utf8'));

    const { X, y, inputNames, classes } = await readCsv(join(dir, 'same.csv'), { target: 'species' });
    expect(inputNames).toEqual(json(run).inputs);
    expect(classes).toEqual(json(run).labels);
    const model = await createModel({ inputs: 4, layers: [{ units: 16, activation: 'relu' }, { units: 3, activation: 'softmax' }], loss: 'cce', seed: 42 });
    model.fit(X, y!, { epochs: 3, batchSize: 32, optimizer: 'adam', learningRate: 0.01 });
    expect(model.toJSON().params).toBe(cli.params);
    model.dispose();
  });
});

describe('a classifier from readCsv', () => {
  it('in under ten lines, reaches at least 90 % accuracy on iris', async () => {
    const { X, y, inputNames, classes } = await readCsv(join(dir, 'iris.csv'), { target: 'species' });
    const model = await createModel({ inputs: inputNames.length, layers: [{ units: 16, activation: 'relu' }, { units: classes!.length, activation: 'softmax' }], loss: 'cce' });
    model.fit(X, y!, { epochs: 100, optimizer: 'adam', learningRate: 0.01, normalize: { inputs: 'standardize' } });
    const { accuracy } = model.evaluate(X, y!) as { accuracy: number };
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(model.classes).toEqual(classes);
    model.dispose();
  });
});

describe('the bundled entry point dist/csv.js', () => {
  it('reads as the sources do, and its errors are the classes that wasmlp exports', async () => {
    const bundled = (await import(new URL('../dist/csv.js', import.meta.url).href)) as typeof import('../src/csv/index.js');
    const built = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
    const builtErrors = (await import(new URL('../dist/errors.js', import.meta.url).href)) as typeof import('../src/errors.js');
    const a = await bundled.readCsv(join(dir, 'iris.csv'), { target: 'species' });
    const b = await readCsv(join(dir, 'iris.csv'), { target: 'species' });
    expect(a.X).toEqual(b.X);
    expect(a.y).toEqual(b.y);
    const error = await bundled.readCsv('a,y\n1,x\n2,3\n', { target: 'a' }).then(() => null, (e: unknown) => e);
    expect(bundled.CsvError).toBe(builtErrors.CsvError);
    expect(built.CsvError).toBe(bundled.CsvError); // `import { CsvError } from 'wasmlp'` catches it too
    expect(error).toBeInstanceOf(bundled.CsvError);
    expect(error).toBeInstanceOf(built.DataError);
    expect(error).toBeInstanceOf(built.WasmlpError);
    // papaparse is inside the bundle, not imported
    const source = readFileSync(fileURLToPath(new URL('../dist/csv.js', import.meta.url)), 'utf8');
    expect(source).not.toMatch(/from ["']papaparse["']/);
  });
});
