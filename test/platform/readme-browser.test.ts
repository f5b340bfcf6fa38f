// The README's and the docs' ```js blocks that need a browser (their first line is `// In a page`:
// IndexedDB), run in Chromium by the rules of the README test (scripts/readme-examples.mjs): the
// built package, served by path, for 'wasmlp', 'wasmlp/worker' and 'wasmlp/csv'; each
// `console.log(…); // value` must print `value`, formatted as Node's console.log formats it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import { agrees, docPages, pageScriptsOf, README, type Script } from '../../scripts/readme-examples.mjs';
import { chromiumAvailable, launchChromium, serveStatic, watchConsole, type StaticServer } from '../helpers/chromium.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const pages = [README, ...docPages()].map((file) => ({ name: basename(file), scripts: pageScriptsOf(readFileSync(file, 'utf8').split('\n')) }));

/** The block as a module of the served package: its checked console.log calls report their index. */
function moduleSource(script: Script, url: string): string {
  const lines = [...script.code];
  script.checks.forEach((check, k) => {
    lines[check.fileLine - 1] = lines[check.fileLine - 1].replace('console.log(', `globalThis.__print(${k}, `);
  });
  return lines.join('\n').replace(/from 'wasmlp'/g, `from '${url}dist/index.js'`).replace(/from 'wasmlp\/worker'/g, `from '${url}dist/worker/index.js'`)
    .replace(/from 'wasmlp\/csv'/g, `from '${url}dist/csv.js'`);
}

describe.skipIf(!chromiumAvailable())('the examples that run in a page print what they show, in Chromium', () => {
  let browser: Browser;
  let server: StaticServer;

  beforeAll(async () => {
    server = await serveStatic(REPO);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the README has such a block (saving to IndexedDB)', () => {
    expect(pages[0].scripts.length).toBeGreaterThanOrEqual(1);
    expect(pages[0].scripts[0].code.join('\n')).toContain("indexeddb://");
  });

  for (const { name, scripts } of pages) {
    scripts.forEach((script, index) => {
      it(`${name}, block ${index + 1} (line ${script.block.start})`, async () => {
        const tab = await browser.newPage();
        const errors = watchConsole(tab);
        await tab.goto(`${server.url}test/platform/index.html`);
        const printed = await tab.evaluate<[number, unknown[]][]>(`(async () => {
          const out = [];
          globalThis.__print = (k, ...args) => void out.push([k, args]);
          await import(URL.createObjectURL(new Blob([${JSON.stringify(moduleSource(script, server.url))}], { type: 'text/javascript' })));
          return out;
        })()`);
        await tab.close();
        expect(printed.map(([k]) => k)).toEqual(script.checks.map((_, k) => k));
        for (const [k, args] of printed) {
          const check = script.checks[k];
          expect(agrees(check, format(...args)), `${name} line ${check.line + 1}: ${check.code} printed ${format(...args)}, the comment says ${check.value}`).toBe(true);
        }
        expect(errors).toEqual([]);
      });
    });
  }
});
