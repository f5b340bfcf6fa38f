// Commands stop when told: SIGTERM ends any of them with exit code 143 and SIGINT (Ctrl-C) with 130,
// also in the middle of a long computation, leaving no output and no temporary file, and stderr says
// that nothing was written. (train's own Ctrl-C, which saves the model, is tested in outputs.test.ts.)
//
// The model, or the ONNX file, is handed over through a FIFO, so the test knows the command has
// started and read it. predict, evaluate and gradcheck are then given a moment to reach their
// computation (reading the CSV is quick) before the signal: 50,000 rows through a model of a million
// parameters on the TypeScript engine (one thread), or a million parameters checked by central
// differences, take far longer than that on any machine. Wherever the signal falls, the command must
// stop: the bound only detects one that does not (timings are not asserted).
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, toONNX } from '../../src/index.js';
import { CLI, cleanup, listing, scratch } from './helpers.js';

/** How long a command may take to stop: it should be about a second; more than this is a hang. */
const BOUND_MS = 20_000;
/** The moment given to predict, evaluate and gradcheck after reading the model, to reach their computation. */
const SETTLE_MS = 2000;

let modelText: string;
let onnxBytes: Uint8Array;
let dataText: string;

beforeAll(async () => {
  const model = await createModel({ inputs: 4, layers: [{ units: 1000, activation: 'relu' }, { units: 1000, activation: 'relu' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 1, threads: 1 });
  const cli = { version: 1, inputs: ['a', 'b', 'c', 'd'], targets: ['y'], task: 'regression', labels: null, training: null };
  modelText = JSON.stringify({ ...model.toJSON({ training: false }), cli });
  onnxBytes = toONNX(model);
  model.dispose();
  const lines = ['a,b,c,d,y'];
  for (let i = 0; i < 50_000; i++) lines.push([Math.sin(i), Math.cos(i), Math.sin(2 * i), Math.cos(3 * i), Math.sin(5 * i)].map((v) => v.toFixed(4)).join(','));
  dataText = `${lines.join('\n')}\n`;
}, 120_000);
afterAll(cleanup);

interface Stopped {
  /** The exit code, or 'hang' when the command was still running after BOUND_MS (then killed). */
  code: number | string | null;
  stdout: string;
  stderr: string;
  /** The folder's entries before the command and after it ended. */
  before: string[];
  after: string[];
}

/**
 * Runs `wasmlp <args>` in a fresh folder holding data.csv and a FIFO named `fifoName`, writes `input`
 * into the FIFO (the command reads it: its model or ONNX file), then sends `signal` and waits for
 * the end, at most BOUND_MS. `settleMs`: how long to wait between the two.
 */
async function stopped(args: string[], fifoName: string, input: string | Uint8Array, signal: 'SIGTERM' | 'SIGINT', settleMs: number): Promise<Stopped> {
  const dir = scratch();
  writeFileSync(join(dir, 'data.csv'), dataText);
  execFileSync('mkfifo', [join(dir, fifoName)]);
  const before = listing(dir);
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | string | null>((resolve) => child.on('close', (code, sig) => resolve(code ?? sig)));
  // the command has read its input once this is written and closed (a FIFO's writes wait for its reader)
  const feed = createWriteStream(join(dir, fifoName));
  feed.end(input);
  await new Promise<void>((resolve, reject) => {
    feed.on('close', resolve);
    feed.on('error', reject);
  });
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('hang'), BOUND_MS)))]);
  clearTimeout(timer);
  if (code === 'hang') {
    child.kill('SIGKILL');
    await exited;
  }
  return { code, stdout, stderr, before, after: listing(dir) };
}

function expectStopped(run: Stopped, command: string, signal: 'SIGTERM' | 'SIGINT') {
  expect(run.code, run.stderr).toBe(signal === 'SIGTERM' ? 143 : 130);
  // no output, no temporary file: the folder is as it was
  expect(run.after).toEqual(run.before);
  expect(run.stdout).toBe('');
  const said = signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'interrupted';
  expect(run.stderr).toContain(`wasmlp ${command}: ${said}; nothing was written\n`);
}

describe('a signal during a long computation', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`predict --out: ${signal}`, async () => {
      const run = await stopped(['predict', 'model.json', 'data.csv', '--engine', 'ts', '--out', 'predictions.csv'], 'model.json', modelText, signal, SETTLE_MS);
      expectStopped(run, 'predict', signal);
    });

    it(`gradcheck: ${signal}`, async () => {
      const run = await stopped(['gradcheck', 'model.json', 'data.csv'], 'model.json', modelText, signal, SETTLE_MS);
      expectStopped(run, 'gradcheck', signal);
    });
  }

  it('predict to stdout: SIGTERM', async () => {
    const run = await stopped(['predict', 'model.json', 'data.csv', '--engine', 'ts'], 'model.json', modelText, 'SIGTERM', SETTLE_MS);
    expectStopped(run, 'predict', 'SIGTERM');
  });

  it('evaluate: SIGTERM', async () => {
    const run = await stopped(['evaluate', 'model.json', 'data.csv', '--engine', 'ts'], 'model.json', modelText, 'SIGTERM', SETTLE_MS);
    expectStopped(run, 'evaluate', 'SIGTERM');
  });

  // converting the file is the import's work: the signal comes as soon as it has been read
  it('import --out: SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const run = await stopped(['import', 'model.onnx', '--out', 'imported.json'], 'model.onnx', onnxBytes, signal, 0);
      expectStopped(run, 'import', signal);
    }
  });
});
