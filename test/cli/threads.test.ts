// wasmlp train --threads: the count is used and reported, and the trained model is the same bytes for
// any count (the library's guarantee, seen from the command line).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, json, scratch, wasmlp } from './helpers.js';

let dir: string;

beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
});
afterAll(cleanup);

/** The saved parameters of a model file (the weights, whatever the file's other fields say). */
const savedParams = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8')).params;

describe('wasmlp train --threads', () => {
  it('reports the count in the summary and in --json, and gives the same model for 1 and 3', async () => {
    const common = ['train', 'iris.csv', '--target', 'species', '--layers', '64,64', '--epochs', '20', '--no-plot'];
    const one = await wasmlp([...common, '--threads', '1', '--out', 'one.json', '--json'], dir);
    expect(one.code).toBe(0);
    expect(json(one).threads).toBe(1);
    const three = await wasmlp([...common, '--threads', '3', '--out', 'three.json'], dir);
    expect(three.code).toBe(0);
    expect(three.stdout).toMatch(/samples\/s \(wasm, 3 threads\)/);
    expect(savedParams('three.json')).toEqual(savedParams('one.json'));
  });

  it('a bad count exits 1 and says what is expected', async () => {
    for (const bad of ['0', '65', '1.5', 'many']) {
      const run = await wasmlp(['train', 'iris.csv', '--target', 'species', '--threads', bad], dir);
      expect(run.code, bad).toBe(1);
      expect(run.stderr).toContain('expected "auto" or an integer from 1 to 64');
    }
  });
});
