// `wasmlp predict --stream`: the data read a chunk of rows at a time and the predictions written as
// they come give the bytes `wasmlp predict` gives, to a file and on stdout, for a regression of two
// targets and a classifier, on a file of several chunks (8192 rows each) with CRLF line ends, quoted
// cells and blank lines. Ctrl-C in the middle of the stream exits 130 and leaves no temporary file
// (the temporary file of --out is seen in the folder before the signal: the stream is under way).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/index.js';
import { CLI, cleanup, json, listing, scratch, wasmlp } from './helpers.js';

let dir: string;
const ROWS = 20_000;

/** Rows of a, b, c and targets y1, y2: CRLF, some cells quoted, a blank line now and then. */
function data(rows: number): string {
  const lines = ['a,b,c,y1,y2'];
  for (let i = 0; i < rows; i++) {
    if (i % 5000 === 77) lines.push('');
    const a = Math.sin(i).toFixed(5);
    lines.push([i % 9 === 0 ? `"${a}"` : a, Math.cos(3 * i).toFixed(4), `${(i % 13) - 6}`, Math.sin(2 * i).toFixed(3), `${i % 3}`].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

beforeAll(async () => {
  dir = scratch();
  writeFileSync(join(dir, 'data.csv'), data(ROWS));
  const model = await createModel({ inputs: 3, layers: [{ units: 8, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 7 });
  const cli = { version: 1, inputs: ['a', 'b', 'c'], targets: ['y1', 'y2'], task: 'regression', labels: null, training: null };
  writeFileSync(join(dir, 'reg.json'), JSON.stringify({ ...model.toJSON({ training: false }), cli }));
  model.dispose();
  const iris = await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir);
  expect(iris.code, iris.stderr).toBe(0);
  const train = await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '3', '--out', 'iris.json', '--no-plot'], dir);
  expect(train.code, train.stderr).toBe(0);
  // iris repeated past a chunk: 150 rows × 60
  const [header, ...rows] = readFileSync(join(dir, 'iris.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'iris-big.csv'), `${[header, ...Array.from({ length: 60 }, () => rows).flat()].join('\n')}\n`);
}, 120_000);
afterAll(cleanup);

describe('predict --stream', () => {
  for (const [what, model, file] of [['a regression of two targets', 'reg.json', 'data.csv'], ['a classifier', 'iris.json', 'iris-big.csv']] as const) {
    it(`${what}: the bytes of predict, to a file and on stdout`, async () => {
      const whole = await wasmlp(['predict', model, file, '--out', `${model}.whole.csv`], dir);
      expect(whole.code, whole.stderr).toBe(0);
      const streamed = await wasmlp(['predict', model, file, '--out', `${model}.stream.csv`, '--stream'], dir);
      expect(streamed.code, streamed.stderr).toBe(0);
      const expected = readFileSync(join(dir, `${model}.whole.csv`));
      expect(expected.toString('utf8').split('\n').length).toBeGreaterThan(9000);
      expect(readFileSync(join(dir, `${model}.stream.csv`)).equals(expected)).toBe(true);
      expect(streamed.stdout).toMatch(new RegExp(`^wrote [\\d,]+ predictions \\(.*\\) to ${model}\\.stream\\.csv in `));
      const stdout = await wasmlp(['predict', model, file, '--stream'], dir);
      expect(stdout.code, stdout.stderr).toBe(0);
      expect(stdout.stdout).toBe(expected.toString('utf8'));
    }, 120_000);
  }

  it('with --json, wants --out (stdout carries the JSON document), and says so before reading', async () => {
    const run = await wasmlp(['predict', 'reg.json', 'data.csv', '--stream', '--json'], dir);
    expect(run.code).toBe(1);
    expect(json(run).error.code).toBe('STREAM_NEEDS_OUT');
    const ok = await wasmlp(['predict', 'reg.json', 'data.csv', '--stream', '--json', '--out', 'p.csv'], dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok)).toMatchObject({ ok: true, rows: ROWS, columns: ['y1', 'y2'], out: 'p.csv', stream: true });
  });

  it('a fault in the data ends it with the file, line and column, and leaves no file', async () => {
    const text = data(10_000).replace(/\r\n5000[^\r]*/, '');
    const lines = text.split('\r\n');
    lines[9001] = lines[9001].replace(/^[^,]*/, 'oops');
    writeFileSync(join(dir, 'bad.csv'), lines.join('\r\n'));
    const before = listing(dir);
    const run = await wasmlp(['predict', 'reg.json', 'bad.csv', '--stream', '--out', 'bad-out.csv'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('bad.csv: line 9002, column "a": expected a number, got "oops"');
    expect(listing(dir)).toEqual(before);
  });
});

describe('Ctrl-C during predict --stream', () => {
  /** A model slow enough (on the TypeScript engine) that the stream is still under way when the signal comes. */
  beforeAll(async () => {
    const model = await createModel({ inputs: 3, layers: [{ units: 400, activation: 'relu' }, { units: 400, activation: 'relu' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 3, threads: 1 });
    const cli = { version: 1, inputs: ['a', 'b', 'c'], targets: ['y1', 'y2'], task: 'regression', labels: null, training: null };
    writeFileSync(join(dir, 'slow.json'), JSON.stringify({ ...model.toJSON({ training: false }), cli }));
    model.dispose();
    writeFileSync(join(dir, 'long.csv'), data(100_000));
  }, 120_000);

  /** Runs predict --stream, waits until `started` says the output is under way, sends SIGINT; the exit code and what it printed. */
  async function interrupted(args: string[], started: (out: string) => boolean): Promise<{ code: number | string | null; stdout: string; stderr: string; sawStart: boolean }> {
    const child = spawn(process.execPath, [CLI, 'predict', 'slow.json', 'long.csv', '--stream', '--engine', 'ts', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | string | null>((resolve) => child.on('close', (code, sig) => resolve(code ?? sig)));
    let sawStart = false;
    for (let waited = 0; waited < 120_000 && !sawStart; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      sawStart = started(stdout);
    }
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('hang'), 20_000))]);
    if (code === 'hang') child.kill('SIGKILL');
    return { code, stdout, stderr, sawStart };
  }

  it('to --out: exit 130, no output and no temporary file', async () => {
    const before = listing(dir);
    const run = await interrupted(['--out', 'long-out.csv'], () => listing(dir).some((name) => name.startsWith('.long-out.csv.') && name.endsWith('.tmp')));
    expect(run.sawStart).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('wasmlp predict: interrupted; nothing was written\n');
    expect(listing(dir)).toEqual(before);
  }, 180_000);

  it('on stdout: exit 130, the rows written so far whole lines, and said to be part of the output', async () => {
    const before = listing(dir);
    const run = await interrupted([], (out) => out.length > 0);
    expect(run.sawStart).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stdout.startsWith('y1,y2\n')).toBe(true);
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(run.stdout.split('\n').length - 2).toBeLessThan(100_000);
    expect(run.stderr).toContain('wasmlp predict: interrupted; nothing was written (stdout got part of the output)\n');
    expect(listing(dir)).toEqual(before);
  }, 180_000);
});
