// The fused path of small layers inside train_epochs (mirrors assembly/fused.ts, which documents it).
// Which layer takes it is decided by the host (src/layout/plan.ts fusedRows) and read from the layer
// table's L.FUSED_ROWS. Every value is the same bits as this engine's general path (network.ts): the same
// formulas as activations.ts and losses.ts, and the same summation orders as blas.ts (the forward
// product one sequential sum; gW and the previous layer's delta two terms at a time, as gemm_tn and
// gemm_nn add them). A layer with dropout is never fused: its masks are drawn and applied on the
// general path (dropout.ts). With row weights (w: their element offset, 0 for none) the output loop
// multiplies row r's loss terms by w_r and its δ's scale becomes scale·w_r, as losses.ts's weighted_
// functions. Element offsets into `m`.
import { ACTIVATION_ID, H, HF, L, LAYER_RECORD_BYTES, LOSS_ID } from '../../layout/abi.js';
import { backprop_activation } from './activations.js';
import { gemm_nn } from './blas.js';
import { dense_backward, dense_forward } from './dense.js';
import { loss_output_gradient, loss_scale, loss_sum, weighted_loss_sum, weighted_output_gradient } from './losses.js';
import { with_l1 } from './optimizers.js';
import { apply_mask, dropout_mask } from './dropout.js';

const { identity: IDENTITY, sigmoid: SIGMOID, tanh: TANH, relu: RELU, leaky_relu: LEAKY_RELU, softplus: SOFTPLUS } = ACTIVATION_ID;

/**
 * a = f(z) and, for sigmoid, tanh and softplus, f'(z) into `d` (the layer's delta region, free until
 * the backward pass), over `count` values; the activation is switched on once per call, and each
 * case's loop is a function of its own (small enough for V8 to inline them all into the caller).
 */
function activate_and_cache(m: Float64Array, act: number, slope: number, z: number, a: number, d: number, count: number): void {
  switch (act) {
    case IDENTITY: for (let k = 0; k < count; k++) m[a + k] = m[z + k]; break;
    case SIGMOID: sigmoid_and_cache(m, z, a, d, count); break;
    case TANH: tanh_and_cache(m, z, a, d, count); break;
    case RELU: for (let k = 0; k < count; k++) { const v = m[z + k]; m[a + k] = v > 0 ? v : 0; } break;
    case LEAKY_RELU: for (let k = 0; k < count; k++) { const v = m[z + k]; m[a + k] = v > 0 ? v : slope * v; } break;
    case SOFTPLUS: softplus_and_cache(m, z, a, d, count); break;
  }
}

function sigmoid_and_cache(m: Float64Array, z: number, a: number, d: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const v = m[z + k], e = Math.exp(-Math.abs(v)), q = 1 + e;
    m[a + k] = (v >= 0 ? 1 : e) / q;
    m[d + k] = e / (q * q);
  }
}

function tanh_and_cache(m: Float64Array, z: number, a: number, d: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const v = m[z + k], e = Math.exp(-2 * Math.abs(v)), q = 1 + e;
    m[a + k] = Math.tanh(v);
    m[d + k] = (4 * e) / (q * q);
  }
}

function softplus_and_cache(m: Float64Array, z: number, a: number, d: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const v = m[z + k], e = Math.exp(-Math.abs(v)), q = 1 + e;
    m[a + k] = Math.max(v, 0) + Math.log1p(e);
    m[d + k] = (v >= 0 ? 1 : e) / q;
  }
}

/** dL/dz from g = dL/da, with f' cached at m[d] (sigmoid, tanh, softplus) or read from z (relu family). */
function grad(act: number, g: number, zv: number, cached: number, slope: number): number {
  switch (act) {
    case IDENTITY: return g;
    case RELU: return zv > 0 ? g : 0;
    case LEAKY_RELU: return zv > 0 ? g : g * slope;
    default: return g * cached;
  }
}

/** z = x · Wᵀ + b row by row (two units at a time share the loads of x), then a = f(z) and the cached f'(z) over all rows in one call. */
function forward_layer(
  m: Float64Array, rows: number, inputs: number, units: number, act: number, slope: number,
  x: number, W: number, b: number, z: number, a: number, d: number,
): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + r * inputs, zr = z + r * units;
    let j = 0;
    for (; j + 1 < units; j += 2) {
      const w0 = W + j * inputs, w1 = w0 + inputs;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < inputs; p++) { const v = m[xr + p]; s0 += v * m[w0 + p]; s1 += v * m[w1 + p]; }
      m[zr + j] = s0 + m[b + j];
      m[zr + j + 1] = s1 + m[b + j + 1];
    }
    if (j < units) {
      const w0 = W + j * inputs;
      let s = 0;
      for (let p = 0; p < inputs; p++) s += m[xr + p] * m[w0 + p];
      m[zr + j] = s + m[b + j];
    }
  }
  activate_and_cache(m, act, slope, z, a, d, rows * units);
}

/**
 * gW = δᵀ · x, pairs of rows added as one term (gemm_tn's loops); gb = Σ_rows δ (col_sums' loops).
 * The same arithmetic as dense_backward, written out for small layers: calling dense_backward instead
 * (a fill per row of gW, generic strides) made the TypeScript engine's W1 and W2 fits 20–25 % slower
 * (1.38× → 1.12× and 1.32× → 0.99× the plain-JS trainer, bench/run.mjs --only=W1,W2,W3).
 */
function weight_gradients(m: Float64Array, rows: number, inputs: number, units: number, x: number, delta: number, gW: number, gb: number): void {
  const pairs = rows & ~1, rowStep = 2 * units, xStep = 2 * inputs;
  for (let u = 0, g = gW; u < units; u++, g += inputs) {
    for (let i = 0; i < inputs; i++) {
      let s = 0, d = delta + u, xr = x + i;
      for (let r = 0; r < pairs; r += 2, d += rowStep, xr += xStep) s += m[d] * m[xr] + m[d + units] * m[xr + inputs];
      if (pairs < rows) s += m[d] * m[xr];
      m[g + i] = s;
    }
  }
  for (let u = 0; u < units; u++) m[gb + u] = 0;
  for (let q = 0; q < rows; q++) {
    const dq = delta + q * units;
    for (let u = 0; u < units; u++) m[gb + u] += m[dq + u];
  }
}

/**
 * The previous layer's δ = f'(z_prev) ⊙ (δ · W), pairs of units added as one term (gemm_nn's loops):
 * each element one sum from 0, read down its column of W.
 */
function input_delta(m: Float64Array, rows: number, inputs: number, units: number, act: number, slope: number, delta: number, W: number, zPrev: number, dPrev: number): void {
  for (let r = 0; r < rows; r++) {
    const dr = delta + r * units, o = r * inputs;
    for (let i = 0; i < inputs; i++) {
      let s = 0, u = 0, w = W + i;
      for (; u + 1 < units; u += 2, w += 2 * inputs) s += m[dr + u] * m[w] + m[dr + u + 1] * m[w + inputs];
      if (u < units) s += m[dr + u] * m[w];
      m[dPrev + o + i] = grad(act, s, m[zPrev + o + i], m[dPrev + o + i], slope);
    }
  }
}

/** Whether fused_output handles this loss and output activation (its sum may itself be NaN). */
function handled_output(loss: number, fromLogits: number, act: number): boolean {
  return is_squared_error(loss) || (loss === LOSS_ID.bce && !!fromLogits && act === SIGMOID);
}

function is_squared_error(loss: number): boolean {
  return loss === LOSS_ID.ssr || loss === LOSS_ID.half_se || loss === LOSS_ID.mse;
}

/**
 * The fused output loop where handled_output allows it (squared error, else sigmoid + bce from the
 * logits) over rows × units values, with the row weights at w (0: none): returns the loss sum.
 */
function fused_output(m: Float64Array, loss: number, act: number, slope: number, rows: number, units: number, z: number, a: number, t: number, d: number, scale: number, w: number): number {
  if (w !== 0) return fused_output_weighted(m, loss, act, slope, rows, units, z, a, t, d, scale, w);
  const count = rows * units;
  let sum = 0;
  if (is_squared_error(loss)) {
    const s2 = 2 * scale;
    for (let k = 0; k < count; k++) {
      const r = m[a + k] - m[t + k];
      sum += r * r;
      m[d + k] = grad(act, s2 * r, m[z + k], m[d + k], slope);
    }
    return sum;
  }
  for (let k = 0; k < count; k++) {
    const x = m[z + k], y = m[t + k];
    const l = Math.log1p(Math.exp(-Math.abs(x)));
    sum += y * (Math.max(-x, 0) + l) + (1 - y) * (Math.max(x, 0) + l);
    m[d + k] = scale * (m[a + k] - y);
  }
  return sum;
}

/** fused_output with row weights: row r's terms times w_r, its δ with scale·w_r (2·(scale·w_r) for squared error). */
function fused_output_weighted(m: Float64Array, loss: number, act: number, slope: number, rows: number, units: number, z: number, a: number, t: number, d: number, scale: number, w: number): number {
  const squared = is_squared_error(loss);
  let sum = 0;
  for (let r = 0, k = 0; r < rows; r++) {
    const wr = m[w + r], sw = scale * wr, s2 = 2 * sw;
    for (const end = k + units; k < end; k++) {
      if (squared) {
        const e = m[a + k] - m[t + k];
        sum += wr * (e * e);
        m[d + k] = grad(act, s2 * e, m[z + k], m[d + k], slope);
      } else {
        const x = m[z + k], y = m[t + k];
        const l = Math.log1p(Math.exp(-Math.abs(x)));
        sum += wr * (y * (Math.max(-x, 0) + l) + (1 - y) * (Math.max(x, 0) + l));
        m[d + k] = sw * (m[a + k] - y);
      }
    }
  }
  return sum;
}

const rec = (table: number, l: number): number => (table + l * LAYER_RECORD_BYTES) >>> 2;
const slopeOf = (m: Float64Array, table: number, l: number): number => m[((table + l * LAYER_RECORD_BYTES) >>> 3) + L.SLOPE_F64];
const fused = (i32: Int32Array, r: number, rows: number): boolean => rows <= i32[r + L.FUSED_ROWS];

const dropoutOf = (m: Float64Array, table: number, l: number): number => m[((table + l * LAYER_RECORD_BYTES) >>> 3) + L.DROPOUT_F64];

/**
 * network_gradients_chunk (network.ts) over all `rows` in one chunk, for train_epochs, each layer on the path the layer table names:
 * forward, loss and backward over `rows` rows; returns the raw loss sum. A layer with dropout draws
 * its masks after its activation and drops its outputs, and its dL/da is multiplied by the same
 * factors before f'(z) (assembly/fused.ts).
 */
export function train_gradients(m: Float64Array, i32: Int32Array, header: number, rows: number, input: number, target: number, w: number): number {
  const h = header >>> 2;
  const layers = i32[h + H.LAYERS], table = i32[h + H.TABLE];
  const loss = i32[h + H.LOSS], fromLogits = i32[h + H.FROM_LOGITS];
  const rng = i32[h + H.DROPOUT] !== 0 ? new Uint32Array(i32.buffer, i32[h + H.RNG] >>> 0, 4) : null;

  let x = input >>> 3;
  for (let l = 0; l < layers; l++) {
    const r = rec(table, l);
    const inputs = i32[r + L.INPUTS], units = i32[r + L.UNITS], act = i32[r + L.ACTIVATION];
    const W = i32[r + L.W] >>> 3, b = i32[r + L.B] >>> 3, z = i32[r + L.Z] >>> 3, a = i32[r + L.A] >>> 3;
    if (fused(i32, r, rows)) forward_layer(m, rows, inputs, units, act, slopeOf(m, table, l), x, W, b, z, a, i32[r + L.DELTA] >>> 3);
    else {
      dense_forward(m, rows, inputs, units, act, slopeOf(m, table, l), x, W, b, z, a);
      if (rng !== null && i32[r + L.MASK] !== 0) {
        const mask = i32[r + L.MASK] >>> 3;
        dropout_mask(m, rng, rows * units, dropoutOf(m, table, l), mask);
        apply_mask(m, rows * units, a, mask);
      }
    }
    x = a;
  }

  const out = rec(table, layers - 1);
  const units = i32[out + L.UNITS], outAct = i32[out + L.ACTIVATION];
  const z = i32[out + L.Z] >>> 3, a = i32[out + L.A] >>> 3, d = i32[out + L.DELTA] >>> 3, t = target >>> 3;
  const scale = loss_scale(loss, rows, units);
  let sum: number;
  if (fused(i32, out, rows) && handled_output(loss, fromLogits, outAct)) {
    sum = fused_output(m, loss, outAct, slopeOf(m, table, layers - 1), rows, units, z, a, t, d, scale, w);
  } else {
    sum = w === 0 ? loss_sum(m, loss, fromLogits, rows, units, z, a, t) : weighted_loss_sum(m, loss, fromLogits, rows, units, z, a, t, w);
    const done = w === 0
      ? loss_output_gradient(m, loss, fromLogits, rows, units, a, t, d, scale)
      : weighted_output_gradient(m, loss, fromLogits, rows, units, a, t, d, scale, w);
    if (!done) {
      backprop_activation(m, outAct, slopeOf(m, table, layers - 1), rows, units, z, a, d);
    }
  }

  for (let l = layers - 1; l >= 0; l--) {
    const r = rec(table, l);
    const inputs = i32[r + L.INPUTS], n = i32[r + L.UNITS];
    const prev = l > 0 ? rec(table, l - 1) : -1;
    const xin = l > 0 ? i32[prev + L.A] >>> 3 : input >>> 3;
    const W = i32[r + L.W] >>> 3, delta = i32[r + L.DELTA] >>> 3;
    // the previous layer's delta by its own path: a fused layer's cached f' sits in that region
    const generalDelta = l > 0 && !fused(i32, prev, rows);
    if (fused(i32, r, rows)) {
      weight_gradients(m, rows, inputs, n, xin, delta, i32[r + L.GW] >>> 3, i32[r + L.GB] >>> 3);
      if (generalDelta) gemm_nn(m, rows, inputs, n, delta, n, W, inputs, i32[prev + L.DELTA] >>> 3, inputs, 0);
    } else {
      dense_backward(m, rows, inputs, n, xin, W, delta, i32[r + L.GW] >>> 3, i32[r + L.GB] >>> 3, generalDelta ? i32[prev + L.DELTA] >>> 3 : -1);
    }
    if (generalDelta) {
      if (rng !== null && i32[prev + L.MASK] !== 0) apply_mask(m, rows * i32[prev + L.UNITS], i32[prev + L.DELTA] >>> 3, i32[prev + L.MASK] >>> 3);
      backprop_activation(m, i32[prev + L.ACTIVATION], slopeOf(m, table, l - 1), rows, i32[prev + L.UNITS], i32[prev + L.Z] >>> 3, i32[prev + L.A] >>> 3, i32[prev + L.DELTA] >>> 3);
    } else if (l > 0) {
      input_delta(m, rows, inputs, n, i32[prev + L.ACTIVATION], slopeOf(m, table, l - 1), delta, W, i32[prev + L.Z] >>> 3, i32[prev + L.DELTA] >>> 3);
    }
  }
  return sum;
}

// The one-row sgd step (assembly/fused.ts documents it): a step of one row with plain sgd on a network
// whose layers are all fused for one row, whose output loss fused_output handles. row_forward_loss is
// train_gradients' forward pass and output loop; row_backward_sgd walks the layers back once and, for
// each weight, adds its term to the previous layer's δ from the old W (input_delta's pairs of units),
// then applies its gradient at once: g = 0 + δ_u·x_i (weight_gradients' one-row sum), Δ = lr·(g + λθ)
// (sgd_all's step, written out; with l1 ≠ 0 with_l1's gradient, as sgd_all's). The same bits as
// train_gradients followed by sgd_all; the gradient buffer is not written.

/** Whether steps of one row may take row_forward_loss and row_backward_sgd (the optimizer aside; never with dropout). */
export function row_step_ready(i32: Int32Array, header: number): boolean {
  const h = header >>> 2;
  if (i32[h + H.DROPOUT] !== 0) return false;
  const layers = i32[h + H.LAYERS], table = i32[h + H.TABLE];
  for (let l = 0; l < layers; l++) if (!fused(i32, rec(table, l), 1)) return false;
  return handled_output(i32[h + H.LOSS], i32[h + H.FROM_LOGITS], i32[rec(table, layers - 1) + L.ACTIVATION]);
}

/** Forward pass and loss of one row (`scale`: loss_scale for one row; w: its weight's element offset, 0: none): returns the raw loss sum, leaves the output δ. */
export function row_forward_loss(m: Float64Array, i32: Int32Array, header: number, input: number, target: number, scale: number, w: number): number {
  const h = header >>> 2;
  const layers = i32[h + H.LAYERS], table = i32[h + H.TABLE];
  let x = input >>> 3;
  for (let l = 0; l < layers; l++) {
    const r = rec(table, l);
    const a = i32[r + L.A] >>> 3;
    forward_layer(m, 1, i32[r + L.INPUTS], i32[r + L.UNITS], i32[r + L.ACTIVATION], slopeOf(m, table, l), x, i32[r + L.W] >>> 3, i32[r + L.B] >>> 3, i32[r + L.Z] >>> 3, a, i32[r + L.DELTA] >>> 3);
    x = a;
  }
  const out = rec(table, layers - 1);
  const units = i32[out + L.UNITS];
  return fused_output(m, i32[h + H.LOSS], i32[out + L.ACTIVATION], slopeOf(m, table, layers - 1), 1, units, i32[out + L.Z] >>> 3, i32[out + L.A] >>> 3, target >>> 3, i32[out + L.DELTA] >>> 3, scale, w);
}

/**
 * Backward pass and plain sgd update of one row after row_forward_loss, with the header's learning rate,
 * weight decay and l1 (read here: numbers passed to a call V8 does not inline are allocated, at every
 * step); returns the largest |Δθ| (sgd_all's).
 */
export function row_backward_sgd(m: Float64Array, i32: Int32Array, header: number, input: number): number {
  const h = header >>> 2, f = header >>> 3;
  const lr = m[f + HF.LEARNING_RATE], decay = m[f + HF.WEIGHT_DECAY], l1 = m[f + HF.L1];
  const layers = i32[h + H.LAYERS], table = i32[h + H.TABLE];
  const plain = l1 === 0;
  let top = 0;
  for (let l = layers - 1; l >= 0; l--) {
    const r = rec(table, l);
    const inputs = i32[r + L.INPUTS], units = i32[r + L.UNITS];
    const W = i32[r + L.W] >>> 3, b = i32[r + L.B] >>> 3, delta = i32[r + L.DELTA] >>> 3;
    if (l > 0) {
      const prev = rec(table, l - 1);
      const x = i32[prev + L.A] >>> 3, zPrev = i32[prev + L.Z] >>> 3, dPrev = i32[prev + L.DELTA] >>> 3;
      const act = i32[prev + L.ACTIVATION], slope = slopeOf(m, table, l - 1);
      for (let i = 0; i < inputs; i++) {
        const xi = m[x + i];
        let s = 0, u = 0, w = W + i;
        for (; u + 1 < units; u += 2) {
          const a0 = m[delta + u], a1 = m[delta + u + 1], t0 = m[w], t1 = m[w + inputs];
          s += a0 * t0 + a1 * t1;
          const g0 = 0 + a0 * xi, d0 = lr * ((plain ? g0 : with_l1(g0, t0, l1)) + decay * t0);
          const g1 = 0 + a1 * xi, d1 = lr * ((plain ? g1 : with_l1(g1, t1, l1)) + decay * t1);
          m[w] = t0 - d0;
          m[w + inputs] = t1 - d1;
          top = Math.max(top, Math.abs(d0), Math.abs(d1));
          w += 2 * inputs;
        }
        if (u < units) {
          const a0 = m[delta + u], t0 = m[w];
          s += a0 * t0;
          const g0 = 0 + a0 * xi, d0 = lr * ((plain ? g0 : with_l1(g0, t0, l1)) + decay * t0);
          m[w] = t0 - d0;
          top = Math.max(top, Math.abs(d0));
        }
        m[dPrev + i] = grad(act, s, m[zPrev + i], m[dPrev + i], slope);
      }
    } else {
      const x = input >>> 3;
      for (let u = 0; u < units; u++) {
        const du = m[delta + u], w = W + u * inputs;
        for (let i = 0; i < inputs; i++) {
          const t = m[w + i], g = 0 + du * m[x + i], d = lr * ((plain ? g : with_l1(g, t, l1)) + decay * t);
          m[w + i] = t - d;
          top = Math.max(top, Math.abs(d));
        }
      }
    }
    for (let u = 0; u < units; u++) {
      const t = m[b + u], g = 0 + m[delta + u], d = lr * ((plain ? g : with_l1(g, t, l1)) + decay * t);
      m[b + u] = t - d;
      top = Math.max(top, Math.abs(d));
    }
  }
  return top;
}
