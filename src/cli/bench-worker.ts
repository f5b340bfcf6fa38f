// One engine timing one workload, in a worker thread of its own: once a WebAssembly memory has grown
// in a process, V8 runs plain typed-array loops slower there, so the TypeScript engine must not share
// a thread with the WebAssembly one (see the README's benchmark notes).
//
// The worker runs the `wasmlp` entry file itself (main.ts hands it here when it finds a bench request
// in its workerData): the published command is one bundled file, with no second script to locate.
import { parentPort } from 'node:worker_threads';
import { createModel } from '../index.js';
import { WORKLOADS } from './bench-workloads.js';

export interface BenchRequest {
  id: string;
  engine: 'wasm' | 'ts';
  rounds: number;
  quick: boolean;
}

export interface BenchReply {
  /** Wall time of each timed fit, ms (after one warm-up fit). */
  ms: number[];
  rowsPerFit: number;
  loss: number;
}

/** The workerData a bench worker is started with; anything else is not a bench worker. */
export interface BenchWorkerData {
  wasmlpBench: BenchRequest;
}

export function isBenchWorkerData(data: unknown): data is BenchWorkerData {
  return typeof data === 'object' && data !== null && 'wasmlpBench' in data;
}

/** Times `request` and posts one BenchReply to the parent thread. */
export async function runBenchWorker(request: BenchRequest): Promise<void> {
  const workload = WORKLOADS.find((w) => w.id === request.id)!;
  const data = workload.data(request.quick);
  const fit = workload.fit(request.quick);
  // one thread: the table compares the engines' kernels, whatever the machine's cores
  const model = await createModel({ ...workload.spec, engine: request.engine, threads: 1 });
  const X = { data: data.X, rows: data.rows };
  const Y = { data: data.Y, rows: data.rows };
  model.fit(X, Y, fit); // warm-up: compiles the hot paths, sizes the arena
  const ms: number[] = [];
  let loss = NaN;
  for (let round = 0; round < request.rounds; round++) {
    const started = performance.now();
    const history = model.fit(X, Y, fit);
    ms.push(performance.now() - started);
    loss = history.loss[history.loss.length - 1];
  }
  model.dispose();
  parentPort!.postMessage({ ms, rowsPerFit: data.rows * fit.epochs, loss } satisfies BenchReply);
}
