// `wasmlp train data.csv --resume model.json` (issue 11, item 7) continues with the saved optimizer
// and shuffler state: N epochs, then N more resumed, give the same bits as 2N epochs in one run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, json, scratch, wasmlp } from './helpers.js';

let dir: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const read = (file: string): any => JSON.parse(readFileSync(join(dir, file), 'utf8'));

beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
  const rows = ['a,b,u,v'];
  for (let i = 0; i < 90; i++) rows.push(`${Math.sin(i)},${Math.cos(2 * i)},${3 * Math.sin(i) + 1},${Math.sin(i) * Math.cos(2 * i)}`);
  writeFileSync(join(dir, 'reg.csv'), `${rows.join('\n')}\n`);
});
afterAll(cleanup);

/** Trains 2N epochs in one run and N + N in two, with the same extra flags, and compares the files. */
async function sameBits(data: string, first: string[], resumed: string[] = []) {
  const N = 7;
  const whole = await wasmlp(['train', data, ...first, '--epochs', String(2 * N), '--out', 'whole.json', '--no-plot'], dir);
  expect(whole.code, whole.stderr).toBe(0);
  const half = await wasmlp(['train', data, ...first, '--epochs', String(N), '--out', 'half.json', '--no-plot'], dir);
  expect(half.code, half.stderr).toBe(0);
  const again = await wasmlp(['train', data, '--resume', 'half.json', '--epochs', String(N), '--out', 'again.json', '--json', ...resumed], dir);
  expect(again.code, again.stderr).toBe(0);
  const doc = json(again);
  expect(doc).toMatchObject({ resumedFrom: 'half.json', epochs: N });
  const a = read('whole.json'), b = read('again.json');
  expect(b.params).toBe(a.params);
  expect(b.training).toEqual(a.training); // optimizer moments, step count and shuffler state
  expect(b.scalers).toEqual(a.scalers);
  expect(b.cli.training.loss).toEqual(a.cli.training.loss);
  expect(b.cli.training.valLoss).toEqual(a.cli.training.valLoss);
  expect(b.cli.training).toMatchObject({ epochs: 2 * N, runs: 2 });
  // and the half-way model really was a different one
  expect(read('half.json').params).not.toBe(a.params);
}

describe('train --resume', () => {
  it('a classification with adam and a validation split: same bits as one run', async () => {
    await sameBits('iris.csv', ['--target', 'species']);
  });

  it('a regression with momentum, weight decay and min-max scaling: same bits as one run', async () => {
    await sameBits('reg.csv', ['--target', 'u,v', '--optimizer', 'momentum', '--lr', '0.05', '--weight-decay', '0.001', '--normalize', 'minmax', '--batch-size', '8']);
  });

  it('the network and its columns come from the file: conflicting flags are refused', async () => {
    for (const [flag, value] of [['--layers', '8'], ['--loss', 'mse'], ['--normalize', 'none'], ['--seed', '7']]) {
      const run = await wasmlp(['train', 'iris.csv', '--resume', 'half.json', flag, value, '--out', 'x.json'], dir);
      expect(run.code, flag).toBe(1);
      expect(run.stderr).toContain(flag);
    }
  });

  it('never writes over the model it resumes', async () => {
    const before = readFileSync(join(dir, 'half.json'), 'utf8');
    const run = await wasmlp(['train', 'iris.csv', '--resume', 'half.json', '--out', 'half.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--out half.json: is the model given to --resume');
    expect(readFileSync(join(dir, 'half.json'), 'utf8')).toBe(before);
  });
});
