// Losses (mirrors src/engine/ts/losses.ts). With N rows and K outputs:
//   ssr = Σ (a − t)²;  half_se = ssr / 2;  mse = ssr / (N K)
//   bce = −1/(N K) Σ [t log a + (1 − t) log(1 − a)];  cce = −1/N Σ t log a
// loss_sum returns the raw Σ of terms; loss_scale the factor in front.
// From the logit: sigmoid + bce uses t·softplus(−z) + (1 − t)·softplus(z), dL/dz = scale·(a − t);
// softmax + cce uses log_softmax, dL/dz = scale·(a·Σt − t). Plain formulas clamp log at −100 and
// keep denominators ≥ 1e-12, as PyTorch's BCELoss.
// With row weights w (sampleWeight, classWeight): each term of row r is multiplied by w_r (the
// weighted_ functions), and its δ by the same factor (its scale is scale·w_r); weights of 1 give the
// bits of the plain functions.
import { LOSS_BCE, LOSS_CCE, LOSS_HALF_SE, LOSS_MSE } from './abi';
import { softplus } from './activations';

const LOG_FLOOR: f64 = -100.0;
const DENOMINATOR_FLOOR: f64 = 1e-12;

@inline function clamped_log(x: f64): f64 {
  return Math.max(Math.log(x), LOG_FLOOR);
}

/** log Σ e^z over the row of `rowBytes` at z (the largest z taken out first): log_softmax's denominator. */
@inline function log_sum_exp(z: usize, rowBytes: usize): f64 {
  let max = -Infinity;
  for (let k: usize = 0; k < rowBytes; k += 8) { const v = load<f64>(z + k); if (v > max) max = v; }
  let s = 0.0;
  for (let k: usize = 0; k < rowBytes; k += 8) s += Math.exp(load<f64>(z + k) - max);
  return max + Math.log(s);
}

export function loss_scale(loss: i32, rows: i32, n: i32): f64 {
  if (loss == LOSS_HALF_SE) return 0.5;
  if (loss == LOSS_MSE || loss == LOSS_BCE) return 1.0 / (<f64>rows * <f64>n);
  if (loss == LOSS_CCE) return 1.0 / <f64>rows;
  return 1.0;
}

/** `start`: the sum so far, so a sum over consecutive chunks of rows is the same one sequential sum. */
export function loss_sum(loss: i32, fused: i32, rows: i32, n: i32, z: usize, a: usize, t: usize, start: f64 = 0.0): f64 {
  const bytes = <usize>(rows * n) << 3;
  let sum = start;
  if (loss == LOSS_BCE) {
    if (fused) {
      for (let k: usize = 0; k < bytes; k += 8) { const x = load<f64>(z + k), y = load<f64>(t + k); sum += y * softplus(-x) + (1.0 - y) * softplus(x); }
    } else {
      for (let k: usize = 0; k < bytes; k += 8) { const p = load<f64>(a + k), y = load<f64>(t + k); sum -= y * clamped_log(p) + (1.0 - y) * clamped_log(1.0 - p); }
    }
  } else if (loss == LOSS_CCE) {
    if (fused) {
      const rowBytes = <usize>n << 3;
      for (let r = 0; r < rows; r++) {
        const zr = z + <usize>r * rowBytes, tr = t + <usize>r * rowBytes;
        const logSum = log_sum_exp(zr, rowBytes);
        for (let k: usize = 0; k < rowBytes; k += 8) sum += load<f64>(tr + k) * (logSum - load<f64>(zr + k));
      }
    } else {
      for (let k: usize = 0; k < bytes; k += 8) sum -= load<f64>(t + k) * clamped_log(load<f64>(a + k));
    }
  } else {
    for (let k: usize = 0; k < bytes; k += 8) { const r = load<f64>(a + k) - load<f64>(t + k); sum += r * r; }
  }
  return sum;
}

/** d ← scale · ∂Σ/∂a (returns 0), or dL/dz directly for the fused pairings (returns 1). */
export function loss_output_gradient(loss: i32, fused: i32, rows: i32, n: i32, a: usize, t: usize, d: usize, scale: f64): i32 {
  const bytes = <usize>(rows * n) << 3;
  if (loss == LOSS_BCE) {
    if (fused) {
      for (let k: usize = 0; k < bytes; k += 8) store<f64>(d + k, scale * (load<f64>(a + k) - load<f64>(t + k)));
      return 1;
    }
    for (let k: usize = 0; k < bytes; k += 8) {
      const p = load<f64>(a + k);
      store<f64>(d + k, (scale * (p - load<f64>(t + k))) / Math.max(p * (1.0 - p), DENOMINATOR_FLOOR));
    }
    return 0;
  }
  if (loss == LOSS_CCE) {
    if (fused) {
      const rowBytes = <usize>n << 3;
      for (let r = 0; r < rows; r++) {
        const ar = a + <usize>r * rowBytes, tr = t + <usize>r * rowBytes, dr = d + <usize>r * rowBytes;
        let targetSum = 0.0;
        for (let k: usize = 0; k < rowBytes; k += 8) targetSum += load<f64>(tr + k);
        for (let k: usize = 0; k < rowBytes; k += 8) store<f64>(dr + k, scale * (load<f64>(ar + k) * targetSum - load<f64>(tr + k)));
      }
      return 1;
    }
    for (let k: usize = 0; k < bytes; k += 8) store<f64>(d + k, (-scale * load<f64>(t + k)) / Math.max(load<f64>(a + k), DENOMINATOR_FLOOR));
    return 0;
  }
  const s2 = 2.0 * scale;
  for (let k: usize = 0; k < bytes; k += 8) store<f64>(d + k, s2 * (load<f64>(a + k) - load<f64>(t + k)));
  return 0;
}

/** loss_sum with row weights at w (`rows` f64): each term of row r times w_r, summed in the same order, from 0. */
export function weighted_loss_sum(loss: i32, fused: i32, rows: i32, n: i32, z: usize, a: usize, t: usize, w: usize): f64 {
  const rowBytes = <usize>n << 3;
  let sum = 0.0;
  for (let r = 0; r < rows; r++) {
    const wr = load<f64>(w + (<usize>r << 3));
    const o = <usize>r * rowBytes;
    const zr = z + o, ar = a + o, tr = t + o;
    if (loss == LOSS_BCE && fused) {
      for (let k: usize = 0; k < rowBytes; k += 8) { const x = load<f64>(zr + k), y = load<f64>(tr + k); sum += wr * (y * softplus(-x) + (1.0 - y) * softplus(x)); }
    } else if (loss == LOSS_BCE) {
      for (let k: usize = 0; k < rowBytes; k += 8) { const p = load<f64>(ar + k), y = load<f64>(tr + k); sum -= wr * (y * clamped_log(p) + (1.0 - y) * clamped_log(1.0 - p)); }
    } else if (loss == LOSS_CCE && fused) {
      const logSum = log_sum_exp(zr, rowBytes);
      for (let k: usize = 0; k < rowBytes; k += 8) sum += wr * (load<f64>(tr + k) * (logSum - load<f64>(zr + k)));
    } else if (loss == LOSS_CCE) {
      for (let k: usize = 0; k < rowBytes; k += 8) sum -= wr * (load<f64>(tr + k) * clamped_log(load<f64>(ar + k)));
    } else {
      for (let k: usize = 0; k < rowBytes; k += 8) { const e = load<f64>(ar + k) - load<f64>(tr + k); sum += wr * (e * e); }
    }
  }
  return sum;
}

/** loss_output_gradient with row weights at w: row by row, with scale · w_r. */
export function weighted_output_gradient(loss: i32, fused: i32, rows: i32, n: i32, a: usize, t: usize, d: usize, scale: f64, w: usize): i32 {
  const rowBytes = <usize>n << 3;
  let done = 0;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    done = loss_output_gradient(loss, fused, 1, n, a + o, t + o, d + o, scale * load<f64>(w + (<usize>r << 3)));
  }
  return done;
}
