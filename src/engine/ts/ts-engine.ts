// The pure-TypeScript engine: the reference and the benchmark baseline. Its arena is an ArrayBuffer
// laid out exactly like the WebAssembly memory (plan base 0).
import type { Engine } from '../engine.js';
import type { Plan } from '../../layout/plan.js';
import { writeDescriptors } from '../../layout/pack.js';
import { EngineError } from '../../errors.js';
import { network_forward, network_gradients_chunk, network_loss_sum } from './network.js';
import { train_epochs } from './train.js';
import { firstNonFinite } from '../../data/dataset.js';

export class TsEngine implements Engine {
  readonly kind = 'ts' as const;
  readonly threads = 1;
  readonly base = 0;
  /** `threadsNote`: why the model runs on one thread when it asked for more (src/engine/threads.ts). */
  constructor(readonly threadsNote: string | null = null) {}

  f64 = new Float64Array(0);
  i32 = new Int32Array(0);
  private u32 = new Uint32Array(0);
  private header = 0;

  bind(plan: Plan): void {
    if (this.f64.byteLength < plan.end) {
      let buffer: ArrayBuffer;
      try {
        buffer = new ArrayBuffer(plan.end);
      } catch (cause) {
        // nothing changed: the old arena and views stay
        throw new EngineError('OUT_OF_MEMORY', `the TypeScript engine could not allocate ${plan.end} bytes for this plan (batch ${plan.batchCapacity}, rows ${plan.rowCapacity})`, {
          expected: `${plan.end} bytes`, received: `${this.f64.byteLength} bytes`, cause,
        });
      }
      new Uint8Array(buffer).set(new Uint8Array(this.f64.buffer, 0, Math.min(this.f64.byteLength, plan.fixedEnd)));
      this.f64 = new Float64Array(buffer);
      this.i32 = new Int32Array(buffer);
      this.u32 = new Uint32Array(buffer);
    }
    this.header = plan.header;
    writeDescriptors(plan, this);
  }

  forward(rows: number, input: number): void {
    network_forward(this.f64, this.i32, this.header, rows, input);
  }

  lossSum(rows: number, input: number, target: number, start = 0): number {
    network_forward(this.f64, this.i32, this.header, rows, input);
    return network_loss_sum(this.f64, this.i32, this.header, rows, target, start);
  }

  gradients(rows: number, input: number, target: number, scaleRows = rows, accumulate = false, start = 0): number {
    return network_gradients_chunk(this.f64, this.i32, this.header, rows, input, target, scaleRows, accumulate ? 1 : 0, start);
  }

  trainEpochs(epochs: number, maxSteps: number): number {
    return train_epochs(this.f64, this.i32, this.u32, this.header, epochs, maxSteps);
  }

  threadsReady(): Promise<void> {
    return Promise.resolve();
  }

  firstNonFinite(offset: number, count: number): number {
    const at = offset >>> 3;
    return firstNonFinite(this.f64.subarray(at, at + count));
  }

  dispose(): void {
    this.f64 = new Float64Array(0);
    this.i32 = new Int32Array(0);
    this.u32 = new Uint32Array(0);
  }
}
