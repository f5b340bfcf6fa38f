// Delimiters (issue 11, item 4): detected from the header (comma, tab, semicolon, pipe), a tab for a
// .tsv file, --delimiter when given; a target column that is not found says which delimiter was used.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDelimiter } from '../../src/cli/csv.js';
import { cleanup, json, scratch, wasmlp } from './helpers.js';

let dir: string;
let iris: string;
beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
  iris = readFileSync(join(dir, 'iris.csv'), 'utf8');
});
afterAll(cleanup);

/** The same model from the same data, whatever the separator: the parameters are compared. */
async function params(file: string, extra: string[] = []) {
  const run = await wasmlp(['train', file, '--target', 'species', '--epochs', '3', '--no-plot', '--out', `${file}.json`, '--json', ...extra], dir);
  expect(run.code, run.stderr).toBe(0);
  expect(json(run).rows).toBe(150);
  return JSON.parse(readFileSync(join(dir, `${file}.json`), 'utf8')).params as string;
}

describe('the delimiter', () => {
  it('is detected from the header: semicolon, tab and pipe files train like the comma file', async () => {
    const reference = await params('iris.csv');
    for (const [name, d] of [['semi.csv', ';'], ['tabs.csv', '\t'], ['pipes.txt', '|']]) {
      writeFileSync(join(dir, name), iris.replaceAll(',', d));
      expect(await params(name), name).toBe(reference);
    }
  });

  it('says what it detected after reading', async () => {
    const run = await wasmlp(['train', 'semi.csv', '--target', 'species', '--epochs', '1', '--no-plot', '--out', 'x.json'], dir);
    expect(run.stderr).toMatch(/read 150 rows × 5 columns from semi\.csv \([\d.]+ KB; delimiter ";", detected from the header\)/);
  });

  it('a .tsv file is read with tabs, even when its header holds commas', async () => {
    writeFileSync(join(dir, 'odd.tsv'), iris.replaceAll(',', '\t').replace('sepal_length', 'sepal,length'));
    const run = await wasmlp(['train', 'odd.tsv', '--target', 'species', '--epochs', '1', '--no-plot', '--out', 'x.json', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run).inputs).toEqual(['sepal,length', 'sepal_width', 'petal_length', 'petal_width']);
  });

  it('predict and evaluate detect it too', async () => {
    await params('iris.csv');
    const a = await wasmlp(['predict', 'iris.csv.json', 'iris.csv'], dir);
    const b = await wasmlp(['predict', 'iris.csv.json', 'semi.csv'], dir);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(json(await wasmlp(['evaluate', 'iris.csv.json', 'tabs.csv', '--json'], dir)).rows).toBe(150);
  });

  it('a target not found names the delimiter used', async () => {
    const run = await wasmlp(['train', 'semi.csv', '--target', 'label', '--out', 'x.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('semi.csv: no column "label" (given in --target); the header (line 1) has "sepal_length", "sepal_width", "petal_length", "petal_width", "species" (read with delimiter ";", detected from the header; choose another with --delimiter)');
    const given = await wasmlp(['train', 'semi.csv', '--target', 'species', '--delimiter', ',', '--out', 'x.json'], dir);
    expect(given.stderr).toContain('(read with delimiter ",", given by --delimiter; choose another with --delimiter)');
  });

  it('detection counts outside quotes and prefers the most frequent', () => {
    expect(detectDelimiter('a;b;c')).toEqual({ delimiter: ';', source: 'detected' });
    expect(detectDelimiter('"x,y";"u,v";w')).toEqual({ delimiter: ';', source: 'detected' });
    expect(detectDelimiter('a\tb,c\td')).toEqual({ delimiter: '\t', source: 'detected' });
    expect(detectDelimiter('a,b;c')).toEqual({ delimiter: ',', source: 'detected' });
    expect(detectDelimiter('single')).toEqual({ delimiter: ',', source: 'default' });
  });
});
