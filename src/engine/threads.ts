// How many threads a model gets. `threads` is a count or 'auto'; the WebAssembly engine runs that
// many when the environment allows threads at all, else one (never an error: results are the same
// bits either way, only the speed differs). Threads need:
//   - SharedArrayBuffer (browsers give it only to cross-origin-isolated pages: COOP/COEP headers);
//   - a way to start workers synchronously: Node's worker_threads (reached through
//     process.getBuiltinModule, Node ≥ 20.16) or the Worker constructor of browsers.
import type { EngineKind, Threads } from '../spec/types.js';

export { MAX_THREADS, validateThreads } from '../spec/threads.js';
/** 'auto' uses the available cores, at most this many: past it the products of MLPs this package
 * trains are too small to split further with profit. */
export const AUTO_THREADS_CAP = 8;

interface NodeBuiltins {
  worker_threads: typeof import('node:worker_threads');
  os: typeof import('node:os');
}

type GetBuiltin = (name: string) => unknown;

/** Node's worker_threads and os, or null outside Node (or on a Node without process.getBuiltinModule). */
export function nodeBuiltins(): NodeBuiltins | null {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: GetBuiltin } }).process;
  if (proc?.versions?.node === undefined || typeof proc.getBuiltinModule !== 'function') return null;
  return {
    worker_threads: proc.getBuiltinModule('node:worker_threads') as NodeBuiltins['worker_threads'],
    os: proc.getBuiltinModule('node:os') as NodeBuiltins['os'],
  };
}

/** True when this environment can run the threaded kernels. */
export function threadsSupported(): boolean {
  return threadsUnavailable() === null;
}

/** The headers that make a page cross-origin isolated, as the reasons below name them. */
const ISOLATION = 'serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

/**
 * Why this environment cannot run the threaded kernels, as the end of a sentence, or null when it
 * can. The checks of threadsSupported, in order, each with its reason.
 */
export function threadsUnavailable(): string | null {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; process?: { version?: string; versions?: { node?: string } } };
  const node = g.process?.versions?.node !== undefined;
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    if (node) return 'this Node.js has no SharedArrayBuffer';
    if (g.crossOriginIsolated === true) return 'this browser gives no SharedArrayBuffer, even to a cross-origin-isolated page';
    if (g.crossOriginIsolated === false) return `this page is not cross-origin isolated (${ISOLATION}), so it has no SharedArrayBuffer`;
    return 'this environment has no SharedArrayBuffer';
  }
  if (node) return nodeBuiltins() !== null ? null : `this Node.js (${g.process?.version ?? 'unknown'}) has no process.getBuiltinModule (Node.js 20.16 or later) to start worker threads with`;
  if (g.crossOriginIsolated !== true) return `this page is not cross-origin isolated (${ISOLATION})`;
  if (typeof g.Worker !== 'function') return 'this environment has no Worker constructor to start threads with';
  return null;
}

/** Cores this process may use. */
export function availableCores(): number {
  const node = nodeBuiltins();
  if (node !== null) return typeof node.os.availableParallelism === 'function' ? node.os.availableParallelism() : node.os.cpus().length;
  const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof hc === 'number' && hc >= 1 ? Math.floor(hc) : 1;
}

/** What `threads` asks for: the count, or for 'auto' the cores, capped. */
function wanted(value: Threads): number {
  return value === 'auto' ? Math.max(1, Math.min(AUTO_THREADS_CAP, availableCores())) : value;
}

/** The count a model runs on: 1 for the TS engine or where threads cannot run; 'auto': the cores, capped. */
export function resolveThreads(value: Threads, engine: EngineKind): number {
  if (engine !== 'wasm' || !threadsSupported()) return 1;
  return wanted(value);
}

/** The sentence that says a model runs on one thread, not on the `asked` ones, and why. */
export function oneThreadNote(asked: number, auto: boolean, reason: string): string {
  return `Runs on 1 thread, not the ${asked} ${auto ? "that threads: 'auto' asks for here" : 'asked for'}: ${reason}.`;
}

/**
 * Why a model asked for `value` threads on `engine` runs on fewer (resolveThreads gives 1 where more
 * were asked for), in one sentence; null when it runs on what was asked ('auto': the cores, at most
 * AUTO_THREADS_CAP; 1 on a machine of one core).
 */
export function threadsNote(value: Threads, engine: EngineKind): string | null {
  const asked = wanted(value);
  if (asked <= 1) return null;
  const reason = engine !== 'wasm' ? "the TypeScript engine ('ts') computes on one thread: threads are the WebAssembly engine's" : threadsUnavailable();
  return reason === null ? null : oneThreadNote(asked, value === 'auto', reason);
}
