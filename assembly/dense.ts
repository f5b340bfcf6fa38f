// One dense layer forward and backward (mirrors src/engine/ts/dense.ts). Byte offsets.
//   forward:  z = a_in · Wᵀ + b,  a = f(z)                      (rows × units)
//   backward: gW = δᵀ · a_in,  gb = Σ_rows δ,  δ_in = δ · W    (δ_in still to be multiplied by f'_in)
import { col_sums } from './blas';
import { gemm_nn, gemm_nt, gemm_tn, split_activate } from './pool';

export function dense_forward(
  rows: i32, inputs: i32, units: i32, act: i32, slope: f64,
  input: usize, W: usize, b: usize, z: usize, a: usize, scratch: usize,
): void {
  gemm_nt(rows, units, inputs, input, inputs, W, inputs, z, units, 0, scratch);
  const rowBytes = <usize>units << 3;
  for (let r = 0; r < rows; r++) {
    const zr = z + <usize>r * rowBytes;
    let k: usize = 0;
    for (; k + 16 <= rowBytes; k += 16) v128.store(zr + k, f64x2.add(v128.load(zr + k), v128.load(b + k)));
    for (; k < rowBytes; k += 8) store<f64>(zr + k, load<f64>(zr + k) + load<f64>(b + k));
  }
  split_activate(act, slope, rows, units, z, a);
}

/** `inputDelta` == 0: the layer's input is the data, no gradient flows further. `accumulate` ≠ 0: gW and gb
 * continue their sums (the next chunk of rows), each still one sequential sum over the rows. */
export function dense_backward(
  rows: i32, inputs: i32, units: i32,
  input: usize, W: usize, delta: usize, gW: usize, gb: usize, inputDelta: usize, scratch: usize, accumulate: i32 = 0,
): void {
  gemm_tn(units, inputs, rows, delta, units, input, inputs, gW, inputs, accumulate, scratch);
  col_sums(rows, units, delta, units, gb, accumulate);
  if (inputDelta != 0) gemm_nn(rows, inputs, units, delta, units, W, inputs, inputDelta, inputs, 0, scratch);
}
