// Mini-batch training inside one call (mirrors assembly/train.ts, which documents the contract):
// shuffle, gather, forward, loss, backward, optimizer update; stops after `epochs` complete epochs or
// `maxSteps` updates (an unfinished epoch resumes at the next call), or early on a non-finite loss or
// update, stepBelow or lossBelow. Row weights (H.WEIGHTS ≠ 0) go with their rows; HF.L1 reaches the optimizers.
import { H, HF, TRAIN_STATUS } from '../../layout/abi.js';
import { row_backward_sgd, row_forward_loss, row_step_ready, train_gradients } from './fused.js';
import { loss_scale } from './losses.js';
import { optimizer_step, plain_sgd, plain_sgd_step } from './optimizers.js';
import { nextBelow } from '../../layout/rng.js';

/** Copies the rows perm[from …] of `width` values from src to dst, one after another (a plain loop: rows are short). */
function gather_rows(m: Float64Array, u32: Uint32Array, src: number, dst: number, perm: number, from: number, rows: number, width: number): void {
  for (let r = 0, to = dst; r < rows; r++, to += width) {
    const at = src + u32[perm + from + r] * width;
    for (let k = 0; k < width; k++) m[to + k] = m[at + k];
  }
}

/**
 * A fresh uniformly random permutation of 0 … n − 1 at word offset `perm` (Fisher–Yates, inside-out
 * form), with the xoshiro128** state at word offset `rng`. The old contents are not read: each
 * epoch's order depends on the generator state alone, so N calls of one epoch and one call of N
 * epochs give the same orders.
 */
export function random_permutation_u32(u32: Uint32Array, rng: number, perm: number, n: number): void {
  const state = u32.subarray(rng, rng + 4);
  for (let i = 0; i < n; i++) {
    const j = nextBelow(state, i + 1);
    u32[perm + i] = u32[perm + j];
    u32[perm + j] = i;
  }
}

function finish(m: Float64Array, i32: Int32Array, header: number, status: number, epochs: number, steps: number, pos: number, step: number, sum: number): number {
  const h = header >>> 2;
  i32[h + H.STATUS] = status;
  i32[h + H.EPOCHS_DONE] = epochs;
  i32[h + H.STEPS_DONE] = steps;
  i32[h + H.EPOCH_POS] = pos;
  i32[h + H.EPOCH_STEP] = step;
  m[(header >>> 3) + HF.EPOCH_SUM] = sum;
  return status;
}

export function train_epochs(m: Float64Array, i32: Int32Array, u32: Uint32Array, header: number, epochs: number, maxSteps: number): number {
  const h = header >>> 2, f = header >>> 3;
  const N = i32[h + H.ROWS], batchSize = i32[h + H.BATCH_SIZE], shuffle = i32[h + H.SHUFFLE];
  const inputs = i32[h + H.INPUTS], outputs = i32[h + H.OUTPUTS];
  const x = i32[h + H.X] >>> 0, y = i32[h + H.Y] >>> 0, perm = i32[h + H.PERM] >>> 2, rng = i32[h + H.RNG] >>> 2;
  const batchX = i32[h + H.BATCH_X] >>> 0, batchY = i32[h + H.BATCH_Y] >>> 0, log = i32[h + H.LOSS_LOG] >>> 3;
  const weights = i32[h + H.WEIGHTS] >>> 3, batchWeights = i32[h + H.BATCH_WEIGHTS] >>> 3;
  const stepBelow = m[f + HF.STEP_BELOW], lossBelow = m[f + HF.LOSS_BELOW], lossScale = m[f + HF.LOSS_SCALE];
  let pos = i32[h + H.EPOCH_POS], step = i32[h + H.EPOCH_STEP], sum = m[f + HF.EPOCH_SUM];
  let e = 0, steps = 0;
  i32[h + H.ROWS_SEEN] = N;
  const plain = plain_sgd(m, i32, header); // every parameter trains: the sgd update skips the mask (same bits)
  // steps of one row on a network fused for one row, with plain sgd: one pass forward, one pass back
  // that updates each parameter as it goes (fused.ts row_backward_sgd; the same bits)
  const rowStep = plain && row_step_ready(i32, header);
  const rowScale = loss_scale(i32[h + H.LOSS], 1, outputs);
  while (e < epochs && steps < maxSteps) {
    if (pos === 0) {
      if (shuffle) random_permutation_u32(u32, rng, perm, N);
      sum = 0;
      step = 0;
    }
    const rows = Math.min(batchSize, N - pos);
    const oneRow = rowStep && rows === 1;
    let input: number, target: number, w = 0; // w: the batch's row weights (element offset; 0: none)
    if (shuffle && oneRow) {
      // one row is read where it lies (the same values as its gathered copy)
      const row = u32[perm + pos];
      input = x + row * inputs * 8;
      target = y + row * outputs * 8;
      if (weights !== 0) w = weights + row;
    } else if (shuffle) {
      gather_rows(m, u32, x >>> 3, batchX >>> 3, perm, pos, rows, inputs);
      gather_rows(m, u32, y >>> 3, batchY >>> 3, perm, pos, rows, outputs);
      input = batchX;
      target = batchY;
      if (weights !== 0) {
        gather_rows(m, u32, weights, batchWeights, perm, pos, rows, 1);
        w = batchWeights;
      }
    } else {
      input = x + pos * inputs * 8;
      target = y + pos * outputs * 8;
      if (weights !== 0) w = weights + pos;
    }
    const batchSum = oneRow ? row_forward_loss(m, i32, header, input, target, rowScale, w) : train_gradients(m, i32, header, rows, input, target, w);
    if (!Number.isFinite(batchSum)) {
      i32[h + H.FAILED_STEP] = step;
      return finish(m, i32, header, TRAIN_STATUS.NON_FINITE_LOSS, e, steps, pos, step, sum);
    }
    sum += batchSum;
    const largest = oneRow ? row_backward_sgd(m, i32, header, input) : plain ? plain_sgd_step(m, i32, header) : optimizer_step(m, i32, header);
    m[f + HF.LAST_STEP] = largest;
    if (!Number.isFinite(largest)) {
      i32[h + H.FAILED_STEP] = step;
      return finish(m, i32, header, TRAIN_STATUS.NON_FINITE_STEP, e, steps + 1, pos, step, sum);
    }
    steps++;
    step++;
    pos += rows;
    if (largest < stepBelow) {
      m[log + e] = sum;
      i32[h + H.ROWS_SEEN] = pos;
      return finish(m, i32, header, TRAIN_STATUS.STEP_BELOW, e + 1, steps, 0, 0, 0);
    }
    if (pos >= N) {
      m[log + e] = sum;
      e++;
      pos = 0;
      if (sum * lossScale < lossBelow) return finish(m, i32, header, TRAIN_STATUS.LOSS_BELOW, e, steps, 0, 0, 0);
    }
  }
  return finish(m, i32, header, TRAIN_STATUS.OK, e, steps, pos, step, sum);
}
