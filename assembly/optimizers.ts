// Parameter updates: one pass over the flat parameter buffer (mirrors src/engine/ts/optimizers.ts).
// With g = ∇L + l1·sign(θ) + λθ (the l1 penalty's gradient, sign(0) = 0, then L2 weight decay λ, as
// PyTorch's weight_decay) and only where mask ≠ 0:
//   sgd:       θ ← θ − lr·g
//   momentum:  m ← μm + g;  θ ← θ − lr·m            Nesterov: θ ← θ − lr·(g + μm)   (PyTorch's form)
//   adam:      t ← t + 1;  m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²
//              θ ← θ − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
// β^t are running products kept beside the state (no pow: the same bits on every platform).
// Each returns the largest |Δθ| it applied (the texts' "step size" stopping rule). Two parameters per
// f64x2 step; the scalar tail uses the same operations in the same order, so the bits are the same.
// l1 = 0 runs the loops without the l1 term (not a + 0 term: −0 + 0 is +0): each pass is generic over
// NoL1 / WithL1 below; sgd, sgd_all, momentum and adam are the NoL1 passes (the same code as without
// l1), and optimizer_pass sends l1 ≠ 0 to optimizer_pass_l1, the WithL1 passes, before any loop.
//
// Serial kernels only (below pool.ts, which runs optimizer_pass on parameter ranges): the update of a
// training step, optimizer_step and plain_sgd_step, splits on the pool and so lives in train.ts.
import { HF_L1, H_OPTIMIZER, H_OPT_STATE, H_PARAM_COUNT, OPT_ADAM, OPT_MOMENTUM, OPT_SGD, fslot, slot } from './abi';

/**
 * ∇L → ∇L + l1·sign(θ), as a type argument (never allocated: changetype<R>(0)): `grad` on one
 * parameter, `lanes` on two (l1, minus: l1 and −l1 splatted). NoL1 returns the gradient as it is.
 */
export class NoL1 {
  @inline grad(g: f64, theta: f64, l1: f64): f64 { return g; }
  @inline lanes(g: v128, theta: v128, l1: v128, minus: v128): v128 { return g; }
  /** The l1 of a header, as this step uses it (fused.ts's one-row step reads it there): none. */
  @inline l1_of(header: usize): f64 { return 0.0; }
}

export class WithL1 {
  @inline l1_of(header: usize): f64 { return fslot(header, HF_L1); }
  /** sign(0) = 0 (and NaN's): l1, −l1 or +0 added. */
  @inline grad(g: f64, theta: f64, l1: f64): f64 {
    return g + select<f64>(l1, select<f64>(-l1, 0.0, theta < 0), theta > 0);
  }
  /** grad's sum on two lanes: the same three values (+0 has no bit set), the same addition. */
  @inline lanes(g: v128, theta: v128, l1: v128, minus: v128): v128 {
    const zero = f64x2.splat(0.0);
    return f64x2.add(g, v128.or(v128.and(l1, f64x2.gt(theta, zero)), v128.and(minus, f64x2.lt(theta, zero))));
  }
}

@inline function laneMask(mask: usize, k: usize): v128 {
  return f64x2.ne(v128.load(mask + k), f64x2.splat(0.0));
}

/**
 * The sgd step of one parameter θ (at `p`, value `theta`) with gradient g: Δ = lr·(g + λθ); θ ← θ − Δ;
 * returns max(top, |Δ|). The one scalar form of the step: sgd's and sgd_all's tails and fused.ts's
 * one-row step (row_backward_sgd) all call it (with g from NoL1 / WithL1's grad), so they compute the
 * same bits.
 */
@inline export function sgd_update(top: f64, p: usize, theta: f64, g: f64, lr: f64, decay: f64): f64 {
  const d = lr * (g + decay * theta);
  store<f64>(p, theta - d);
  return Math.max(top, Math.abs(d));
}

/** sgd_update's Δ on two lanes (rate, lambda: lr and λ splatted), the same operations in the same order. */
@inline function sgd_delta_lanes(theta: v128, g: v128, rate: v128, lambda: v128): v128 {
  return f64x2.mul(rate, f64x2.add(g, f64x2.mul(lambda, theta)));
}

export function sgd(n: i32, params: usize, grads: usize, mask: usize, lr: f64, decay: f64): f64 {
  return sgd_with<NoL1>(n, params, grads, mask, lr, decay, 0.0);
}

@inline function sgd_with<R>(n: i32, params: usize, grads: usize, mask: usize, lr: f64, decay: f64, l1: f64): f64 {
  const r = changetype<R>(0);
  const bytes = <usize>n << 3;
  const rate = f64x2.splat(lr), lambda = f64x2.splat(decay), l1v = f64x2.splat(l1), minus = f64x2.splat(-l1);
  let largest = f64x2.splat(0.0);
  let k: usize = 0;
  for (; k + 16 <= bytes; k += 16) {
    const on = laneMask(mask, k);
    const theta = v128.load(params + k);
    const d = sgd_delta_lanes(theta, r.lanes(v128.load(grads + k), theta, l1v, minus), rate, lambda);
    v128.store(params + k, v128.bitselect(f64x2.sub(theta, d), theta, on));
    largest = f64x2.max(largest, v128.and(f64x2.abs(d), on));
  }
  let top = Math.max(f64x2.extract_lane(largest, 0), f64x2.extract_lane(largest, 1));
  for (; k < bytes; k += 8) {
    if (load<f64>(mask + k) == 0) continue;
    const theta = load<f64>(params + k);
    top = sgd_update(top, params + k, theta, r.grad(load<f64>(grads + k), theta, l1), lr, decay);
  }
  return top;
}

/**
 * sgd when every parameter trains (no mask entry is 0): the same operations in the same order as
 * sgd, without the mask loads and selects, so the same bits.
 */
export function sgd_all(n: i32, params: usize, grads: usize, lr: f64, decay: f64): f64 {
  return sgd_all_with<NoL1>(n, params, grads, lr, decay, 0.0);
}

@inline function sgd_all_with<R>(n: i32, params: usize, grads: usize, lr: f64, decay: f64, l1: f64): f64 {
  const r = changetype<R>(0);
  const bytes = <usize>n << 3;
  const rate = f64x2.splat(lr), lambda = f64x2.splat(decay), l1v = f64x2.splat(l1), minus = f64x2.splat(-l1);
  let largest = f64x2.splat(0.0);
  let k: usize = 0;
  for (; k + 16 <= bytes; k += 16) {
    const theta = v128.load(params + k);
    const d = sgd_delta_lanes(theta, r.lanes(v128.load(grads + k), theta, l1v, minus), rate, lambda);
    v128.store(params + k, f64x2.sub(theta, d));
    largest = f64x2.max(largest, f64x2.abs(d));
  }
  let top = Math.max(f64x2.extract_lane(largest, 0), f64x2.extract_lane(largest, 1));
  for (; k < bytes; k += 8) {
    const theta = load<f64>(params + k);
    top = sgd_update(top, params + k, theta, r.grad(load<f64>(grads + k), theta, l1), lr, decay);
  }
  return top;
}

export function momentum(n: i32, params: usize, grads: usize, mask: usize, m: usize, lr: f64, decay: f64, mu: f64, nesterov: i32): f64 {
  return momentum_with<NoL1>(n, params, grads, mask, m, lr, decay, mu, nesterov, 0.0);
}

@inline function momentum_with<R>(n: i32, params: usize, grads: usize, mask: usize, m: usize, lr: f64, decay: f64, mu: f64, nesterov: i32, l1: f64): f64 {
  const r = changetype<R>(0);
  const bytes = <usize>n << 3;
  const rate = f64x2.splat(lr), lambda = f64x2.splat(decay), muv = f64x2.splat(mu), l1v = f64x2.splat(l1), minus = f64x2.splat(-l1);
  let largest = f64x2.splat(0.0);
  let k: usize = 0;
  for (; k + 16 <= bytes; k += 16) {
    const on = laneMask(mask, k);
    const theta = v128.load(params + k);
    const g = f64x2.add(r.lanes(v128.load(grads + k), theta, l1v, minus), f64x2.mul(lambda, theta));
    const mOld = v128.load(m + k);
    const mNew = f64x2.add(f64x2.mul(muv, mOld), g);
    const d = nesterov ? f64x2.mul(rate, f64x2.add(g, f64x2.mul(muv, mNew))) : f64x2.mul(rate, mNew);
    v128.store(m + k, v128.bitselect(mNew, mOld, on));
    v128.store(params + k, v128.bitselect(f64x2.sub(theta, d), theta, on));
    largest = f64x2.max(largest, v128.and(f64x2.abs(d), on));
  }
  let top = Math.max(f64x2.extract_lane(largest, 0), f64x2.extract_lane(largest, 1));
  for (; k < bytes; k += 8) {
    if (load<f64>(mask + k) == 0) continue;
    const theta = load<f64>(params + k);
    const g = r.grad(load<f64>(grads + k), theta, l1) + decay * theta;
    const mNew = mu * load<f64>(m + k) + g;
    const d = nesterov ? lr * (g + mu * mNew) : lr * mNew;
    store<f64>(m + k, mNew);
    store<f64>(params + k, theta - d);
    top = Math.max(top, Math.abs(d));
  }
  return top;
}

export function adam(
  n: i32, params: usize, grads: usize, mask: usize, m: usize, v: usize,
  lr: f64, decay: f64, beta1: f64, beta2: f64, epsilon: f64, correction1: f64, correction2: f64,
): f64 {
  return adam_with<NoL1>(n, params, grads, mask, m, v, lr, decay, beta1, beta2, epsilon, correction1, correction2, 0.0);
}

@inline function adam_with<R>(
  n: i32, params: usize, grads: usize, mask: usize, m: usize, v: usize,
  lr: f64, decay: f64, beta1: f64, beta2: f64, epsilon: f64, correction1: f64, correction2: f64, l1: f64,
): f64 {
  const r = changetype<R>(0);
  const bytes = <usize>n << 3;
  const rate = f64x2.splat(lr), lambda = f64x2.splat(decay), l1v = f64x2.splat(l1), minus = f64x2.splat(-l1);
  const b1 = f64x2.splat(beta1), b2 = f64x2.splat(beta2), c1 = f64x2.splat(1.0 - beta1), c2 = f64x2.splat(1.0 - beta2);
  const k1 = f64x2.splat(correction1), k2 = f64x2.splat(correction2), eps = f64x2.splat(epsilon);
  let largest = f64x2.splat(0.0);
  let k: usize = 0;
  for (; k + 16 <= bytes; k += 16) {
    const on = laneMask(mask, k);
    const theta = v128.load(params + k);
    const g = f64x2.add(r.lanes(v128.load(grads + k), theta, l1v, minus), f64x2.mul(lambda, theta));
    const mOld = v128.load(m + k), vOld = v128.load(v + k);
    const mNew = f64x2.add(f64x2.mul(b1, mOld), f64x2.mul(c1, g));
    const vNew = f64x2.add(f64x2.mul(b2, vOld), f64x2.mul(c2, f64x2.mul(g, g)));
    const d = f64x2.mul(rate, f64x2.div(f64x2.div(mNew, k1), f64x2.add(f64x2.sqrt(f64x2.div(vNew, k2)), eps)));
    v128.store(m + k, v128.bitselect(mNew, mOld, on));
    v128.store(v + k, v128.bitselect(vNew, vOld, on));
    v128.store(params + k, v128.bitselect(f64x2.sub(theta, d), theta, on));
    largest = f64x2.max(largest, v128.and(f64x2.abs(d), on));
  }
  let top = Math.max(f64x2.extract_lane(largest, 0), f64x2.extract_lane(largest, 1));
  for (; k < bytes; k += 8) {
    if (load<f64>(mask + k) == 0) continue;
    const theta = load<f64>(params + k);
    const g = r.grad(load<f64>(grads + k), theta, l1) + decay * theta;
    const mNew = beta1 * load<f64>(m + k) + (1.0 - beta1) * g;
    const vNew = beta2 * load<f64>(v + k) + (1.0 - beta2) * (g * g);
    const d = lr * (mNew / correction1 / (Math.sqrt(vNew / correction2) + epsilon));
    store<f64>(m + k, mNew);
    store<f64>(v + k, vNew);
    store<f64>(params + k, theta - d);
    top = Math.max(top, Math.abs(d));
  }
  return top;
}

/** optimizer_pass's id of sgd without a mask (plain_sgd headers): sgd_all. */
export const OPT_SGD_ALL: i32 = -1;

/**
 * One pass of optimizer `id` (OPT_SGD, OPT_MOMENTUM, OPT_ADAM or OPT_SGD_ALL) over n parameters, each
 * taking the arguments it uses; returns the largest |Δθ|. The pool runs it on parameter ranges.
 */
export function optimizer_pass(
  id: i32, n: i32, params: usize, grads: usize, mask: usize, m: usize, v: usize, nesterov: i32,
  lr: f64, decay: f64, mu: f64, beta1: f64, beta2: f64, epsilon: f64, c1: f64, c2: f64, l1: f64,
): f64 {
  if (l1 != 0) return optimizer_pass_l1(id, n, params, grads, mask, m, v, nesterov, lr, decay, mu, beta1, beta2, epsilon, c1, c2, l1);
  if (id == OPT_SGD_ALL) return sgd_all(n, params, grads, lr, decay);
  if (id == OPT_MOMENTUM) return momentum(n, params, grads, mask, m, lr, decay, mu, nesterov);
  if (id == OPT_ADAM) return adam(n, params, grads, mask, m, v, lr, decay, beta1, beta2, epsilon, c1, c2);
  return sgd(n, params, grads, mask, lr, decay);
}

/**
 * optimizer_pass for l1 ≠ 0: the WithL1 passes. A function apart, so that the passes without l1 keep
 * their code (binaryen inlines them into optimizer_pass as before).
 */
function optimizer_pass_l1(
  id: i32, n: i32, params: usize, grads: usize, mask: usize, m: usize, v: usize, nesterov: i32,
  lr: f64, decay: f64, mu: f64, beta1: f64, beta2: f64, epsilon: f64, c1: f64, c2: f64, l1: f64,
): f64 {
  if (id == OPT_SGD_ALL) return sgd_all_with<WithL1>(n, params, grads, lr, decay, l1);
  if (id == OPT_MOMENTUM) return momentum_with<WithL1>(n, params, grads, mask, m, lr, decay, mu, nesterov, l1);
  if (id == OPT_ADAM) return adam_with<WithL1>(n, params, grads, mask, m, v, lr, decay, beta1, beta2, epsilon, c1, c2, l1);
  return sgd_with<WithL1>(n, params, grads, mask, lr, decay, l1);
}

/** True when the header's optimizer is sgd and no mask entry is 0: train_epochs may call sgd_all. */
export function plain_sgd(header: usize): bool {
  if (slot(header, H_OPTIMIZER) != OPT_SGD) return false;
  const mask = <usize>slot(header, H_OPT_STATE), end = mask + (<usize>slot(header, H_PARAM_COUNT) << 3);
  for (let p = mask; p < end; p += 8) if (load<f64>(p) == 0) return false;
  return true;
}
