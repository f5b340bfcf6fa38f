// Mini-batch training inside one call (mirrors src/engine/ts/train.ts). Per epoch: reshuffle the row
// order (if asked); per batch: gather its rows (shuffled) or read them in place (unshuffled), forward,
// loss, backward (train_gradients: each layer on its path, fused.ts), optimizer update; a step of one
// row with plain sgd on a network fused for one row is one pass forward and one pass back that
// updates each parameter as it goes (fused.ts row_forward_loss, row_backward_sgd). A call runs
// until `epochs` epochs are complete or `maxSteps` updates are made, whichever comes first; an epoch
// cut by maxSteps resumes at the next call (its position, step and partial loss sum live in the
// header). It also returns early when
//   the loss of a batch, or an update, is not finite   (NON_FINITE_LOSS, NON_FINITE_STEP)
//   stepBelow: the largest |Δθ| of an update is below HF_STEP_BELOW (that update applied; the epoch
//              ends there and logs the loss of the rows it trained on)
//   lossBelow: a completed epoch's loss (sum × HF_LOSS_SCALE) is below HF_LOSS_BELOW
// With row weights (H_WEIGHTS ≠ 0) each batch's weights go with its rows: gathered by the same
// permutation into H_BATCH_WEIGHTS (shuffled), read in place (unshuffled, or one shuffled row), and
// the loss terms and output δ of each row are multiplied by its weight (fused.ts train_gradients).
// HF_L1 ≠ 0 adds l1·sign(θ) to every gradient (optimizers.ts).
// Results: H_EPOCHS_DONE epochs completed (their loss sums in the loss log), H_STEPS_DONE updates.
import {
  H_BATCH_SIZE, H_BATCH_X, H_BATCH_Y, H_EPOCHS_DONE, H_EPOCH_POS, H_EPOCH_STEP, H_FAILED_STEP, H_GRADS, H_INPUTS,
  H_LOSS, H_LOSS_LOG, H_NESTEROV, H_OPTIMIZER, H_OPT_STATE, H_OUTPUTS, H_PARAMS, H_PARAM_COUNT, H_PERM, H_RNG, H_ROWS,
  H_ROWS_SEEN, H_SHUFFLE, H_STATUS, H_STEPS_DONE, H_WEIGHTS, H_BATCH_WEIGHTS, H_X, H_Y,
  HF_BETA1, HF_BETA2, HF_EPOCH_SUM, HF_EPSILON, HF_L1, HF_LAST_STEP, HF_LEARNING_RATE, HF_LOSS_BELOW, HF_LOSS_SCALE, HF_MOMENTUM,
  HF_STEP_BELOW, HF_WEIGHT_DECAY, OPT_ADAM, OPT_BETA1_POWER, OPT_BETA2_POWER, OPT_T,
  STATUS_LOSS_BELOW, STATUS_NON_FINITE_LOSS, STATUS_NON_FINITE_STEP, STATUS_OK, STATUS_STEP_BELOW,
  fslot, set_fslot, set_slot, slot,
} from './abi';
import { row_backward_sgd, row_backward_sgd_l1, row_forward_loss, row_step_ready, train_gradients } from './fused';
import { loss_scale } from './losses';
import { OPT_SGD_ALL, plain_sgd } from './optimizers';
import { random_permutation_u32 } from './rng';
import { split_gather, split_optimizer } from './pool';

// ---------------------------------------------------------------------------------------------
// The update of a step (the passes themselves: optimizers.ts; mirrors optimizer_step and
// plain_sgd_step of src/engine/ts/optimizers.ts). Here, above pool.ts, because they split.

/** One update of the optimizer the header names (on the pool when large enough); returns the largest |Δθ|. */
function optimizer_step(header: usize): f64 {
  const P = slot(header, H_PARAM_COUNT);
  const params = <usize>slot(header, H_PARAMS), grads = <usize>slot(header, H_GRADS);
  const mask = <usize>slot(header, H_OPT_STATE);
  const m = mask + (<usize>P << 3), v = m + (<usize>P << 3), scalars = v + (<usize>P << 3);
  const lr = fslot(header, HF_LEARNING_RATE), decay = fslot(header, HF_WEIGHT_DECAY);
  const id = slot(header, H_OPTIMIZER);
  let beta1 = 0.0, beta2 = 0.0, c1 = 0.0, c2 = 0.0;
  if (id == OPT_ADAM) {
    beta1 = fslot(header, HF_BETA1);
    beta2 = fslot(header, HF_BETA2);
    const p1 = fslot(scalars, OPT_BETA1_POWER) * beta1, p2 = fslot(scalars, OPT_BETA2_POWER) * beta2;
    store<f64>(scalars + (<usize>OPT_T << 3), fslot(scalars, OPT_T) + 1.0);
    store<f64>(scalars + (<usize>OPT_BETA1_POWER << 3), p1);
    store<f64>(scalars + (<usize>OPT_BETA2_POWER << 3), p2);
    c1 = 1.0 - p1;
    c2 = 1.0 - p2;
  }
  return split_optimizer(
    id, P, params, grads, mask, m, v, slot(header, H_NESTEROV),
    lr, decay, fslot(header, HF_MOMENTUM), beta1, beta2, fslot(header, HF_EPSILON), c1, c2, fslot(header, HF_L1),
  );
}

/** optimizer_step for plain_sgd headers. */
function plain_sgd_step(header: usize): f64 {
  return split_optimizer(
    OPT_SGD_ALL, slot(header, H_PARAM_COUNT), <usize>slot(header, H_PARAMS), <usize>slot(header, H_GRADS), 0, 0, 0, 0,
    fslot(header, HF_LEARNING_RATE), fslot(header, HF_WEIGHT_DECAY), 0, 0, 0, 0, 0, 0, fslot(header, HF_L1),
  );
}

// ---------------------------------------------------------------------------------------------
// The loop.

/** Saves where the current epoch stands and what this call did; returns `status`. */
function finish(header: usize, status: i32, epochs: i32, steps: i32, pos: i32, step: i32, sum: f64): i32 {
  set_slot(header, H_STATUS, status);
  set_slot(header, H_EPOCHS_DONE, epochs);
  set_slot(header, H_STEPS_DONE, steps);
  set_slot(header, H_EPOCH_POS, pos);
  set_slot(header, H_EPOCH_STEP, step);
  set_fslot(header, HF_EPOCH_SUM, sum);
  return status;
}

export function train_epochs(header: usize, epochs: i32, maxSteps: i32): i32 {
  const N = slot(header, H_ROWS);
  const batchSize = slot(header, H_BATCH_SIZE);
  const shuffle = slot(header, H_SHUFFLE);
  const inputs = slot(header, H_INPUTS), outputs = slot(header, H_OUTPUTS);
  const x = <usize>slot(header, H_X), y = <usize>slot(header, H_Y);
  const perm = <usize>slot(header, H_PERM), rng = <usize>slot(header, H_RNG);
  const batchX = <usize>slot(header, H_BATCH_X), batchY = <usize>slot(header, H_BATCH_Y);
  const log = <usize>slot(header, H_LOSS_LOG);
  const weights = <usize>slot(header, H_WEIGHTS), batchWeights = <usize>slot(header, H_BATCH_WEIGHTS);
  const stepBelow = fslot(header, HF_STEP_BELOW), lossBelow = fslot(header, HF_LOSS_BELOW);
  const lossScale = fslot(header, HF_LOSS_SCALE);
  let pos = slot(header, H_EPOCH_POS), step = slot(header, H_EPOCH_STEP), sum = fslot(header, HF_EPOCH_SUM);
  let e = 0, steps = 0;
  set_slot(header, H_ROWS_SEEN, N);
  const plain = plain_sgd(header); // every parameter trains: the sgd update skips the mask (same bits)
  // steps of one row on a network fused for one row, with plain sgd: one pass forward, one pass back
  // that updates each parameter as it goes (fused.ts row_backward_sgd; the same bits)
  const rowStep = plain && row_step_ready(header);
  const lr = fslot(header, HF_LEARNING_RATE), decay = fslot(header, HF_WEIGHT_DECAY), l1 = fslot(header, HF_L1);
  const rowScale = loss_scale(slot(header, H_LOSS), 1, outputs);
  while (e < epochs && steps < maxSteps) {
    if (pos == 0) {
      if (shuffle) random_permutation_u32(rng, perm, N);
      sum = 0.0;
      step = 0;
    }
    const rows = min(batchSize, N - pos);
    const oneRow = rowStep && rows == 1;
    let input: usize, target: usize, w: usize = 0; // w: the batch's row weights (0: none)
    if (shuffle && oneRow) {
      // one row is read where it lies (the same values as its gathered copy)
      const row = <usize>load<u32>(perm + (<usize>pos << 2));
      input = x + row * (<usize>inputs << 3);
      target = y + row * (<usize>outputs << 3);
      if (weights != 0) w = weights + (row << 3);
    } else if (shuffle) {
      split_gather(x, batchX, perm, pos, rows, inputs);
      split_gather(y, batchY, perm, pos, rows, outputs);
      input = batchX;
      target = batchY;
      if (weights != 0) {
        split_gather(weights, batchWeights, perm, pos, rows, 1);
        w = batchWeights;
      }
    } else {
      input = x + (<usize>(pos * inputs) << 3);
      target = y + (<usize>(pos * outputs) << 3);
      if (weights != 0) w = weights + (<usize>pos << 3);
    }
    const batchSum = oneRow ? row_forward_loss(header, input, target, rowScale, w) : train_gradients(header, rows, input, target, w);
    if (!isFinite(batchSum)) {
      set_slot(header, H_FAILED_STEP, step);
      return finish(header, STATUS_NON_FINITE_LOSS, e, steps, pos, step, sum);
    }
    sum += batchSum;
    const largest = oneRow
      ? (l1 == 0 ? row_backward_sgd(header, input, lr, decay) : row_backward_sgd_l1(header, input, lr, decay, l1))
      : plain ? plain_sgd_step(header) : optimizer_step(header);
    set_fslot(header, HF_LAST_STEP, largest);
    if (!isFinite(largest)) {
      set_slot(header, H_FAILED_STEP, step);
      return finish(header, STATUS_NON_FINITE_STEP, e, steps + 1, pos, step, sum);
    }
    steps++;
    step++;
    pos += rows;
    if (largest < stepBelow) {
      store<f64>(log + (<usize>e << 3), sum);
      set_slot(header, H_ROWS_SEEN, pos);
      return finish(header, STATUS_STEP_BELOW, e + 1, steps, 0, 0, 0.0);
    }
    if (pos >= N) {
      store<f64>(log + (<usize>e << 3), sum);
      e++;
      pos = 0;
      if (sum * lossScale < lossBelow) return finish(header, STATUS_LOSS_BELOW, e, steps, 0, 0, 0.0);
    }
  }
  return finish(header, STATUS_OK, e, steps, pos, step, sum);
}
