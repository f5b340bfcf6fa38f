// A file of very many columns is matched to the model's inputs by name in linear time: predict and
// evaluate on 300,000 columns (the model's inputs, in the reverse order of the file's) finish well
// within the test's bound, with the right numbers. Matching each name by a scan of the header made
// this quadratic: 25 s for 100,000 columns, minutes for 300,000. The bound only detects that.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/index.js';
import { cleanup, json, parseCsv, scratch, wasmlp } from './helpers.js';

const COLUMNS = 300_000;
const ROWS = 3;

let dir: string;
/** The model's outputs for each row, computed here by the library. */
let expected: Float64Array;
let targets: number[];

/** The cell of column `c` in data row `r`. */
const cell = (c: number, r: number) => ((c * 7 + r) % 11) / 10;

beforeAll(async () => {
  dir = scratch();
  const names = Array.from({ length: COLUMNS }, (_, i) => `c${i}`);
  const model = await createModel({ inputs: COLUMNS, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', seed: 3, threads: 1 });
  // the model's input j is the file's column COLUMNS − 1 − j
  const cli = { version: 1, inputs: [...names].reverse(), targets: ['y'], task: 'regression', labels: null, training: null };
  writeFileSync(join(dir, 'wide.model.json'), JSON.stringify({ ...model.toJSON({ training: false }), cli }));
  const X = new Float64Array(ROWS * COLUMNS);
  for (let r = 0; r < ROWS; r++) for (let j = 0; j < COLUMNS; j++) X[r * COLUMNS + j] = cell(COLUMNS - 1 - j, r);
  expected = model.predict({ data: X, rows: ROWS });
  model.dispose();
  targets = Array.from({ length: ROWS }, (_, r) => r - 1);
  const lines = [[...names, 'y'].join(',')];
  for (let r = 0; r < ROWS; r++) lines.push([...names.map((_, c) => cell(c, r)), targets[r]].join(','));
  writeFileSync(join(dir, 'wide.csv'), `${lines.join('\n')}\n`);
}, 120_000);
afterAll(cleanup);

describe('300,000 columns', () => {
  it('predict and evaluate match them by name, in any order', async () => {
    const run = await wasmlp(['predict', 'wide.model.json', 'wide.csv', '--out', 'out.csv'], dir);
    expect(run.code, run.stderr).toBe(0);
    const rows = parseCsv(readFileSync(join(dir, 'out.csv'), 'utf8'));
    expect(rows[0]).toEqual(['y']);
    expect(rows.slice(1).map((row) => Number(row[0]))).toEqual(Array.from(expected));

    const scored = await wasmlp(['evaluate', 'wide.model.json', 'wide.csv', '--json'], dir);
    expect(scored.code, scored.stderr).toBe(0);
    const doc = json(scored);
    expect(doc.rows).toBe(ROWS);
    const mse = Array.from(expected).reduce((s, p, r) => s + (p - targets[r]) ** 2, 0) / ROWS;
    expect(doc.mse).toBeCloseTo(mse, 12);
  }, 60_000);
});
