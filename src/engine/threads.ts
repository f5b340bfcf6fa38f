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
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  if (nodeBuiltins() !== null) return true;
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  return g.crossOriginIsolated === true && typeof g.Worker === 'function';
}

/** Cores this process may use. */
export function availableCores(): number {
  const node = nodeBuiltins();
  if (node !== null) return typeof node.os.availableParallelism === 'function' ? node.os.availableParallelism() : node.os.cpus().length;
  const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof hc === 'number' && hc >= 1 ? Math.floor(hc) : 1;
}

/** The count a model runs on: 1 for the TS engine or where threads cannot run; 'auto': the cores, capped. */
export function resolveThreads(value: Threads, engine: EngineKind): number {
  if (engine !== 'wasm' || !threadsSupported()) return 1;
  return value === 'auto' ? Math.max(1, Math.min(AUTO_THREADS_CAP, availableCores())) : value;
}
