// Bad input: each case gets a message naming the file, the line (as numbered in the file, header =
// line 1) and the column, exit code 1, and leaves no output file behind (no temporary file either).
// Training that diverges exits 2. Every file here is written by hand, so the expected line numbers
// are read off the text.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, json, listing, scratch, wasmlp } from './helpers.js';

let dir: string;
/** Regression data y = 3a − 2b + 0.5 (exact, no noise), 200 rows. */
function regression(): string {
  const lines = ['a,b,y'];
  for (let i = 0; i < 200; i++) {
    const a = Math.sin(i), b = Math.cos(0.7 * i);
    lines.push(`${a},${b},${3 * a - 2 * b + 0.5}`);
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  dir = scratch();
  writeFileSync(join(dir, 'reg.csv'), regression());
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
  expect((await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '5', '--no-plot', '--out', 'iris.model.json'], dir)).code).toBe(0);
});
afterAll(cleanup);

/** Writes `name` with `text`, runs the command and checks: exit 1, the message, no new file. */
async function fails(files: Record<string, string>, args: string[], message: RegExp | string, exitCode = 1) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const before = listing(dir);
  const run = await wasmlp(args, dir);
  expect(run.code, run.stderr).toBe(exitCode);
  if (typeof message === 'string') expect(run.stderr).toContain(message);
  else expect(run.stderr).toMatch(message);
  expect(listing(dir)).toEqual(before);
  return run;
}

const TRAIN = (file: string) => ['train', file, '--target', 'y', '--out', 'out.json', '--epochs', '2'];

describe('bad CSV input to train', () => {
  it('a non-numeric cell in an input column: file, line, column', async () => {
    await fails({ 'nonnum.csv': 'a,b,y\n1,2,3\n4,5,6\n7,eight,9\n' }, TRAIN('nonnum.csv'), 'nonnum.csv: line 4, column "b": expected a number, got "eight"');
  });

  it('an empty cell in an input column', async () => {
    await fails({ 'blank.csv': 'a,b,y\n1,2,3\n,5,6\n' }, TRAIN('blank.csv'), 'blank.csv: line 3, column "a": expected a number, got an empty cell');
  });

  it('line numbers count the line breaks inside quoted fields and blank lines', async () => {
    // line 1 header, line 2-3 a quoted cell with a line break, line 4 blank, line 5 the bad row
    await fails({ 'quoted.csv': 'a,note,y\n1,"two\nlines",3\n\n4,x,oops\n' }, ['train', 'quoted.csv', '--target', 'y', '--ignore', 'note', '--out', 'out.json'],
      'quoted.csv: line 5, column "y": expected a number, got "oops"');
  });

  it('a target column that is not there: the available columns are listed', async () => {
    await fails({}, ['train', 'iris.csv', '--target', 'Species', '--out', 'out.json'],
      'iris.csv: no column "Species" (given in --target); the header (line 1) has "sepal_length", "sepal_width", "petal_length", "petal_width", "species"');
  });

  it('a ragged row', async () => {
    await fails({ 'ragged.csv': 'a,b,y\n1,2,3\n4,5,6\n7,8\n10,11,12\n' }, TRAIN('ragged.csv'), 'ragged.csv: line 4: expected 3 fields (as in the header), got 2');
  });

  it('an empty file', async () => {
    await fails({ 'empty.csv': '' }, TRAIN('empty.csv'), 'empty.csv: the file is empty');
  });

  it('a header without rows', async () => {
    await fails({ 'header.csv': 'a,b,y\n' }, TRAIN('header.csv'), 'header.csv: no data rows after the header (line 1)');
  });

  it('a file that does not exist', async () => {
    const run = await fails({}, TRAIN('missing.csv'), 'missing.csv: cannot read (no such file)');
    expect(run.stderr).not.toContain('ENOENT');
  });

  it('a numeric target with a label further down says how to make it a classification', async () => {
    await fails({ 'mixed.csv': 'a,y\n1,0\n2,1\n3,cat\n' }, TRAIN('mixed.csv'), /mixed\.csv: line 4, column "y": expected a number, got "cat" \(.*--classes/);
  });

  it('two target columns of labels', async () => {
    await fails({ 'two.csv': 'a,p,q\n1,x,y\n2,z,w\n' }, ['train', 'two.csv', '--target', 'p,q', '--out', 'out.json'], 'a classification takes exactly one target column');
  });

  it('another delimiter than the file\'s makes one column: the target is not found', async () => {
    await fails({}, ['train', 'reg.csv', '--target', 'y', '--delimiter', ';', '--out', 'out.json'], 'reg.csv: no column "y" (given in --target); the header (line 1) has "a,b,y"');
  });
});

describe('bad arguments and options', () => {
  it('a malformed option value is rejected by the parser', async () => {
    await fails({}, ['train', 'reg.csv', '--target', 'y', '--lr', 'fast'], "option '--lr <rate>' argument 'fast' is invalid");
    await fails({}, ['train', 'reg.csv', '--target', 'y', '--layers', '16,0'], "option '--layers <units>' argument '16,0' is invalid");
    await fails({}, ['train', 'reg.csv', '--target', 'y', '--optimizer', 'rmsprop'], "argument 'rmsprop' is invalid. Allowed choices are sgd, momentum, adam");
    await fails({}, ['train', 'reg.csv'], "required option '-t, --target <columns>' not specified");
    await fails({}, ['frobnicate'], "unknown command 'frobnicate'");
  });

  it('a loss and an output activation that do not go together (bce with softmax) exit 1, in CLI flags', async () => {
    const run = await fails({}, ['train', 'iris.csv', '--target', 'species', '--loss', 'bce', '--output-activation', 'softmax', '--out', 'out.json'], '--loss bce needs --output-activation sigmoid');
    expect(run.stderr).not.toMatch(/plainLoss|layers\[/);
  });

  it('a validation split that leaves no row on one side is refused, in CLI flags', async () => {
    const run = await fails({ 'tiny.csv': 'a,y\n1,2\n2,3\n3,4\n' }, ['train', 'tiny.csv', '--target', 'y', '--validation-split', '0.1', '--out', 'out.json'], /--validation-split 0\.1: holds out 0 of 3 rows/);
    expect(run.stderr).not.toContain('validationSplit');
  });

  it('an output directory that does not exist fails before reading anything', async () => {
    const run = await fails({}, ['train', 'reg.csv', '--target', 'y', '--out', 'nowhere/model.json'], '--out nowhere/model.json: cannot write into');
    expect(run.stderr).not.toContain('read 200 rows');
  });
});

describe('bad model files and data for a trained model', () => {
  it('a model file that is not JSON', async () => {
    await fails({}, ['predict', 'iris.csv', 'iris.csv'], 'iris.csv: not a model file (the text is not JSON');
  });

  it('a JSON file that is not a model', async () => {
    await fails({ 'other.json': '{"format":"something-else"}' }, ['info', 'other.json'], 'other.json: not a valid wasmlp model (format: expected "wasmlp-model"');
  });

  it('a truncated model file', async () => {
    const text = readFileSync(join(dir, 'iris.model.json'), 'utf8');
    await fails({ 'cut.json': text.slice(0, text.length / 2) }, ['evaluate', 'cut.json', 'iris.csv'], 'cut.json: not a model file');
  });

  it('an unknown label when evaluating: line and column', async () => {
    const text = readFileSync(join(dir, 'iris.csv'), 'utf8').replace('6.3,3.3,6,2.5,virginica', '6.3,3.3,6,2.5,rose');
    await fails({ 'roses.csv': text }, ['evaluate', 'iris.model.json', 'roses.csv'],
      'roses.csv: line 102, column "species": unknown label "rose"; the model knows "setosa", "versicolor", "virginica"');
  });

  it('data without an input column of the model', async () => {
    await fails({ 'partial.csv': 'sepal_length,sepal_width,petal_length\n1,2,3\n' }, ['predict', 'iris.model.json', 'partial.csv', '--out', 'p.csv'],
      'partial.csv: no column "petal_width" (an input of the model)');
  });

  it('a non-numeric input cell when predicting leaves no predictions file', async () => {
    const text = readFileSync(join(dir, 'iris.csv'), 'utf8').replace('4.9,3,1.4,0.2,setosa', '4.9,three,1.4,0.2,setosa');
    await fails({ 'typo.csv': text }, ['predict', 'iris.model.json', 'typo.csv', '--out', 'p.csv'], 'typo.csv: line 3, column "sepal_width": expected a number, got "three"');
  });
});

describe('exit codes in --json mode', () => {
  it('a data error is a JSON document with the file, line and column', async () => {
    const run = await fails({ 'bad.csv': 'a,b,y\n1,2,3\n4,?,6\n' }, [...TRAIN('bad.csv'), '--json'], 'bad.csv: line 3');
    const doc = json(run);
    expect(doc).toMatchObject({ ok: false, command: 'train', error: { code: 'NOT_A_NUMBER', exitCode: 1, file: 'bad.csv', line: 3, column: 'b' } });
  });
});

describe('divergence', () => {
  it('a huge learning rate on a regression exits 2 and writes no model', async () => {
    const run = await fails({}, ['train', 'reg.csv', '--target', 'y', '--optimizer', 'sgd', '--lr', '1e6', '--out', 'div.json'], /training diverged: the loss became non-finite at epoch \d+, step \d+/, 2);
    expect(run.stderr).toContain('no model was written');
    expect(existsSync(join(dir, 'div.json'))).toBe(false);
    const doc = await wasmlp(['train', 'reg.csv', '--target', 'y', '--optimizer', 'sgd', '--lr', '1e6', '--out', 'div.json', '--json'], dir);
    expect(doc.code).toBe(2);
    expect(json(doc)).toMatchObject({ ok: false, error: { code: 'DIVERGED', exitCode: 2 } });
  });
});
