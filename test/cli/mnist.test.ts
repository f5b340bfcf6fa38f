// An MNIST-sized CSV (60,000 rows × 785 columns: 784 pixel columns 0–255 and a label 0–9) trains
// for one epoch with memory bounded by the data, and the progress display moves while it does.
// The CLI runs as a child process with stderr on a pipe (plain progress lines). Its peak resident
// memory is read twice: from the summary (`--report-memory`, process.resourceUsage().maxRSS) and,
// independently, by polling the child's VmHWM in /proc (Linux) while it runs.
import { openSync, closeSync, writeSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI, cleanup, scratch } from './helpers.js';

const ROWS = 60_000, PIXELS = 784;
const DATA_BYTES = ROWS * (PIXELS + 1) * 8; // the data as float64: ≈ 377 MB
// two copies at most: the parsed columns, and the engine's memory (scaled on the way in), plus the
// runtime (~100 MB) and the batch buffers
const BOUND = 2 * DATA_BYTES + 300e6;

afterAll(cleanup);

/** Writes the CSV fast: 256 seeded random pixel rows, each data row one of them plus a label. */
function writeMnistLike(path: string): void {
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 16;
  const pixelRows = Array.from({ length: 256 }, () => Array.from({ length: PIXELS }, () => next() % 256).join(','));
  const fd = openSync(path, 'w');
  writeSync(fd, `${Array.from({ length: PIXELS }, (_, i) => `px${i}`).join(',')},label\n`);
  for (let from = 0; from < ROWS; from += 1000) {
    const lines: string[] = [];
    for (let r = from; r < from + 1000; r++) lines.push(`${pixelRows[next() % 256]},${next() % 10}\n`);
    writeSync(fd, lines.join(''));
  }
  closeSync(fd);
}

/** VmHWM (peak resident set) of a live process, in bytes; null when /proc cannot tell. */
function vmHwm(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

describe('an MNIST-sized CSV', () => {
  it('trains one epoch with memory bounded by the data, the progress moving', async () => {
    const dir = scratch();
    const file = join(dir, 'mnist.csv');
    let started = performance.now();
    writeMnistLike(file);
    const generateMs = performance.now() - started;

    started = performance.now();
    const child = spawn(process.execPath, [CLI, 'train', file, '--target', 'label', '--classes', '--layers', '16', '--batch-size', '64', '--epochs', '1', '--no-plot', '--report-memory', '--out', join(dir, 'mnist.model.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    const progressTimes: number[] = [];
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      for (const line of d.split('\n')) if (/^epoch 1\/1 +\d+%/.test(line)) progressTimes.push(performance.now());
    });
    let polled = 0;
    const poll = setInterval(() => {
      const hwm = vmHwm(child.pid!);
      if (hwm !== null) polled = Math.max(polled, hwm);
    }, 50);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(poll);
    const runMs = performance.now() - started;

    expect(code, stderr).toBe(0);
    expect(existsSync(join(dir, 'mnist.model.json'))).toBe(true);
    // a classification holds no rows out by default (it stops on its training loss)
    expect(stdout).toMatch(/rows\s+60,000 \(60,000 training, 0 validation\)/);
    expect(stdout).toMatch(/trained 784 → 16 relu → 10 softmax/);

    // the progress moved: several plain lines, in order, each a new percentage (when they arrive
    // depends on the machine's load, so it is printed, not asserted)
    const lines = stderr.split('\n').filter((l) => /^epoch 1\/1 +\d+%/.test(l));
    expect(lines.length).toBeGreaterThan(1);
    const percents = lines.map((l) => Number(/(\d+)%/.exec(l)![1]));
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    expect(new Set(percents).size).toBe(percents.length);

    const reported = Number(/peak RSS\s+[\d.]+ MiB \((\d+) bytes\)/.exec(stdout)![1]);
    expect(reported).toBeLessThan(BOUND);
    if (polled > 0) {
      // the independent reading cannot exceed the process' own peak (it may miss the last moments)
      expect(polled).toBeLessThanOrEqual(reported * 1.02);
      expect(polled).toBeGreaterThan(DATA_BYTES); // it did hold the data
    }
    const read = /read 60,000 rows × 785 columns from .* in ([\d.]+ m?s)/.exec(stderr)?.[1];
    console.log(`MNIST-sized CSV: generated in ${(generateMs / 1000).toFixed(1)} s; wasmlp train took ${(runMs / 1000).toFixed(1)} s (reading ${read}); ` +
      `peak RSS ${(reported / 1e6).toFixed(0)} MB reported, ${(polled / 1e6).toFixed(0)} MB polled, bound ${(BOUND / 1e6).toFixed(0)} MB; ${lines.length} progress lines over ${((progressTimes[progressTimes.length - 1] - progressTimes[0]) / 1000).toFixed(1)} s`);
  }, 180_000);
});
