// A network too large for the engine memory is a usage error: exit 1 with a message naming --layers
// and the memory it would need, before any parameter is allocated, and nothing written.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, json, listing, scratch, wasmlp } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = scratch();
  const lines = ['a,b,y'];
  for (let i = 0; i < 50; i++) lines.push(`${Math.sin(i)},${Math.cos(i)},${i % 7}`);
  writeFileSync(join(dir, 'reg.csv'), `${lines.join('\n')}\n`);
});
afterAll(cleanup);

describe('train --layers too large for the engine memory', () => {
  for (const layers of ['1e9', '30000,20000']) {
    it(`--layers ${layers}: exit 1, a usage message, no file`, async () => {
      const before = listing(dir);
      const run = await wasmlp(['train', 'reg.csv', '--target', 'y', '--layers', layers, '--no-plot'], dir);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain(`--layers ${layers === '1e9' ? '1000000000' : layers}:`);
      expect(run.stderr).toMatch(/does not fit in engine memory/);
      expect(run.stderr).toContain('4294967296 bytes');
      expect(run.stderr).toContain('(add --help for usage)');
      expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(listing(dir)).toEqual(before);
    });
  }

  it('--json: the error document with exit code 1', async () => {
    const run = await wasmlp(['train', 'reg.csv', '--target', 'y', '--layers', '1e9', '--no-plot', '--json'], dir);
    expect(run.code).toBe(1);
    const doc = json(run);
    expect(doc.ok).toBe(false);
    expect(doc.error.exitCode).toBe(1);
    expect(doc.error.message).toContain('--layers 1000000000:');
  });
});
