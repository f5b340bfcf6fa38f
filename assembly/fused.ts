// The fused path of small layers inside train_epochs (mirrored by src/engine/ts/fused.ts). Which layer
// takes it is decided by the host (src/layout/plan.ts fusedRows: the largest batch it is fused for)
// and stored in the layer table (L_FUSED_ROWS); train_gradients follows that choice layer by layer,
// so fused and general layers mix.
//
// For a fused layer:
//   forward   one loop per output element: the product (one sequential sum over the inputs, from
//             0.0, in increasing order: blas.ts's contract), + b, the activation, and f'(z) from the
//             same exp; f'(z) waits in the layer's delta region until the backward pass
//   output    the loss terms, the loss gradient and the output f' in one loop (squared-error losses
//             with any activation; sigmoid + bce from the logits shares one log1p(e^-|z|))
//   backward  gW, gb in direct loops (one sequential sum over the rows each), then the previous
//             layer's delta from the old W, multiplied by its cached f' in the same loop
// The formulas are those of activations.ts and losses.ts, term by term, so every value is the same
// bits as on the general path: the path changes speed only. A layer with dropout is never fused
// (fusedRows is 0): train_gradients draws and applies its masks on the general path (dropout.ts).
// With row weights (train_epochs passes their address, 0 for none) the output loop multiplies row
// r's loss terms by w_r and its δ's scale becomes scale·w_r, as losses.ts's weighted_ functions.
//
// Activations are type parameters: each marker class below gives the kernels its inlined forward
// and gradient, and each instantiation is a loop of its own, chosen once per layer by the one switch
// on the activation id, by_activation (binaryen folds inlined copies that differ only by a constant
// id back into one loop that tests the id per element).
import {
  ACT_IDENTITY, ACT_LEAKY_RELU, ACT_RELU, ACT_SIGMOID, ACT_SOFTPLUS, ACT_TANH,
  H_DROPOUT, H_FROM_LOGITS, H_LAYERS, H_LOSS, H_RNG, H_SCRATCH, H_TABLE, LAYER_RECORD_BYTES, LOSS_BCE, LOSS_HALF_SE, LOSS_MSE, LOSS_SSR,
  L_A, L_ACTIVATION, L_B, L_DELTA, L_DROPOUT_BYTE, L_GB, L_GW, L_FUSED_ROWS, L_INPUTS, L_MASK, L_SLOPE_BYTE, L_UNITS, L_W, L_Z, slot,
} from './abi';
import { exp_lut } from 'util/math';
import { tanh_small } from './activations';
import { NoL1, WithL1, sgd_update } from './optimizers';
import { gemm_nn, split_apply_mask, split_backprop_activation } from './pool';
import { dropout_mask } from './dropout';
import { dense_backward, dense_forward } from './dense';
import { loss_output_gradient, loss_scale, loss_sum, weighted_loss_sum, weighted_output_gradient } from './losses';

// ---------------------------------------------------------------------------------------------
// Activation markers. forward(z, slope, a, d) stores f(z) at a and, where the backward pass needs
// it, f'(z) at d; grad(g, z, d, slope) turns g = dL/da into dL/dz (z and d: addresses of this
// element's z and cached f'). Same formulas as activations.ts:
//   sigmoid   e = e^-|z|:  f = (z ≥ 0 ? 1 : e) / (1 + e),  f' = e / (1 + e)²
//   tanh      e = e^-2|z|: f = ±(1 − e) / (1 + e) (Math.tanh for |z| < 0.55),  f' = 4e / (1 + e)²
//   softplus  e = e^-|z|:  f = max(z, 0) + log1p(e),  f' = sigmoid(z)

/**
 * Math.exp, inlined: at shrinkLevel 0 (the release builds) Math.exp is exp_lut itself, so the bits are
 * the same; a call per element cost the small layers more than the exp's arithmetic.
 */
@inline function exp(x: f64): f64 {
  return ASC_SHRINK_LEVEL < 1 ? exp_lut(x) : Math.exp(x);
}

class Identity {
  @inline forward(z: f64, slope: f64, a: usize, d: usize): void { store<f64>(a, z); }
  @inline grad(g: f64, z: usize, d: usize, slope: f64): f64 { return g; }
}

class Sigmoid {
  @inline forward(z: f64, slope: f64, a: usize, d: usize): void {
    const e = exp(-Math.abs(z));
    const q = 1.0 + e;
    store<f64>(a, select<f64>(1.0, e, z >= 0) / q);
    store<f64>(d, e / (q * q));
  }
  @inline grad(g: f64, z: usize, d: usize, slope: f64): f64 { return g * load<f64>(d); }
}

class Tanh {
  @inline forward(z: f64, slope: f64, a: usize, d: usize): void {
    const x = Math.abs(z);
    const e = exp(-2.0 * x);
    const q = 1.0 + e;
    let t: f64;
    if (x < 0.55) t = tanh_small(z, x);
    else {
      t = (1.0 - e) / q;
      t = select<f64>(-t, t, z < 0);
    }
    store<f64>(a, t);
    store<f64>(d, (4.0 * e) / (q * q));
  }
  @inline grad(g: f64, z: usize, d: usize, slope: f64): f64 { return g * load<f64>(d); }
}

class Softplus {
  @inline forward(z: f64, slope: f64, a: usize, d: usize): void {
    const e = exp(-Math.abs(z));
    const q = 1.0 + e;
    store<f64>(a, Math.max(z, 0.0) + Math.log1p(e));
    store<f64>(d, select<f64>(1.0, e, z >= 0) / q);
  }
  @inline grad(g: f64, z: usize, d: usize, slope: f64): f64 { return g * load<f64>(d); }
}

class Relu {
  @inline forward(z: f64, slope: f64, a: usize, d: usize): void { store<f64>(a, select<f64>(z, 0.0, z > 0)); }
  @inline grad(g: f64, z: usize, d: usize, slope: f64): f64 { return select<f64>(g, 0.0, load<f64>(z) > 0); }
}

class LeakyRelu {
  @inline forward(z: f64, slope: f64, a: usize, d: usize): void { store<f64>(a, select<f64>(z, slope * z, z > 0)); }
  @inline grad(g: f64, z: usize, d: usize, slope: f64): f64 { return select<f64>(g, g * slope, load<f64>(z) > 0); }
}

// ---------------------------------------------------------------------------------------------
// Kernels, generic over the activation marker A. Byte offsets; matrices row-major.

/** z = x · Wᵀ + b, a = f(z), d = f'(z) for one row. */
@inline function row_forward<A>(inputs: i32, units: i32, slope: f64, x: usize, W: usize, b: usize, z: usize, a: usize, d: usize): void {
  const act = changetype<A>(0);
  const inBytes = <usize>inputs << 3, outBytes = <usize>units << 3;
  let w = W;
  for (let j: usize = 0; j < outBytes; j += 8) {
    let s = 0.0;
    for (let p: usize = 0; p < inBytes; p += 8) s += load<f64>(x + p) * load<f64>(w + p);
    w += inBytes;
    const v = s + load<f64>(b + j);
    store<f64>(z + j, v);
    act.forward(v, slope, a + j, d + j);
  }
}

/** row_forward over rows × units. */
function forward_layer<A>(rows: i32, inputs: i32, units: i32, slope: f64, x: usize, W: usize, b: usize, z: usize, a: usize, d: usize): void {
  const inBytes = <usize>inputs << 3, outBytes = <usize>units << 3;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * outBytes;
    row_forward<A>(inputs, units, slope, x + <usize>r * inBytes, W, b, z + o, a + o, d + o);
  }
}

/** Squared-error losses: Σ (a − t)² returned, d ← f'-scaled s2·(a − t) (s2 = 2 · scale). */
function output_squared_error<A>(count: i32, slope: f64, z: usize, a: usize, t: usize, d: usize, s2: f64): f64 {
  const act = changetype<A>(0);
  const bytes = <usize>count << 3;
  let sum = 0.0;
  for (let k: usize = 0; k < bytes; k += 8) {
    const r = load<f64>(a + k) - load<f64>(t + k);
    sum += r * r;
    store<f64>(d + k, act.grad(s2 * r, z + k, d + k, slope));
  }
  return sum;
}

/** output_squared_error with row weights at w (`units` per row): Σ w_r (a − t)², d ← f'-scaled 2·(scale·w_r)·(a − t). */
function output_squared_error_weighted<A>(rows: i32, units: i32, slope: f64, z: usize, a: usize, t: usize, d: usize, scale: f64, w: usize): f64 {
  const act = changetype<A>(0);
  const rowBytes = <usize>units << 3;
  let sum = 0.0;
  let k: usize = 0;
  for (let r = 0; r < rows; r++) {
    const wr = load<f64>(w + (<usize>r << 3)), s2 = 2.0 * (scale * wr);
    for (const end = k + rowBytes; k < end; k += 8) {
      const e = load<f64>(a + k) - load<f64>(t + k);
      sum += wr * (e * e);
      store<f64>(d + k, act.grad(s2 * e, z + k, d + k, slope));
    }
  }
  return sum;
}

/** Sigmoid + bce from the logits: Σ t·softplus(−z) + (1 − t)·softplus(z) returned, d ← scale·(a − t). */
function output_logistic(count: i32, z: usize, a: usize, t: usize, d: usize, scale: f64): f64 {
  const bytes = <usize>count << 3;
  let sum = 0.0;
  for (let k: usize = 0; k < bytes; k += 8) {
    const x = load<f64>(z + k), y = load<f64>(t + k);
    const l = Math.log1p(Math.exp(-Math.abs(x)));
    sum += y * (Math.max(-x, 0.0) + l) + (1.0 - y) * (Math.max(x, 0.0) + l);
    store<f64>(d + k, scale * (load<f64>(a + k) - y));
  }
  return sum;
}

/** output_logistic with row weights at w (`units` per row): each term times w_r, d ← (scale·w_r)·(a − t). */
function output_logistic_weighted(rows: i32, units: i32, z: usize, a: usize, t: usize, d: usize, scale: f64, w: usize): f64 {
  const rowBytes = <usize>units << 3;
  let sum = 0.0;
  let k: usize = 0;
  for (let r = 0; r < rows; r++) {
    const wr = load<f64>(w + (<usize>r << 3)), sw = scale * wr;
    for (const end = k + rowBytes; k < end; k += 8) {
      const x = load<f64>(z + k), y = load<f64>(t + k);
      const l = Math.log1p(Math.exp(-Math.abs(x)));
      sum += wr * (y * (Math.max(-x, 0.0) + l) + (1.0 - y) * (Math.max(x, 0.0) + l));
      store<f64>(d + k, sw * (load<f64>(a + k) - y));
    }
  }
  return sum;
}

/**
 * gW = δᵀ · x, gb = Σ_rows δ: one sequential sum over the rows per element. Two inputs at a time on
 * f64x2 lanes (each lane its own element's sum, in the same order as the scalar tail's).
 */
function weight_gradients(rows: i32, inputs: i32, units: i32, x: usize, delta: usize, gW: usize, gb: usize): void {
  const inBytes = <usize>inputs << 3, outBytes = <usize>units << 3;
  let g = gW;
  for (let u: usize = 0; u < outBytes; u += 8) {
    let i: usize = 0;
    for (; i + 16 <= inBytes; i += 16) {
      let s = f64x2.splat(0.0);
      let dr = delta + u, xr = x + i;
      for (let r = 0; r < rows; r++) {
        s = f64x2.add(s, f64x2.mul(f64x2.splat(load<f64>(dr)), v128.load(xr)));
        dr += outBytes;
        xr += inBytes;
      }
      v128.store(g + i, s);
    }
    for (; i < inBytes; i += 8) {
      let s = 0.0;
      let dr = delta + u, xr = x + i;
      for (let r = 0; r < rows; r++) {
        s += load<f64>(dr) * load<f64>(xr);
        dr += outBytes;
        xr += inBytes;
      }
      store<f64>(g + i, s);
    }
    g += inBytes;
    let s = 0.0;
    let dr = delta + u;
    for (let r = 0; r < rows; r++) {
      s += load<f64>(dr);
      dr += outBytes;
    }
    store<f64>(gb + u, s);
  }
}

/**
 * The previous layer's δ = f'(z_prev) ⊙ (δ · W), its f' read from where its forward pass cached it.
 * Two inputs at a time on f64x2 lanes (each lane one sequential sum over the units, as the scalar tail).
 */
function input_delta<A>(rows: i32, inputs: i32, units: i32, slope: f64, delta: usize, W: usize, zPrev: usize, dPrev: usize): void {
  const act = changetype<A>(0);
  const inBytes = <usize>inputs << 3, outBytes = <usize>units << 3;
  for (let r = 0; r < rows; r++) {
    const dr = delta + <usize>r * outBytes, o = dPrev + <usize>r * inBytes, zo = zPrev + <usize>r * inBytes;
    let i: usize = 0;
    for (; i + 16 <= inBytes; i += 16) {
      let s = f64x2.splat(0.0);
      let w = W + i;
      for (let u: usize = 0; u < outBytes; u += 8) {
        s = f64x2.add(s, f64x2.mul(f64x2.splat(load<f64>(dr + u)), v128.load(w)));
        w += inBytes;
      }
      store<f64>(o + i, act.grad(f64x2.extract_lane(s, 0), zo + i, o + i, slope));
      store<f64>(o + i + 8, act.grad(f64x2.extract_lane(s, 1), zo + i + 8, o + i + 8, slope));
    }
    for (; i < inBytes; i += 8) {
      let s = 0.0;
      let w = W + i;
      for (let u: usize = 0; u < outBytes; u += 8) {
        s += load<f64>(dr + u) * load<f64>(w);
        w += inBytes;
      }
      store<f64>(o + i, act.grad(s, zo + i, o + i, slope));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Dispatch: the activation id is switched on once per layer, in by_activation alone.

@inline function record(header: usize, l: i32): usize {
  return <usize>slot(header, H_TABLE) + <usize>l * <usize>LAYER_RECORD_BYTES;
}

@inline function at(r: usize, index: i32): usize {
  return <usize>slot(r, index);
}

@inline function slope_of(r: usize): f64 {
  return load<f64>(r + L_SLOPE_BYTE);
}

@inline function is_fused(r: usize, rows: i32): bool {
  return rows <= slot(r, L_FUSED_ROWS);
}

/**
 * Runs operation Op's kernel for the activation of `layer` (the one switch on the activation id). An
 * operation is a marker class like the activations: its run<A> takes the same arguments for every
 * operation (the records of `layer` and of the layer `above` it, a row count, an address and two
 * numbers; each ignores those it does not use), reads the rest from the records and calls the kernel
 * instantiated for A. Never allocated (changetype<Op>(0)) and inlined: a dispatch costs the switch.
 */
@inline function by_activation<Op>(layer: usize, above: usize, rows: i32, x: usize, p: f64, q: f64): f64 {
  const op = changetype<Op>(0);
  switch (slot(layer, L_ACTIVATION)) {
    case ACT_IDENTITY: return op.run<Identity>(layer, above, rows, x, p, q);
    case ACT_SIGMOID: return op.run<Sigmoid>(layer, above, rows, x, p, q);
    case ACT_TANH: return op.run<Tanh>(layer, above, rows, x, p, q);
    case ACT_RELU: return op.run<Relu>(layer, above, rows, x, p, q);
    case ACT_LEAKY_RELU: return op.run<LeakyRelu>(layer, above, rows, x, p, q);
    case ACT_SOFTPLUS: return op.run<Softplus>(layer, above, rows, x, p, q);
    default: unreachable(); return 0.0;
  }
}

/** forward_layer of `layer` over `rows` rows of x. */
class Forward {
  @inline run<A>(layer: usize, above: usize, rows: i32, x: usize, p: f64, q: f64): f64 {
    forward_layer<A>(
      rows, slot(layer, L_INPUTS), slot(layer, L_UNITS), slope_of(layer),
      x, at(layer, L_W), at(layer, L_B), at(layer, L_Z), at(layer, L_A), at(layer, L_DELTA),
    );
    return 0.0;
  }
}

/** row_forward of `layer` on the row x. */
class RowForward {
  @inline run<A>(layer: usize, above: usize, rows: i32, x: usize, p: f64, q: f64): f64 {
    row_forward<A>(
      slot(layer, L_INPUTS), slot(layer, L_UNITS), slope_of(layer),
      x, at(layer, L_W), at(layer, L_B), at(layer, L_Z), at(layer, L_A), at(layer, L_DELTA),
    );
    return 0.0;
  }
}

/** output_squared_error of the output `layer` over `rows` rows of targets at x, p = scale: returns the loss sum. */
class SquaredError {
  @inline run<A>(layer: usize, above: usize, rows: i32, x: usize, p: f64, q: f64): f64 {
    return output_squared_error<A>(
      rows * slot(layer, L_UNITS), slope_of(layer), at(layer, L_Z), at(layer, L_A), x, at(layer, L_DELTA), 2.0 * p,
    );
  }
}

/** output_squared_error_weighted of the output `layer`, targets at x, p = scale, and (in `above`'s place) the row weights. */
class WeightedSquaredError {
  @inline run<A>(layer: usize, above: usize, rows: i32, x: usize, p: f64, q: f64): f64 {
    return output_squared_error_weighted<A>(
      rows, slot(layer, L_UNITS), slope_of(layer), at(layer, L_Z), at(layer, L_A), x, at(layer, L_DELTA), p, above,
    );
  }
}

/** input_delta: `layer`'s δ over `rows` rows from the δ and W of the layer `above` it. */
class InputDelta {
  @inline run<A>(layer: usize, above: usize, rows: i32, x: usize, p: f64, q: f64): f64 {
    input_delta<A>(
      rows, slot(layer, L_UNITS), slot(above, L_UNITS), slope_of(layer),
      at(above, L_DELTA), at(above, L_W), at(layer, L_Z), at(layer, L_DELTA),
    );
    return 0.0;
  }
}

/**
 * row_update of the layer `above` `layer` (p = lr, q = decay, x = the header, S: NoL1 or WithL1, which
 * reads its l1 there), `layer`'s δ on the way: returns the largest |Δθ|.
 */
class RowUpdate<S> {
  @inline run<A>(layer: usize, above: usize, rows: i32, x: usize, p: f64, q: f64): f64 {
    return row_update<A, S>(
      slot(above, L_INPUTS), slot(above, L_UNITS), slope_of(layer), at(layer, L_A), at(above, L_W), at(above, L_B),
      at(above, L_DELTA), at(layer, L_Z), at(layer, L_DELTA), p, q, changetype<S>(0).l1_of(x),
    );
  }
}

function fused_forward(r: usize, rows: i32, x: usize): void {
  by_activation<Forward>(r, 0, rows, x, 0.0, 0.0);
}

/** Whether fused_output handles this loss and output activation (its sum may itself be NaN). */
@inline function handled_output(loss: i32, fromLogits: i32, act: i32): bool {
  return is_squared_error(loss) || (loss == LOSS_BCE && fromLogits != 0 && act == ACT_SIGMOID);
}

@inline function is_squared_error(loss: i32): bool {
  return loss == LOSS_SSR || loss == LOSS_HALF_SE || loss == LOSS_MSE;
}

/**
 * The fused output loop where handled_output allows it (squared error, else sigmoid + bce from the
 * logits), with the row weights at `weights` (0: none): returns the loss sum.
 */
function fused_output(r: usize, loss: i32, rows: i32, target: usize, scale: f64, weights: usize): f64 {
  if (weights != 0) {
    if (is_squared_error(loss)) return by_activation<WeightedSquaredError>(r, weights, rows, target, scale, 0.0);
    return output_logistic_weighted(rows, slot(r, L_UNITS), at(r, L_Z), at(r, L_A), target, at(r, L_DELTA), scale, weights);
  }
  if (is_squared_error(loss)) return by_activation<SquaredError>(r, 0, rows, target, scale, 0.0);
  return output_logistic(rows * slot(r, L_UNITS), at(r, L_Z), at(r, L_A), target, at(r, L_DELTA), scale);
}

function fused_input_delta(prev: usize, r: usize, rows: i32): void {
  by_activation<InputDelta>(prev, r, rows, 0, 0.0, 0.0);
}

/**
 * network_gradients_chunk (network.ts) over all `rows` in one chunk, for train_epochs, each layer on the path the layer table names:
 * forward, loss and backward over `rows` rows; returns the raw loss sum Σ terms. The same bits as
 * network_gradients_chunk whatever the paths, when no layer has dropout. A layer with dropout
 * (general path) draws its masks after its activation and drops its outputs (dropout.ts), and its
 * dL/da is multiplied by the same factors before f'(z). `weights`: the rows' weights (0: none).
 */
export function train_gradients(header: usize, rows: i32, input: usize, target: usize, weights: usize): f64 {
  const layers = slot(header, H_LAYERS);
  const loss = slot(header, H_LOSS), fromLogits = slot(header, H_FROM_LOGITS);
  const scratch = <usize>slot(header, H_SCRATCH);
  const dropout = slot(header, H_DROPOUT) != 0;
  let x = input;
  for (let l = 0; l < layers; l++) {
    const r = record(header, l);
    if (is_fused(r, rows)) fused_forward(r, rows, x);
    else {
      dense_forward(
        rows, slot(r, L_INPUTS), slot(r, L_UNITS), slot(r, L_ACTIVATION), load<f64>(r + L_SLOPE_BYTE),
        x, at(r, L_W), at(r, L_B), at(r, L_Z), at(r, L_A), scratch,
      );
      if (dropout && at(r, L_MASK) != 0) {
        const count = rows * slot(r, L_UNITS);
        dropout_mask(<usize>slot(header, H_RNG), count, load<f64>(r + L_DROPOUT_BYTE), at(r, L_MASK));
        split_apply_mask(count, at(r, L_A), at(r, L_MASK));
      }
    }
    x = at(r, L_A);
  }

  const out = record(header, layers - 1);
  const units = slot(out, L_UNITS);
  const scale = loss_scale(loss, rows, units);
  let sum: f64;
  if (is_fused(out, rows) && handled_output(loss, fromLogits, slot(out, L_ACTIVATION))) {
    sum = fused_output(out, loss, rows, target, scale, weights);
  } else {
    const z = at(out, L_Z), a = at(out, L_A), d = at(out, L_DELTA);
    sum = weights == 0 ? loss_sum(loss, fromLogits, rows, units, z, a, target) : weighted_loss_sum(loss, fromLogits, rows, units, z, a, target, weights);
    const done = weights == 0
      ? loss_output_gradient(loss, fromLogits, rows, units, a, target, d, scale)
      : weighted_output_gradient(loss, fromLogits, rows, units, a, target, d, scale, weights);
    if (!done) {
      split_backprop_activation(slot(out, L_ACTIVATION), load<f64>(out + L_SLOPE_BYTE), rows, units, at(out, L_Z), at(out, L_A), at(out, L_DELTA));
    }
  }

  for (let l = layers - 1; l >= 0; l--) {
    const r = record(header, l);
    const inputs = slot(r, L_INPUTS), n = slot(r, L_UNITS);
    const hasPrev = l > 0;
    const prev = hasPrev ? record(header, l - 1) : 0;
    const xin = hasPrev ? at(prev, L_A) : input;
    const W = at(r, L_W), delta = at(r, L_DELTA);
    // the previous layer's delta by its own path: a fused layer's cached f' sits in that region
    const generalDelta = hasPrev && !is_fused(prev, rows);
    if (is_fused(r, rows)) {
      weight_gradients(rows, inputs, n, xin, delta, at(r, L_GW), at(r, L_GB));
      if (generalDelta) gemm_nn(rows, inputs, n, delta, n, W, inputs, at(prev, L_DELTA), inputs, 0, scratch);
    } else {
      dense_backward(rows, inputs, n, xin, W, delta, at(r, L_GW), at(r, L_GB), generalDelta ? at(prev, L_DELTA) : 0, scratch);
    }
    if (generalDelta) {
      if (dropout && at(prev, L_MASK) != 0) split_apply_mask(rows * slot(prev, L_UNITS), at(prev, L_DELTA), at(prev, L_MASK));
      split_backprop_activation(
        slot(prev, L_ACTIVATION), load<f64>(prev + L_SLOPE_BYTE), rows, slot(prev, L_UNITS),
        at(prev, L_Z), at(prev, L_A), at(prev, L_DELTA),
      );
    } else if (hasPrev) {
      fused_input_delta(prev, r, rows);
    }
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// The one-row sgd step: a step of one row (batch size 1, or a last batch of one row) on a network
// whose layers are all fused for one row, with an output loss the fused output loop handles, trained
// by plain sgd (sgd, every parameter trainable; train_epochs decides, row_step_ready checks the rest).
// row_forward_loss is train_gradients' forward pass and output loop; row_backward_sgd then walks the
// layers back once, and for each weight reads it, adds its term to the previous layer's δ (from the
// old W, as input_delta), and applies its gradient at once (as sgd_all), instead of storing gW/gb and
// reading them again in a separate update pass:
//   g  = 0.0 + δ_u · x_i          weight_gradients' one-row sum (0.0 + p: the same bits, −0 included)
//   Δ  = lr · (g + λ·θ);  θ ← θ − Δ;  largest = max(largest, |Δ|)          sgd_update, as sgd_all
// (with l1 ≠ 0, g + l1·sign(θ) in the place of g: the WithL1 instantiation, as sgd_all's)
// Every value is the same bits as train_gradients followed by sgd_all. The gradient buffer is not
// written (nothing reads it after an update: every caller of the gradients rewrites it first).

/** Whether steps of one row may take row_forward_loss and row_backward_sgd (the optimizer aside; never with dropout). */
export function row_step_ready(header: usize): bool {
  if (slot(header, H_DROPOUT) != 0) return false;
  const layers = slot(header, H_LAYERS);
  for (let l = 0; l < layers; l++) if (!is_fused(record(header, l), 1)) return false;
  return handled_output(slot(header, H_LOSS), slot(header, H_FROM_LOGITS), slot(record(header, layers - 1), L_ACTIVATION));
}

/** Forward pass and loss of one row (`scale`: loss_scale for one row; `weight`: its weight's address, 0: none): returns the raw loss sum, leaves the output δ. */
export function row_forward_loss(header: usize, input: usize, target: usize, scale: f64, weight: usize): f64 {
  const layers = slot(header, H_LAYERS);
  let x = input;
  for (let l = 0; l < layers; l++) {
    const r = record(header, l);
    by_activation<RowForward>(r, 0, 1, x, 0.0, 0.0);
    x = at(r, L_A);
  }
  return fused_output(record(header, layers - 1), slot(header, H_LOSS), 1, target, scale, weight);
}

/** Layer 0's update: W ← W − lr·(δᵀx + λW), b likewise (S: with or without l1); returns the largest |Δθ|. */
@inline function row_update_first<S>(inputs: i32, units: i32, x: usize, W: usize, b: usize, delta: usize, lr: f64, decay: f64, l1: f64): f64 {
  const l1s = changetype<S>(0);
  const inBytes = <usize>inputs << 3, outBytes = <usize>units << 3;
  let top = 0.0;
  let w = W;
  for (let u: usize = 0; u < outBytes; u += 8) {
    const du = load<f64>(delta + u);
    for (let i: usize = 0; i < inBytes; i += 8) {
      const theta = load<f64>(w + i);
      top = sgd_update(top, w + i, theta, l1s.grad(0.0 + du * load<f64>(x + i), theta, l1), lr, decay);
    }
    w += inBytes;
    const beta = load<f64>(b + u);
    top = sgd_update(top, b + u, beta, l1s.grad(0.0 + du, beta, l1), lr, decay);
  }
  return top;
}

/**
 * A later layer's update, with the previous layer's δ = f'(z_prev) ⊙ (δ · W) from the old W: input
 * by input, each weight W[u][i] is read, added to the i-th sum (units in increasing order, as
 * input_delta), then updated. Returns the largest |Δθ|.
 */
@inline function row_update<A, S>(inputs: i32, units: i32, slope: f64, x: usize, W: usize, b: usize, delta: usize, zPrev: usize, dPrev: usize, lr: f64, decay: f64, l1: f64): f64 {
  const act = changetype<A>(0), l1s = changetype<S>(0);
  const inBytes = <usize>inputs << 3, outBytes = <usize>units << 3;
  let top = 0.0;
  for (let i: usize = 0; i < inBytes; i += 8) {
    const xi = load<f64>(x + i);
    let s = 0.0;
    let w = W + i;
    for (let u: usize = 0; u < outBytes; u += 8) {
      const du = load<f64>(delta + u), theta = load<f64>(w);
      s += du * theta;
      top = sgd_update(top, w, theta, l1s.grad(0.0 + du * xi, theta, l1), lr, decay);
      w += inBytes;
    }
    store<f64>(dPrev + i, act.grad(s, zPrev + i, dPrev + i, slope));
  }
  for (let u: usize = 0; u < outBytes; u += 8) {
    const beta = load<f64>(b + u);
    top = sgd_update(top, b + u, beta, l1s.grad(0.0 + load<f64>(delta + u), beta, l1), lr, decay);
  }
  return top;
}

/** Backward pass and plain sgd update of one row after row_forward_loss; returns the largest |Δθ| (sgd_all's). */
export function row_backward_sgd(header: usize, input: usize, lr: f64, decay: f64): f64 {
  return row_backward<NoL1>(header, input, lr, decay, 0.0);
}

/** row_backward_sgd with l1 ≠ 0 (the header's). A function apart, so that row_backward_sgd keeps its code. */
export function row_backward_sgd_l1(header: usize, input: usize, lr: f64, decay: f64, l1: f64): f64 {
  return row_backward<WithL1>(header, input, lr, decay, l1);
}

@inline function row_backward<S>(header: usize, input: usize, lr: f64, decay: f64, l1: f64): f64 {
  let top = 0.0;
  for (let l = slot(header, H_LAYERS) - 1; l > 0; l--) {
    top = Math.max(top, by_activation<RowUpdate<S>>(record(header, l - 1), record(header, l), 1, header, lr, decay));
  }
  const first = record(header, 0);
  const t = row_update_first<S>(slot(first, L_INPUTS), slot(first, L_UNITS), input, at(first, L_W), at(first, L_B), at(first, L_DELTA), lr, decay, l1);
  return Math.max(top, t);
}
