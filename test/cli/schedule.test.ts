// `wasmlp train --schedule` (issue 12, item 5): the library's learning-rate schedules from the command
// line, recorded in the training record, shown by `info`, continued by --resume (the model saves
// where its schedule stands); a bad value exits 1 with a message saying what was expected.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, json, scratchWithRegression, wasmlp } from './helpers.js';

let dir: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const read = (file: string): any => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const TRAIN = ['train', 'reg.csv', '--target', 'y', '--lr', '0.01', '--patience', '0', '--no-plot'];

beforeAll(() => {
  dir = scratchWithRegression();
});
afterAll(cleanup);

describe('--schedule', () => {
  it('step:2:0.5 halves the rate every 2 epochs; recorded, and shown by info', async () => {
    const run = await wasmlp([...TRAIN, '--schedule', 'step:2:0.5', '--epochs', '6', '--out', 'step.json', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run);
    expect(doc.schedule).toBe('step:2:0.5');
    expect(doc.learningRateHistory).toEqual([0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025]);
    expect(read('step.json').cli.training.schedule).toBe('step:2:0.5');
    const info = await wasmlp(['info', 'step.json'], dir);
    expect(info.stdout).toMatch(/schedule\s+step:2:0\.5\n/);
    const text = await wasmlp([...TRAIN, '--schedule', 'step:2:0.5', '--epochs', '6', '--out', 'step2.json'], dir);
    expect(text.stdout).toMatch(/updates\s+adam, lr 0\.01 with --schedule step:2:0\.5 \(0\.0025 in the last epoch\), batches of 32/);
  });

  it.each([
    ['exponential:0.5', [0.01, 0.005, 0.0025]],
    ['cosine:4', [0.01, 0.00853553390593, 0.005]],
    ['cosine:2:0.002', [0.01, 0.006, 0.002]],
    ['step:2', [0.01, 0.01, 0.001]],
  ])('%s', async (schedule, rates) => {
    const doc = json(await wasmlp([...TRAIN, '--schedule', schedule, '--epochs', '3', '--out', 's.json', '--json'], dir));
    expect(doc.learningRateHistory.map((r: number) => Number(r.toPrecision(12)))).toEqual(rates);
  });

  it('a cosine down to 0 within --epochs is refused before training, in flags', async () => {
    const run = await wasmlp([...TRAIN, '--schedule', 'cosine:2', '--epochs', '3', '--out', 'c.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--schedule: the cosine schedule's rate is not a positive finite number by epoch 2 of the schedule; fewer --epochs, or a gamma or min that keeps it above 0");
  });

  it('plateau[:factor[:patience]] watches the validation loss', async () => {
    for (const schedule of ['plateau', 'plateau:0.5', 'plateau:0.5:2']) {
      const run = await wasmlp([...TRAIN, '--schedule', schedule, '--epochs', '3', '--out', 'p.json', '--json'], dir);
      expect(run.code, run.stderr).toBe(0);
      expect(json(run)).toMatchObject({ schedule, validationRows: 12 });
    }
  });

  it('--resume continues the schedule where it stood: 3 + 3 epochs give the bits of 6', async () => {
    const flags = [...TRAIN, '--schedule', 'step:2:0.5'];
    expect((await wasmlp([...flags, '--epochs', '6', '--out', 'whole.json'], dir)).code).toBe(0);
    expect((await wasmlp([...flags, '--epochs', '3', '--out', 'half.json'], dir)).code).toBe(0);
    const run = await wasmlp(['train', 'reg.csv', '--resume', 'half.json', '--epochs', '3', '--no-plot', '--out', 'again.json', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run);
    expect(doc.schedule).toBe('step:2:0.5');
    expect(doc.learningRateHistory).toEqual([0.005, 0.0025, 0.0025]);
    const whole = read('whole.json'), again = read('again.json');
    expect(again.params).toBe(whole.params);
    expect(again.training).toEqual(whole.training); // the schedule's state included
    expect(again.training.schedule).toMatchObject({ epoch: 6, lr: 0.00125 });
    // --schedule none: a constant rate from there
    const none = json(await wasmlp(['train', 'reg.csv', '--resume', 'half.json', '--schedule', 'none', '--epochs', '2', '--no-plot', '--out', 'flat.json', '--json'], dir));
    expect(none).toMatchObject({ schedule: null, learningRateHistory: null });
    expect(read('flat.json').cli.training.schedule).toBeNull();
  });

  it.each([
    ['linear:3', 'expected step:EVERY[:GAMMA], exponential:GAMMA, cosine:T[:MIN] or plateau[:FACTOR[:PATIENCE]] (e.g. step:10:0.5), or none'],
    ['step', 'step takes 1 or 2 values'],
    ['exponential', 'exponential takes 1 value'],
    ['plateau:0.5:2:1', 'plateau takes up to 2 values'],
    ['step:0', 'step: every: expected a positive integer (epochs), got 0'],
    ['step:2:-1', 'step: gamma: expected a number > 0, got -1'],
    ['cosine:2.5', 'cosine: epochs: expected a positive integer (T, the epochs of the half cosine), got 2.5'],
    ['plateau:2', 'plateau: factor: expected a number in (0, 1), got 2'],
    ['exponential:fast', 'exponential: gamma: expected a number, got "fast"'],
  ])('--schedule %s exits 1 saying what was expected', async (value, message) => {
    const run = await wasmlp([...TRAIN, '--schedule', value, '--epochs', '1', '--out', 'bad.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`option '--schedule <spec>' argument '${value}' is invalid. ${message}`);
  });
});
