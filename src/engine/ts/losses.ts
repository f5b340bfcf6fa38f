// Losses (the same names and formulas as assembly/losses.ts). With N rows and K outputs:
//   ssr     = Σ (a − t)²                  half_se = ssr / 2            mse = ssr / (N K)
//   bce     = −1/(N K) Σ [t log a + (1 − t) log(1 − a)]
//   cce     = −1/N Σ t log a
// A kernel returns the raw sum Σ term; loss_scale gives the factor in front, so a loss over many
// chunks is one sum and one multiplication.
// From the logit (stable for any z): sigmoid + bce uses t·softplus(−z) + (1 − t)·softplus(z), and its
// dL/dz = scale·(a − t); softmax + cce uses log_softmax, and dL/dz = scale·(a·Σt − t).
// Plain formulas (plainLoss) follow PyTorch's BCELoss: log clamped at −100, and 1e-12 as the least
// denominator of the derivative, so a saturated output gives a large but finite gradient.
// With row weights w (sampleWeight, classWeight): each term of row r is multiplied by w_r (the
// weighted_ functions), and its δ by the same factor (its scale is scale·w_r); weights of 1 give the
// bits of the plain functions.
import { LOSS_ID } from '../../layout/abi.js';
import { loss_scale } from '../../layout/loss-scale.js';
import { softplus } from './activations.js';

const LOG_FLOOR = -100;
const DENOMINATOR_FLOOR = 1e-12;

const clampedLog = (x: number): number => Math.max(Math.log(x), LOG_FLOOR);

export { loss_scale };

/** log Σ e^z over the n values at z (the largest taken out first): log_softmax's denominator. */
function log_sum_exp(m: Float64Array, z: number, n: number): number {
  let max = -Infinity;
  for (let k = 0; k < n; k++) if (m[z + k] > max) max = m[z + k];
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(m[z + k] - max);
  return max + Math.log(s);
}

/**
 * Σ of the loss terms over `rows × n` outputs (z logits, a outputs, t targets: element offsets),
 * continuing from `start`, so a sum over consecutive chunks of rows is the same one sequential sum.
 */
export function loss_sum(m: Float64Array, loss: number, fused: number, rows: number, n: number, z: number, a: number, t: number, start = 0): number {
  const count = rows * n;
  let sum = start;
  switch (loss) {
    case LOSS_ID.ssr:
    case LOSS_ID.half_se:
    case LOSS_ID.mse:
      for (let i = 0; i < count; i++) { const r = m[a + i] - m[t + i]; sum += r * r; }
      break;
    case LOSS_ID.bce:
      if (fused) for (let i = 0; i < count; i++) { const x = m[z + i], y = m[t + i]; sum += y * softplus(-x) + (1 - y) * softplus(x); }
      else for (let i = 0; i < count; i++) { const p = m[a + i], y = m[t + i]; sum -= y * clampedLog(p) + (1 - y) * clampedLog(1 - p); }
      break;
    case LOSS_ID.cce:
      if (fused) {
        for (let r = 0; r < rows; r++) {
          const zr = z + r * n, tr = t + r * n;
          const logSum = log_sum_exp(m, zr, n);
          for (let k = 0; k < n; k++) sum += m[tr + k] * (logSum - m[zr + k]);
        }
      } else for (let i = 0; i < count; i++) sum -= m[t + i] * clampedLog(m[a + i]);
      break;
  }
  return sum;
}

/**
 * d ← scale · ∂(Σ terms)/∂a for the plain pairings, or dL/dz directly for the fused ones.
 * Returns 1 when d already holds dL/dz (fused), 0 when the activation's backward must follow.
 */
export function loss_output_gradient(
  m: Float64Array, loss: number, fused: number, rows: number, n: number, a: number, t: number, d: number, scale: number,
): number {
  const count = rows * n;
  switch (loss) {
    case LOSS_ID.ssr:
    case LOSS_ID.half_se:
    case LOSS_ID.mse: {
      const s2 = 2 * scale;
      for (let i = 0; i < count; i++) m[d + i] = s2 * (m[a + i] - m[t + i]);
      return 0;
    }
    case LOSS_ID.bce:
      if (fused) { for (let i = 0; i < count; i++) m[d + i] = scale * (m[a + i] - m[t + i]); return 1; }
      for (let i = 0; i < count; i++) {
        const p = m[a + i];
        m[d + i] = (scale * (p - m[t + i])) / Math.max(p * (1 - p), DENOMINATOR_FLOOR);
      }
      return 0;
    case LOSS_ID.cce:
      if (fused) {
        for (let r = 0; r < rows; r++) {
          const ar = a + r * n, tr = t + r * n, dr = d + r * n;
          let targetSum = 0;
          for (let k = 0; k < n; k++) targetSum += m[tr + k];
          for (let k = 0; k < n; k++) m[dr + k] = scale * (m[ar + k] * targetSum - m[tr + k]);
        }
        return 1;
      }
      for (let i = 0; i < count; i++) m[d + i] = (-scale * m[t + i]) / Math.max(m[a + i], DENOMINATOR_FLOOR);
      return 0;
  }
  return 0;
}

/** loss_sum with row weights at w (`rows` values): each term of row r times w_r, summed in the same order, from 0. */
export function weighted_loss_sum(m: Float64Array, loss: number, fused: number, rows: number, n: number, z: number, a: number, t: number, w: number): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const wr = m[w + r], zr = z + r * n, ar = a + r * n, tr = t + r * n;
    if (loss === LOSS_ID.bce && fused) {
      for (let k = 0; k < n; k++) { const x = m[zr + k], y = m[tr + k]; sum += wr * (y * softplus(-x) + (1 - y) * softplus(x)); }
    } else if (loss === LOSS_ID.bce) {
      for (let k = 0; k < n; k++) { const p = m[ar + k], y = m[tr + k]; sum -= wr * (y * clampedLog(p) + (1 - y) * clampedLog(1 - p)); }
    } else if (loss === LOSS_ID.cce && fused) {
      const logSum = log_sum_exp(m, zr, n);
      for (let k = 0; k < n; k++) sum += wr * (m[tr + k] * (logSum - m[zr + k]));
    } else if (loss === LOSS_ID.cce) {
      for (let k = 0; k < n; k++) sum -= wr * (m[tr + k] * clampedLog(m[ar + k]));
    } else {
      for (let k = 0; k < n; k++) { const e = m[ar + k] - m[tr + k]; sum += wr * (e * e); }
    }
  }
  return sum;
}

/** loss_output_gradient with row weights at w: row by row, with scale · w_r. */
export function weighted_output_gradient(
  m: Float64Array, loss: number, fused: number, rows: number, n: number, a: number, t: number, d: number, scale: number, w: number,
): number {
  let done = 0;
  for (let r = 0; r < rows; r++) done = loss_output_gradient(m, loss, fused, 1, n, a + r * n, t + r * n, d + r * n, scale * m[w + r]);
  return done;
}
