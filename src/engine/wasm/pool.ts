// The host's side of the thread pool (the kernels' side, with the task protocol: assembly/pool.ts).
//
// One pool per process (or page): at most cores − 1 workers (worker_threads in Node, Web Workers in
// browsers), shared by every threaded model. Each model keeps its own shared memory and its own pool
// block in it; a worker holds one instance of the threaded kernels per model it serves (made when
// the model joins: `attach`) and serves one model at a time, the ACTIVE one: the model whose engine
// called a kernel last. Inside the kernel pool_serve it takes tiles of that model's tasks, spinning
// a while and then sleeping on the model's block between them, until the host releases it (RELEASE
// in the block: another model became active, or the worker has mail) or stops it (STOP).
//
// The control words (a small SharedArrayBuffer of the pool, not in any model's memory):
//   STOP    1: every worker ends
//   ACTIVE  the id of the model the workers serve (0: none)
//   BELL    bumped, with a notify, after every change of the words above or of a worker's MAIL; a
//           worker with nothing to serve sleeps on it (read before it looks, so no change is missed)
//   MAIL+i  messages posted to worker i: a worker that has not read them all returns to its event
//           loop, where they are delivered (browsers have no synchronous receive), then serves again
// The calling thread never waits for a worker that is not there: it claims every tile no worker
// has started (assembly/pool.ts), so results are the same bits whoever joins, and a worker that
// is late, busy with mail or dead costs speed only.
//
// Lifetime: workers start with the first threaded model that needs them (or when a later one needs
// more), keep a Node process alive only until they have attached the models that wait for them (unref
// after), and end POOL_LINGER_MS after the last model left the pool (dispose, or garbage collection
// of an engine never disposed: the FinalizationRegistry in wasm-engine.ts) unless another joins.
import { P } from '../../layout/abi.js';
import { availableCores, nodeBuiltins } from '../threads.js';

/** Control words of the pool (see above). */
const C = { STOP: 0, ACTIVE: 1, BELL: 2, MAIL: 3 } as const;
/**
 * How long the workers of a pool that no model uses any more live on, asleep, for the next model to
 * reuse (a worker takes tens of milliseconds to start). They never keep a process alive.
 */
export const POOL_LINGER_MS = 2000;
/** Most workers a pool can have (the control block's MAIL room). */
const MAX_WORKERS = 63;

/**
 * A testing hook: while `failAttach` is set, workers fail to make the instance of a model that joins,
 * as a worker whose thread cannot instantiate the kernels would (tests of model.threadsNote).
 */
export const poolTesting = { failAttach: false };

// The worker's program, in plain JavaScript so that it runs as an eval'd worker in Node and as a
// blob: worker in browsers, with nothing to fetch. `reply` posts to the host.
const WORKER_BODY = `
const models = new Map();
let control = null, index = 0, read = 0;
function receive(message, reply) {
  if (message.start !== undefined) {
    control = new Int32Array(message.start.control);
    index = message.start.index;
    read = message.start.read;
    reply({ started: index });
    return serve(reply);
  }
  if (message.attach !== undefined) {
    const { id, module, memory, block, threads, fail } = message.attach;
    try {
      if (fail) throw new Error('this worker was told to fail (poolTesting.failAttach)');
      const env = { memory, pool_sleep: poolSleep(memory), pool_now: () => performance.now(), abort() { throw new Error('wasmlp: a kernel aborted in a worker'); } };
      const instance = new WebAssembly.Instance(module, { env });
      models.set(id, { serve: instance.exports.pool_serve, memory, block, threads });
      reply({ attached: id });
    } catch (error) {
      reply({ attached: id, failed: String(error) });
    }
  } else if (message.detach !== undefined) {
    models.delete(message.detach);
  }
  read++;
  serve(reply);
}
// the threaded kernels' sleep (src/engine/wasm/loader.ts poolSleep, the same function)
function poolSleep(memory) {
  let view = new Int32Array(memory.buffer);
  return (at, value, timeoutMs) => {
    if (view.buffer !== memory.buffer) view = new Int32Array(memory.buffer);
    Atomics.wait(view, at >>> 2, value, timeoutMs < 0 ? Infinity : timeoutMs);
  };
}
function serve(reply) {
  for (;;) {
    const bell = Atomics.load(control, ${C.BELL});
    if (Atomics.load(control, ${C.STOP}) !== 0) return;
    if (Atomics.load(control, ${C.MAIL} + index) !== read) return; // its messages come first
    const id = Atomics.load(control, ${C.ACTIVE});
    const model = models.get(id);
    if (model !== undefined && index < model.threads) {
      try {
        model.serve(model.block, index);
      } catch (error) {
        // a tile it held will never be done: FAILED makes the waiting call trap instead of waiting
        const i32 = new Int32Array(model.memory.buffer), at = model.block >>> 2;
        Atomics.store(i32, at + ${P.FAILED}, 1);
        Atomics.sub(i32, at + ${P.WORKERS}, 1);
        Atomics.notify(i32, at + ${P.DONE});
        models.delete(id);
        reply({ failed: String(error), id });
      }
    }
    Atomics.wait(control, ${C.BELL}, bell);
  }
}`;

const NODE_WORKER = `${WORKER_BODY}
const { parentPort } = require('node:worker_threads');
const reply = (message) => parentPort.postMessage(message);
parentPort.on('message', (message) => receive(message, reply));`;

const BROWSER_WORKER = `${WORKER_BODY}
const reply = (message) => self.postMessage(message);
self.onmessage = (event) => receive(event.data, reply);`;

/** What a worker says. */
interface Reply {
  started?: number;
  attached?: number;
  failed?: string;
  id?: number;
}

/** A started worker, whatever the platform. */
interface Handle {
  post(message: unknown): void;
  /** Keeps the process alive (Node) while the host waits for the worker's answers. */
  hold(on: boolean): void;
  terminate(): void;
}

let live = 0;
/** Workers started and not yet ended, in this process or page (for tests). */
export function liveWorkers(): number {
  return live;
}

let browserWorkerUrl: string | null = null;

/** One worker of the pool, as the host sees it. */
class PoolWorker {
  readonly handle: Handle;
  ended = false;
  /** Attachments posted and not answered yet (each resolves with why it failed, or null): the worker holds the process until they are. */
  private waiting = new Map<number, (failure: string | null) => void>();
  /** Why the worker ended, when an error ended it. */
  private endedBy: string | null = null;
  /** The worker has said it started (until then it holds the process too). */
  private started = false;

  constructor(readonly index: number, control: SharedArrayBuffer, private readonly onEnd: (worker: PoolWorker) => void) {
    this.handle = spawn((reply) => this.hear(reply), (error) => this.end(error));
    this.hold();
    // `read`: the mail count of this index so far (a worker that ended may have had one before)
    this.handle.post({ start: { control, index, read: Atomics.load(new Int32Array(control), C.MAIL + index) } });
  }

  private hold(): void {
    this.handle.hold(this.waiting.size > 0 || !this.started);
  }

  private hear(reply: Reply): void {
    if (reply.started !== undefined) this.started = true;
    if (reply.attached !== undefined) this.answered(reply.attached, reply.failed ?? null);
    this.hold();
  }

  private answered(id: number, failure: string | null): void {
    this.waiting.get(id)?.(failure);
    this.waiting.delete(id);
  }

  /** Resolves once the worker has an instance for model `id` (null), or with why it has none (it could not make one, or ended). */
  attach(id: number, message: unknown): Promise<string | null> {
    return new Promise((resolve) => {
      if (this.ended) return resolve(this.endReason());
      this.waiting.set(id, resolve);
      this.hold();
      this.handle.post(message);
    });
  }

  private endReason(): string {
    return this.endedBy ?? 'the worker thread ended';
  }

  private end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== undefined) this.endedBy = String((error as { message?: unknown })?.message ?? error);
    live--;
    for (const resolve of this.waiting.values()) resolve(this.endReason());
    this.waiting.clear();
    this.onEnd(this);
  }
}

function spawn(hear: (reply: Reply) => void, end: (error?: unknown) => void): Handle {
  const node = nodeBuiltins();
  if (node !== null) {
    const worker = new node.worker_threads.Worker(NODE_WORKER, { eval: true });
    live++;
    worker.on('message', hear);
    worker.on('error', end);
    worker.on('exit', () => end());
    return {
      post: (message) => worker.postMessage(message),
      hold: (on) => (on ? worker.ref() : worker.unref()),
      terminate: () => void worker.terminate(),
    };
  }
  if (browserWorkerUrl === null) browserWorkerUrl = URL.createObjectURL(new Blob([BROWSER_WORKER], { type: 'text/javascript' }));
  const worker = new Worker(browserWorkerUrl);
  live++;
  worker.onmessage = (event: MessageEvent<Reply>) => hear(event.data);
  worker.onerror = (event) => end(event.message || 'the worker could not start');
  return {
    post: (message) => worker.postMessage(message),
    hold: () => undefined,
    terminate: () => {
      worker.terminate();
      end();
    },
  };
}

/** A model's share of the pool (what its engine holds). */
export interface PoolMember {
  /** Resolves when every worker the model can use has its instance (or failed to make one). */
  readonly ready: Promise<void>;
  /**
   * Makes this model the one the workers serve; cheap when it already is. `awaitWorkers` (the
   * WORKERS_ONLY test mode) then waits until they serve it.
   */
  activate(awaitWorkers: boolean): void;
  /** Workers of the pool that serve this model (alive, attached, and with a scratch slot on it). */
  readonly workers: number;
  /** Tiles the workers have run for this model. */
  readonly workerTiles: number;
  /** True once a worker has failed on this model (FAILED): it should leave the pool. */
  readonly failed: boolean;
  /**
   * Once `ready`: why no worker serves this model, when every worker meant for it failed to start or
   * to make its instance (the first reason); null when one serves it, or none was meant to.
   */
  readonly startFailure: string | null;
  /** Leaves the pool (idempotent): the workers drop the model's instance; the last member ends them. */
  leave(): void;
  /** The pool's workers (for tests that end one). */
  readonly handles: readonly { terminate(): void }[];
}

interface Member {
  readonly id: number;
  readonly memory: WebAssembly.Memory;
  readonly block: number;
  readonly threads: number;
  attached: Set<PoolWorker>;
  /** Why workers could not attach it (start or instance failures), in order. */
  failures: string[];
}

/** The live workers that have the model's instance. */
function serving(member: Member): number {
  let count = 0;
  for (const worker of member.attached) if (!worker.ended) count++;
  return count;
}

/** The pool of this process or page. */
class SharedPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * (C.MAIL + MAX_WORKERS)));
  private readonly workers: PoolWorker[] = [];
  private readonly members = new Map<number, Member>();
  private active: Member | null = null;
  /** RELEASE was set on the active model's block (to deliver mail): the next activate clears it. */
  private released = false;
  private nextId = 1;
  /** The timer that ends the workers of a pool no model uses any more. */
  private idle: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly module: WebAssembly.Module) {}

  get empty(): boolean {
    return this.members.size === 0;
  }

  join(memory: WebAssembly.Memory, block: number, threads: number): PoolMember {
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = null;
    const member: Member = { id: this.nextId++, memory, block, threads, attached: new Set(), failures: [] };
    this.grow(Math.min(threads - 1, availableCores() - 1, MAX_WORKERS));
    this.members.set(member.id, member);
    const ready = Promise.all(this.workers.filter((w) => w.index < threads && !w.ended).map((worker) => this.attach(member, worker))).then(() => undefined);
    this.activate(member);
    return this.memberView(member, ready);
  }

  private memberView(member: Member, ready: Promise<void>): PoolMember {
    const i32 = (): Int32Array => new Int32Array(member.memory.buffer);
    const at = member.block >>> 2;
    let left = false;
    return {
      ready,
      activate: (awaitWorkers) => {
        if (this.active !== member || this.released) this.activate(member);
        if (awaitWorkers) this.awaitWorkers(member);
      },
      get workers() {
        return left ? 0 : serving(member);
      },
      get workerTiles() {
        return Atomics.load(i32(), at + P.WORKER_TILES) >>> 0;
      },
      get failed() {
        return !left && Atomics.load(i32(), at + P.FAILED) !== 0;
      },
      get startFailure() {
        return left || serving(member) > 0 ? null : member.failures[0] ?? null;
      },
      leave: () => {
        if (left) return;
        left = true;
        this.leave(member);
      },
      handles: this.workers.map((w) => w.handle),
    };
  }

  /** Starts workers until there are `count` (the ones that ended are replaced). */
  private grow(count: number): void {
    for (let index = 1; index <= count; index++) {
      const current = this.workers[index - 1];
      if (current !== undefined && !current.ended) continue;
      const worker = new PoolWorker(index, this.control.buffer as SharedArrayBuffer, (ended) => this.ended(ended));
      this.workers[index - 1] = worker;
      for (const member of this.members.values()) if (index < member.threads) void this.attach(member, worker);
    }
  }

  private attach(member: Member, worker: PoolWorker): Promise<void> {
    const { id, memory, block, threads } = member;
    const done = worker.attach(id, { attach: { id, module: this.module, memory, block, threads, fail: poolTesting.failAttach } });
    this.mailed(worker);
    return done.then((failure) => {
      if (failure !== null) member.failures.push(failure);
      else if (!worker.ended && this.members.has(id)) member.attached.add(worker);
    });
  }

  /** Counts a message posted to `worker`, and gets it off its model so that it reads it. */
  private mailed(worker: PoolWorker): void {
    Atomics.add(this.control, C.MAIL + worker.index, 1);
    if (this.active !== null) this.release(this.active, false);
    this.ring();
  }

  private ring(): void {
    Atomics.add(this.control, C.BELL, 1);
    Atomics.notify(this.control, C.BELL);
  }

  /**
   * Sets RELEASE (or STOP, `stop`) on a model's block and wakes its sleeping workers. GEN moves too,
   * so that a worker about to sleep on the block cannot miss it (assembly/pool.ts pool_serve).
   */
  private release(member: Member, stop: boolean): void {
    const i32 = new Int32Array(member.memory.buffer);
    const at = member.block >>> 2;
    Atomics.store(i32, at + (stop ? P.STOP : P.RELEASE), 1);
    Atomics.add(i32, at + P.GEN, 1);
    Atomics.notify(i32, at + P.GEN);
    if (member === this.active) this.released = true;
  }

  private activate(member: Member): void {
    const previous = this.active;
    if (previous !== null && previous !== member) this.release(previous, false);
    this.active = member;
    this.released = false;
    Atomics.store(new Int32Array(member.memory.buffer), (member.block >>> 2) + P.RELEASE, 0);
    Atomics.store(this.control, C.ACTIVE, member.id);
    this.ring();
  }

  /**
   * The WORKERS_ONLY test mode wants every split tile computed by a worker: before each call it waits
   * (spinning: a browser's main thread may not block; 10 s at most) until the model's workers serve
   * its block. Results never depend on it; only the tests' count of worker tiles does.
   */
  private awaitWorkers(member: Member): void {
    const i32 = new Int32Array(member.memory.buffer);
    const at = member.block >>> 2;
    const deadline = Date.now() + 10_000;
    const workers = serving(member);
    while (Atomics.load(i32, at + P.WORKERS) < workers && Date.now() < deadline);
  }

  private leave(member: Member): void {
    this.members.delete(member.id);
    this.release(member, true);
    if (this.active === member) {
      this.active = null;
      Atomics.store(this.control, C.ACTIVE, 0);
    }
    for (const worker of member.attached) {
      if (worker.ended) continue;
      worker.handle.post({ detach: member.id });
      this.mailed(worker);
    }
    member.attached.clear();
    if (this.members.size === 0) {
      this.idle = setTimeout(() => this.stop(), POOL_LINGER_MS);
      (this.idle as { unref?: () => void }).unref?.(); // Node: the timer never keeps the process alive
    }
  }

  private ended(worker: PoolWorker): void {
    for (const member of this.members.values()) member.attached.delete(worker);
  }

  /** Ends every worker (the pool is then empty and is made anew by the next model). */
  private stop(): void {
    Atomics.store(this.control, C.STOP, 1);
    this.ring();
    for (const worker of this.workers) worker.handle.terminate();
    this.workers.length = 0;
    if (pool === this) pool = null;
  }
}

let pool: SharedPool | null = null;

/**
 * Joins the model whose threaded kernels run on `memory`, with its pool block at `block` and
 * scratch slots for `threads` threads, to the pool of this process (made on first use, with the
 * threaded kernels' `module`).
 */
export function joinPool(module: WebAssembly.Module, memory: WebAssembly.Memory, block: number, threads: number): PoolMember {
  if (pool === null) pool = new SharedPool(module);
  return pool.join(memory, block, threads);
}
