// Starting a real headless Chromium for the tests that drive a browser from Node (cross-platform
// hashes, packed-package consumers, the playground), and serving them pages. Where the binary is
// found: find-chromium.mjs.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_CANDIDATES, NO_CHROMIUM_MESSAGE, findChromium } from './find-chromium.mjs';

export { CHROMIUM_ARGS, CHROMIUM_CANDIDATES, NO_CHROMIUM_MESSAGE, findChromium };

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error(NO_CHROMIUM_MESSAGE);
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

/** Collects console errors and uncaught page errors, so a test can assert there were none. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, and so threads). */
export const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * Serves the files under `root` on a free localhost port (a directory serves its index.html);
 * `isolated`: with the cross-origin isolation headers.
 */
export async function serveStatic(root: string, isolated = false): Promise<StaticServer> {
  const base = resolve(root);
  const server: Server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    let file = normalize(join(base, path));
    if (!file.startsWith(base)) {
      response.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', ...(isolated ? ISOLATION_HEADERS : {}) });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * `describe` for a suite that needs Chromium: when none is installed the suite is skipped and the
 * reason is printed; with WASMLP_REQUIRE_BROWSER=1 (set by CI) a missing browser fails instead.
 */
export function chromiumAvailable(): boolean {
  const found = findChromium() !== undefined;
  if (!found && process.env.WASMLP_REQUIRE_BROWSER === '1') throw new Error(`WASMLP_REQUIRE_BROWSER=1: ${NO_CHROMIUM_MESSAGE}`);
  if (!found) console.warn(`browser tests NOT RUN: ${NO_CHROMIUM_MESSAGE}`);
  return found;
}
