// 'wasmlp/csv' in a browser bundle: dist/csv.js imports nothing from Node (papaparse's Node stream
// and the file reading are out of its static imports), so a bundler building for browsers takes it
// as it is, and csvStreamSource works from the bundle it makes, over a ReadableStream. Needs the
// build (`npm run build`).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';
import { afterAll, expect, it } from 'vitest';

const DIST_CSV = fileURLToPath(new URL('../dist/csv.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wasmlp-csv-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENTRY = `import { csvStreamSource } from ${JSON.stringify(DIST_CSV)};
export async function rows(text) {
  const bytes = new TextEncoder().encode(text);
  const source = csvStreamSource(() => new Blob([bytes]).stream(), { target: 'y', chunkRows: 2, name: 'upload.csv' });
  const out = [];
  for await (const { x, y } of source) out.push([x.rows, Array.from(x.data), y]);
  return out;
}
`;

it('a browser build of an app importing csvStreamSource has no Node import, and reads a stream', async () => {
  writeFileSync(join(dir, 'entry.js'), ENTRY);
  const warnings: string[] = [];
  await build({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    customLogger: { info: () => {}, warn: (m: string) => warnings.push(m), warnOnce: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m), clearScreen: () => {}, hasErrorLogged: () => false, hasWarned: false },
    build: { lib: { entry: join(dir, 'entry.js'), formats: ['es'], fileName: () => 'app.js' }, outDir: join(dir, 'out'), minify: false, target: 'es2022' },
  });
  const bundled = readFileSync(join(dir, 'out', 'app.js'), 'utf8');
  expect(bundled).not.toMatch(/from\s*["']node:/);
  expect(bundled).not.toMatch(/createRequire/);
  expect(warnings.filter((w) => /externalized for browser|node:/.test(w))).toEqual([]);
  const { rows } = (await import(pathToFileURL(join(dir, 'out', 'app.js')).href)) as { rows: (text: string) => Promise<unknown[]> };
  expect(await rows('a,b,y\r\n1,2,x\r\n"3",4,y\r\n5,6,x\r\n')).toEqual([[2, [1, 2, 3, 4], ['x', 'y']], [1, [5, 6], ['x']]]);
}, 120_000);
