// Smaller command-line messages (issue 10 "Smaller", issue 11 item 11): blank lines before the
// header, a column named twice in --target, numbers that must be decimal, file errors in words,
// labels with commas listed unambiguously, gradcheck with no error at all, bench --quick's noise.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, json, scratch, wasmlp } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
});
afterAll(cleanup);

describe('CSV and option messages', () => {
  it('blank lines before the header are skipped, and line numbers stay the file\'s', async () => {
    const iris = readFileSync(join(dir, 'iris.csv'), 'utf8');
    writeFileSync(join(dir, 'blank.csv'), `\n  \n${iris}`);
    const run = await wasmlp(['train', 'blank.csv', '--target', 'species', '--epochs', '1', '--no-plot', '--out', 'b.json', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ rows: 150, inputs: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] });
    const missing = await wasmlp(['train', 'blank.csv', '--target', 'kind', '--out', 'b.json'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no column "kind" (given in --target); the header (line 3) has "sepal_length"');
    writeFileSync(join(dir, 'blank-bad.csv'), '\n\na,y\n1,2\nx,3\n');
    const bad = await wasmlp(['train', 'blank-bad.csv', '--target', 'y', '--out', 'b.json'], dir);
    expect(bad.stderr).toContain('blank-bad.csv: line 5, column "a": expected a number, got "x"');
  });

  it('--target naming a column twice says so', async () => {
    const run = await wasmlp(['train', 'iris.csv', '--target', 'species,species', '--out', 'x.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--target species,species: names the column "species" twice; give each column once');
  });

  it('numbers are decimal: 0x10 is not 16, as an option or in a cell', async () => {
    for (const [option, value] of [['--epochs', '0x10'], ['--lr', '0x1'], ['--batch-size', '0b11'], ['--seed', '0o7'], ['--layers', '0x10']]) {
      const run = await wasmlp(['train', 'iris.csv', '--target', 'species', option, value, '--out', 'x.json'], dir);
      expect(run.code, `${option} ${value}`).toBe(1);
      expect(run.stderr).toContain(`argument '${value}' is invalid`);
    }
    writeFileSync(join(dir, 'hex.csv'), 'a,y\n1,2\n0x10,3\n');
    const run = await wasmlp(['train', 'hex.csv', '--target', 'y', '--out', 'x.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('hex.csv: line 3, column "a": expected a number, got "0x10" (numbers are read in decimal only)');
    const ok = await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '1e1', '--lr', '.05', '--no-plot', '--out', 'x.json', '--json'], dir);
    expect(json(ok)).toMatchObject({ epochs: 10, learningRate: 0.05 });
  });

  it('a missing file is "no such file", not ENOENT, for data and models', async () => {
    for (const args of [['train', 'nope.csv', '--target', 'y'], ['info', 'nope.json'], ['predict', 'nope.json', 'iris.csv']]) {
      const run = await wasmlp(args, dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('no such file');
      expect(run.stderr).not.toContain('ENOENT');
    }
  });

  it('labels that contain commas are quoted where they are listed', async () => {
    const rows = ['x,kind'];
    for (let i = 0; i < 40; i++) rows.push(`${i % 2 ? i : -i},${i % 2 ? '"big, red"' : 'small'}`);
    writeFileSync(join(dir, 'commas.csv'), `${rows.join('\n')}\n`);
    const run = await wasmlp(['train', 'commas.csv', '--target', 'kind', '--epochs', '2', '--no-plot', '--out', 'c.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('classification of "kind" ("big, red", small)');
    const info = await wasmlp(['info', 'c.json'], dir);
    expect(info.stdout).toMatch(/labels\s+"big, red", small\n/);
  });
});

describe('gradcheck and bench wording', () => {
  it('gradcheck with no error at all says every parameter agrees instead of naming a worst one', async () => {
    // identity output, mse, 0 epochs: on a few rows every central difference is resolved exactly enough
    writeFileSync(join(dir, 'line.csv'), 'x,y\n0,0\n1,2\n2,4\n3,6\n');
    expect((await wasmlp(['train', 'line.csv', '--target', 'y', '--layers', 'none', '--epochs', '0', '--normalize', 'none', '--no-plot', '--out', 'line.json'], dir)).code).toBe(0);
    const doc = json(await wasmlp(['gradcheck', 'line.json', 'line.csv', '--json', '--absolute-tolerance', '1e-6'], dir));
    expect(doc.maxRelativeError).toBe(0);
    expect(doc.allAgree).toBe(true);
    const run = await wasmlp(['gradcheck', 'line.json', 'line.csv', '--absolute-tolerance', '1e-6'], dir);
    expect(run.stdout).toMatch(/max relative error\s+0: backprop and central differences agree on all 2 parameters/);
    expect(run.stdout).not.toContain('worst parameter');
  });

  it('bench --quick says that such short runs are noise', async () => {
    const run = await wasmlp(['bench', '--quick', '--only', 'W1'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('--quick runs are a few milliseconds each, so these rates and ratios are mostly noise');
  });
});
