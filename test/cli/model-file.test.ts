// The CLI's own block of a model file, `cli`, is validated as strictly as the rest of the file
// (issue 10, item 12): every fault is a clear message naming the field, exit 1, never a crash
// (exit 3 with a stack trace) and never a model that silently feeds the wrong column. The column
// names are the model's own `names` (checked and checksummed by the library); files of the previous
// CLI kept them in the cli block (version 1), which is still read, with the same checks.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/index.js';
import { cleanup, json, listing, scratch, wasmlp } from './helpers.js';

let dir: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let model: any;
/** The same model as the previous CLI wrote it: no names, and the names in a version 1 cli block. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let legacy: any;
const INPUTS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const SPECIES = ['setosa', 'versicolor', 'virginica'];

beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
  expect((await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '3', '--layers', '8', '--no-plot', '--out', 'model.json'], dir)).code).toBe(0);
  model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const unnamed = await loadModel(model);
  unnamed.setNames({ inputs: null, classes: null });
  const { version: _, task: __, target: ___, ...rest } = model.cli;
  legacy = { ...unnamed.toJSON(), cli: { version: 1, inputs: INPUTS, targets: ['species'], task: 'classification', labels: SPECIES, ...rest } };
  // an older file also recorded times and a date, which are still read
  Object.assign(legacy.cli.training, { timeMs: 12.5, samplesPerSecond: 36000, trainedAt: '2024-01-01T00:00:00.000Z' });
  unnamed.dispose();
  writeFileSync(join(dir, 'legacy.json'), JSON.stringify(legacy));
});
afterAll(cleanup);

/** Writes `base` with `change` applied to a copy of its cli block, and runs every command on it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function rejected(change: (cli: Record<string, unknown>) => unknown, message: RegExp, base: any = model) {
  const copy = structuredClone(base);
  const replaced = change(copy.cli);
  if (replaced !== undefined) copy.cli = replaced;
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(copy));
  for (const args of [['info', 'bad.json'], ['evaluate', 'bad.json', 'iris.csv'], ['predict', 'bad.json', 'iris.csv', '--out', 'p.csv']]) {
    const before = listing(dir);
    const run = await wasmlp(args, dir);
    expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(run.stderr).not.toContain('cli.:');
    expect(listing(dir)).toEqual(before);
  }
}

describe('the cli block of a model file', () => {
  it('holds the task, the column of labels and the training record; the names are the model\'s', () => {
    expect(model.names).toEqual({ inputs: INPUTS, classes: SPECIES });
    expect(Object.keys(model.cli)).toEqual(['version', 'task', 'target', 'training']);
    expect(model.cli).toMatchObject({ version: 2, task: 'classification', target: 'species' });
  });

  it('the label column of the wrong type', async () => {
    await rejected((cli) => {
      cli.target = ['species'];
    }, /bad\.json: cli\.target: expected the column name of the labels \(a classification\), or null, got an array of 1/);
  });

  it('a task that is neither', async () => {
    await rejected((cli) => {
      cli.task = 'ranking';
    }, /bad\.json: cli\.task: expected "classification" or "regression", got "ranking"/);
  });

  it('cli.training of the wrong type', async () => {
    await rejected((cli) => {
      cli.training = 'yesterday';
    }, /bad\.json: cli\.training: expected null or an object \(how the model was trained\), got "yesterday"/);
    await rejected((cli) => {
      (cli.training as Record<string, unknown>).loss = 'low';
    }, /cli\.training\.loss: expected an array of numbers, got "low"/);
    await rejected((cli) => {
      (cli.training as Record<string, unknown>).epochs = -1;
    }, /cli\.training\.epochs: expected a non-negative integer, got -1/);
    await rejected((cli) => {
      (cli.training as Record<string, unknown>).schedule = 7;
    }, /cli\.training\.schedule: expected null or a schedule \(as --schedule takes it\), got 7/);
  });

  it('cli: null names the field properly', async () => {
    // the library's loader or the CLI's own check may be the first to refuse it: either names the field as `cli`
    await rejected(() => null, /bad\.json: (not a valid wasmlp model \()?cli: expected (an|a JSON) object .*got null/);
    await rejected(() => [], /bad\.json: (not a valid wasmlp model \()?cli: expected (an|a JSON) object .*got /);
    const run = await wasmlp(['info', 'model.json'], dir);
    expect(run.code).toBe(0);
  });

  it('an unknown field', async () => {
    await rejected((cli) => {
      cli.colour = 'blue';
    }, /cli\.colour: unknown field; cli holds version, task, target, training/);
  });

  it('a version it does not know', async () => {
    await rejected((cli) => {
      cli.version = 9;
    }, /bad\.json: cli\.version: expected 2 \(or 1, written by earlier versions\), got 9/);
  });

  it('the valid file still works everywhere', async () => {
    for (const args of [['info', 'model.json'], ['evaluate', 'model.json', 'iris.csv']]) expect((await wasmlp(args, dir)).code).toBe(0);
  });
});

describe('a file of the previous CLI (names in a version 1 cli block)', () => {
  it('is read: its names are the model\'s, for every command', async () => {
    const info = json(await wasmlp(['info', 'legacy.json', '--json'], dir));
    expect(info).toMatchObject({ task: 'classification', inputColumns: INPUTS, targetColumns: ['species'], labels: SPECIES });
    expect(info.names).toEqual({ inputs: null, targets: null, classes: null });
    expect((await wasmlp(['info', 'legacy.json'], dir)).stdout).toMatch(/time\s+13 ms, 36,000 samples\/s/);
    const now = json(await wasmlp(['evaluate', 'model.json', 'iris.csv', '--json'], dir));
    const then = json(await wasmlp(['evaluate', 'legacy.json', 'iris.csv', '--json'], dir));
    expect(then).toEqual({ ...now, model: 'legacy.json' });
    const a = await wasmlp(['predict', 'model.json', 'iris.csv'], dir);
    const b = await wasmlp(['predict', 'legacy.json', 'iris.csv'], dir);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('--resume writes it in the new form: the names in the model, no times in the record', async () => {
    const run = await wasmlp(['train', 'iris.csv', '--resume', 'legacy.json', '--epochs', '1', '--no-plot', '--out', 'resumed.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, 'resumed.json'), 'utf8'));
    expect(saved.names).toEqual({ inputs: INPUTS, classes: SPECIES });
    expect(saved.cli).toMatchObject({ version: 2, task: 'classification', target: 'species' });
    expect(Object.keys(saved.cli.training)).not.toContain('timeMs');
    expect(Object.keys(saved.cli.training)).not.toContain('trainedAt');
  });

  it('an input column named twice', async () => {
    await rejected((cli) => {
      (cli.inputs as string[])[3] = 'sepal_length';
    }, /bad\.json: cli\.inputs: names "sepal_length" twice \(entries 1 and 4\)/, legacy);
  });

  it('a label named twice', async () => {
    await rejected((cli) => {
      (cli.labels as string[])[2] = 'setosa';
    }, /bad\.json: cli\.labels: names "setosa" twice/, legacy);
  });

  it('a target that is also an input', async () => {
    await rejected((cli) => {
      cli.targets = ['petal_width'];
    }, /cli\.targets: "petal_width" is also in cli\.inputs/, legacy);
  });

  it('an unknown field', async () => {
    await rejected((cli) => {
      cli.colour = 'blue';
    }, /cli\.colour: unknown field; cli holds version, inputs, targets, task, labels, training/, legacy);
  });
});
