// Runs the built `wasmlp` binary as a user would: dist/bin/wasmlp.js, the bundle that `npm run build`
// makes and the package ships, in a child process with its own stdout, stderr and exit code, in a
// scratch directory.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';

export const CLI = fileURLToPath(new URL('../../dist/bin/wasmlp.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node dist/bin/wasmlp.js ...args` in `cwd`; stdout and stderr are pipes (not a TTY). */
export function wasmlp(args: string[], cwd: string): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** A scratch directory holding reg.csv: 60 rows of a, b and y = 2 sin(i) − cos(2i), a small regression. */
export function scratchWithRegression(): string {
  const dir = scratch();
  const rows = ['a,b,y'];
  for (let i = 0; i < 60; i++) rows.push(`${Math.sin(i)},${Math.cos(2 * i)},${2 * Math.sin(i) - Math.cos(2 * i)}`);
  writeFileSync(join(dir, 'reg.csv'), `${rows.join('\n')}\n`);
  return dir;
}

/** A fresh scratch directory; `cleanup()` removes every one made. */
const made: string[] = [];
export function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wasmlp-cli-'));
  made.push(dir);
  return dir;
}
export function cleanup(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The directory's entries, sorted (to check that a failed command left nothing behind, no temp file either). */
export function listing(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** CSV text as rows of strings (header first), by papaparse. */
export function parseCsv(text: string): string[][] {
  const result = Papa.parse<string[]>(text.trim(), { header: false, skipEmptyLines: true });
  return result.data;
}

/** The one JSON document a --json run printed on stdout. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function json(run: Run): any {
  return JSON.parse(run.stdout);
}

/** iris.csv (`wasmlp example iris`) in `dir`, and iris.json: a classifier trained on it for 3 epochs. */
export async function irisWithModel(dir: string): Promise<void> {
  for (const args of [['example', 'iris', '--out', 'iris.csv'], ['train', 'iris.csv', '--target', 'species', '--epochs', '3', '--out', 'iris.json', '--no-plot']]) {
    const run = await wasmlp(args, dir);
    if (run.code !== 0) throw new Error(`wasmlp ${args[0]}: ${run.stderr}`);
  }
}
