// Creates the engine a spec asks for. The WebAssembly engine needs the kernels compiled first
// (init(), or the async createModel/loadModel, which await it).
import { EngineError } from '../errors.js';
import type { EngineKind } from '../spec/types.js';
import type { Engine } from './engine.js';
import { TsEngine } from './ts/ts-engine.js';
import { compileKernels, compiledKernels } from './wasm/loader.js';
import { WasmEngine } from './wasm/wasm-engine.js';
import { oneThreadNote } from './threads.js';

/** Makes sure the engine of this kind (and thread count) can be created synchronously. */
export async function prepareEngine(kind: EngineKind, threads = 1): Promise<void> {
  if (kind !== 'wasm') return;
  await Promise.all([compileKernels('single'), ...(threads > 1 ? [compileKernels('threads')] : [])]);
}

/**
 * An engine of this kind on `threads` threads. `threadsNote`: why that is one thread where the model
 * asked for more (src/engine/threads.ts's threadsNote), or null.
 */
export function createEngine(kind: EngineKind, threads = 1, threadsNote: string | null = null): Engine {
  if (kind === 'ts') return new TsEngine(threadsNote);
  const module = compiledKernels('single');
  const threaded = threads > 1 ? compiledKernels('threads') : null;
  if (module === null || (threads > 1 && threaded === null)) {
    throw new EngineError('NOT_INITIALIZED', 'the WebAssembly engine is not ready: await init() (or use the async createModel) before creating a model synchronously', {
      path: 'engine', expected: 'await init() first', received: 'a synchronous call before init()',
    });
  }
  if (threaded === null) return new WasmEngine(module, 1, threadsNote);
  try {
    return new WasmEngine(threaded, threads);
  } catch (error) {
    // a shared memory of up to 4 GiB could not be reserved (a 32-bit host, a tight address space):
    // the model runs on one thread, with the same results
    if (error instanceof EngineError && error.code === 'OUT_OF_MEMORY') {
      return new WasmEngine(module, 1, oneThreadNote(threads, false, `a shared WebAssembly memory (up to 4 GiB) for ${threads} threads could not be reserved (${String(error.received)})`));
    }
    throw error;
  }
}
