// A model saved with the library's toJSON() (no column names) works with `wasmlp predict`, `evaluate`
// and `gradcheck` (issue 11, item 6): the CSV's columns are taken in order, and their count is checked.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/index.js';
import { cleanup, json, parseCsv, scratch, wasmlp } from './helpers.js';

let dir: string;
const X: number[][] = [];
const Y: number[][] = [];
let expected: number[];
let expectedLoss: number;

beforeAll(async () => {
  dir = scratch();
  for (let i = 0; i < 30; i++) {
    X.push([Math.sin(i), Math.cos(i), i / 30]);
    Y.push([Math.sin(i) - Math.cos(i)]);
  }
  const model = await createModel({ inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 9 });
  model.fit(X, Y, { epochs: 20, learningRate: 0.05, normalize: { inputs: 'standardize', targets: 'standardize' } });
  writeFileSync(join(dir, 'lib.json'), JSON.stringify(model.toJSON()));
  writeFileSync(join(dir, 'inputs.csv'), `p,q,r\n${X.map((r) => r.join(',')).join('\n')}\n`);
  writeFileSync(join(dir, 'both.csv'), `p,q,r,t\n${X.map((r, i) => [...r, Y[i][0]].join(',')).join('\n')}\n`);
  writeFileSync(join(dir, 'wrong.csv'), `p,q\n${X.map((r) => r.slice(0, 2).join(',')).join('\n')}\n`);
  expected = model.predict(X).map((r) => r[0]);
  expectedLoss = model.loss(X, Y);
  model.dispose();
});
afterAll(cleanup);

describe('a library model', () => {
  it('predict: the columns in order; the same numbers as the library', async () => {
    for (const file of ['inputs.csv', 'both.csv']) {
      const run = await wasmlp(['predict', 'lib.json', file], dir);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('the model has no column names: inputs are the first 3 columns ("p", "q", "r")');
      const rows = parseCsv(run.stdout);
      expect(rows[0]).toEqual([file === 'both.csv' ? 't' : 'output']);
      expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(expected);
    }
  });

  it('evaluate: inputs then targets; the loss is the library\'s', async () => {
    const doc = json(await wasmlp(['evaluate', 'lib.json', 'both.csv', '--json'], dir));
    expect(doc).toMatchObject({ ok: true, task: 'regression', rows: 30 });
    expect(doc.loss).toBe(expectedLoss);
    expect(doc.targets[0].column).toBe('t');
  });

  it('gradcheck works too', async () => {
    const doc = json(await wasmlp(['gradcheck', 'lib.json', 'both.csv', '--json'], dir));
    expect(doc).toMatchObject({ ok: true, passed: true, checked: 3 * 5 + 5 + 5 + 1 });
  });

  it('a column count that does not fit is an error saying what was expected', async () => {
    const run = await wasmlp(['predict', 'lib.json', 'wrong.csv'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('wrong.csv: the model has no column names (saved by model.toJSON()), so the CSV\'s columns are taken in order: expected 3 columns (the model\'s inputs), or 4 (the inputs, then 1 target column, ignored); the header (line 1) has 2: "p", "q"');
    const ev = await wasmlp(['evaluate', 'lib.json', 'inputs.csv'], dir);
    expect(ev.code).toBe(1);
    expect(ev.stderr).toContain('expected 4 columns (the model\'s 3 inputs, then 1 target column)');
    expect(readFileSync(join(dir, 'lib.json'), 'utf8')).not.toContain('"cli"');
  });
});
