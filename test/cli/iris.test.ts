// The whole command-line workflow on Fisher's iris data: example → train (fixed seed) → predict →
// evaluate. Accuracy and the confusion matrix are computed here from the predictions file against
// the species column of the data, independently of `evaluate`, which must then agree.
// Evaluation is on the full file (the 150 rows, training and validation rows included), as the
// issue allows; a second model trained on 120 rows is also scored on the 30 rows it never saw.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, json, listing, parseCsv, scratch, wasmlp } from './helpers.js';

const SPECIES = ['setosa', 'versicolor', 'virginica'];
let dir: string;

beforeAll(() => {
  dir = scratch();
});
afterAll(cleanup);

/** Accuracy and confusion matrix (rows: true, columns: predicted) of predicted against true labels. */
function score(truth: string[], predicted: string[]) {
  const confusion = SPECIES.map(() => SPECIES.map(() => 0));
  let correct = 0;
  truth.forEach((t, i) => {
    confusion[SPECIES.indexOf(t)][SPECIES.indexOf(predicted[i])]++;
    if (t === predicted[i]) correct++;
  });
  return { accuracy: correct / truth.length, correct, confusion };
}

describe('wasmlp on iris', () => {
  it('example iris writes the 150 rows of Fisher\'s data with a header', async () => {
    const run = await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir);
    expect(run.code, run.stderr).toBe(0);
    const rows = parseCsv(readFileSync(join(dir, 'iris.csv'), 'utf8'));
    expect(rows[0]).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species']);
    expect(rows).toHaveLength(151);
    // the first and last rows of the published data set
    expect(rows[1]).toEqual(['5.1', '3.5', '1.4', '0.2', 'setosa']);
    expect(rows[150]).toEqual(['5.9', '3', '5.1', '1.8', 'virginica']);
    for (const s of SPECIES) expect(rows.filter((r) => r[4] === s)).toHaveLength(50);
  });

  it('example iris without --out prints the same CSV on stdout', async () => {
    const run = await wasmlp(['example', 'iris'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(dir, 'iris.csv'), 'utf8'));
  });

  it('train writes the model and its loss curve, and says so', async () => {
    const run = await wasmlp(['train', 'iris.csv', '--target', 'species', '--seed', '42', '--out', 'iris.model.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/classification of "species" \(setosa, versicolor, virginica\)/);
    expect(run.stdout).toMatch(/model\s+iris\.model\.json/);
    expect(run.stdout).toMatch(/plot\s+iris\.model\.loss\.svg/);
    // by default a classification trains on every row until its loss stops falling (scikit-learn's rule)
    expect(run.stdout).toMatch(/epochs\s+\d+ of 1000 \(stop: patience: the training loss fell by less than 0\.0001 for 10 epochs\)/);
    const saved = JSON.parse(readFileSync(join(dir, 'iris.model.json'), 'utf8'));
    expect(saved.format).toBe('wasmlp-model');
    // the names travel with the model: the classes sorted, the inputs in order
    expect(saved.names).toEqual({ inputs: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], classes: SPECIES });
    expect(saved.cli).toMatchObject({ version: 2, task: 'classification', target: 'species' });
    expect(saved.scalers.inputs.kind).toBe('standardize');
    const svg = readFileSync(join(dir, 'iris.model.loss.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('cce loss');
    expect(svg).not.toContain('validation loss'); // no rows held out
    // stderr is a pipe here: plain progress lines, not a bar
    expect(run.stderr).toMatch(/read 150 rows × 5 columns from iris\.csv/);
    expect(run.stderr).not.toContain('\r');
    expect(listing(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('predict and evaluate agree with an independent count and reach ≥ 95 % accuracy', async () => {
    const predicted = await wasmlp(['predict', 'iris.model.json', 'iris.csv', '--out', 'predictions.csv'], dir);
    expect(predicted.code, predicted.stderr).toBe(0);
    const rows = parseCsv(readFileSync(join(dir, 'predictions.csv'), 'utf8'));
    expect(rows[0]).toEqual(['species', 'prob_setosa', 'prob_versicolor', 'prob_virginica']);
    expect(rows).toHaveLength(151);
    const labels = rows.slice(1).map((r) => {
      const p = r.slice(1).map(Number);
      expect(Math.abs(p[0] + p[1] + p[2] - 1)).toBeLessThan(1e-12);
      expect(r[0]).toBe(SPECIES[p.indexOf(Math.max(...p))]);
      return r[0];
    });
    const truth = parseCsv(readFileSync(join(dir, 'iris.csv'), 'utf8')).slice(1).map((r) => r[4]);
    const mine = score(truth, labels);
    expect(mine.accuracy).toBeGreaterThanOrEqual(0.95);

    const evaluated = await wasmlp(['evaluate', 'iris.model.json', 'iris.csv', '--json'], dir);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const report = json(evaluated);
    expect(report.accuracy).toBe(mine.accuracy);
    expect(report.correct).toBe(mine.correct);
    expect(report.labels).toEqual(SPECIES);
    expect(report.confusion).toEqual(mine.confusion);
    expect(report.loss).toBeGreaterThan(0);
    expect(report.loss).toBeLessThan(0.2);

    const text = await wasmlp(['evaluate', 'iris.model.json', 'iris.csv'], dir);
    expect(text.stdout).toContain(`accuracy  ${(100 * mine.accuracy).toFixed(2)}% (${mine.correct} of 150)`);
    expect(text.stdout).toMatch(/true \\ predicted\s+setosa\s+versicolor\s+virginica/);
    expect(text.stdout).toMatch(new RegExp(`setosa\\s+${mine.confusion[0].join('\\s+')}\\n`));
  });

  it('predict prints CSV on stdout without --out, rows in the order of the input', async () => {
    const run = await wasmlp(['predict', 'iris.model.json', 'iris.csv'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(dir, 'predictions.csv'), 'utf8'));
  });

  it('a model trained on 120 rows scores the 30 rows it never saw', async () => {
    const lines = readFileSync(join(dir, 'iris.csv'), 'utf8').trim().split('\n');
    const [header, ...data] = lines;
    writeFileSync(join(dir, 'train.csv'), [header, ...data.filter((_, i) => i % 5 !== 4)].join('\n'));
    // the held-out file has its columns in another order: predict matches them by name
    const reorder = (line: string) => {
      const c = line.split(',');
      return [c[4], c[3], c[2], c[1], c[0]].join(',');
    };
    writeFileSync(join(dir, 'test.csv'), [reorder(header), ...data.filter((_, i) => i % 5 === 4).map(reorder)].join('\n'));
    const trained = await wasmlp(['train', 'train.csv', '--target', 'species', '--out', 'split.json', '--no-plot'], dir);
    expect(trained.code, trained.stderr).toBe(0);
    expect(existsSync(join(dir, 'split.loss.svg'))).toBe(false);
    const run = await wasmlp(['predict', 'split.json', 'test.csv', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const out = json(run);
    const truth = data.filter((_, i) => i % 5 === 4).map((l) => l.split(',')[4]);
    const mine = score(truth, out.predictions.map((p: unknown[]) => p[0]));
    expect(mine.accuracy).toBeGreaterThanOrEqual(0.9); // at most 3 of 30 wrong on unseen flowers
  });
});
