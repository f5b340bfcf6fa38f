// The factor in front of a loss's raw sum Σ term (src/engine/ts/losses.ts and assembly/losses.ts say
// the formulas): ssr 1, half_se 1/2, mse and bce 1/(N K), cce 1/N, for N rows of K outputs. Kernels
// return raw sums and the host scales them, so a loss over many chunks is one sum and one
// multiplication. Both engines, the trainer and the model use this one function.
import { LOSS_ID } from './abi.js';

export function loss_scale(loss: number, rows: number, n: number): number {
  switch (loss) {
    case LOSS_ID.half_se: return 0.5;
    case LOSS_ID.mse:
    case LOSS_ID.bce: return 1 / (rows * n);
    case LOSS_ID.cce: return 1 / rows;
    default: return 1;
  }
}
