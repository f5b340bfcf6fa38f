// A worker model in Chromium, from the built package loaded by path on a cross-origin-isolated page
// (the worker trains on its own threads): the page stays responsive. During the fit, this page's
// timer keeps ticking between epochs, and the fit goes on until the timer has ticked TICKS times (so
// the test shows order, not speed); the same fit on the page's thread with `fit` lets no tick run.
// The worker's results are the same bits as that fit's. The longest main-thread task (longtask) is
// printed; only a bound that catches a page blocked for the whole fit is asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium, serveStatic, watchConsole, type StaticServer } from '../helpers/chromium.js';
import type { responsiveness } from './worker-page.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TICKS = 200;

describe.skipIf(!chromiumAvailable())('a worker model in Chromium keeps the page responsive', () => {
  let browser: Browser;
  let server: StaticServer;
  let result: Awaited<ReturnType<typeof responsiveness>>;
  let errors: string[];

  beforeAll(async () => {
    server = await serveStatic(REPO, true);
    browser = await launchChromium();
    const tab = await browser.newPage();
    errors = watchConsole(tab);
    await tab.goto(`${server.url}test/platform/index.html`);
    result = await tab.evaluate(`(async () => {
      const lib = await import('${server.url}dist/index.js');
      const worker = await import('${server.url}dist/worker/index.js');
      const { responsiveness } = await import('${server.url}test/platform/worker-page.mjs');
      return responsiveness(lib, worker, ${TICKS});
    })()`);
    await tab.close();
    console.log(`worker fit in Chromium: ${result.history.epochs} epochs in ${result.fitMs.toFixed(0)} ms on ${result.threads} threads; longest main-thread task ${result.longest.toFixed(0)} ms (${result.longTasks} over 50 ms); the same fit on the main thread: one task of ${result.mainLongest.toFixed(0)} ms`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the timer ticks between the epochs of the fit, which runs until it has ticked TICKS times', () => {
    expect(result.isolated).toBe(true);
    expect(result.history.stopReason).toBe('callback');
    const log = result.log.split(' ');
    expect(log.filter((e) => e === 'tick').length).toBeGreaterThanOrEqual(TICKS);
    // interleaved: ticks come after the first epoch and before the last one
    const firstEpoch = log.indexOf('epoch'), lastEpoch = log.lastIndexOf('epoch');
    const ticksBetween = log.slice(firstEpoch, lastEpoch).filter((e) => e === 'tick').length;
    expect(ticksBetween).toBeGreaterThan(TICKS / 2);
    expect(errors).toEqual([]);
  });

  it('the same fit on the page\'s thread with fit lets no tick run until it returns', () => {
    expect(result.mainEpochsLogged).toBe(result.history.epochs);
    expect(result.ticksDuringMainFit).toBe(0);
  });

  it('the worker\'s history, parameters and predictions are the same bits as that fit\'s', () => {
    expect(result.sameLoss).toBe(true);
    expect(result.sameParams).toBe(true);
    expect(result.samePredictions).toBe(true);
  });

  it('no main-thread task lasted the whole fit (the bound only catches a blocked page)', () => {
    expect(result.longest).toBeLessThan(result.fitMs);
  });
});
