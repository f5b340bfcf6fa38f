// Creates the engine a spec asks for. The WebAssembly engine needs the kernels compiled first
// (init(), or the async createModel/loadModel, which await it).
import { EngineError } from '../errors.js';
import type { EngineKind } from '../spec/types.js';
import type { Engine } from './engine.js';
import { TsEngine } from './ts/ts-engine.js';
import { compileKernels, compiledKernels } from './wasm/loader.js';
import { WasmEngine } from './wasm/wasm-engine.js';

/** Makes sure the engine of this kind can be created synchronously. */
export async function prepareEngine(kind: EngineKind): Promise<void> {
  if (kind === 'wasm') await compileKernels();
}

export function createEngine(kind: EngineKind): Engine {
  if (kind === 'ts') return new TsEngine();
  const module = compiledKernels();
  if (module === null) {
    throw new EngineError('NOT_INITIALIZED', 'the WebAssembly engine is not ready: await init() (or use the async createModel) before creating a model synchronously', {
      path: 'engine', expected: 'await init() first', received: 'a synchronous call before init()',
    });
  }
  return new WasmEngine(module);
}
