// One dense layer forward and backward (mirrors assembly/dense.ts). Element offsets into `m`.
//   forward:  z = a_in · Wᵀ + b,  a = f(z)                      (rows × units)
//   backward: gW = δᵀ · a_in,  gb = Σ_rows δ,  δ_in = δ · W    (δ_in still to be multiplied by f'_in)
import { col_sums, gemm_nn, gemm_nt, gemm_tn } from './blas.js';
import { activate } from './activations.js';

export function dense_forward(
  m: Float64Array, rows: number, inputs: number, units: number, act: number, slope: number,
  input: number, W: number, b: number, z: number, a: number,
): void {
  gemm_nt(m, rows, units, inputs, input, inputs, W, inputs, z, units, 0);
  for (let r = 0; r < rows; r++) {
    const zr = z + r * units;
    for (let j = 0; j < units; j++) m[zr + j] += m[b + j];
  }
  activate(m, act, slope, rows, units, z, a);
}

/** `inputDelta` < 0: the layer's input is the data, no gradient flows further. `accumulate` ≠ 0: gW and gb
 * continue their sums (the next chunk of rows; gemm_tn pairs rows, so chunks of an even row count keep its order). */
export function dense_backward(
  m: Float64Array, rows: number, inputs: number, units: number,
  input: number, W: number, delta: number, gW: number, gb: number, inputDelta: number, accumulate = 0,
): void {
  gemm_tn(m, units, inputs, rows, delta, units, input, inputs, gW, inputs, accumulate);
  col_sums(m, rows, units, delta, units, gb, accumulate);
  if (inputDelta >= 0) gemm_nn(m, rows, inputs, units, delta, units, W, inputs, inputDelta, inputs, 0);
}
