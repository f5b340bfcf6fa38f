// A Node process with threaded models exits by itself: workers never hold it open (Node only).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const big = { inputs: 300, layers: [{ units: 200, activation: 'relu' }, { units: 2, activation: 'identity' }], loss: 'mse' };

describe('workers and the process', () => {
  it('a Node process exits by itself, whether its models were disposed or not', () => {
    const script = `
      import { createModel } from ${JSON.stringify(`${REPO}dist/index.js`)};
      const spec = ${JSON.stringify(big)};
      const X = new Float64Array(64 * 300).fill(0.25), Y = new Float64Array(64 * 2).fill(1);
      const kept = await createModel({ ...spec, threads: 3 });
      kept.fit(X, Y, { epochs: 2, batchSize: 16 });
      const disposed = await createModel({ ...spec, threads: 2 });
      disposed.fit(X, Y, { epochs: 2, batchSize: 16 });
      disposed.dispose();
      console.log('threads', kept.threads, disposed.threads);
    `;
    // the bound only detects a hang (the process would never exit); it measures nothing
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.error, 'the process did not exit by itself').toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('threads 3 2');
    expect(run.status).toBe(0);
  }, 70_000);
});
