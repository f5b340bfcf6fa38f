// The CLI's own block of a model file, `cli`, is validated as strictly as the rest of the file
// (issue 10, item 12): every fault is a clear message naming the field, exit 1, never a crash
// (exit 3 with a stack trace) and never a model that silently feeds the wrong column.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, listing, scratch, wasmlp } from './helpers.js';

let dir: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let model: any;

beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
  expect((await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '3', '--no-plot', '--out', 'model.json'], dir)).code).toBe(0);
  model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
});
afterAll(cleanup);

/** Writes the model with `change` applied to a copy of its cli block, and runs every command on it. */
async function rejected(change: (cli: Record<string, unknown>) => unknown, message: RegExp) {
  const copy = structuredClone(model);
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
  it('an input column named twice', async () => {
    await rejected((cli) => {
      (cli.inputs as string[])[3] = 'sepal_length';
    }, /bad\.json: cli\.inputs: names "sepal_length" twice \(entries 1 and 4\)/);
  });

  it('a label named twice', async () => {
    await rejected((cli) => {
      (cli.labels as string[])[2] = 'setosa';
    }, /bad\.json: cli\.labels: names "setosa" twice/);
  });

  it('a target that is also an input', async () => {
    await rejected((cli) => {
      cli.targets = ['petal_width'];
    }, /cli\.targets: "petal_width" is also in cli\.inputs/);
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
    }, /cli\.colour: unknown field; cli holds version, inputs, targets, task, labels, training/);
  });

  it('the valid file still works everywhere', async () => {
    for (const args of [['info', 'model.json'], ['evaluate', 'model.json', 'iris.csv']]) expect((await wasmlp(args, dir)).code).toBe(0);
  });
});
