// Standard output that fails: a reader that goes away (`wasmlp predict … | head -1`, EPIPE) ends the
// command quietly with exit 0, as for any Unix tool; any other write error (no space left on the
// device) is one line on stderr and exit 1, the code of a file that cannot be written, not a stack trace.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanup, scratch, wasmlp } from './helpers.js';

let dir: string;

beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
  expect((await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '3', '--no-plot', '--out', 'm.json'], dir)).code).toBe(0);
  // iris 40 times over: about 400 KB of predictions, more than a pipe holds
  const [header, ...rows] = readFileSync(join(dir, 'iris.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'big.csv'), `${[header, ...Array.from({ length: 40 }, () => rows).flat()].join('\n')}\n`);
});
afterAll(cleanup);

/** Runs the command with `stdout` as its standard output (a file descriptor, or a pipe read here). */
function run(args: string[], stdout: number | 'pipe', onStdout?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', stdout, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    onStdout?.(child);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('stdout', () => {
  it('a reader that goes away after the first line (EPIPE): exit 0, nothing on stderr', async () => {
    for (const args of [['predict', 'm.json', 'big.csv'], ['example', 'iris'], ['predict', 'm.json', 'big.csv', '--json']]) {
      let first = '';
      const result = await run(args, 'pipe', (child) => {
        child.stdout!.setEncoding('utf8').once('data', (d: string) => {
          first = d;
          child.stdout!.destroy(); // as `| head -1` does once it has its line
        });
      });
      expect(first.length).toBeGreaterThan(0);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
  });

  const full = existsSync('/dev/full') && statSync('/dev/full').isCharacterDevice();
  it.runIf(full)('/dev/full (no space left): one line naming stdout, exit 1', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      for (const [args, command] of [[['predict', 'm.json', 'big.csv'], 'predict'], [['evaluate', 'm.json', 'iris.csv'], 'evaluate'], [['evaluate', 'm.json', 'iris.csv', '--json'], 'evaluate'], [['example', 'iris'], 'example']] as const) {
        const result = await run([...args], fd);
        expect(result.stderr).toBe(`wasmlp ${command}: cannot write to stdout (no space left on the device)\n`);
        expect(result.code).toBe(1);
      }
    } finally {
      closeSync(fd);
    }
  });
});
