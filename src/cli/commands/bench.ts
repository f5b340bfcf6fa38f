// `wasmlp bench`: training throughput of the WebAssembly engine against the pure-TypeScript engine
// on the repository's workloads, each engine in a fresh worker thread, one after the other (never
// concurrently), median wall time of the timed fits after a warm-up fit.
import { Worker } from 'node:worker_threads';
import { Command, Option } from 'commander';
import { positiveInt } from '../args.js';
import { WORKLOADS } from '../bench-workloads.js';
import type { BenchReply, BenchRequest, BenchWorkerData } from '../bench-worker.js';
import { CliError } from '../errors.js';
import { count, table } from '../format.js';
import { parseList } from '../encode.js';
import { action, type Context, type Result } from '../run.js';

interface BenchOptions {
  quick?: boolean;
  rounds?: number;
  only?: string;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs `request` in a fresh worker thread started from `entry`, the `wasmlp` entry file. */
function runWorker(entry: URL, request: BenchRequest): Promise<BenchReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: { wasmlpBench: request } satisfies BenchWorkerData });
    worker.once('message', (reply: BenchReply) => resolve(reply));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench worker (${request.id}, ${request.engine}) exited with code ${code}`));
    });
  });
}

async function bench(entry: URL, ctx: Context, _args: string[], o: BenchOptions): Promise<Result> {
  const quick = o.quick === true;
  const rounds = o.rounds ?? (quick ? 1 : 3);
  const ids = o.only === undefined ? WORKLOADS.map((w) => w.id) : parseList(o.only);
  const unknown = ids.filter((id) => !WORKLOADS.some((w) => w.id === id));
  if (unknown.length > 0) throw new CliError('UNKNOWN_WORKLOAD', `--only: unknown workload ${unknown.join(', ')}; available: ${WORKLOADS.map((w) => w.id).join(', ')}`);
  const results = [];
  for (const workload of WORKLOADS.filter((w) => ids.includes(w.id))) {
    ctx.progress.note(`bench ${workload.id} (${workload.network})…`);
    const engines: Record<string, { ms: number; samplesPerSecond: number; loss: number }> = {};
    for (const engine of ['ts', 'wasm'] as const) {
      const reply = await runWorker(entry, { id: workload.id, engine, rounds, quick });
      const ms = median(reply.ms);
      engines[engine] = { ms, samplesPerSecond: reply.rowsPerFit / (ms / 1000), loss: reply.loss };
    }
    const fit = workload.fit(quick);
    results.push({
      id: workload.id,
      network: workload.network,
      rows: workload.data(quick).rows,
      epochs: fit.epochs,
      batchSize: fit.batchSize,
      wasm: engines.wasm,
      ts: engines.ts,
      ratio: engines.wasm.samplesPerSecond / engines.ts.samplesPerSecond,
    });
  }
  const rowsOfTable = [
    ['id', 'network', 'rows × epochs', 'WASM samples/s', 'TS samples/s', 'WASM/TS'],
    ...results.map((r) => [r.id, r.network, `${r.rows} × ${r.epochs}`, count(r.wasm.samplesPerSecond), count(r.ts.samplesPerSecond), `${r.ratio.toFixed(2)}×`]),
  ];
  const note = quick
    ? 'note: --quick runs are a few milliseconds each, so these rates and ratios are mostly noise (timer resolution, compilation tiers, other work on the machine); compare engines without --quick'
    : null;
  return {
    text: `training throughput, median of ${rounds} timed fit${rounds > 1 ? 's' : ''} per engine after a warm-up (node ${process.version})\n${table(rowsOfTable, 2)}${note ? `\n${note}` : ''}`,
    json: { node: process.version, rounds, quick, note, results },
  };
}

/** `entry`: the file that started this process (main.ts), which also serves as the worker script. */
export function benchCommand(entry: URL): Command {
  return new Command('bench')
    .description('compare training throughput of the WebAssembly and TypeScript engines on the W1–W6 workloads (both on one thread: the kernels against each other)')
    .option('--quick', 'smaller workloads and one timed fit each (a few seconds; a smoke test, the numbers are noise)')
    .option('--rounds <n>', 'timed fits per engine and workload (default 3; 1 with --quick)', positiveInt)
    .option('--only <ids>', `workloads to run, comma-separated (${WORKLOADS.map((w) => w.id).join(', ')})`)
    .option('--json', 'print one JSON document on stdout')
    .addOption(new Option('--report-memory').hideHelp())
    .action(action('bench', (ctx, args, o: BenchOptions) => bench(entry, ctx, args, o)));
}
