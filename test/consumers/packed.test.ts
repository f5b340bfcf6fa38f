// The package as users get it: `npm pack`, installed into a fresh project, then used three ways —
// plain Node ESM (`import 'wasmlp'`), a Vite app built with no configuration, and a plain
// `<script type="module">` page loading the installed files by path — the last two in Chromium.
// Each trains XOR, saves and reloads the model. No wasm file is served and nothing is fetched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium, serveStatic, watchConsole, type StaticServer } from '../helpers/chromium.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixture/', import.meta.url));
const VITE_VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).devDependencies.vite as string;

interface XorResult {
  engine: string;
  stopReason: string;
  firstLoss: number;
  finalLoss: number;
  classes: number[];
  reloadedSame: boolean;
}

function expectTrained(result: XorResult): void {
  expect(result.engine).toBe('wasm');
  expect(result.stopReason).toBe('lossBelow');
  expect(result.finalLoss).toBeLessThan(0.02);
  expect(result.firstLoss).toBeGreaterThan(0.5);
  expect(result.classes).toEqual([0, 1, 1, 0]);
  expect(result.reloadedSame).toBe(true);
}

let project: string;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'wasmlp-consumer-'));
  // dist/ was built by `npm test`'s build step; packing must not rebuild it
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: REPO });
  const tarball = join(project, JSON.parse(stdout)[0].filename as string);
  cpSync(FIXTURE, project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'wasmlp-consumer', private: true, type: 'module', dependencies: { wasmlp: `file:${tarball}`, vite: VITE_VERSION } }, null, 2),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], { cwd: project });
}, 240_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships built JavaScript, types and the embedded kernels, and no sources or tests', () => {
    const installed = join(project, 'node_modules', 'wasmlp');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.exports['.'].import).toBe('./dist/index.js');
    const dist = readdirSync(join(installed, 'dist'), { recursive: true }) as string[];
    expect(dist).toContain('index.d.ts');
    expect(dist).toContain(join('generated', 'kernels-wasm.js'));
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'package.json'].sort());
  });

  it('works from plain Node ESM (import by package name)', async () => {
    const { stdout } = await run(process.execPath, ['node-consumer.mjs'], { cwd: project });
    expectTrained(JSON.parse(stdout));
  }, 60_000);
});

describe.skipIf(!chromiumAvailable())('the packed package in Chromium', () => {
  let browser: Browser;
  let server: StaticServer;

  beforeAll(async () => {
    await run(process.execPath, [join(project, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--base', './', '--logLevel', 'warn'], { cwd: project });
    server = await serveStatic(project);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function trainIn(path: string): Promise<{ result: XorResult; requests: string[]; errors: string[] }> {
    const page = await browser.newPage();
    const errors = watchConsole(page);
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`${server.url}${path}`);
    await page.waitForSelector('#status[data-done]', { timeout: 60_000 });
    const done = await page.getAttribute('#status', 'data-done');
    const text = (await page.textContent('#status')) ?? '';
    expect(done, text).toBe('ok');
    await page.close();
    return { result: JSON.parse(text), requests, errors };
  }

  it('a Vite app (no configuration) bundles it and trains XOR', async () => {
    const assets = readdirSync(join(project, 'dist', 'assets'));
    expect(assets.filter((f) => f.endsWith('.wasm')), 'no wasm file to serve').toEqual([]);
    const bundle = assets.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(project, 'dist', 'assets', f), 'utf8')).join('\n');
    // the library's entry point pulls in none of the command line's libraries
    for (const cliLibrary of ['papaparse', 'commander', 'cli-progress', 'vega-']) expect(bundle).not.toContain(cliLibrary);
    const { result, requests, errors } = await trainIn('dist/index.html');
    expectTrained(result);
    expect(requests.filter((url) => url.endsWith('.wasm'))).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);

  it('a plain <script type="module"> page loads the installed files and trains XOR', async () => {
    const { result, requests, errors } = await trainIn('plain.html');
    expectTrained(result);
    expect(requests.filter((url) => url.endsWith('.wasm'))).toEqual([]);
    expect(requests.some((url) => url.includes('/node_modules/wasmlp/dist/index.js'))).toBe(true);
    expect(errors).toEqual([]);
  }, 90_000);
});
