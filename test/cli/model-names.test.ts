// Names travel with the model (issue 12, item 1): a model named in code (setNames, or the spec's
// inputNames / targetNames / classes) is used by column name on the command line, and a model the
// command line trained is used from code with the same names, its classes its labels.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, loadModel, readONNXMetadata, toONNX } from '../../src/index.js';
import { cleanup, json, parseCsv, scratch, wasmlp } from './helpers.js';

let dir: string;
const X: number[][] = [];
const T: number[] = [];
const K: number[] = [];

beforeAll(() => {
  dir = scratch();
  for (let i = 0; i < 60; i++) {
    const row = [Math.sin(i), Math.cos(1.7 * i), (i % 7) / 7];
    X.push(row);
    T.push(2 * row[0] - row[1] + 0.5 * row[2]);
    K.push(row[0] > 0.3 ? 2 : row[0] > -0.3 ? 1 : 0);
  }
  // the columns in another order than the model's inputs, and one it does not use
  const lines = ['id,r,t,q,label,p'];
  X.forEach((x, i) => lines.push([`row${i}`, x[2], T[i], x[1], K[i], x[0]].join(',')));
  writeFileSync(join(dir, 'data.csv'), `${lines.join('\n')}\n`);
});
afterAll(cleanup);

describe('a model named in code, on the command line', () => {
  it('a regressor: predict and evaluate find its columns by name', async () => {
    const model = await createModel({ inputs: 3, layers: [{ units: 6, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 3 });
    model.fit(X, T.map((t) => [t]), { epochs: 30, learningRate: 0.05 });
    model.setNames({ inputs: ['p', 'q', 'r'], targets: ['t'] });
    writeFileSync(join(dir, 'reg.json'), JSON.stringify(model.toJSON()));
    const expected = model.predict(X).map((r) => r[0]);
    const loss = model.loss(X, T.map((t) => [t]));
    model.dispose();

    const run = await wasmlp(['predict', 'reg.json', 'data.csv'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(''); // no note: nothing taken by position
    const rows = parseCsv(run.stdout);
    expect(rows[0]).toEqual(['t']);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(expected);
    const doc = json(await wasmlp(['evaluate', 'reg.json', 'data.csv', '--json'], dir));
    expect(doc).toMatchObject({ task: 'regression', rows: 60, loss });
    expect(doc.targets[0].column).toBe('t');
    const info = json(await wasmlp(['info', 'reg.json', '--json'], dir));
    expect(info).toMatchObject({ task: 'regression', inputColumns: ['p', 'q', 'r'], targetColumns: ['t'], labels: null, training: null });
  });

  it('a classifier with numeric classes: its labels are the CSV\'s; an unnamed label column is the one left', async () => {
    const model = await createModel({ inputs: 3, layers: [{ units: 8, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cce', seed: 5, inputNames: ['p', 'q', 'r'], classes: [0, 1, 2] });
    model.fit(X, K, { epochs: 40, learningRate: 0.05, optimizer: 'adam' });
    writeFileSync(join(dir, 'cls.json'), JSON.stringify(model.toJSON()));
    const classes = model.predictClasses(X);
    const evaluation = model.evaluate(X, K);
    model.dispose();
    // only the inputs are named: the label column is the CSV's one other column, so `id` goes
    const lines = readFileSync(join(dir, 'data.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').slice(1).filter((_, i) => i !== 1).join(','));
    writeFileSync(join(dir, 'labelled.csv'), `${lines.join('\n')}\n`);

    const run = await wasmlp(['predict', 'cls.json', 'labelled.csv'], dir);
    expect(run.code, run.stderr).toBe(0);
    const rows = parseCsv(run.stdout);
    expect(rows[0]).toEqual(['class', 'prob_0', 'prob_1', 'prob_2']);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(classes);
    const ev = await wasmlp(['evaluate', 'cls.json', 'labelled.csv', '--json'], dir);
    expect(ev.code, ev.stderr).toBe(0);
    expect(json(ev).evaluation).toEqual(evaluation);
    expect((await wasmlp(['evaluate', 'cls.json', 'labelled.csv'], dir)).stderr).toContain('the model does not name its column of labels: it is "label", the column besides the inputs');
    expect(json(ev).labels).toEqual(['0', '1', '2']);
    // with another column besides the inputs, which one holds the labels cannot be told
    const bad = await wasmlp(['evaluate', 'cls.json', 'data.csv'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('data.csv: the model names its inputs but not its column of labels, so it is the CSV\'s column besides the inputs: expected 1, the header (line 1) has 3: "id", "t", "label"');
  });

  it('a target that is also an input is refused, naming both lists', async () => {
    const model = await createModel({ inputs: 3, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', inputNames: ['p', 'q', 'r'], targetNames: ['q'] });
    writeFileSync(join(dir, 'both.json'), JSON.stringify(model.toJSON()));
    model.dispose();
    const run = await wasmlp(['predict', 'both.json', 'data.csv'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('both.json: names.targets: "q" is also in names.inputs; a column is an input or a target, not both');
  });
});

describe('a model the command line trained, in code', () => {
  it('has the CSV\'s names; its classes are the labels, in the order of its outputs', async () => {
    const run = await wasmlp(['train', 'data.csv', '--target', 'label', '--ignore', 'id,t', '--classes', '--epochs', '20', '--layers', '8', '--no-plot', '--out', 'cli.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const model = await loadModel(readFileSync(join(dir, 'cli.json'), 'utf8'));
    expect(model.names).toEqual({ inputs: ['r', 'q', 'p'], targets: null, classes: [0, 1, 2] });
    const inputs = X.map((x) => [x[2], x[1], x[0]]);
    const predicted = parseCsv((await wasmlp(['predict', 'cli.json', 'data.csv'], dir)).stdout).slice(1).map((r) => Number(r[0]));
    expect(model.predictClasses(inputs)).toEqual(predicted);
    const doc = json(await wasmlp(['evaluate', 'cli.json', 'data.csv', '--json'], dir));
    expect(model.evaluate(inputs, K)).toEqual(doc.evaluation);
    // toONNX from code carries the names and the column of labels the cli block keeps
    const meta = readONNXMetadata(toONNX(model));
    expect(JSON.parse(meta['wasmlp.names'])).toEqual({ inputs: ['r', 'q', 'p'], classes: [0, 1, 2] });
    expect(JSON.parse(meta['wasmlp.columns.targets'])).toEqual(['label']);
    model.dispose();

    const reg = await wasmlp(['train', 'data.csv', '--target', 't', '--ignore', 'id,label', '--epochs', '3', '--no-plot', '--out', 'reg-cli.json'], dir);
    expect(reg.code, reg.stderr).toBe(0);
    const regressor = await loadModel(readFileSync(join(dir, 'reg-cli.json'), 'utf8'));
    expect(regressor.names).toEqual({ inputs: ['r', 'q', 'p'], targets: ['t'], classes: null });
    regressor.dispose();
  });
});
