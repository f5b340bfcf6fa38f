// Bundles the `wasmlp` command (src/cli/main.ts and everything it imports: commander, papaparse,
// cli-progress, vega, the iris data, the library itself) into dist/bin/, so the published package
// has no runtime dependencies: `npm install wasmlp` brings nothing else, and the command still works.
// Vite (already the playground's and the browser tests' bundler) builds it in SSR mode for Node;
// vega stays in a chunk of its own, loaded only when a plot is written.
//
// The bundled packages' licences (MIT, ISC, BSD-3-Clause) ask that their notices travel with
// copies: dist/bin/THIRD-PARTY-LICENSES.txt collects them, from the modules actually bundled.
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

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

/** The package directory (…/node_modules/name or …/node_modules/@scope/name) a bundled module came from. */
function packageDirOf(moduleId) {
  const match = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(moduleId.replaceAll('\\', '/'));
  return match?.[1];
}

const outputs = Array.isArray(result) ? result : [result];
const packageDirs = new Set();
for (const output of outputs) {
  for (const item of output.output) {
    if (item.type !== 'chunk') continue;
    for (const id of item.moduleIds) {
      const dir = packageDirOf(id);
      if (dir !== undefined) packageDirs.add(dir);
    }
  }
}

const notices = [...packageDirs]
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenseFile = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
    const text = licenseFile === undefined ? `(no licence file in the package; package.json says ${manifest.license})` : readFileSync(join(dir, licenseFile), 'utf8').trim();
    return { name: manifest.name, version: manifest.version, license: manifest.license ?? 'UNKNOWN', text };
  })
  .sort((a, b) => a.name.localeCompare(b.name));

writeFileSync(
  join(outDir, 'THIRD-PARTY-LICENSES.txt'),
  `The wasmlp command (dist/bin/) bundles these packages; their licences follow.\n\n` +
    notices.map((n) => `${'='.repeat(72)}\n${n.name} ${n.version} (${n.license})\n${'='.repeat(72)}\n${n.text}\n`).join('\n'),
);
console.log(`bundled the wasmlp command into dist/bin/ (${notices.length} packages; their licences in THIRD-PARTY-LICENSES.txt)`);
