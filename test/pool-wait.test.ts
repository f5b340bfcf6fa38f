// The threaded kernels never execute WebAssembly's own wait: they sleep through the host's
// Atomics.wait (assembly/pool.ts pool_sleep says why: in Node 20's baseline compiler, which runs a
// worker's pool_serve for its whole life, a local kept across memory.atomic.wait32 inside a loop
// came back as 0). Binaryen would inline a function of the module that waits into its callers, so
// the build is read back here to keep the wait out of it.
import { describe, expect, it } from 'vitest';
import binaryen from 'binaryen';
import { KERNELS_THREADS_WASM_BASE64, KERNELS_WASM_BASE64 } from '../src/generated/kernels-wasm.js';

const bytes = (base64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(Buffer.from(base64, 'base64'));
const imports = (base64: string): string[] =>
  WebAssembly.Module.imports(new WebAssembly.Module(bytes(base64))).map((i) => `${i.module}.${i.name} (${i.kind})`).sort();

describe('the kernels sleep through the host', () => {
  it('the threaded build has no memory.atomic.wait instruction, and imports the host sleep and clock', () => {
    const module = binaryen.readBinary(bytes(KERNELS_THREADS_WASM_BASE64));
    const text = module.emitText();
    module.dispose();
    expect(text).toContain('memory.atomic.notify'); // the reading sees the atomics at all
    expect(text).not.toMatch(/memory\.atomic\.wait(32|64)/);
    expect(imports(KERNELS_THREADS_WASM_BASE64)).toEqual(['env.memory (memory)', 'env.pool_now (function)', 'env.pool_sleep (function)']);
  });

  it('the single-threaded build imports neither', () => {
    expect(imports(KERNELS_WASM_BASE64).filter((name) => name.includes('pool_'))).toEqual([]);
  });
});
