// Defaults that work (issue 12, item 3): `wasmlp train train.csv --target y` with no training flags,
// then `wasmlp evaluate model.json test.csv`, comes within 0.02 of scikit-learn's accuracy, or 0.03 of
// its R², on the test split of data sets the CLI never saw: scikit-learn's own, exported with its
// scores by test/fixtures/sklearn/make_fixtures.py (MLPClassifier / MLPRegressor after a
// StandardScaler, max_iter 2000, random_state 0). Only scores are asserted, never times.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, json, scratch, wasmlp } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/sklearn/', import.meta.url));
const MARGIN = { classification: 0.02, regression: 0.03 };

interface Reference {
  train: string;
  test: string;
  target: string;
  sklearn: { task: 'classification'; accuracy: number } | { task: 'regression'; r2: number };
}
const scores = JSON.parse(readFileSync(`${FIXTURES}scores.json`, 'utf8')) as { datasets: Record<string, Reference> };

const dir = scratch();
afterAll(cleanup);

describe('wasmlp train with no training flags, against scikit-learn\'s defaults', () => {
  it.each(Object.entries(scores.datasets))('%s', async (name, set) => {
    // output flags only: where the model goes, no loss curve, a JSON summary
    const trained = await wasmlp(['train', `${FIXTURES}${set.train}`, '--target', set.target, '--out', `${name}.json`, '--no-plot', '--json'], dir);
    expect(trained.code, trained.stderr).toBe(0);
    const t = json(trained);
    expect(t).toMatchObject({ task: set.sklearn.task, optimizer: 'adam', learningRate: 0.001, patience: 10, epochsRequested: 1000 });
    expect(t.network).toMatch(/ → 100 relu → /);
    // stopped by the loss, not by the bound on epochs
    expect(t.stopReason).toBe('patience');
    const run = await wasmlp(['evaluate', `${name}.json`, `${FIXTURES}${set.test}`, '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const e = json(run);
    const [mine, theirs] = set.sklearn.task === 'classification' ? [e.accuracy, set.sklearn.accuracy] : [e.r2, set.sklearn.r2];
    console.log(`${name}: wasmlp ${mine.toFixed(4)}, scikit-learn ${theirs.toFixed(4)} (${t.epochs} epochs, ${t.trainRows} training rows, ${t.validationRows} validation)`);
    expect(mine).toBeGreaterThanOrEqual(theirs - MARGIN[set.sklearn.task]);
  }, 120_000);
});
