// Compiles the embedded kernels once and instantiates them per engine: each instance owns its memory,
// so models never share (or leak into) each other's arenas, and dropping an engine frees its memory.
//
// Compilation is asynchronous on purpose: Chromium refuses `new WebAssembly.Module` for buffers over
// 4 KB on the main thread, so the one awaited step of the public API (`init()`, or the async
// `createModel`/`loadModel`) is where this happens; everything after it is synchronous.
import { KERNELS_WASM_BASE64 } from '../../generated/kernels-wasm.js';
import { EngineError } from '../../errors.js';
import { ABI_VERSION } from '../../layout/abi.js';
import type { KernelExports } from './exports.js';

let compiled: Promise<WebAssembly.Module> | null = null;
let ready: WebAssembly.Module | null = null;

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Compiles the kernels (once per page or process). Safe to call many times. */
export function compileKernels(): Promise<WebAssembly.Module> {
  if (compiled === null) {
    compiled = WebAssembly.compile(decodeBase64(KERNELS_WASM_BASE64) as Uint8Array<ArrayBuffer>).then(
      (module) => {
        ready = module;
        return module;
      },
      (cause: unknown) => {
        compiled = null;
        throw new EngineError('WASM_COMPILE', `the WebAssembly kernels failed to compile: ${String(cause)}`, {
          expected: 'a runtime with WebAssembly SIMD (Node >= 20, Chromium >= 91, Firefox >= 89, Safari >= 16.4)',
          received: String(cause),
        });
      },
    );
  }
  return compiled;
}

/** The compiled module if `compileKernels()` has finished, else null. */
export function compiledKernels(): WebAssembly.Module | null {
  return ready;
}

/** A fresh instance with its own memory. Synchronous: instantiating an already compiled module is allowed everywhere. */
export function instantiateKernels(module: WebAssembly.Module): KernelExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
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
