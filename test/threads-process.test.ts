// A Node process with threaded models exits by itself: workers never hold it open (Node only).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));
/** Runs `source` as a module file of its own (as a user's script runs), with the given Node flags. */
function runScript(source: string, flags: string[] = []): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wasmlp-threads-'));
  try {
    const file = join(dir, 'script.mjs');
    writeFileSync(file, source);
    // the bound only detects a hang (the process would never exit); it measures nothing
    return spawnSync(process.execPath, [...flags, file], { encoding: 'utf8', timeout: 60_000 }) as ReturnType<typeof spawnSync> & { stdout: string; stderr: string };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
    const run = runScript(script);
    expect(run.error, 'the process did not exit by itself').toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('threads 3 2');
    expect(run.status).toBe(0);
  }, 70_000);

  it('a Node process that never disposes its only model exits by itself', () => {
    const script = `
      import { createModel } from ${JSON.stringify(`${REPO}dist/index.js`)};
      const model = await createModel({ ...${JSON.stringify(big)}, threads: 2 });
      model.fit(new Float64Array(64 * 300).fill(0.25), new Float64Array(64 * 2).fill(1), { epochs: 1, batchSize: 16 });
      console.log('threads', model.threads);
    `;
    const run = runScript(script);
    expect(run.error, 'the process did not exit by itself').toBeUndefined();
    expect(run.stdout.trim()).toBe('threads 2');
    expect(run.status).toBe(0);
  }, 70_000);

  it('the workers of a model that is garbage-collected undisposed end', () => {
    const script = `
      import { createModel } from ${JSON.stringify(`${REPO}dist/index.js`)};
      import { liveWorkers } from ${JSON.stringify(`${REPO}dist/engine/wasm/pool.js`)};
      import { availableParallelism } from 'node:os';
      const spec = ${JSON.stringify(big)};
      const X = new Float64Array(64 * 300).fill(0.25), Y = new Float64Array(64 * 2).fill(1);
      // the script watches collection itself: once it saw all four collected, no worker may be left
      let collected = 0;
      const watch = new FinalizationRegistry(() => { collected++; });
      // (inside a function: a module's top-level loop can keep its last value reachable)
      async function train() {
        for (let i = 0; i < 4; i++) {
          const model = await createModel({ ...spec, threads: 2, seed: i });
          model.fit(X, Y, { epochs: 1, batchSize: 16 }); // never disposed
          watch.register(model, i);
        }
        return liveWorkers();
      }
      const started = await train();
      for (let round = 0; round < 600 && (collected < 4 || liveWorkers() > 0); round++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // one pool for the four: its workers end with the last model collected
      console.log(started === Math.min(1, availableParallelism() - 1), collected, liveWorkers());
    `;
    const run = runScript(script, ['--expose-gc']);
    expect(run.error, 'the process did not exit by itself').toBeUndefined();
    expect(run.stderr).toBe('');
    // the four models shared one pool of one worker, which ended when the last of them was collected
    expect(run.stdout.trim()).toBe('true 4 0');
  }, 70_000);
});
