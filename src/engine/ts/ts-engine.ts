// The pure-TypeScript engine: the reference and the benchmark baseline. Its arena is an ArrayBuffer
// laid out exactly like the WebAssembly memory (plan base 0).
import type { Engine } from '../engine.js';
import type { Plan } from '../../layout/plan.js';
import { writeDescriptors } from '../../layout/pack.js';
import { network_forward, network_gradients, network_loss_sum } from './network.js';
import { train_epochs } from './train.js';

export class TsEngine implements Engine {
  readonly kind = 'ts' as const;
  readonly base = 0;
  f64 = new Float64Array(0);
  i32 = new Int32Array(0);
  private u32 = new Uint32Array(0);
  private header = 0;

  bind(plan: Plan): void {
    if (this.f64.byteLength < plan.end) {
      const buffer = new ArrayBuffer(plan.end);
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

  lossSum(rows: number, input: number, target: number): number {
    network_forward(this.f64, this.i32, this.header, rows, input);
    return network_loss_sum(this.f64, this.i32, this.header, rows, target);
  }

  gradients(rows: number, input: number, target: number): number {
    return network_gradients(this.f64, this.i32, this.header, rows, input, target);
  }

  trainEpochs(epochs: number, maxSteps: number): number {
    return train_epochs(this.f64, this.i32, this.u32, this.header, epochs, maxSteps);
  }

  dispose(): void {
    this.f64 = new Float64Array(0);
    this.i32 = new Int32Array(0);
    this.u32 = new Uint32Array(0);
  }
}
