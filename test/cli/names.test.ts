// The CLI and the API use the same names and say where their defaults differ (issue 11, item 10):
// --normalize takes the library's spellings too; the learning rate's default is the library's; --help
// says that the validation split is a random sample (the library's takes the last rows).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, json, scratch, wasmlp } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = scratch();
  const rows = ['a,b,y'];
  for (let i = 0; i < 50; i++) rows.push(`${Math.sin(i)},${Math.cos(i)},${10 + 3 * Math.sin(i)}`);
  writeFileSync(join(dir, 'reg.csv'), `${rows.join('\n')}\n`);
});
afterAll(cleanup);

describe('scaling names', () => {
  it.each([['standard', 'standardize'], ['minmax', 'minMax']])('--normalize %s and %s train the same model', async (short, library) => {
    const models = [];
    for (const [i, name] of [short, library].entries()) {
      const run = await wasmlp(['train', 'reg.csv', '--target', 'y', '--epochs', '3', '--normalize', name, '--normalize-targets', name, '--no-plot', '--out', `${name}${i}.json`], dir);
      expect(run.code, run.stderr).toBe(0);
      models.push(JSON.parse(readFileSync(join(dir, `${name}${i}.json`), 'utf8')));
    }
    expect(models[1].params).toBe(models[0].params);
    expect(models[1].scalers).toEqual(models[0].scalers);
    expect(models[0].scalers.inputs.kind).toBe(library);
    expect(models[1].cli.training.normalize).toEqual({ inputs: library, targets: library });
  });

  it('an unknown spelling lists all of them', async () => {
    const run = await wasmlp(['train', 'reg.csv', '--target', 'y', '--normalize', 'zscore'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Allowed choices are standard, standardize, minmax, minMax, none');
  });
});

describe('the defaults, said in --help', () => {
  it('--help: the learning rate, and the validation split being a random sample', async () => {
    const help = (await wasmlp(['train', '--help'], dir)).stdout.replace(/\s+/g, ' ');
    expect(help).toContain("learning rate (default: the library's and scikit-learn's: 0.001 for adam, 0.01 for sgd and momentum)");
    expect(help).toContain("a seeded random sample, as the CSV may be sorted (the library's validationSplit takes the last rows)");
  });

  it('the learning rate used is the library\'s, 0.001 for adam and 0.01 for sgd and momentum, and reported', async () => {
    for (const [optimizer, rate] of [['adam', 0.001], ['sgd', 0.01], ['momentum', 0.01]] as const) {
      const doc = json(await wasmlp(['train', 'reg.csv', '--target', 'y', '--epochs', '1', '--optimizer', optimizer, '--no-plot', '--out', 'lr.json', '--json'], dir));
      expect(doc.learningRate).toBe(rate);
      expect(JSON.parse(readFileSync(join(dir, 'lr.json'), 'utf8')).cli.training.learningRate).toBe(rate);
    }
  });
});
