// Reproducible files (issue 12, item 4): the same `wasmlp train` run writes the same bytes. How long
// training took, how fast and when are on the console and in --json, not in the file (older files
// that have them are still read: test/cli/model-file.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, json, scratch, wasmlp } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
  const rows = ['a,b,y'];
  for (let i = 0; i < 80; i++) rows.push(`${Math.sin(i)},${Math.cos(3 * i)},${Math.sin(i) * 4 + Math.cos(3 * i)}`);
  writeFileSync(join(dir, 'reg.csv'), `${rows.join('\n')}\n`);
});
afterAll(cleanup);

describe('two identical train runs', () => {
  it.each([
    ['a classification', ['iris.csv', '--target', 'species', '--epochs', '40']],
    ['a regression with a validation split, early stopping and a schedule', ['reg.csv', '--target', 'y', '--epochs', '60', '--patience', '3', '--schedule', 'cosine:20:0.0001']],
  ])('%s: byte-identical model files', async (_, args) => {
    const first = await wasmlp(['train', ...args, '--no-plot', '--out', 'one.json', '--json'], dir);
    expect(first.code, first.stderr).toBe(0);
    const second = await wasmlp(['train', ...args, '--no-plot', '--out', 'two.json'], dir);
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(join(dir, 'two.json')).equals(readFileSync(join(dir, 'one.json')))).toBe(true);
    // the time, the rate and the date are reported, not saved
    const doc = json(first);
    expect(doc.timeMs).toBeGreaterThan(0);
    expect(doc.samplesPerSecond).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(doc.trainedAt))).toBe(false);
    expect(second.stdout).toMatch(/time\s+[\d.]+ m?s, [\d,]+ samples\/s/);
    const training = JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8')).cli.training;
    for (const key of ['timeMs', 'samplesPerSecond', 'trainedAt']) expect(training).not.toHaveProperty(key);
  });

  it('a resumed run too', async () => {
    expect((await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '5', '--no-plot', '--out', 'iris.json'], dir)).code).toBe(0);
    for (const out of ['r1.json', 'r2.json']) {
      const run = await wasmlp(['train', 'iris.csv', '--resume', 'iris.json', '--epochs', '5', '--no-plot', '--out', out], dir);
      expect(run.code, run.stderr).toBe(0);
    }
    expect(readFileSync(join(dir, 'r2.json')).equals(readFileSync(join(dir, 'r1.json')))).toBe(true);
  });
});
