// The host's side of the thread pool (the kernels' side, with the protocol: assembly/pool.ts).
// A pool is threads − 1 workers (worker_threads in Node, Web Workers in browsers), each with its own
// instance of the threaded kernels on the model's shared memory. A worker spends its whole life in
// the kernel pool_worker: it takes tiles of the tasks the calling thread publishes, spinning a
// while and then sleeping on the pool block between them, until stop() sets STOP. The calling
// thread never blocks on workers (it only spins on the last tiles), and a worker that has not
// started yet, or has died, simply takes no tiles: the results are the same bits either way.
//
// Workers keep a Node process alive only until they have started (unref after), stop with dispose(),
// and stop when their model is garbage-collected without a dispose (FinalizationRegistry in
// wasm-engine.ts).
import { P } from '../../layout/abi.js';
import { nodeBuiltins } from '../threads.js';

/** What a worker receives, once. */
interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  block: number;
  index: number;
}

// The worker's program: instantiate the threaded kernels on the shared memory, report, and run
// pool_worker until STOP. Kept in plain JavaScript so that it runs as an eval'd worker in Node and
// as a blob: worker in browsers, with nothing to fetch.
const WORKER_BODY = `
function start(data, report) {
  const i32 = new Int32Array(data.memory.buffer);
  const at = data.block >>> 2;
  let instance;
  try {
    instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory, abort() { throw new Error('wasmlp: a kernel aborted in a worker'); } } });
  } catch (error) {
    report({ failed: String(error) });
    return;
  }
  // counted before the report: once the host hears it, the worker takes tiles
  Atomics.add(i32, at + ${P.WORKERS}, 1);
  report({ started: data.index });
  try {
    instance.exports.pool_worker(data.block, data.index);
  } catch (error) {
    // a tile it held will never be done: FAILED makes the waiting call trap instead of waiting forever
    Atomics.store(i32, at + ${P.FAILED}, 1);
    Atomics.sub(i32, at + ${P.WORKERS}, 1);
    report({ failed: String(error) });
  }
}`;

const NODE_WORKER = `${WORKER_BODY}
const { workerData, parentPort } = require('node:worker_threads');
start(workerData, (message) => parentPort.postMessage(message));`;

const BROWSER_WORKER = `${WORKER_BODY}
self.onmessage = (event) => { start(event.data, (message) => self.postMessage(message)); self.close(); };`;

/** A started worker, whatever the platform. */
interface Handle {
  terminate(): void;
}

let live = 0;
/** Workers started and not yet ended, across all pools of this process or page (for tests). */
export function liveWorkers(): number {
  return live;
}

let browserWorkerUrl: string | null = null;

export class ThreadPool {
  private readonly handles: Handle[] = [];
  private stopped = false;
  /** Resolves when every worker has started or failed to start. */
  readonly ready: Promise<void>;

  constructor(module: WebAssembly.Module, private readonly memory: WebAssembly.Memory, private readonly block: number, threads: number) {
    const settled: Promise<void>[] = [];
    for (let index = 1; index < threads; index++) {
      settled.push(new Promise<void>((resolve) => {
        try {
          this.handles.push(this.spawn({ module, memory, block, index }, resolve));
        } catch {
          resolve(); // no worker: the others and the calling thread do its share
        }
      }));
    }
    this.ready = Promise.all(settled).then(() => undefined);
  }

  private spawn(start: WorkerStart, settle: () => void): Handle {
    const node = nodeBuiltins();
    let ended = false;
    const end = (): void => {
      if (!ended) {
        ended = true;
        live--;
      }
      settle();
    };
    if (node !== null) {
      const worker = new node.worker_threads.Worker(NODE_WORKER, { eval: true, workerData: start });
      live++;
      // Held (ref'd) until it reports, so that an `await createModel(…)` keeps the process alive
      // until then; afterwards it never keeps a process alive. (unref() comes after the 'message'
      // listener is gone: a 'message' listener refs the worker's port again.)
      worker.once('message', () => {
        worker.unref();
        settle();
      });
      worker.on('error', end);
      worker.on('exit', end);
      return { terminate: () => void worker.terminate() };
    }
    if (browserWorkerUrl === null) browserWorkerUrl = URL.createObjectURL(new Blob([BROWSER_WORKER], { type: 'text/javascript' }));
    const worker = new Worker(browserWorkerUrl);
    live++;
    worker.onmessage = settle;
    worker.onerror = end;
    worker.postMessage(start);
    return {
      terminate: () => {
        worker.terminate();
        end();
      },
    };
  }

  /** A view of the shared memory (a grown memory has a longer buffer: read it each time). */
  private i32(): Int32Array {
    return new Int32Array(this.memory.buffer);
  }

  /** Workers inside pool_worker now (they take tiles). */
  get started(): number {
    return this.stopped ? 0 : Atomics.load(this.i32(), (this.block >>> 2) + P.WORKERS);
  }

  /** True once a worker has failed (FAILED): the kernels no longer split, and the pool should be stopped. */
  get failed(): boolean {
    return !this.stopped && Atomics.load(this.i32(), (this.block >>> 2) + P.FAILED) !== 0;
  }

  /** Tiles the workers have run since the pool started. */
  get workerTiles(): number {
    return Atomics.load(this.i32(), (this.block >>> 2) + P.WORKER_TILES) >>> 0;
  }

  /** Ends every worker: STOP, a wake-up for the sleeping ones, then terminate. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const i32 = this.i32();
    const at = this.block >>> 2;
    Atomics.store(i32, at + P.STOP, 1);
    Atomics.add(i32, at + P.GEN, 1);
    Atomics.notify(i32, at + P.GEN);
    for (const handle of this.handles) handle.terminate();
  }
}
