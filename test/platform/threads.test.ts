// Threads in Chromium: on a cross-origin-isolated page (COOP/COEP), the seeded scenarios train on 1,
// 2 and 3 threads, with every pass split that can be and every tile run by a worker (a Web Worker;
// the page's main thread only coordinates and never blocks), and give the same bytes as Node on one
// thread. On a page that is not isolated there is no SharedArrayBuffer: models run on one thread,
// without an error, give the same bytes again, and say why (model.threadsNote).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium, serveStatic, watchConsole, type StaticServer } from '../helpers/chromium.js';
import { notIsolatedNote } from './notes.js';
import { SCENARIOS, seededRuns, type SeededRun } from './seeded-runs.mjs';
import { splitRunsSource, type SplitRuns } from './split-runs.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));


interface PageRuns extends SplitRuns {
  auto: number;
  autoNote: string | null;
}

/** Runs the scenarios in a page served by `server` on each thread count, every pass split, workers only. */
async function pageRuns(browser: Browser, server: StaticServer, counts: number[], errors: string[][]): Promise<PageRuns> {
  const tab = await browser.newPage();
  errors.push(watchConsole(tab));
  await tab.goto(`${server.url}test/platform/index.html`);
  const result = await tab.evaluate<PageRuns>(splitRunsSource(server.url, counts, {
    statements: `const auto = await lib.createModel({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'mse' });
    const autoThreads = auto.threads, autoNote = auto.threadsNote;
    auto.dispose();`,
    fields: 'auto: autoThreads, autoNote',
  }));
  await tab.close();
  return result;
}

describe.skipIf(!chromiumAvailable())('threads in Chromium: the same bytes as Node on one thread', () => {
  let browser: Browser;
  let isolatedServer: StaticServer;
  let plainServer: StaticServer;
  let node: SeededRun[];
  let isolated: PageRuns;
  let plain: PageRuns;
  const errors: string[][] = [];

  beforeAll(async () => {
    const wasmlp = await import(/* @vite-ignore */ `${REPO}dist/index.js`);
    node = await seededRuns(wasmlp, 'wasm', 1);
    isolatedServer = await serveStatic(REPO, true);
    plainServer = await serveStatic(REPO);
    browser = await launchChromium();
    isolated = await pageRuns(browser, isolatedServer, [1, 2, 3], errors);
    plain = await pageRuns(browser, plainServer, [3], errors);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await isolatedServer?.close();
    await plainServer?.close();
  });

  it('the isolated page runs the asked thread counts, its workers run every split tile, and they end', () => {
    expect(isolated.isolated).toBe(true);
    for (const threads of [1, 2, 3]) {
      expect(isolated.runs[threads].map((r) => r.threads)).toEqual(SCENARIOS.map(() => threads));
      for (const run of isolated.runs[threads]) {
        if (threads === 1) expect(run.workerTiles, run.name).toBe(0);
        else expect(run.workerTiles, `${run.name}, ${threads} threads`).toBeGreaterThan(0);
      }
    }
    expect(isolated.auto).toBeGreaterThanOrEqual(1);
    expect(isolated.autoNote).toBeNull();
    for (const threads of [1, 2, 3]) expect(isolated.runs[threads].map((r) => r.threadsNote)).toEqual(SCENARIOS.map(() => null));
    expect(isolated.leftWorkers, 'every model was disposed: the idle pool ended').toBe(0);
    expect(errors.flat()).toEqual([]);
  });

  it('a page that is not isolated runs on one thread, without an error, and the model says why', () => {
    expect(plain.isolated).toBe(false);
    expect(plain.auto).toBe(1);
    expect(plain.runs[3].map((r) => r.threads)).toEqual(SCENARIOS.map(() => 1));
    expect(plain.runs[3].map((r) => r.threadsNote)).toEqual(SCENARIOS.map(() => notIsolatedNote(3)));
    // 'auto' asks for the page's cores (navigator.hardwareConcurrency, at most 8): with more than one, it says why it got one
    if (plain.autoNote !== null) expect(plain.autoNote).toMatch(/^Runs on 1 thread, not the \d that threads: 'auto' asks for here: this page is not cross-origin isolated/);
  });

  SCENARIOS.forEach((scenario, i) => {
    it(`same bytes on 1, 2, 3 threads in Chromium and 1 in Node: ${scenario.name}`, () => {
      const a = node[i];
      for (const runs of [isolated.runs[1], isolated.runs[2], isolated.runs[3], plain.runs[3]]) {
        const b = runs[i];
        expect(b.paramsHash, `parameters, ${b.threads} threads`).toBe(a.paramsHash);
        expect(b.predictionsHash, `predictions, ${b.threads} threads`).toBe(a.predictionsHash);
        expect(b.lossHash, `loss history, ${b.threads} threads`).toBe(a.lossHash);
      }
    });
  });
});
