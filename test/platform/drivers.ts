// Driving Firefox and WebKit from Node, behind one small interface (Chromium: ../helpers/chromium.ts,
// through playwright-core). Firefox over WebDriver BiDi (puppeteer-core, with the Firefox installed
// on the machine); WebKit over classic WebDriver: WebKitGTK's WebKitWebDriver starting MiniBrowser
// in automation mode, under xvfb-run where there is no display (MiniBrowser has no headless mode),
// spoken to with plain fetch. Nothing is downloaded. Where the binaries are found: find-browsers.mjs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser as PuppeteerBrowser, type Page as PuppeteerPage } from 'puppeteer-core';
import { findFirefox, findWebKit, NO_FIREFOX_MESSAGE, NO_WEBKIT_MESSAGE } from '../helpers/find-browsers.mjs';

export type BrowserName = 'firefox' | 'webkit';

/** The one page a test drives. */
export interface Tab {
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>;
  /** Reloads the page and waits for the load event. */
  reload(): Promise<void>;
  /**
   * Evaluates a JavaScript expression in the page (a string: a test file's own import() is rewritten
   * by Vitest, the page's must not be) and returns its value, a promise awaited; a thrown error or a
   * rejection rejects here, with the page's message.
   */
  evaluate<T>(expression: string): Promise<T>;
  /**
   * Errors the page reported since the last navigation: console errors, uncaught errors and
   * rejections. Firefox sees every one; over classic WebDriver (WebKit), those after the load event.
   */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}

export interface Driver {
  readonly name: BrowserName;
  /** The browser's own name and version, for the test's messages. */
  readonly version: string;
  newTab(): Promise<Tab>;
  close(): Promise<void>;
}

export function launchBrowser(name: BrowserName): Promise<Driver> {
  return name === 'firefox' ? launchFirefox() : launchWebKit();
}

// ---------------------------------------------------------------------------------------------
// Firefox

async function launchFirefox(): Promise<Driver> {
  const executablePath = findFirefox();
  if (executablePath === undefined) throw new Error(NO_FIREFOX_MESSAGE);
  const browser: PuppeteerBrowser = await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    // hang detection only: the slowest evaluate (seeded trainings on a busy machine) stays far below it
    protocolTimeout: 600_000,
    extraPrefsFirefox: {
      // a machine without outside network: nothing to update, report or look up
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
    },
  });
  const version = await browser.version();
  return {
    name: 'firefox',
    version,
    async newTab() {
      return firefoxTab(await browser.newPage());
    },
    close: () => browser.close(),
  };
}

function firefoxTab(page: PuppeteerPage): Tab {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.setDefaultNavigationTimeout(120_000);
  return {
    async goto(url) {
      errors.length = 0;
      await page.goto(url, { waitUntil: 'load' });
    },
    async reload() {
      errors.length = 0;
      await page.reload({ waitUntil: 'load' });
    },
    evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    errors: async () => [...errors],
    close: () => page.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// WebKit (classic WebDriver)

/** A free localhost port (the driver is told which one to listen on). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface WebDriverReply {
  value: unknown;
}

class WebDriverError extends Error {}

async function wd(base: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const reply = (await response.json()) as WebDriverReply;
  const value = reply.value as { error?: string; message?: string } | null;
  if (!response.ok || (value !== null && typeof value === 'object' && typeof value.error === 'string')) {
    throw new WebDriverError(`WebDriver ${method} ${path}: ${value?.error ?? response.status}: ${value?.message ?? ''}`);
  }
  return reply.value;
}

/** Installed after each load: collects what the page reports as an error (classic WebDriver has no console log). */
const ERROR_HOOK = `
if (!window.__wasmlpErrors) {
  const errors = (window.__wasmlpErrors = []);
  addEventListener('error', (event) => errors.push(String(event.error ?? event.message)));
  addEventListener('unhandledrejection', (event) => errors.push(String(event.reason)));
  const consoleError = console.error.bind(console);
  console.error = (...args) => { errors.push(args.map(String).join(' ')); consoleError(...args); };
}`;

/** Evaluates arguments[0] (an expression) and reports { ok, value } or { ok: false, error }. */
const EVALUATE = `
const done = arguments[arguments.length - 1];
Promise.resolve()
  .then(() => (0, eval)(arguments[0]))
  .then((value) => done({ ok: true, value: value === undefined ? null : value }),
        (error) => done({ ok: false, error: String(error && error.stack ? error + '\\n' + error.stack : error) }));`;

async function launchWebKit(): Promise<Driver> {
  const install = findWebKit();
  if (install === undefined) throw new Error(NO_WEBKIT_MESSAGE);
  const port = await freePort();
  const command = install.xvfbRun === null ? [install.driver, `--port=${port}`] : [install.xvfbRun, '-a', install.driver, `--port=${port}`];
  // its own process group: closing ends xvfb-run, Xvfb, the driver and the browser together
  const driver: ChildProcess = spawn(command[0], command.slice(1), { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let driverLog = '';
  driver.stderr?.on('data', (chunk: Buffer) => {
    driverLog = (driverLog + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => driver.once('exit', () => resolve()));
  const killGroup = (): void => {
    try {
      if (driver.pid !== undefined) process.kill(-driver.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    // the driver listens once xvfb-run has started a display: hang detection only
    for (let attempt = 0; ; attempt++) {
      if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode}): ${driverLog}`);
      try {
        const status = (await wd(base, 'GET', '/status')) as { ready?: boolean };
        if (status.ready !== false) break;
      } catch (error) {
        if (attempt > 1200) throw new Error(`WebKitWebDriver did not answer on port ${port}: ${String(error)} ${driverLog}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const session = (await wd(base, 'POST', '/session', {
      capabilities: {
        alwaysMatch: {
          'webkitgtk:browserOptions': { binary: install.browser, args: ['--automation'] },
          // hang detection only (the slowest script is the seeded trainings on a busy machine)
          timeouts: { script: 600_000, pageLoad: 120_000, implicit: 0 },
        },
      },
    })) as { sessionId: string; capabilities: { browserName: string; browserVersion: string } };
    const at = `/session/${session.sessionId}`;
    const installHook = () => wd(base, 'POST', `${at}/execute/sync`, { script: ERROR_HOOK, args: [] });
    const tab: Tab = {
      async goto(url) {
        await wd(base, 'POST', `${at}/url`, { url });
        await installHook();
      },
      async reload() {
        await wd(base, 'POST', `${at}/refresh`, {});
        await installHook();
      },
      async evaluate<T>(expression: string) {
        const result = (await wd(base, 'POST', `${at}/execute/async`, { script: EVALUATE, args: [expression] })) as { ok: boolean; value?: T; error?: string };
        if (!result.ok) throw new Error(`in WebKit: ${result.error}`);
        return result.value as T;
      },
      errors: async () => ((await wd(base, 'POST', `${at}/execute/sync`, { script: 'return window.__wasmlpErrors ?? []', args: [] })) as string[]),
      // one window per session: a closed tab leaves it on a blank page for the next one
      close: async () => {
        await wd(base, 'POST', `${at}/url`, { url: 'about:blank' });
      },
    };
    return {
      name: 'webkit',
      version: `${session.capabilities.browserName} ${session.capabilities.browserVersion}`,
      newTab: async () => tab,
      async close() {
        try {
          await wd(base, 'DELETE', at);
        } finally {
          killGroup();
          await exited;
        }
      },
    };
  } catch (error) {
    killGroup();
    await exited;
    throw error;
  }
}
