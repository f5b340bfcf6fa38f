// Bundles the 'wasmlp/csv' entry point (src/csv/index.ts) into dist/csv.js, with papaparse inlined,
// so the package keeps no runtime dependencies. The library's own modules stay outside the bundle:
// an import of src/errors.ts becomes one of ./errors.js (tsc's build of it), so a CsvError thrown
// here is an instance of the DataError and WasmlpError that 'wasmlp' exports, one class hierarchy.
// Only src/csv/ and papaparse are in dist/csv.js; tsc's unbundled dist/csv/*.js (which import
// papaparse) are not packed (package.json "files"), their type declarations are.
// It loads in browsers too (csvStreamSource; files are read through Node's modules reached at run
// time); the main entry 'wasmlp' loads none of it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { writeLicences } from './bundle-licenses.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const entry = 'csv.js';

/** Relative imports from src/csv/ of the library's other modules resolve to their built files in dist/, left external. */
const libraryOutside = {
  name: 'wasmlp-library-outside',
  enforce: 'pre',
  resolveId(source, importer) {
    if (importer === undefined || !source.startsWith('.')) return null;
    const target = resolve(dirname(importer), source);
    if (!target.startsWith(src + sep) || target.startsWith(join(src, 'csv') + sep)) return null;
    const built = join(dist, relative(src, target)).replace(/\.ts$/, '.js');
    if (!existsSync(built)) throw new Error(`bundle-csv: ${relative(root, importer)} imports ${source}, and ${relative(root, built)} is not built (run tsc first)`);
    return { id: built, external: 'absolute' };
  },
};

/**
 * papaparse requires Node's `stream` only for Papa.NODE_STREAM_INPUT (a Duplex stream), which wasmlp
 * never uses; left as a require, it makes the bundle import node:module (createRequire), and a
 * browser bundler cannot load that. It resolves to a module without a Duplex here instead, so that
 * dist/csv.js imports nothing from Node (csvStreamSource runs in browsers; files are read through
 * Node's modules reached at run time, src/csv/node.ts).
 */
const NO_STREAM = '\0wasmlp-no-node-stream';
const noNodeStream = {
  name: 'wasmlp-no-node-stream',
  enforce: 'pre',
  resolveId: (source) => (source === 'stream' ? NO_STREAM : null),
  load: (id) => (id === NO_STREAM ? 'export default {};' : null),
};

const result = await build({
  root,
  configFile: false,
  logLevel: 'warn',
  plugins: [libraryOutside, noNodeStream],
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: 'src/csv/index.ts',
    outDir: dist,
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    sourcemap: true,
    reportCompressedSize: false,
    rollupOptions: {
      // dist/csv.js sits in dist/: the built modules are imported relative to it (./errors.js)
      output: { entryFileNames: entry, format: 'es', paths: (id) => (id.startsWith(dist + sep) ? `./${relative(dist, id).split(sep).join('/')}` : id) },
    },
  },
});
if (!existsSync(join(dist, entry))) throw new Error(`bundle-csv: ${entry} was not written`);
const nodeImport = /^import\b[^;]*from\s*["']node:[^"']+["']/m.exec(readFileSync(join(dist, entry), 'utf8'));
if (nodeImport !== null) throw new Error(`bundle-csv: dist/${entry} imports from Node (${nodeImport[0]}); a browser bundle could not load it`);

const count = writeLicences(result, join(dist, 'csv', 'THIRD-PARTY-LICENSES.txt'), "The 'wasmlp/csv' entry point (dist/csv.js) bundles these packages; their licences follow.");
console.log(`bundled wasmlp/csv into dist/${entry} (${count} package${count === 1 ? '' : 's'}; their licences in dist/csv/THIRD-PARTY-LICENSES.txt)`);
