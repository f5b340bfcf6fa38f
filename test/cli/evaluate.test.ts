// `wasmlp evaluate` prints and --json's the numbers of the library's own `model.evaluate` (issue 12,
// item 2): for a classification the accuracy, the confusion matrix, per-class precision, recall, F1
// and support with macro and weighted averages; for a regression MSE, MAE and R² per target, in the
// targets' units, and their averages. `evaluation` in the JSON is exactly what model.evaluate returns
// for the same model and data in code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/index.js';
import { readCsv } from '../../src/csv/index.js';
import { cleanup, json, parseCsv, scratch, wasmlp } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/sklearn/', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = scratch();
  for (const [data, out, extra] of [['wine', 'wine.json', []], ['wine', 'bce.json', ['--loss', 'bce']], ['diabetes', 'diabetes.json', []]] as const) {
    const run = await wasmlp(['train', `${FIXTURES}${data}.train.csv`, '--target', 'y', '--epochs', '5', '--layers', '8', ...extra, '--no-plot', '--out', out], dir);
    expect(run.code, run.stderr).toBe(0);
  }
});
afterAll(cleanup);

/**
 * `wasmlp evaluate --json` of the model on a test split, and model.evaluate in code on the same split
 * (read by the library's readCsv): the document's `evaluation` must be what model.evaluate returned.
 */
async function bothWays(modelFile: string, data: string) {
  const run = await wasmlp(['evaluate', modelFile, `${FIXTURES}${data}.test.csv`, '--json'], dir);
  expect(run.code, run.stderr).toBe(0);
  const doc = json(run);
  const model = await loadModel(readFileSync(join(dir, modelFile), 'utf8'));
  const csv = await readCsv(`${FIXTURES}${data}.test.csv`, { target: 'y', inputs: model.names.inputs! });
  const expected = model.evaluate({ data: csv.X, rows: csv.rows }, csv.Y ?? (csv.y as string[]));
  model.dispose();
  expect(doc.evaluation).toEqual(JSON.parse(JSON.stringify(expected)));
  return { doc, expected };
}

describe('evaluate is model.evaluate', () => {
  it('a classification: --json equals model.evaluate on the same data, and the text shows every score', async () => {
    const { doc, expected } = await bothWays('wine.json', 'wine');
    if (expected.task !== 'classification') throw new Error('expected a classification');
    expect(doc).toMatchObject({
      task: 'classification', rows: 45, loss: expected.loss, accuracy: expected.accuracy, correct: expected.correct, confusion: expected.confusion,
      labels: ['class_0', 'class_1', 'class_2'], precision: expected.precision, recall: expected.recall, f1: expected.f1, support: expected.support,
      macro: expected.macro, weighted: expected.weighted,
    });
    const text = (await wasmlp(['evaluate', 'wine.json', `${FIXTURES}wine.test.csv`], dir)).stdout;
    expect(text).toContain(`accuracy  ${(100 * expected.accuracy).toFixed(2)}% (${expected.correct} of 45)`);
    expect(text).toMatch(/class\s+precision\s+recall\s+F1\s+support/);
    expect(text).toMatch(new RegExp(`class_1\\s+${expected.precision[1].toFixed(4)}\\s+${expected.recall[1].toFixed(4)}\\s+${expected.f1[1].toFixed(4)}\\s+${expected.support[1]}\\n`));
    expect(text).toMatch(new RegExp(`macro avg\\s+${expected.macro.precision.toFixed(4)}\\s+${expected.macro.recall.toFixed(4)}\\s+${expected.macro.f1.toFixed(4)}\\s+45\\n`));
    expect(text).toMatch(new RegExp(`weighted avg\\s+${expected.weighted.precision.toFixed(4)}\\s+${expected.weighted.recall.toFixed(4)}\\s+${expected.weighted.f1.toFixed(4)}\\s+45`));
  });

  it('a regression: --json equals model.evaluate; per target and average MSE, MAE and R² in target units', async () => {
    const { doc, expected } = await bothWays('diabetes.json', 'diabetes');
    if (expected.task !== 'regression') throw new Error('expected a regression');
    expect(expected.targets).toEqual(['y']);
    expect(doc.targets).toEqual([{ column: 'y', mse: expected.mse[0], mae: expected.mae[0], r2: expected.r2[0] }]);
    expect(doc).toMatchObject({ mse: expected.average.mse, mae: expected.average.mae, r2: expected.average.r2, lossInTargetUnits: expected.average.mse });
    const text = (await wasmlp(['evaluate', 'diabetes.json', `${FIXTURES}diabetes.test.csv`], dir)).stdout;
    expect(text).toMatch(/target\s+R²\s+MSE\s+MAE\n\s+y\s+/);
  });

  it('a classification by one sigmoid per class (bce), which the library does not call a classifier, is scored the same way', async () => {
    const run = await wasmlp(['evaluate', 'bce.json', `${FIXTURES}wine.test.csv`, '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run);
    const predicted = parseCsv((await wasmlp(['predict', 'bce.json', `${FIXTURES}wine.test.csv`], dir)).stdout).slice(1).map((r) => r[0]);
    const truth = parseCsv(readFileSync(`${FIXTURES}wine.test.csv`, 'utf8')).slice(1).map((r) => r[r.length - 1]);
    const correct = predicted.filter((p, i) => p === truth[i]).length;
    expect(doc.evaluation).toMatchObject({ task: 'classification', classes: ['class_0', 'class_1', 'class_2'], rows: 45, correct, accuracy: correct / 45 });
    expect(doc.evaluation.support).toEqual(['class_0', 'class_1', 'class_2'].map((c) => truth.filter((t) => t === c).length));
  });
});
