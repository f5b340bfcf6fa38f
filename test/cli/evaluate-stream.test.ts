// `wasmlp evaluate --stream`: the data read a chunk of rows at a time (model.evaluateStream) give the
// output `wasmlp evaluate` gives, text and JSON, byte for byte, on files of several chunks (8192 rows
// each): a regression of two targets with scalers on inputs and targets (its loss in target units
// too), a classifier, and a classification by one sigmoid output per class (bce), which the library
// does not call a classifier.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, type Model } from '../../src/index.js';
import { cleanup, irisWithModel, scratch, wasmlp } from './helpers.js';

let dir: string;
const ROWS = 20_000;

/** Rows of a, b, c and targets y1, y2: CRLF, some cells quoted. */
function data(rows: number): { text: string; X: number[]; Y: number[] } {
  const lines = ['a,b,c,y1,y2'];
  const X: number[] = [], Y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row = [Math.sin(i).toFixed(5), Math.cos(3 * i).toFixed(4), `${(i % 13) - 6}`, (10 * Math.sin(2 * i) + 50).toFixed(3), `${i % 3}`];
    lines.push([i % 9 === 0 ? `"${row[0]}"` : row[0], ...row.slice(1)].join(','));
    X.push(...row.slice(0, 3).map(Number));
    Y.push(...row.slice(3).map(Number));
  }
  return { text: `${lines.join('\r\n')}\r\n`, X, Y };
}

/** A library model with the CLI's names saved as `file` in the scratch folder. */
function save(file: string, model: Model, cli: object): void {
  writeFileSync(join(dir, file), JSON.stringify({ ...model.toJSON({ training: false }), cli }));
  model.dispose();
}

beforeAll(async () => {
  dir = scratch();
  const { text, X, Y } = data(ROWS);
  writeFileSync(join(dir, 'data.csv'), text);
  const reg = await createModel({ inputs: 3, layers: [{ units: 8, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 7 });
  reg.setNormalization(Float64Array.from(X), Float64Array.from(Y), { inputs: 'standardize', targets: 'standardize' });
  save('reg.json', reg, { version: 1, inputs: ['a', 'b', 'c'], targets: ['y1', 'y2'], task: 'regression', labels: null, training: null });
  await irisWithModel(dir);
  const bce = await createModel({ inputs: 4, layers: [{ units: 6, activation: 'tanh' }, { units: 3, activation: 'sigmoid' }], loss: 'bce', seed: 3 });
  const irisCli = { version: 1, inputs: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], targets: ['species'], task: 'classification', labels: ['setosa', 'versicolor', 'virginica'], training: null };
  save('sigmoids.json', bce, irisCli);
  // iris repeated past two chunks: 150 rows × 120
  const [header, ...rows] = readFileSync(join(dir, 'iris.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'iris-big.csv'), `${[header, ...Array.from({ length: 120 }, () => rows).flat()].join('\n')}\n`);
}, 120_000);
afterAll(cleanup);

describe('evaluate --stream', () => {
  const cases = [['a regression of two targets, scaled', 'reg.json', 'data.csv', 'in target units'], ['a classifier', 'iris.json', 'iris-big.csv', 'accuracy'], ['a classification by sigmoids (bce)', 'sigmoids.json', 'iris-big.csv', 'accuracy']] as const;
  for (const [what, model, file, shown] of cases) {
    it(`${what}: the output of evaluate, text and JSON`, async () => {
      for (const format of [[], ['--json']]) {
        const whole = await wasmlp(['evaluate', model, file, ...format], dir);
        expect(whole.code, whole.stderr).toBe(0);
        const streamed = await wasmlp(['evaluate', model, file, '--stream', ...format], dir);
        expect(streamed.code, streamed.stderr).toBe(0);
        expect(streamed.stdout).toBe(whole.stdout);
      }
      const text = (await wasmlp(['evaluate', model, file, '--stream'], dir)).stdout;
      expect(text).toContain(shown);
      expect(text).toMatch(/: (20,000|18,000) rows/);
    }, 120_000);
  }

  it('a fault in the data: the error of evaluate, naming the line', async () => {
    const lines = readFileSync(join(dir, 'data.csv'), 'utf8').split('\r\n');
    lines[12_345] += ',1';
    writeFileSync(join(dir, 'ragged.csv'), lines.join('\r\n'));
    const whole = await wasmlp(['evaluate', 'reg.json', 'ragged.csv'], dir);
    const streamed = await wasmlp(['evaluate', 'reg.json', 'ragged.csv', '--stream'], dir);
    expect(whole.code).toBe(1);
    expect(streamed.code).toBe(1);
    expect(streamed.stderr).toContain('line 12346');
    expect(streamed.stderr).toBe(whole.stderr);
  }, 60_000);
});
