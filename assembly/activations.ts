// Activations and their derivatives (mirrors src/engine/ts/activations.ts: same names, formulas, order).
//   sigmoid(z)  = 1 / (1 + e^-z) for z ≥ 0, e^z / (1 + e^z) for z < 0      (no overflow)
//   sigmoid'(z) = sigmoid(z) · sigmoid(-z) = e / (1 + e)², e = e^-|z|       (exact in the tails)
//   tanh(z)     = (1 − e) / (1 + e), e = e^-2|z|, for |z| ≥ 0.55; Math.tanh below (see tanh)
//   tanh'(z)    = 1 / cosh²(z) = 4e / (1 + e)², e = e^-2|z|
//   softplus(z) = max(z, 0) + log1p(e^-|z|), softplus' = sigmoid
//   relu'(0) = 0 and leaky_relu'(0) = slope, as PyTorch
//   softmax over a row: e^(z - max) / Σ; backward: a ⊙ (g − g·a)
// Byte offsets; the activation id is switched on once per call, never per element.
import { ACT_IDENTITY, ACT_LEAKY_RELU, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_SOFTPLUS, ACT_TANH } from './abi';

@inline export function sigmoid(z: f64): f64 {
  if (z >= 0) return 1.0 / (1.0 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1.0 + e);
}

@inline export function sigmoid_derivative(z: f64): f64 {
  const e = Math.exp(-Math.abs(z));
  const d = 1.0 + e;
  return e / (d * d);
}

@inline export function tanh_derivative(z: f64): f64 {
  const e = Math.exp(-2.0 * Math.abs(z));
  const d = 1.0 + e;
  return (4.0 * e) / (d * d);
}

/**
 * Math.tanh(z) for x = |z| < 0.55, inlined: the branches of AssemblyScript's NativeMath.tanh (musl's
 * tanh.c) that such an x takes, the same operations, so the same bits (a call per element, and the
 * branches for large x, cost the fused tanh layers more than the arithmetic).
 */
@inline export function tanh_small(z: f64, x: f64): f64 {
  const w = <u32>(reinterpret<u64>(x) >> 32);
  let t: f64;
  if (w > 0x3FD058AE) {
    t = Math.expm1(2.0 * x);
    t = w > 0x3FE193EA ? 1.0 - 2.0 / (t + 2.0) : t / (t + 2.0);
  } else if (w >= 0x00100000) {
    t = Math.expm1(-2.0 * x);
    t = -t / (t + 2.0);
  } else t = x;
  return copysign<f64>(t, z);
}

/**
 * tanh from one exp where that is exact enough: for |z| ≥ 0.55, e = e^-2|z| ≤ 1/3 and
 * (1 − e)/(1 + e) loses nothing to cancellation (error within 2 ulp), at about half the cost of
 * the expm1-based Math.tanh, which the small |z| keep for full relative accuracy near 0.
 */
@inline export function tanh(z: f64): f64 {
  const x = Math.abs(z);
  if (x < 0.55) return tanh_small(z, x);
  const e = Math.exp(-2.0 * x);
  const t = (1.0 - e) / (1.0 + e);
  return z < 0 ? -t : t;
}

@inline export function softplus(z: f64): f64 {
  return Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** a = f(z) over rows × n values (softmax: per row of n). */
export function activate(act: i32, slope: f64, rows: i32, n: i32, z: usize, a: usize): void {
  const end = z + (<usize>(rows * n) << 3);
  const shift = a - z;
  switch (act) {
    case ACT_IDENTITY:
      if (a != z) memory.copy(a, z, end - z);
      break;
    case ACT_SIGMOID:
      for (let p = z; p < end; p += 8) store<f64>(p + shift, sigmoid(load<f64>(p)));
      break;
    case ACT_TANH:
      for (let p = z; p < end; p += 8) store<f64>(p + shift, tanh(load<f64>(p)));
      break;
    case ACT_RELU:
      for (let p = z; p < end; p += 8) { const v = load<f64>(p); store<f64>(p + shift, v > 0 ? v : 0.0); }
      break;
    case ACT_LEAKY_RELU:
      for (let p = z; p < end; p += 8) { const v = load<f64>(p); store<f64>(p + shift, v > 0 ? v : slope * v); }
      break;
    case ACT_SOFTPLUS:
      for (let p = z; p < end; p += 8) store<f64>(p + shift, softplus(load<f64>(p)));
      break;
    case ACT_SOFTMAX: {
      const rowBytes = <usize>n << 3;
      for (let r = 0; r < rows; r++) softmax_row(n, z + <usize>r * rowBytes, a + <usize>r * rowBytes);
      break;
    }
    default:
      unreachable();
  }
}

function softmax_row(n: i32, z: usize, a: usize): void {
  const end = <usize>n << 3;
  let max = -Infinity;
  for (let k: usize = 0; k < end; k += 8) { const v = load<f64>(z + k); if (v > max) max = v; }
  let sum = 0.0;
  for (let k: usize = 0; k < end; k += 8) { const e = Math.exp(load<f64>(z + k) - max); store<f64>(a + k, e); sum += e; }
  const inv = 1.0 / sum;
  for (let k: usize = 0; k < end; k += 8) store<f64>(a + k, load<f64>(a + k) * inv);
}

/** d ← dL/dz from d = dL/da: d ⊙ f'(z) elementwise, or the softmax Jacobian product per row. */
export function backprop_activation(act: i32, slope: f64, rows: i32, n: i32, z: usize, a: usize, d: usize): void {
  const end = z + (<usize>(rows * n) << 3);
  const shift = d - z;
  switch (act) {
    case ACT_IDENTITY:
      break;
    case ACT_SIGMOID:
      for (let p = z; p < end; p += 8) store<f64>(p + shift, load<f64>(p + shift) * sigmoid_derivative(load<f64>(p)));
      break;
    case ACT_SOFTPLUS: // softplus' = sigmoid
      for (let p = z; p < end; p += 8) store<f64>(p + shift, load<f64>(p + shift) * sigmoid(load<f64>(p)));
      break;
    case ACT_TANH:
      for (let p = z; p < end; p += 8) store<f64>(p + shift, load<f64>(p + shift) * tanh_derivative(load<f64>(p)));
      break;
    case ACT_RELU:
      for (let p = z; p < end; p += 8) if (!(load<f64>(p) > 0)) store<f64>(p + shift, 0.0);
      break;
    case ACT_LEAKY_RELU:
      for (let p = z; p < end; p += 8) if (!(load<f64>(p) > 0)) store<f64>(p + shift, load<f64>(p + shift) * slope);
      break;
    case ACT_SOFTMAX: {
      const rowBytes = <usize>n << 3;
      for (let r = 0; r < rows; r++) {
        const ar = a + <usize>r * rowBytes, dr = d + <usize>r * rowBytes;
        let dot = 0.0;
        for (let k: usize = 0; k < rowBytes; k += 8) dot += load<f64>(dr + k) * load<f64>(ar + k);
        for (let k: usize = 0; k < rowBytes; k += 8) store<f64>(dr + k, load<f64>(ar + k) * (load<f64>(dr + k) - dot));
      }
      break;
    }
    default:
      unreachable();
  }
}
