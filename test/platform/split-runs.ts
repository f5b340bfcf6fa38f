// The source of a page script (evaluated in Chromium, Firefox or WebKit) that runs the seeded
// scenarios of seeded-runs.mjs on each thread count, with every pass split that can be and every
// tile run by a worker (the page's thread only coordinates), as the built package computes them;
// then it waits for the pool of workers to end (leftWorkers), as it does once no model uses it.
import type { SeededRun } from './seeded-runs.mjs';

/** What the script returns; `extra` fields are added by the caller's own statements. */
export interface SplitRuns {
  isolated: boolean;
  sharedArrayBuffer: boolean;
  runs: Record<string, SeededRun[]>;
  leftWorkers: number;
}

/**
 * An async expression for `tab.evaluate`, served from `url` (the repository's root). `statements` run
 * after the scenarios (they may use `lib`), and `fields` (`name: value, …`) join the result.
 */
export function splitRunsSource(url: string, counts: number[], more: { statements?: string; fields?: string } = {}): string {
  return `(async () => {
    const lib = await import('${url}dist/index.js');
    const plan = await import('${url}dist/layout/plan.js');
    const pool = await import('${url}dist/engine/wasm/pool.js');
    const { seededRuns } = await import('${url}test/platform/seeded-runs.mjs');
    plan.threadSplitOverride.minVolume = 1;
    plan.threadSplitOverride.minElements = 1;
    plan.threadSplitOverride.workersOnly = true;
    const runs = {};
    for (const threads of ${JSON.stringify(counts)}) runs[threads] = await seededRuns(lib, 'wasm', threads);
    ${more.statements ?? ''}
    // every model was disposed: the pool, idle, ends after POOL_LINGER_MS
    for (const deadline = Date.now() + pool.POOL_LINGER_MS + 10000; pool.liveWorkers() > 0 && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 50));
    return { isolated: crossOriginIsolated, sharedArrayBuffer: typeof SharedArrayBuffer === 'function', runs, leftWorkers: pool.liveWorkers(), ${more.fields ?? ''} };
  })()`;
}
