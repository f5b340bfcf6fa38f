#!/usr/bin/env node
// Builds the wasmlp playground with Vite into examples/playground/dist/ and serves it.
//
//   node examples/playground/serve.mjs               build, then serve dist/ (port 5173 or the next free one)
//   node examples/playground/serve.mjs --build-only  build only (what `npm run playground:build` and the tests run)
//   node examples/playground/serve.mjs --dev         Vite dev server with hot reload, no build
//   --port <n>                                       preferred port (default 5173)
//
// The page imports the library as `wasmlp` (and `wasmlp/csv`); the aliases below point them at the
// repository's TypeScript sources, so the playground always runs the code in this checkout. The
// WebAssembly kernels live in src/generated/kernels-wasm.ts, written by `npm run build:wasm`: when
// that file is missing it is built first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer, preview } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const outDir = resolve(here, 'dist');

const args = process.argv.slice(2);
const buildOnly = args.includes('--build-only');
const dev = args.includes('--dev');
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args[portAt + 1]) : 5173;
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`--port: expected a port number, got ${JSON.stringify(args[portAt + 1])}`);
  process.exit(2);
}

/**
 * The headers that make the page cross-origin isolated. Serving dist/ elsewhere, send the same two
 * headers to get threads; without them the page works on one thread.
 */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** The one Vite configuration of the playground (no config file: nothing else to keep in sync). */
export function playgroundConfig() {
  return {
    configFile: false,
    root: here,
    // relative asset URLs: dist/ works from any sub-path (GitHub Pages, a file server, a test server)
    base: './',
    logLevel: 'warn',
    // ('wasmlp/csv' too: its entry imports nothing from Node, whose modules it reaches only to read a file by path)
    resolve: {
      alias: [
        { find: /^wasmlp$/, replacement: resolve(repo, 'src/index.ts') },
        { find: /^wasmlp\/csv$/, replacement: resolve(repo, 'src/csv/index.ts') },
      ],
    },
    // the training worker is an ES module (`new Worker(url, { type: 'module' })`)
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: true, reportCompressedSize: false },
    // cross-origin isolation (COOP/COEP): SharedArrayBuffer, and so the engine's threads, in the page
    server: { port, strictPort: false, fs: { allow: [repo] }, headers: ISOLATION_HEADERS },
    preview: { port, strictPort: false, headers: ISOLATION_HEADERS },
  };
}

function ensureKernels() {
  if (existsSync(resolve(repo, 'src/generated/kernels-wasm.ts'))) return;
  console.log('src/generated/kernels-wasm.ts is missing: running `npm run build:wasm` first');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build:wasm'], { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('npm run build:wasm failed; the playground needs the compiled kernels');
    process.exit(result.status ?? 1);
  }
}

function printUrls(title, server) {
  const urls = server.resolvedUrls ?? { local: [], network: [] };
  console.log(`${title}:`);
  for (const url of urls.local) console.log(`  ${url}`);
  for (const url of urls.network) console.log(`  ${url}  (network)`);
  console.log('press Ctrl+C to stop');
}

async function main() {
  ensureKernels();
  if (dev) {
    const server = await createServer(playgroundConfig());
    await server.listen();
    printUrls('wasmlp playground (dev server, hot reload)', server);
    return;
  }
  const started = performance.now();
  await build(playgroundConfig());
  console.log(`built the playground into ${outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (buildOnly) return;
  const server = await preview(playgroundConfig());
  printUrls('wasmlp playground', server);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
