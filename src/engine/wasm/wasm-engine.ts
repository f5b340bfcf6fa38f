// The WebAssembly engine: one kernel instance (and so one linear memory) per model. The arena starts
// at the kernels' heap base; the memory grows once per larger plan, and every view is re-created
// after growth (growth detaches the old ones). One call per forward/backward of a whole batch.
// Offsets up to 4 GiB cross into the kernels' i32 parameters with the same bits (ToInt32 wraps
// modulo 2^32) and are used there as unsigned (usize) addresses.
import type { Engine } from '../engine.js';
import type { Plan } from '../../layout/plan.js';
import { writeDescriptors } from '../../layout/pack.js';
import { EngineError } from '../../errors.js';
import { instantiateKernels } from './loader.js';
import type { KernelExports } from './exports.js';

const PAGE_BYTES = 65536;

export class WasmEngine implements Engine {
  readonly kind = 'wasm' as const;
  readonly base: number;
  f64: Float64Array;
  i32: Int32Array;
  private kernels: KernelExports | null;
  private header = 0;

  constructor(module: WebAssembly.Module) {
    this.kernels = instantiateKernels(module);
    this.base = this.kernels.heapBase();
    this.f64 = new Float64Array(this.kernels.memory.buffer);
    this.i32 = new Int32Array(this.kernels.memory.buffer);
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
  }

  /** Runs a kernel; a trap becomes an EngineError naming it (the caller's state is restored by the caller). */
  private run<T>(kernel: string, call: () => T): T {
    try {
      return call();
    } catch (cause) {
      if (cause instanceof EngineError) throw cause;
      throw new EngineError('WASM_TRAP', `the WebAssembly kernel ${kernel} failed: ${String(cause)}`, {
        path: kernel, expected: 'the kernel to complete', received: String(cause), cause,
      });
    } finally {
      this.refreshViews();
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

  dispose(): void {
    this.kernels = null;
    this.f64 = new Float64Array(0);
    this.i32 = new Int32Array(0);
  }
}
