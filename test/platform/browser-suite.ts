// What Firefox and WebKit are tested on, each in its own suite (firefox.test.ts, webkit.test.ts: one
// browser started once per suite, driven from Node by ./drivers.ts):
//   - the same bytes as Node: the seeded trainings of seeded-runs.mjs (every activation, shuffling,
//     Adam / momentum / SGD, scalers), hashed in the page and in Node, on a page that is not
//     cross-origin isolated (threads: 3 asked, 1 run, and model.threadsNote says why);
//   - threads on a cross-origin-isolated page (COOP/COEP): where the browser gives it shared memory
//     (Firefox) the scenarios train on 1, 2 and 3 threads with every pass split and every tile run by a
//     worker, with the same bytes; where it does not (WebKitGTK), `threads: 2` runs on 1, with the
//     same bytes, and the model says why;
//   - models saved in the page (IndexedDB, localStorage, a download) and loaded after a reload with
//     the same bytes (storage-page.mjs, storage-expect.ts);
//   - the consumer pages of test/consumers (the packed package in a Vite app and in a plain page).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { serveStatic, type StaticServer } from '../helpers/chromium.js';
import { buildConsumerProject, type ConsumerProject } from './consumer-project.js';
import { launchBrowser, type BrowserName, type Driver, type Tab } from './drivers.js';
import { expectStorage } from './storage-expect.js';
import type { LoadHalf, SaveHalf } from './storage-page.mjs';
import { noSharedMemoryNote, notIsolatedNote } from './notes.js';
import { SCENARIOS, seededRuns, type SeededRun } from './seeded-runs.mjs';
import { splitRunsSource, type SplitRuns } from './split-runs.js';
import { expectTrained, type XorResult } from '../consumers/xor.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** What a browser engine gives wasmlp's threads. */
export interface BrowserExpectations {
  /** True where a cross-origin-isolated page has SharedArrayBuffer, so models run the threads asked for. */
  sharedMemory: boolean;
}

/**
 * The scenarios on each thread count in a page of `server`: every pass split that can be, and every
 * tile run by a worker (the page's thread only coordinates), as test/platform/threads.test.ts does.
 */
async function pageRuns(tab: Tab, server: StaticServer, counts: number[]): Promise<SplitRuns> {
  await tab.goto(`${server.url}test/platform/index.html`);
  return tab.evaluate<SplitRuns>(splitRunsSource(server.url, counts));
}

/** Waits for a consumer page's #status to say it is done; returns what it says and what the page fetched. */
async function consumerPage(tab: Tab, url: string): Promise<{ done: string; text: string; resources: string[] }> {
  await tab.goto(url);
  return tab.evaluate(`new Promise((resolve) => {
    const check = () => {
      const status = document.getElementById('status');
      if (status && status.dataset.done) {
        resolve({ done: status.dataset.done, text: status.textContent, resources: performance.getEntriesByType('resource').map((e) => e.name) });
      } else setTimeout(check, 50);
    };
    check();
  })`);
}

function expectSameBytes(a: SeededRun, b: SeededRun, where: string): void {
  expect(b.firstParam, `first parameter, ${where}`).toBe(a.firstParam);
  expect(b.initialHash, `SHA-256 of the initial parameters, ${where}`).toBe(a.initialHash);
  expect(b.paramsHash, `SHA-256 of the final parameters, ${where}`).toBe(a.paramsHash);
  expect(b.predictionsHash, `SHA-256 of the predictions, ${where}`).toBe(a.predictionsHash);
  expect(b.lossHash, `SHA-256 of the loss history, ${where}`).toBe(a.lossHash);
}

export function browserSuite(name: BrowserName, expectations: BrowserExpectations): void {
  const isolatedCounts = expectations.sharedMemory ? [1, 2, 3] : [2];

  describe(`${name}: the same bytes as Node, threads, and the packed package`, () => {
    let driver: Driver;
    let tab: Tab;
    let plainServer: StaticServer;
    let isolatedServer: StaticServer;
    let node: SeededRun[];
    let plain: SplitRuns;
    let isolated: SplitRuns;
    let pageErrors: string[];

    beforeAll(async () => {
      // the package as users get it: the built entry point, not the TypeScript sources
      const wasmlp = await import(/* @vite-ignore */ `${REPO}dist/index.js`);
      node = await seededRuns(wasmlp, 'wasm', 1);
      plainServer = await serveStatic(REPO);
      isolatedServer = await serveStatic(REPO, true);
      driver = await launchBrowser(name);
      tab = await driver.newTab();
      plain = await pageRuns(tab, plainServer, [3]);
      pageErrors = await tab.errors();
      isolated = await pageRuns(tab, isolatedServer, isolatedCounts);
      pageErrors.push(...(await tab.errors()));
    }, 600_000);

    afterAll(async () => {
      await driver?.close();
      await plainServer?.close();
      await isolatedServer?.close();
    });

    it('runs every scenario, and the runs really train', () => {
      expect(plain.runs[3].map((r) => r.name)).toEqual(SCENARIOS.map((s) => s.name));
      for (const run of node) {
        expect(run.paramsHash, `${run.name}: parameters moved`).not.toBe(run.initialHash);
        expect(run.finalLoss, `${run.name}: loss fell`).toBeLessThan(run.firstLoss);
      }
      expect(pageErrors).toEqual([]);
    });

    it('a page that is not cross-origin isolated runs threads: 3 on one thread, without an error, and the model says why', () => {
      expect(plain.isolated).toBe(false);
      expect(plain.runs[3].map((r) => r.threads)).toEqual(SCENARIOS.map(() => 1));
      expect(plain.runs[3].map((r) => r.workerTiles)).toEqual(SCENARIOS.map(() => 0));
      expect(plain.runs[3].map((r) => r.threadsNote)).toEqual(SCENARIOS.map(() => notIsolatedNote(3)));
    });

    if (expectations.sharedMemory) {
      it('the isolated page runs 1, 2 and 3 threads, its workers run every split tile, and they end', () => {
        expect(isolated.isolated).toBe(true);
        expect(isolated.sharedArrayBuffer).toBe(true);
        for (const threads of isolatedCounts) {
          expect(isolated.runs[threads].map((r) => r.threads)).toEqual(SCENARIOS.map(() => threads));
          expect(isolated.runs[threads].map((r) => r.threadsNote)).toEqual(SCENARIOS.map(() => null));
          for (const run of isolated.runs[threads]) {
            if (threads === 1) expect(run.workerTiles, run.name).toBe(0);
            else expect(run.workerTiles, `${run.name}, ${threads} threads`).toBeGreaterThan(0);
          }
        }
        expect(isolated.leftWorkers, 'every model was disposed: the idle pool ended').toBe(0);
      });
    } else {
      it('the isolated page has no SharedArrayBuffer: threads: 2 runs on one thread, without an error, and the model says why', () => {
        expect(isolated.isolated, 'the page reports itself cross-origin isolated').toBe(true);
        expect(isolated.sharedArrayBuffer).toBe(false);
        expect(isolated.runs[2].map((r) => r.threads)).toEqual(SCENARIOS.map(() => 1));
        expect(isolated.runs[2].map((r) => r.threadsNote)).toEqual(SCENARIOS.map(() => noSharedMemoryNote(2)));
        expect(isolated.runs[2].map((r) => r.workerTiles)).toEqual(SCENARIOS.map(() => 0));
      });
    }

    SCENARIOS.forEach((scenario, i) => {
      it(`same bytes as Node on one thread: ${scenario.name}`, () => {
        expectSameBytes(node[i], plain.runs[3][i], 'page not isolated, threads: 3');
        for (const threads of isolatedCounts) expectSameBytes(node[i], isolated.runs[threads][i], `isolated page, threads: ${threads}`);
      });
    });

    it('models saved in IndexedDB and localStorage load after a reload with the same bytes; downloads, Files, URLs; typed errors', async () => {
      const page = `${plainServer.url}test/platform/index.html`;
      const half = (name: 'saveHalf' | 'loadHalf') => `(async () => {
        const lib = await import('${plainServer.url}dist/index.js');
        const { ${name} } = await import('${plainServer.url}test/platform/storage-page.mjs');
        return ${name}(lib);
      })()`;
      await tab.goto(page);
      const save = await tab.evaluate<SaveHalf>(half('saveHalf'));
      expect(await tab.errors()).toEqual([]);
      await tab.reload();
      const load = await tab.evaluate<LoadHalf>(half('loadHalf'));
      expect(await tab.errors()).toEqual([]);
      expectStorage(save, load);
    }, 120_000);

    describe('the packed package', () => {
      let project: ConsumerProject;
      let server: StaticServer;

      beforeAll(async () => {
        project = await buildConsumerProject();
        server = await serveStatic(project.dir);
      }, 240_000);

      afterAll(async () => {
        await server?.close();
        project?.remove();
      });

      it('a Vite app (no configuration) bundles it and trains XOR', async () => {
        expect(project.assets().filter((f) => f.endsWith('.wasm')), 'no wasm file to serve').toEqual([]);
        const page = await consumerPage(tab, `${server.url}dist/index.html`);
        expect(page.done, page.text).toBe('ok');
        expectTrained(JSON.parse(page.text));
        expect(page.resources.filter((url) => url.endsWith('.wasm'))).toEqual([]);
        expect(await tab.errors()).toEqual([]);
      }, 120_000);

      it('a plain <script type="module"> page loads the installed files and trains XOR', async () => {
        const page = await consumerPage(tab, `${server.url}plain.html`);
        expect(page.done, page.text).toBe('ok');
        expectTrained(JSON.parse(page.text));
        expect(page.resources.filter((url) => url.endsWith('.wasm'))).toEqual([]);
        expect(page.resources.some((url) => url.includes('/node_modules/wasmlp/dist/index.js'))).toBe(true);
        expect(await tab.errors()).toEqual([]);
      }, 120_000);
    });
  });
}
