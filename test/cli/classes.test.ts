// Integer class labels (issue 11, item 3): --classes, --loss cce|bce and --output-activation softmax
// each mean a classification; a numeric target of few distinct integers trains the regression asked
// for but says once how to get a classification; errors speak in CLI flags.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, SpecError } from '../../src/index.js';
import { cleanup, json, scratch, wasmlp } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = scratch();
  // three classes 0, 1, 2 by the sign pattern of two inputs, 60 rows
  const rows = ['a,b,digit'];
  for (let i = 0; i < 60; i++) {
    const a = Math.sin(1.3 * i), b = Math.cos(0.7 * i);
    rows.push(`${a},${b},${a > 0 ? (b > 0 ? 2 : 1) : 0}`);
  }
  writeFileSync(join(dir, 'digits.csv'), `${rows.join('\n')}\n`);
});
afterAll(cleanup);

const TRAIN = ['train', 'digits.csv', '--target', 'digit', '--epochs', '2', '--no-plot', '--out', 'm.json', '--json'];

describe('integer class labels', () => {
  it('without a flag: a regression, and one note saying how to get a classification', async () => {
    const run = await wasmlp(['train', 'digits.csv', '--target', 'digit', '--epochs', '2', '--no-plot', '--out', 'm.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('regression of "digit"');
    const notes = run.stderr.split('\n').filter((l) => l.includes('--classes'));
    expect(notes).toEqual(['note: "digit" holds 3 distinct integers (0, 1, 2): training a regression, as for any numeric target; to treat them as class labels, add --classes (or --loss cce)']);
    expect(json(await wasmlp(TRAIN, dir)).hints).toHaveLength(1);
  });

  it('no note for a numeric target with many values or fractions', async () => {
    writeFileSync(join(dir, 'many.csv'), `x,y\n${Array.from({ length: 40 }, (_, i) => `${i},${i % 13}`).join('\n')}\n`);
    writeFileSync(join(dir, 'frac.csv'), `x,y\n${Array.from({ length: 40 }, (_, i) => `${i},${(i % 3) / 2}`).join('\n')}\n`);
    for (const file of ['many.csv', 'frac.csv']) {
      const run = await wasmlp(['train', file, '--target', 'y', '--epochs', '1', '--no-plot', '--out', 'n.json'], dir);
      expect(run.code).toBe(0);
      expect(run.stderr).not.toContain('--classes');
    }
  });

  it.each([
    [['--classes'], 'softmax', 'cce'],
    [['--loss', 'cce'], 'softmax', 'cce'],
    [['--output-activation', 'softmax'], 'softmax', 'cce'],
    [['--loss', 'bce'], 'sigmoid', 'bce'],
  ])('%j makes a classification of the labels 0, 1, 2', async (flags, activation, loss) => {
    const run = await wasmlp([...TRAIN, ...flags], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ task: 'classification', labels: ['0', '1', '2'], network: `2 → 100 relu → 3 ${activation}`, lossFunction: loss, hints: [] });
    // the labels travel with the model: a classifier's classes, as numbers (they are written as such);
    // bce over a sigmoid per class is not a classifier to the library: its outputs are named by label
    const saved = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    expect(saved.names).toEqual(loss === 'cce' ? { inputs: ['a', 'b'], classes: [0, 1, 2] } : { inputs: ['a', 'b'], targets: ['0', '1', '2'] });
    expect(saved.cli).toMatchObject({ version: 2, task: 'classification', target: 'digit' });
  });

  it('errors about the loss and the output speak in CLI flags', async () => {
    const run = await wasmlp(['train', 'digits.csv', '--target', 'digit', '--loss', 'cce', '--output-activation', 'identity', '--out', 'x.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--loss cce needs --output-activation softmax (it is computed from the logit), not --output-activation identity');
    expect(run.stderr).not.toMatch(/plainLoss|layers\[|a identity/);
    const two = await wasmlp(['train', 'digits.csv', '--target', 'a,digit', '--loss', 'cce', '--out', 'x.json'], dir);
    expect(two.code).toBe(1);
    expect(two.stderr).toContain('--loss cce makes a classification, which takes exactly one target column; --target gives 2');
  });

  it('--patience without validation rows watches the training loss, which must fall by more than --tol', async () => {
    const run = await wasmlp(['train', 'digits.csv', '--target', 'digit', '--classes', '--validation-split', '0', '--patience', '3', '--tol', '0.5', '--no-plot', '--out', 'x.json', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run);
    // the loss starts near ln 3 ≈ 1.1 and cannot fall by 0.5 per epoch: the first epoch sets the
    // best loss, the 3 after it are epochs without an improvement
    expect(doc).toMatchObject({ stopReason: 'patience', epochs: 4, bestEpoch: null, validationRows: 0, patience: 3, tol: 0.5 });
    expect(JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8')).cli.training).toMatchObject({ patience: 3, tol: 0.5, stopReason: 'patience' });
    expect((await wasmlp(['info', 'x.json'], dir)).stdout).toMatch(/stopping\s+patience 3 on the training loss, tol 0\.5\n/);
  });

  it('the library says "an identity output", not "a identity"', async () => {
    const spec = { inputs: 1, layers: [{ units: 2, activation: 'identity' as const }], loss: 'cce' as const };
    await expect(createModel(spec)).rejects.toThrow(SpecError);
    await expect(createModel(spec)).rejects.toThrow(/to an identity output/);
    await expect(createModel({ ...spec, loss: 'bce' })).rejects.toThrow(/to an identity output/);
    await expect(createModel({ ...spec, layers: [{ units: 2, activation: 'tanh' }] })).rejects.toThrow(/to a tanh output/);
  });
});
