// Bundles the `wasmlp` command (src/cli/main.ts and everything it imports: commander, papaparse,
// cli-progress, vega, the iris data, the library itself) into dist/bin/, so the published package
// has no runtime dependencies: `npm install wasmlp` brings nothing else, and the command still works.
// Vite (already the playground's and the browser tests' bundler) builds it in SSR mode for Node;
// vega stays in a chunk of its own, loaded only when a plot is written.
//
// The bundled packages' licences (MIT, ISC, BSD-3-Clause) ask that their notices travel with
// copies: dist/bin/THIRD-PARTY-LICENSES.txt collects them (scripts/bundle-licenses.mjs).
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { writeLicences } from './bundle-licenses.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist', 'bin');
const entry = 'wasmlp.js';

const result = await build({
  root,
  configFile: false,
  logLevel: 'warn',
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: 'src/cli/main.ts',
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      output: { entryFileNames: entry, chunkFileNames: '[name]-[hash].js', format: 'es' },
    },
  },
});
if (!existsSync(join(outDir, entry))) throw new Error(`bundle-cli: ${entry} was not written`);
chmodSync(join(outDir, entry), 0o755);

const count = writeLicences(result, join(outDir, 'THIRD-PARTY-LICENSES.txt'), 'The wasmlp command (dist/bin/) bundles these packages; their licences follow.');
console.log(`bundled the wasmlp command into dist/bin/ (${count} packages; their licences in THIRD-PARTY-LICENSES.txt)`);
