// The whole network on a batch (mirrors src/engine/ts/network.ts): reads the header and layer table
// the host wrote (src/layout/pack.ts) and runs every layer in one call, so a forward or backward
// pass is one crossing from JavaScript, never one per layer or per sample.
import {
  H_FROM_LOGITS, H_LAYERS, H_LOSS, H_SCRATCH, H_TABLE, LAYER_RECORD_BYTES,
  L_A, L_ACTIVATION, L_B, L_DELTA, L_GB, L_GW, L_INPUTS, L_SLOPE_BYTE, L_UNITS, L_W, L_Z, slot,
} from './abi';
import { split_backprop_activation } from './pool';
import { dense_backward, dense_forward } from './dense';
import { loss_output_gradient, loss_scale, loss_sum } from './losses';

@inline function record(header: usize, l: i32): usize {
  return <usize>slot(header, H_TABLE) + <usize>(l * LAYER_RECORD_BYTES);
}

@inline function at(r: usize, index: i32): usize {
  return <usize>slot(r, index);
}

/** Forward pass over `rows` rows at byte offset `input`: fills z and a of every layer. */
export function network_forward(header: usize, rows: i32, input: usize): void {
  const layers = slot(header, H_LAYERS);
  const scratch = <usize>slot(header, H_SCRATCH);
  let x = input;
  for (let l = 0; l < layers; l++) {
    const r = record(header, l);
    dense_forward(
      rows, slot(r, L_INPUTS), slot(r, L_UNITS), slot(r, L_ACTIVATION), load<f64>(r + L_SLOPE_BYTE),
      x, at(r, L_W), at(r, L_B), at(r, L_Z), at(r, L_A), scratch,
    );
    x = at(r, L_A);
  }
}

/** Σ of the loss terms of the last forward pass against the targets at `target`, continuing from `start`. */
export function network_loss_sum(header: usize, rows: i32, target: usize, start: f64 = 0.0): f64 {
  const r = record(header, slot(header, H_LAYERS) - 1);
  return loss_sum(slot(header, H_LOSS), slot(header, H_FROM_LOGITS), rows, slot(r, L_UNITS), at(r, L_Z), at(r, L_A), target, start);
}

/** Forward pass, then the loss sum continuing from `start` (0: a fresh sum; the sum so far: the next chunk of rows). */
export function network_forward_loss_sum(header: usize, rows: i32, input: usize, target: usize, start: f64): f64 {
  network_forward(header, rows, input);
  return network_loss_sum(header, rows, target, start);
}

/**
 * Forward, loss and backward over one chunk of `rows` rows of a larger set (all of them in one chunk:
 * scaleRows = rows, accumulate 0, start 0.0): every z, a, delta and the gradients, with the same bits
 * as one call over all of them. Returns the raw loss sum Σ terms (the gradient already carries the
 * loss's scale): the loss's scale is that of `scaleRows` rows (all of them), the loss sum continues from
 * `start`, and with `accumulate` ≠ 0 the gradients continue their sums (each element one sequential
 * sum over the rows, see blas.ts). The first chunk passes accumulate 0 and start 0.
 */
export function network_gradients_chunk(header: usize, rows: i32, input: usize, target: usize, scaleRows: i32, accumulate: i32, start: f64): f64 {
  network_forward(header, rows, input);
  const layers = slot(header, H_LAYERS);
  const loss = slot(header, H_LOSS);
  const scratch = <usize>slot(header, H_SCRATCH);
  const out = record(header, layers - 1);
  const units = slot(out, L_UNITS);
  const scale = loss_scale(loss, scaleRows, units);
  const sum = network_loss_sum(header, rows, target, start);
  const done = loss_output_gradient(loss, slot(header, H_FROM_LOGITS), rows, units, at(out, L_A), target, at(out, L_DELTA), scale);
  if (!done) {
    split_backprop_activation(slot(out, L_ACTIVATION), load<f64>(out + L_SLOPE_BYTE), rows, units, at(out, L_Z), at(out, L_A), at(out, L_DELTA));
  }
  for (let l = layers - 1; l >= 0; l--) {
    const r = record(header, l);
    const hasPrev = l > 0;
    const prev = hasPrev ? record(header, l - 1) : 0;
    dense_backward(
      rows, slot(r, L_INPUTS), slot(r, L_UNITS), hasPrev ? at(prev, L_A) : input,
      at(r, L_W), at(r, L_DELTA), at(r, L_GW), at(r, L_GB), hasPrev ? at(prev, L_DELTA) : 0, scratch, accumulate,
    );
    if (hasPrev) {
      split_backprop_activation(
        slot(prev, L_ACTIVATION), load<f64>(prev + L_SLOPE_BYTE), rows, slot(prev, L_UNITS),
        at(prev, L_Z), at(prev, L_A), at(prev, L_DELTA),
      );
    }
  }
  return sum;
}
