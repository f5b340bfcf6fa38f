// Compiles the embedded kernels once and instantiates them per engine: each instance owns its memory,
// so models never share (or leak into) each other's arenas, and dropping an engine frees its memory.
//
// Compilation is asynchronous on purpose: Chromium refuses `new WebAssembly.Module` for buffers over
// 4 KB on the main thread, so the one awaited step of the public API (`init()`, or the async
// `createModel`/`loadModel`) is where this happens; everything after it is synchronous.
import { KERNELS_THREADS_WASM_BASE64, KERNELS_WASM_BASE64 } from '../../generated/kernels-wasm.js';
import { EngineError } from '../../errors.js';
import { ABI_VERSION } from '../../layout/abi.js';
import type { KernelExports } from './exports.js';

/** The two builds (scripts/build-wasm.mjs): single-threaded on a private memory, threaded on a shared one. */
export type KernelBuild = 'single' | 'threads';

const compiled: Record<KernelBuild, Promise<WebAssembly.Module> | null> = { single: null, threads: null };
const ready: Record<KernelBuild, WebAssembly.Module | null> = { single: null, threads: null };
const SOURCES: Record<KernelBuild, string> = { single: KERNELS_WASM_BASE64, threads: KERNELS_THREADS_WASM_BASE64 };

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Compiles one build of the kernels (once per page or process). Safe to call many times. */
export function compileKernels(build: KernelBuild = 'single'): Promise<WebAssembly.Module> {
  let pending = compiled[build];
  if (pending === null) {
    pending = compiled[build] = WebAssembly.compile(decodeBase64(SOURCES[build]) as Uint8Array<ArrayBuffer>).then(
      (module) => {
        ready[build] = module;
        return module;
      },
      (cause: unknown) => {
        compiled[build] = null;
        throw new EngineError('WASM_COMPILE', `the WebAssembly kernels failed to compile: ${String(cause)}`, {
          expected: 'a runtime with WebAssembly SIMD (Node >= 20, Chromium >= 91, Firefox >= 89, Safari >= 16.4)',
          received: String(cause),
        });
      },
    );
  }
  return pending;
}

/** The compiled module of this build if `compileKernels(build)` has finished, else null. */
export function compiledKernels(build: KernelBuild = 'single'): WebAssembly.Module | null {
  return ready[build];
}

/**
 * The threaded kernels' sleep (assembly/pool.ts pool_sleep, which says why it is the host's): waits
 * while the i32 at byte `at` of the shared memory holds `value`, at most `timeoutMs` (-1: no limit).
 * The same function is written out in the pool worker's program (src/engine/wasm/pool.ts).
 */
export function poolSleep(memory: WebAssembly.Memory): (at: number, value: number, timeoutMs: number) => void {
  let view = new Int32Array(memory.buffer);
  return (at, value, timeoutMs) => {
    if (view.buffer !== memory.buffer) view = new Int32Array(memory.buffer); // the memory grew
    Atomics.wait(view, at >>> 2, value, timeoutMs < 0 ? Infinity : timeoutMs);
  };
}

/**
 * A fresh instance: with its own memory (the single-threaded build), or on `memory` (the threaded
 * build imports a shared one). Synchronous: instantiating an already compiled module is allowed everywhere.
 */
export function instantiateKernels(module: WebAssembly.Module, memory?: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      ...(memory === undefined ? {} : { memory, pool_sleep: poolSleep(memory), pool_now: () => performance.now() }),
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new EngineError('WASM_ABORT', `a WebAssembly kernel aborted at ${line}:${column}`, {});
      },
    },
  });
  const exports = instance.exports as unknown as KernelExports;
  const version = exports.ABI_VERSION.value;
  if (version !== ABI_VERSION) {
    throw new EngineError('WASM_ABI', `the WebAssembly kernels speak ABI ${version}, this package expects ${ABI_VERSION}`, {
      expected: String(ABI_VERSION),
      received: String(version),
    });
  }
  return exports;
}
