// Whole epochs of mini-batch training (mirrors assembly/train.ts): shuffle, gather, forward, loss,
// backward, optimizer update per batch; one loss sum per epoch into the loss log; the same stop rules.
import { H, HF, TRAIN_STATUS } from '../../layout/abi.js';
import { network_gradients } from './network.js';
import { optimizer_step } from './optimizers.js';
import { nextBelow } from '../../train/rng.js';

function gather_rows(m: Float64Array, u32: Uint32Array, src: number, dst: number, perm: number, from: number, rows: number, width: number): void {
  for (let r = 0; r < rows; r++) {
    const row = u32[perm + from + r];
    m.copyWithin(dst + r * width, src + row * width, src + (row + 1) * width);
  }
}

/** Fisher–Yates shuffle of n u32 at word offset `perm`, with the xoshiro128** state at word offset `rng`. */
export function shuffle_u32(u32: Uint32Array, rng: number, perm: number, n: number): void {
  const state = u32.subarray(rng, rng + 4);
  for (let i = n - 1; i > 0; i--) {
    const j = nextBelow(state, i + 1);
    const t = u32[perm + i];
    u32[perm + i] = u32[perm + j];
    u32[perm + j] = t;
  }
}

export function train_epochs(m: Float64Array, i32: Int32Array, u32: Uint32Array, header: number, epochs: number): number {
  const h = header >> 2;
  const N = i32[h + H.ROWS], batchSize = i32[h + H.BATCH_SIZE], shuffle = i32[h + H.SHUFFLE];
  const inputs = i32[h + H.INPUTS], outputs = i32[h + H.OUTPUTS];
  const x = i32[h + H.X], y = i32[h + H.Y], perm = i32[h + H.PERM] >> 2, rng = i32[h + H.RNG] >> 2;
  const batchX = i32[h + H.BATCH_X], batchY = i32[h + H.BATCH_Y], log = i32[h + H.LOSS_LOG] >> 3;
  const f = header >> 3;
  const stepBelow = m[f + HF.STEP_BELOW], lossBelow = m[f + HF.LOSS_BELOW], lossScale = m[f + HF.LOSS_SCALE];
  i32[h + H.STATUS] = TRAIN_STATUS.OK;
  i32[h + H.ROWS_SEEN] = N;
  for (let e = 0; e < epochs; e++) {
    if (shuffle) shuffle_u32(u32, rng, perm, N);
    let sum = 0;
    let step = 0;
    for (let from = 0; from < N; from += batchSize) {
      const rows = Math.min(batchSize, N - from);
      let input: number, target: number;
      if (shuffle) {
        gather_rows(m, u32, x >> 3, batchX >> 3, perm, from, rows, inputs);
        gather_rows(m, u32, y >> 3, batchY >> 3, perm, from, rows, outputs);
        input = batchX;
        target = batchY;
      } else {
        input = x + from * inputs * 8;
        target = y + from * outputs * 8;
      }
      const batchSum = network_gradients(m, i32, header, rows, input, target);
      if (!Number.isFinite(batchSum)) {
        i32[h + H.STATUS] = TRAIN_STATUS.NON_FINITE_LOSS;
        i32[h + H.EPOCHS_DONE] = e;
        i32[h + H.FAILED_STEP] = step;
        return TRAIN_STATUS.NON_FINITE_LOSS;
      }
      sum += batchSum;
      const largest = optimizer_step(m, i32, header);
      m[f + HF.LAST_STEP] = largest;
      step++;
      if (largest < stepBelow) {
        m[log + e] = sum;
        i32[h + H.ROWS_SEEN] = from + rows;
        i32[h + H.EPOCHS_DONE] = e + 1;
        i32[h + H.STATUS] = TRAIN_STATUS.STEP_BELOW;
        return TRAIN_STATUS.STEP_BELOW;
      }
    }
    m[log + e] = sum;
    if (sum * lossScale < lossBelow) {
      i32[h + H.EPOCHS_DONE] = e + 1;
      i32[h + H.STATUS] = TRAIN_STATUS.LOSS_BELOW;
      return TRAIN_STATUS.LOSS_BELOW;
    }
  }
  i32[h + H.EPOCHS_DONE] = epochs;
  return TRAIN_STATUS.OK;
}
