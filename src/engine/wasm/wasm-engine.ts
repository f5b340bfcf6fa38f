// The WebAssembly engine: one kernel instance (and so one linear memory) per model. The arena starts
// at the kernels' heap base; the memory grows once per larger plan, and every view is re-created
// after growth (growth detaches the old ones). One call per forward/backward of a whole batch.
// With threads > 1 the instance is the threaded build on a shared memory (maximum 4 GiB, the
// budget's limit), and the process's pool of workers joins its large passes (pool.ts).
// Offsets up to 4 GiB cross into the kernels' i32 parameters with the same bits (ToInt32 wraps
// modulo 2^32) and are used there as unsigned (usize) addresses.
import type { Engine } from '../engine.js';
import { threadSplit, wantsThreads, type Plan } from '../../layout/plan.js';
import { P, PF } from '../../layout/abi.js';
import { writeDescriptors } from '../../layout/pack.js';
import { EngineError } from '../../errors.js';
import { instantiateKernels } from './loader.js';
import type { KernelExports } from './exports.js';
import { joinPool, type PoolMember } from './pool.js';
import { oneThreadNote } from '../threads.js';

const PAGE_BYTES = 65536;
/** A wasm32 memory's largest size (4 GiB): the declared maximum of a shared memory. */
const MAX_PAGES = 65536;

/** Takes an engine that was garbage-collected without dispose() out of the pool. */
const orphans = new FinalizationRegistry<PoolMember>((member) => member.leave());

/** May this thread sleep in Atomics.wait? Everywhere but on a browser's main thread. */
function threadMayBlock(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown };
  return g.process?.versions?.node !== undefined || typeof g.WorkerGlobalScope === 'function';
}

export class WasmEngine implements Engine {
  readonly kind = 'wasm' as const;
  readonly base: number;
  f64: Float64Array;
  i32: Int32Array;
  private kernels: KernelExports | null;
  private header = 0;
  private pool: PoolMember | null = null;
  /** The pool block's first i32 slot (plan.pool / 4). */
  private poolSlots = 0;
  /** threadSplitOverride.workersOnly when the plan was bound (a test mode: every split tile on a worker). */
  private workersOnly = false;

  private threadCount: number;
  /** Why the engine runs on fewer threads than its model asked for (given, or set when a worker fails), or null. */
  threadsNote: string | null;

  /**
   * `module` is the threaded build when threads > 1. `threadsNote`: why a model that asked for more
   * threads gets this engine's one (src/engine/threads.ts, select.ts), or null.
   */
  constructor(private readonly module: WebAssembly.Module, threads = 1, threadsNote: string | null = null) {
    this.threadCount = threads;
    this.threadsNote = threadsNote;
    let memory: WebAssembly.Memory | undefined;
    if (threads > 1) {
      try {
        memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      } catch (cause) {
        throw new EngineError('OUT_OF_MEMORY', `a shared WebAssembly memory (up to 4 GiB) could not be reserved for ${threads} threads: ${String(cause)}`, {
          expected: 'a shared memory', received: String(cause), cause,
        });
      }
    }
    this.kernels = instantiateKernels(module, memory);
    this.base = this.kernels.heapBase();
    this.f64 = new Float64Array(this.kernels.memory.buffer);
    this.i32 = new Int32Array(this.kernels.memory.buffer);
  }

  /** Threads in use: the count asked for, or 1 once a worker has failed. */
  get threads(): number {
    return this.threadCount;
  }

  private get k(): KernelExports {
    if (this.kernels === null) throw new EngineError('DISPOSED', 'this engine was disposed', { expected: 'a live engine', received: 'a disposed engine' });
    return this.kernels;
  }

  /** Re-creates the views if the memory grew (a grown memory detaches every old view). */
  private refreshViews(): void {
    const buffer = this.k.memory.buffer;
    if (this.f64.buffer !== buffer || this.f64.byteLength !== buffer.byteLength) {
      this.f64 = new Float64Array(buffer);
      this.i32 = new Int32Array(buffer);
    }
  }

  bind(plan: Plan): void {
    const memory = this.k.memory;
    const missing = plan.end - memory.buffer.byteLength;
    if (missing > 0) {
      try {
        memory.grow(Math.ceil(missing / PAGE_BYTES));
      } catch (cause) {
        throw new EngineError('OUT_OF_MEMORY', `WebAssembly memory could not grow to ${plan.end} bytes for this plan (batch ${plan.batchCapacity}, rows ${plan.rowCapacity})`, {
          expected: `${plan.end} bytes`, received: `${memory.buffer.byteLength} bytes`, cause,
        });
      }
    }
    this.refreshViews();
    this.header = plan.header;
    writeDescriptors(plan, this);
    if (this.threadCount > 1) this.bindPool(plan);
  }

  /** Tells the kernels where the pool block and the scratch slots are; joins the pool when the plan has work for it. */
  private bindPool(plan: Plan): void {
    const at = plan.pool >>> 2;
    this.poolSlots = at;
    const split = threadSplit();
    this.i32[at + P.THREADS] = this.threadCount;
    this.i32[at + P.SCRATCH] = plan.scratch;
    this.i32[at + P.SCRATCH_STRIDE] = plan.scratchBytes;
    this.i32[at + P.WHOLE] = plan.whole;
    this.i32[at + P.WHOLE_BYTES] = plan.wholeBytes;
    this.i32[at + P.MIN_VOLUME] = Math.min(split.minVolume, 0x7fffffff);
    this.i32[at + P.MIN_ELEMENTS] = Math.min(split.minElements, 0x7fffffff);
    this.i32[at + P.WORKERS_ONLY] = split.workersOnly ? 1 : 0;
    this.workersOnly = split.workersOnly;
    this.i32[at + P.CAN_BLOCK] = threadMayBlock() ? 1 : 0;
    this.i32[at + P.PRODUCT_TILES] = split.productTiles;
    this.i32[at + P.ELEMENT_TILES] = split.elementTiles;
    this.i32[at + P.COORDINATOR_SPINS] = split.coordinatorSpins;
    this.i32[at + P.WORKER_SPINS] = split.workerSpins;
    this.k.pool_attach(plan.pool);
    if (this.pool === null && wantsThreads(plan)) {
      const pool = joinPool(this.module, this.k.memory, plan.pool, this.threadCount);
      this.pool = pool;
      orphans.register(this, pool, this);
      void pool.ready.then(() => this.checkStart(pool));
    }
  }

  /** Resolves once every worker has started (or failed to); at once when none was asked for. */
  threadsReady(): Promise<void> {
    const pool = this.pool;
    return pool === null ? Promise.resolve() : pool.ready.then(() => this.checkStart(pool));
  }

  /**
   * Once the workers meant for this model have answered: if none could start or make its instance,
   * the model leaves the pool and computes on one thread, and threadsNote says why. (Between calls:
   * a promise's callback never runs inside a kernel call.)
   */
  private checkStart(pool: PoolMember): void {
    const failure = pool.startFailure;
    if (failure === null || this.pool !== pool || this.kernels === null) return;
    this.continueOnOne(`no worker thread could start (${failure})`);
  }

  /** Ends this model's share of the pool: it computes on one thread from now on, and threadsNote says why. */
  private continueOnOne(reason: string): void {
    this.endPool();
    this.k.pool_attach(0);
    this.threadsNote = oneThreadNote(this.threadCount, false, reason);
    this.threadCount = 1;
  }

  /** Workers serving this model, and the tiles they have run so far (tests and diagnostics). */
  poolStats(): { workers: number; workerTiles: number } {
    if (this.pool === null || this.kernels === null) return { workers: 0, workerTiles: 0 };
    return { workers: this.pool.workers, workerTiles: this.pool.workerTiles };
  }

  /** Runs a kernel; a trap becomes an EngineError naming it (the caller's state is restored by the caller). */
  private run<T>(kernel: string, call: () => T): T {
    if (this.pool !== null) {
      this.pool.activate(this.workersOnly);
      this.i32[this.poolSlots + P.CALLS]++;
      // the kernels' measure of whether the pool pays leaves out the host's time between calls
      this.f64[(this.poolSlots >>> 1) + PF.CALL_START] = performance.now();
    }
    try {
      return call();
    } catch (cause) {
      if (this.pool?.failed) {
        // a worker failed while this call waited for its tile: the pool ends, the model computes on
        // one thread from now on (the caller puts the model back as before the call)
        this.continueOnOne(`a worker thread failed during the WebAssembly kernel ${kernel}, and the model continues on one`);
        throw new EngineError('WORKER_FAILED', `a worker thread failed during the WebAssembly kernel ${kernel}; the model continues on one thread`, {
          path: kernel, expected: 'every worker to finish its tiles', received: 'a worker that failed', cause,
        });
      }
      if (cause instanceof EngineError) throw cause;
      throw new EngineError('WASM_TRAP', `the WebAssembly kernel ${kernel} failed: ${String(cause)}`, {
        path: kernel, expected: 'the kernel to complete', received: String(cause), cause,
      });
    } finally {
      this.refreshViews();
      if (this.pool !== null) this.f64[(this.poolSlots >>> 1) + PF.CALL_END] = performance.now();
    }
  }

  forward(rows: number, input: number): void {
    const k = this.k;
    this.run('network_forward', () => k.network_forward(this.header, rows, input));
  }

  lossSum(rows: number, input: number, target: number, start = 0): number {
    const k = this.k;
    return this.run('network_forward_loss_sum', () => k.network_forward_loss_sum(this.header, rows, input, target, start));
  }

  gradients(rows: number, input: number, target: number, scaleRows = rows, accumulate = false, start = 0): number {
    const k = this.k;
    return this.run('network_gradients_chunk', () => k.network_gradients_chunk(this.header, rows, input, target, scaleRows, accumulate ? 1 : 0, start));
  }

  trainEpochs(epochs: number, maxSteps: number): number {
    const k = this.k;
    return this.run('train_epochs', () => k.train_epochs(this.header, epochs, maxSteps));
  }

  private endPool(): void {
    if (this.pool === null) return;
    this.pool.leave();
    orphans.unregister(this);
    this.pool = null;
  }

  firstNonFinite(offset: number, count: number): number {
    const k = this.k;
    return this.run('first_non_finite', () => k.first_non_finite(offset, count));
  }

  dispose(): void {
    this.endPool();
    this.kernels = null;
    this.f64 = new Float64Array(0);
    this.i32 = new Int32Array(0);
  }
}
