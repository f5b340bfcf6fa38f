// Whole epochs of mini-batch training in one call (mirrors src/engine/ts/train.ts). Per epoch:
// reshuffle the row order (if asked), then per batch: gather its rows (shuffled) or read them in
// place (unshuffled), forward, loss, backward, optimizer update. No call back to the host until
// `epochs` epochs are done, a loss turns non-finite, or a stop rule fires:
//   stepBelow: after the first update whose largest |Δθ| is below HF_STEP_BELOW (that update applied;
//              the epoch ends there and logs the loss of the rows it trained on)
//   lossBelow: after the first epoch whose loss (sum × HF_LOSS_SCALE) is below HF_LOSS_BELOW
import {
  H_BATCH_SIZE, H_BATCH_X, H_BATCH_Y, H_EPOCHS_DONE, H_FAILED_STEP, H_INPUTS, H_LOSS_LOG,
  H_OUTPUTS, H_PERM, H_RNG, H_ROWS, H_ROWS_SEEN, H_SHUFFLE, H_STATUS, H_X, H_Y,
  HF_LAST_STEP, HF_LOSS_BELOW, HF_LOSS_SCALE, HF_STEP_BELOW,
  STATUS_LOSS_BELOW, STATUS_NON_FINITE_LOSS, STATUS_OK, STATUS_STEP_BELOW, fslot, set_fslot, set_slot, slot,
} from './abi';
import { network_gradients } from './network';
import { optimizer_step } from './optimizers';
import { shuffle_u32 } from './rng';

/** Copies `rows` rows of `width` f64, in the order perm[from…], from `src` into `dst`. */
function gather_rows(src: usize, dst: usize, perm: usize, from: i32, rows: i32, width: i32): void {
  const rowBytes = <usize>width << 3;
  for (let r = 0; r < rows; r++) {
    const row = <usize>load<u32>(perm + (<usize>(from + r) << 2));
    memory.copy(dst + <usize>r * rowBytes, src + row * rowBytes, rowBytes);
  }
}

export function train_epochs(header: usize, epochs: i32): i32 {
  const N = slot(header, H_ROWS);
  const batchSize = slot(header, H_BATCH_SIZE);
  const shuffle = slot(header, H_SHUFFLE);
  const inputs = slot(header, H_INPUTS), outputs = slot(header, H_OUTPUTS);
  const x = <usize>slot(header, H_X), y = <usize>slot(header, H_Y);
  const perm = <usize>slot(header, H_PERM), rng = <usize>slot(header, H_RNG);
  const batchX = <usize>slot(header, H_BATCH_X), batchY = <usize>slot(header, H_BATCH_Y);
  const log = <usize>slot(header, H_LOSS_LOG);
  const stepBelow = fslot(header, HF_STEP_BELOW), lossBelow = fslot(header, HF_LOSS_BELOW);
  const lossScale = fslot(header, HF_LOSS_SCALE);
  set_slot(header, H_STATUS, STATUS_OK);
  set_slot(header, H_ROWS_SEEN, N);
  for (let e = 0; e < epochs; e++) {
    if (shuffle) shuffle_u32(rng, perm, N);
    let sum = 0.0;
    let step = 0;
    for (let from = 0; from < N; from += batchSize) {
      const rows = min(batchSize, N - from);
      let input: usize, target: usize;
      if (shuffle) {
        gather_rows(x, batchX, perm, from, rows, inputs);
        gather_rows(y, batchY, perm, from, rows, outputs);
        input = batchX;
        target = batchY;
      } else {
        input = x + (<usize>(from * inputs) << 3);
        target = y + (<usize>(from * outputs) << 3);
      }
      const batchSum = network_gradients(header, rows, input, target);
      if (!isFinite(batchSum)) {
        set_slot(header, H_STATUS, STATUS_NON_FINITE_LOSS);
        set_slot(header, H_EPOCHS_DONE, e);
        set_slot(header, H_FAILED_STEP, step);
        return STATUS_NON_FINITE_LOSS;
      }
      sum += batchSum;
      const largest = optimizer_step(header);
      set_fslot(header, HF_LAST_STEP, largest);
      step++;
      if (largest < stepBelow) {
        store<f64>(log + (<usize>e << 3), sum);
        set_slot(header, H_ROWS_SEEN, from + rows);
        set_slot(header, H_EPOCHS_DONE, e + 1);
        set_slot(header, H_STATUS, STATUS_STEP_BELOW);
        return STATUS_STEP_BELOW;
      }
    }
    store<f64>(log + (<usize>e << 3), sum);
    if (sum * lossScale < lossBelow) {
      set_slot(header, H_EPOCHS_DONE, e + 1);
      set_slot(header, H_STATUS, STATUS_LOSS_BELOW);
      return STATUS_LOSS_BELOW;
    }
  }
  set_slot(header, H_EPOCHS_DONE, epochs);
  return STATUS_OK;
}
