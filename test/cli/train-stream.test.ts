// `wasmlp train --stream` up to the library's streamed training: the pass that plans and checks the
// file, the model and its scalers, and the call of model.setNormalizationStream and model.fitStream
// (issue 21's contract: a source is an object iterated once per pass, of chunks { x, y }). Here a
// stand-in for those two methods records what they are given: the chunks, read again on every pass,
// must hold the file's rows as readCsv reads them (targets one-hot in the order of the sorted
// labels); the options must be the flags'; the model file must record the streamed run. The
// refusals of flags that do not fit a stream are checked through the built command.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TrainOptions } from '../../src/cli/commands/train.js';
import { CliError } from '../../src/cli/errors.js';
import { Progress } from '../../src/cli/progress.js';
import type { Context } from '../../src/cli/run.js';
import { readCsv } from '../../src/csv/index.js';
import { Model } from '../../src/model/model.js';
import { CLI, cleanup, listing, scratch, wasmlp } from './helpers.js';

interface Chunk {
  x: { data: Float64Array; rows: number };
  y: { data: Float64Array; rows: number };
}
type Source = AsyncIterable<Chunk>;

/** Every row of one pass over a source, and the chunk sizes. */
async function collect(source: Source): Promise<{ X: number[]; Y: number[]; sizes: number[] }> {
  const out = { X: [] as number[], Y: [] as number[], sizes: [] as number[] };
  for await (const { x, y } of source) {
    expect(y.rows).toBe(x.rows);
    out.X.push(...x.data);
    out.Y.push(...y.data);
    out.sizes.push(x.rows);
  }
  return out;
}

interface Recorded {
  scalers: { spec: unknown; rows: number } | null;
  passes: Awaited<ReturnType<typeof collect>>[];
  validation: Awaited<ReturnType<typeof collect>> | null;
  options: Record<string, unknown>;
}

let recorded: Recorded;
const proto = Model.prototype as unknown as Record<string, unknown>;
const real = { setNormalizationStream: proto.setNormalizationStream, fitStream: proto.fitStream };

/** The stand-in: reads the training source twice (two epochs' passes) and the validation source once; returns a history of 2 epochs. */
function installStandIn(): void {
  proto.setNormalizationStream = async (source: Source, spec: unknown) => {
    recorded.scalers = { spec, rows: (await collect(source)).X.length };
  };
  proto.fitStream = async (source: Source, options: Record<string, unknown>) => {
    recorded.options = options;
    recorded.passes = [await collect(source), await collect(source)];
    const validation = options.validationData as Source | undefined;
    recorded.validation = validation ? await collect(validation) : null;
    (options.onEpochEnd as (e: number, logs: { loss: number; valLoss?: number }) => boolean)(0, { loss: 0.5, valLoss: validation ? 0.6 : undefined });
    const steps = Math.ceil(recorded.passes[0].sizes.reduce((a, b) => a + b, 0) / (options.batchSize as number));
    return { loss: [0.5, 0.4], ...(validation ? { valLoss: [0.6, 0.55] } : {}), epochs: 2, steps: 2 * steps, stopReason: 'epochs', lastStep: 0, timeMs: 5 };
  };
}

/** The command's modules, loaded here: their SIGINT and SIGTERM handlers (src/cli/run.ts) are removed after the tests, for the test runner's own. */
let trainStreamed: typeof import('../../src/cli/commands/train-stream.js').trainStreamed;
const signals = ['SIGINT', 'SIGTERM'] as const;
const handlersBefore = signals.map((signal) => process.listeners(signal));
afterAll(() => {
  signals.forEach((signal, i) => {
    for (const handler of process.listeners(signal)) if (!handlersBefore[i].includes(handler)) process.off(signal, handler);
  });
});

let dir: string;
beforeAll(async () => {
  ({ trainStreamed } = await import('../../src/cli/commands/train-stream.js'));
  dir = scratch();
  const iris = await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir);
  expect(iris.code, iris.stderr).toBe(0);
  // a file of several chunks (8192 rows), labels not in sorted order of appearance
  const [header, ...rows] = readFileSync(join(dir, 'iris.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'big.csv'), `${[header, ...Array.from({ length: 120 }, () => [...rows].reverse()).flat()].join('\r\n')}\r\n`);
}, 60_000);
afterEach(() => {
  Object.assign(proto, real);
});
afterAll(cleanup);

const ctx = (): Context => ({ json: true, progress: new Progress('silent'), reportMemory: false });

function options(extra: Partial<TrainOptions>): TrainOptions {
  return { target: 'species', epochs: 2, plot: false, stream: true, batchSize: 50, shuffleBuffer: 1000, ...extra };
}

describe('train --stream, up to the library\'s streamed training', () => {
  it('hands the library every row of the file on every pass, targets one-hot by sorted label, and the flags as options', async () => {
    recorded = { scalers: null, passes: [], validation: null, options: {} };
    installStandIn();
    const out = join(dir, 'big.model.json');
    const result = await trainStreamed(ctx(), [join(dir, 'big.csv')], options({ out, validationFile: join(dir, 'iris.csv') }));

    const whole = await readCsv(join(dir, 'big.csv'), { target: 'species' });
    const classes = whole.classes as string[];
    expect(classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const oneHot = (whole.y as string[]).flatMap((label) => classes.map((c) => (c === label ? 1 : 0)));
    expect(whole.rows).toBe(18_000);
    for (const pass of recorded.passes) {
      expect(pass.sizes).toEqual([8192, 8192, 1616]);
      expect(pass.X).toEqual(Array.from(whole.X));
      expect(pass.Y).toEqual(oneHot);
    }
    expect(recorded.scalers).toEqual({ spec: { inputs: 'standardize' }, rows: 18_000 * 4 });
    const validation = await readCsv(join(dir, 'iris.csv'), { target: 'species' });
    expect(recorded.validation!.X).toEqual(Array.from(validation.X));
    expect(recorded.options).toMatchObject({ epochs: 2, batchSize: 50, learningRate: 0.001, optimizer: 'adam', weightDecay: 0, shuffle: { buffer: 1000 }, patience: 10 });
    expect(recorded.options.signal).toBeInstanceOf(AbortSignal);

    const saved = JSON.parse(readFileSync(out, 'utf8'));
    expect(saved.cli.training).toMatchObject({ rows: 18_150, trainRows: 18_000, validationRows: 150, validationSplit: 0, shuffleBuffer: 1000, validationData: 'iris.csv', epochs: 2, loss: [0.5, 0.4], valLoss: [0.6, 0.55] });
    expect(result.json).toMatchObject({ rows: 18_150, trainRows: 18_000, validationRows: 150, labels: classes, epochs: 2 });
  }, 120_000);

  it('a regression: targets as rows of numbers, scalers for inputs and targets, no patience without held-out rows', async () => {
    recorded = { scalers: null, passes: [], validation: null, options: {} };
    installStandIn();
    const result = await trainStreamed(ctx(), [join(dir, 'big.csv')], options({ target: 'sepal_length,petal_width', ignore: 'species', out: join(dir, 'reg.json'), shuffleBuffer: 0 }));
    const whole = await readCsv(join(dir, 'big.csv'), { targets: ['sepal_length', 'petal_width'], ignore: ['species'] });
    expect(recorded.passes[1].X).toEqual(Array.from(whole.X));
    expect(recorded.passes[1].Y).toEqual(Array.from(whole.y as Float64Array));
    expect(recorded.scalers!.spec).toEqual({ inputs: 'standardize', targets: 'standardize' });
    expect(recorded.options.shuffle).toBe(false);
    expect(recorded.options.patience).toBeUndefined();
    expect(recorded.validation).toBeNull();
    expect(result.json).toMatchObject({ task: 'regression', rows: 18_000, validationRows: 0 });
  }, 120_000);

  it('a fault in the data is found by the pass before training: the library is not called', async () => {
    recorded = { scalers: null, passes: [], validation: null, options: {} };
    installStandIn();
    const lines = readFileSync(join(dir, 'big.csv'), 'utf8').split('\r\n');
    lines[17_000] = lines[17_000].replace(/^[^,]*/, 'n/a');
    writeFileSync(join(dir, 'late-fault.csv'), lines.join('\r\n'));
    const error = await trainStreamed(ctx(), [join(dir, 'late-fault.csv')], options({ out: join(dir, 'never.json') })).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toContain('late-fault.csv: line 17001, column "sepal_length": expected a number, got "n/a"');
    expect(recorded.passes).toEqual([]);
  });
});

describe('train --stream --resume', () => {
  it('continues a model: the data read by its column names, its labels\' order, the record of both runs', async () => {
    recorded = { scalers: null, passes: [], validation: null, options: {} };
    installStandIn();
    const first = join(dir, 'first.json');
    await trainStreamed(ctx(), [join(dir, 'iris.csv')], options({ out: first }));
    // the same rows with the columns in another order and an extra column: found by name
    const iris = await readCsv(join(dir, 'iris.csv'), { target: 'species' });
    const lines = ['id,species,petal_width,petal_length,sepal_width,sepal_length'];
    for (let r = 0; r < iris.rows; r++) lines.push([r, (iris.y as string[])[r], ...Array.from(iris.X.subarray(r * 4, r * 4 + 4)).reverse()].join(','));
    writeFileSync(join(dir, 'shuffled-columns.csv'), `${lines.join('\n')}\n`);
    recorded = { scalers: null, passes: [], validation: null, options: {} };
    const second = join(dir, 'second.json');
    const result = await trainStreamed(ctx(), [join(dir, 'shuffled-columns.csv')], { epochs: 2, plot: false, stream: true, resume: first, out: second });
    expect(recorded.scalers).toBeNull();
    expect(recorded.passes[0].X).toEqual(Array.from(iris.X));
    expect(recorded.passes[0].Y).toEqual((iris.y as string[]).flatMap((label) => ['setosa', 'versicolor', 'virginica'].map((c) => (c === label ? 1 : 0))));
    expect(recorded.options).toMatchObject({ batchSize: 50, shuffle: { buffer: 65_536 } });
    const saved = JSON.parse(readFileSync(second, 'utf8'));
    expect(saved.cli.training).toMatchObject({ runs: 2, epochs: 4, loss: [0.5, 0.4, 0.5, 0.4], rows: 150, shuffleBuffer: 65_536 });
    expect(result.json).toMatchObject({ resumedFrom: first, epochs: 2 });
  });
});

describe('train --stream refuses what a stream cannot do', () => {
  it('--validation-split (not a random sample of a stream); --validation-file and --shuffle-buffer need --stream', async () => {
    const split = await wasmlp(['train', 'iris.csv', '--target', 'species', '--stream', '--validation-split', '0.2'], dir);
    expect(split.code).toBe(1);
    expect(split.stderr).toContain('--validation-split 0.2 with --stream: the held-out rows of a stream would be the file\'s last rows, not a random sample');
    const file = await wasmlp(['train', 'iris.csv', '--target', 'species', '--validation-file', 'iris.csv'], dir);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('--validation-file is for --stream');
  }, 60_000);
});

describe('train --stream, end to end', () => {
  it('trains through the library on the whole file, pass after pass, with the same bytes every run; the model predicts its data', async () => {
    const args = ['train', 'big.csv', '--target', 'species', '--stream', '--epochs', '3', '--batch-size', '50', '--shuffle-buffer', '500', '--seed', '4', '--json'];
    const first = await wasmlp([...args, '--out', 'streamed-1.json'], dir);
    expect(first.code, first.stderr).toBe(0);
    const second = await wasmlp([...args, '--out', 'streamed-2.json'], dir);
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(join(dir, 'streamed-2.json'), 'utf8')).toBe(readFileSync(join(dir, 'streamed-1.json'), 'utf8'));
    const evaluated = await wasmlp(['evaluate', 'streamed-1.json', 'iris.csv', '--json'], dir);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    // 3 epochs over 120 copies of iris: a model that saw every row learns it
    expect(JSON.parse(evaluated.stdout).evaluation.accuracy).toBeGreaterThan(0.9);
  }, 240_000);
});


/**
 * `wasmlp train big.csv --stream` for far more epochs than it could finish, sent `signal` once a
 * moment after training started (the file is read ahead by a worker thread): its exit code, stderr
 * and the folder's entries before and after. The bound only catches a command that does not stop.
 */
async function signalled(signal: 'SIGINT' | 'SIGTERM', out: string): Promise<{ code: number | string | null; stderr: string; before: string[]; after: string[] }> {
  const before = listing(dir);
  const child = spawn(process.execPath, [CLI, 'train', 'big.csv', '--target', 'species', '--stream', '--epochs', '100000', '--no-plot', '--out', out], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const started = new Promise<void>((resolve) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('--stream holds out no rows')) setTimeout(resolve, 1500);
    });
  });
  const exited = new Promise<number | string | null>((resolve) => child.on('close', (code, sig) => resolve(code ?? sig)));
  await started;
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('hang'), 30_000)))]);
  clearTimeout(timer);
  if (code === 'hang') child.kill('SIGKILL');
  return { code, stderr, before, after: listing(dir) };
}

describe('train --stream stops when told, its reading thread with it', () => {
  it('Ctrl-C once: stops after the current chunk and saves the model', async () => {
    const run = await signalled('SIGINT', 'interrupted.json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('stopping after the current chunk');
    expect(run.after).toEqual([...run.before, 'interrupted.json'].sort());
    const training = JSON.parse(readFileSync(join(dir, 'interrupted.json'), 'utf8')).cli.training;
    expect(training.stopReason).toBe('aborted');
    expect(training.epochs).toBeLessThan(100000);
  }, 120_000);

  it('SIGTERM: exit 143, nothing written, no temporary file', async () => {
    const run = await signalled('SIGTERM', 'terminated.json');
    expect(run.code, run.stderr).toBe(143);
    expect(run.stderr).toContain('wasmlp train: terminated (SIGTERM); nothing was written');
    expect(run.after).toEqual(run.before);
  }, 120_000);
});
