// The whole network on a batch (mirrors assembly/network.ts): it reads the header and the layer table
// the host wrote (src/layout/pack.ts), so the TypeScript engine follows the very same layout as the
// WebAssembly one. Byte offsets in the table; `>>> 3` (unsigned: offsets reach 4 GiB) turns them into Float64Array indices.
import { H, L, LAYER_RECORD_BYTES } from '../../layout/abi.js';
import { backprop_activation } from './activations.js';
import { dense_backward, dense_forward } from './dense.js';
import { loss_output_gradient, loss_scale, loss_sum } from './losses.js';

/** Forward pass over `rows` rows read from byte offset `input`; fills z and a of every layer. */
export function network_forward(m: Float64Array, i32: Int32Array, header: number, rows: number, input: number): void {
  const h = header >>> 2;
  const layers = i32[h + H.LAYERS];
  const table = i32[h + H.TABLE];
  let x = input >>> 3;
  for (let l = 0; l < layers; l++) {
    const r = (table + l * LAYER_RECORD_BYTES) >>> 2;
    const a = i32[r + L.A] >>> 3;
    dense_forward(
      m, rows, i32[r + L.INPUTS], i32[r + L.UNITS], i32[r + L.ACTIVATION],
      m[((table + l * LAYER_RECORD_BYTES) >>> 3) + L.SLOPE_F64],
      x, i32[r + L.W] >>> 3, i32[r + L.B] >>> 3, i32[r + L.Z] >>> 3, a,
    );
    x = a;
  }
}

/** Σ of the loss terms of the last forward pass against targets at byte offset `target`, continuing from `start`. */
export function network_loss_sum(m: Float64Array, i32: Int32Array, header: number, rows: number, target: number, start = 0): number {
  const h = header >>> 2;
  const r = (i32[h + H.TABLE] + (i32[h + H.LAYERS] - 1) * LAYER_RECORD_BYTES) >>> 2;
  return loss_sum(m, i32[h + H.LOSS], i32[h + H.FROM_LOGITS], rows, i32[r + L.UNITS], i32[r + L.Z] >>> 3, i32[r + L.A] >>> 3, target >>> 3, start);
}

/**
 * Forward, loss and backward over one chunk of `rows` rows of a larger set (one chunk of all of them:
 * scaleRows = rows, accumulate 0, start 0): fills every z, a, delta and the gradient region, with the
 * same bits as one call over all the rows (assembly/network.ts has the contract). Returns the raw loss
 * sum Σ terms (the gradient already carries the loss's scale): the loss scale of `scaleRows` rows, the loss sum
 * continuing from `start`, the gradients accumulated when `accumulate` ≠ 0 (chunks of an even number
 * of rows: gemm_tn adds rows in pairs).
 */
export function network_gradients_chunk(
  m: Float64Array, i32: Int32Array, header: number, rows: number, input: number, target: number, scaleRows: number, accumulate: number, start: number,
): number {
  network_forward(m, i32, header, rows, input);
  const h = header >>> 2;
  const layers = i32[h + H.LAYERS];
  const table = i32[h + H.TABLE];
  const loss = i32[h + H.LOSS];
  const out = (table + (layers - 1) * LAYER_RECORD_BYTES) >>> 2;
  const units = i32[out + L.UNITS];
  const scale = loss_scale(loss, scaleRows, units);
  const sum = network_loss_sum(m, i32, header, rows, target, start);
  const done = loss_output_gradient(m, loss, i32[h + H.FROM_LOGITS], rows, units, i32[out + L.A] >>> 3, target >>> 3, i32[out + L.DELTA] >>> 3, scale);
  if (!done) {
    backprop_activation(
      m, i32[out + L.ACTIVATION], m[((table + (layers - 1) * LAYER_RECORD_BYTES) >>> 3) + L.SLOPE_F64],
      rows, units, i32[out + L.Z] >>> 3, i32[out + L.A] >>> 3, i32[out + L.DELTA] >>> 3,
    );
  }
  for (let l = layers - 1; l >= 0; l--) {
    const r = (table + l * LAYER_RECORD_BYTES) >>> 2;
    const prev = l > 0 ? (table + (l - 1) * LAYER_RECORD_BYTES) >>> 2 : -1;
    const input_l = l > 0 ? i32[prev + L.A] >>> 3 : input >>> 3;
    const inputDelta = l > 0 ? i32[prev + L.DELTA] >>> 3 : -1;
    dense_backward(
      m, rows, i32[r + L.INPUTS], i32[r + L.UNITS], input_l,
      i32[r + L.W] >>> 3, i32[r + L.DELTA] >>> 3, i32[r + L.GW] >>> 3, i32[r + L.GB] >>> 3, inputDelta, accumulate,
    );
    if (l > 0) {
      backprop_activation(
        m, i32[prev + L.ACTIVATION], m[((table + (l - 1) * LAYER_RECORD_BYTES) >>> 3) + L.SLOPE_F64],
        rows, i32[prev + L.UNITS], i32[prev + L.Z] >>> 3, i32[prev + L.A] >>> 3, i32[prev + L.DELTA] >>> 3,
      );
    }
  }
  return sum;
}
