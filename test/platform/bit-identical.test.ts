// The WebAssembly engine gives the same bytes in Node and in Chromium: the same seeded training runs
// (every activation, shuffling, Adam / momentum / SGD, scalers) are computed here in Node and in a
// real headless Chromium page, both importing the built package (dist/), and their SHA-256 hashes of
// the final parameters, the predictions and the loss history must be equal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium, serveStatic, watchConsole, type StaticServer } from '../helpers/chromium.js';
import { SCENARIOS, seededRuns, type SeededRun } from './seeded-runs.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe.skipIf(!chromiumAvailable())('bit-identical results in Node and Chromium (WASM engine)', () => {
  let browser: Browser;
  let server: StaticServer;
  let node: SeededRun[];
  let page: SeededRun[];
  let consoleErrors: string[];

  beforeAll(async () => {
    // the package as users get it: the built entry point, not the TypeScript sources
    const wasmlp = await import(/* @vite-ignore */ `${REPO}dist/index.js`);
    node = await seededRuns(wasmlp);
    server = await serveStatic(REPO);
    browser = await launchChromium();
    const tab = await browser.newPage();
    consoleErrors = watchConsole(tab);
    await tab.goto(`${server.url}test/platform/index.html`);
    // a string, not a function: the test file's own import() is rewritten by Vitest, the page's must not be
    page = await tab.evaluate<SeededRun[]>(`(async () => {
      const lib = await import('${server.url}dist/index.js');
      const runs = await import('${server.url}test/platform/seeded-runs.mjs');
      return runs.seededRuns(lib);
    })()`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs every scenario in both places, and the runs really train', () => {
    expect(node.map((r) => r.name)).toEqual(SCENARIOS.map((s) => s.name));
    expect(page.map((r) => r.name)).toEqual(SCENARIOS.map((s) => s.name));
    for (const run of node) {
      expect(run.paramsHash, `${run.name}: parameters moved`).not.toBe(run.initialHash);
      expect(run.finalLoss, `${run.name}: loss fell`).toBeLessThan(run.firstLoss);
    }
    expect(new Set(node.map((r) => r.paramsHash)).size).toBe(node.length);
    expect(consoleErrors).toEqual([]);
  });

  it('covers every activation and optimizer', () => {
    const activations = new Set(SCENARIOS.flatMap((s) => s.spec.layers.map((l) => l.activation)));
    expect([...activations].sort()).toEqual(['identity', 'leaky_relu', 'relu', 'sigmoid', 'softmax', 'softplus', 'tanh']);
    const optimizers = new Set(SCENARIOS.map((s) => JSON.stringify(s.fit.optimizer).replace(/.*"name":"(\w+)".*/, '$1').replace(/"/g, '')));
    expect([...optimizers].sort()).toEqual(['adam', 'momentum', 'sgd']);
  });

  SCENARIOS.forEach((scenario, i) => {
    it(`same bytes: ${scenario.name}`, () => {
      const a = node[i];
      const b = page[i];
      expect(b.firstParam, 'first parameter').toBe(a.firstParam);
      expect(b.paramsHash, 'SHA-256 of the final parameters').toBe(a.paramsHash);
      expect(b.predictionsHash, 'SHA-256 of the predictions').toBe(a.predictionsHash);
      expect(b.lossHash, 'SHA-256 of the loss history').toBe(a.lossHash);
      expect(b.initialHash, 'SHA-256 of the initial parameters').toBe(a.initialHash);
    });
  });
});
