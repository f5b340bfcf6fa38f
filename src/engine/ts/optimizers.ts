// Parameter updates: one pass over the flat parameter buffer (mirrors assembly/optimizers.ts).
// With g = ∇L + l1·sign(θ) + λθ (the l1 penalty's gradient, sign(0) = 0, then L2 weight decay λ, as
// PyTorch's weight_decay) and only where mask ≠ 0:
//   sgd:       θ ← θ − lr·g
//   momentum:  m ← μm + g;  θ ← θ − lr·m            Nesterov: θ ← θ − lr·(g + μm)   (PyTorch's form)
//   adam:      t ← t + 1;  m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²
//              θ ← θ − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
// β^t are running products kept beside the state. Each returns the largest |Δθ| it applied.
// l1 = 0 uses ∇L as it is (not a + 0 term: −0 + 0 is +0): each loop tests l1 = 0 (the same answer for
// every element) and calls with_l1 only when it is not (assembly/optimizers.ts: a type argument).
// Element offsets into `m` (the arena).
import { H, HF, OPTIMIZER_ID, OPT_SCALARS } from '../../layout/abi.js';

/**
 * ∇L + l1·sign(θ), sign(0) = 0 (and NaN's): l1, −l1 or +0 added. The gradient when l1 ≠ 0.
 *
 * The sgd step of one parameter θ with gradient g (with_l1's when l1 ≠ 0) is Δ = lr·(g + λθ); θ ← θ − Δ;
 * the largest |Δ| is kept. It is written out in each loop that takes it (sgd, sgd_all and fused.ts's
 * one-row step, row_backward_sgd), the same operations in every one, so they compute the same bits
 * (a step passed around as a function value is a call V8 does not always inline).
 */
export function with_l1(g: number, theta: number, l1: number): number {
  return g + (theta > 0 ? l1 : theta < 0 ? -l1 : 0);
}

export function sgd(a: Float64Array, n: number, params: number, grads: number, mask: number, lr: number, decay: number, l1: number): number {
  let top = 0;
  for (let i = 0; i < n; i++) {
    if (a[mask + i] === 0) continue;
    const theta = a[params + i], g = l1 === 0 ? a[grads + i] : with_l1(a[grads + i], theta, l1);
    const d = lr * (g + decay * theta);
    a[params + i] = theta - d;
    top = Math.max(top, Math.abs(d));
  }
  return top;
}

/** sgd when every parameter trains (no mask entry is 0): the same operations as sgd, without the mask test. */
export function sgd_all(a: Float64Array, n: number, params: number, grads: number, lr: number, decay: number, l1: number): number {
  let top = 0;
  for (let i = 0; i < n; i++) {
    const theta = a[params + i], g = l1 === 0 ? a[grads + i] : with_l1(a[grads + i], theta, l1);
    const d = lr * (g + decay * theta);
    a[params + i] = theta - d;
    top = Math.max(top, Math.abs(d));
  }
  return top;
}

export function momentum(
  a: Float64Array, n: number, params: number, grads: number, mask: number, m: number,
  lr: number, decay: number, mu: number, nesterov: number, l1: number,
): number {
  let top = 0;
  for (let i = 0; i < n; i++) {
    if (a[mask + i] === 0) continue;
    const theta = a[params + i];
    const g = (l1 === 0 ? a[grads + i] : with_l1(a[grads + i], theta, l1)) + decay * theta;
    const mNew = mu * a[m + i] + g;
    const d = nesterov ? lr * (g + mu * mNew) : lr * mNew;
    a[m + i] = mNew;
    a[params + i] = theta - d;
    top = Math.max(top, Math.abs(d));
  }
  return top;
}

export function adam(
  a: Float64Array, n: number, params: number, grads: number, mask: number, m: number, v: number,
  lr: number, decay: number, beta1: number, beta2: number, epsilon: number, correction1: number, correction2: number, l1: number,
): number {
  let top = 0;
  for (let i = 0; i < n; i++) {
    if (a[mask + i] === 0) continue;
    const theta = a[params + i];
    const g = (l1 === 0 ? a[grads + i] : with_l1(a[grads + i], theta, l1)) + decay * theta;
    const mNew = beta1 * a[m + i] + (1 - beta1) * g;
    const vNew = beta2 * a[v + i] + (1 - beta2) * (g * g);
    const d = lr * (mNew / correction1 / (Math.sqrt(vNew / correction2) + epsilon));
    a[m + i] = mNew;
    a[v + i] = vNew;
    a[params + i] = theta - d;
    top = Math.max(top, Math.abs(d));
  }
  return top;
}

/** One update of the optimizer the header names; returns the largest |Δθ|. */
export function optimizer_step(a: Float64Array, i32: Int32Array, header: number): number {
  const h = header >>> 2, f = header >>> 3;
  const P = i32[h + H.PARAM_COUNT], params = i32[h + H.PARAMS] >>> 3, grads = i32[h + H.GRADS] >>> 3;
  const mask = i32[h + H.OPT_STATE] >>> 3, m = mask + P, v = m + P, scalars = v + P;
  const lr = a[f + HF.LEARNING_RATE], decay = a[f + HF.WEIGHT_DECAY], l1 = a[f + HF.L1];
  const id = i32[h + H.OPTIMIZER];
  if (id === OPTIMIZER_ID.momentum) return momentum(a, P, params, grads, mask, m, lr, decay, a[f + HF.MOMENTUM], i32[h + H.NESTEROV], l1);
  if (id === OPTIMIZER_ID.adam) {
    const beta1 = a[f + HF.BETA1], beta2 = a[f + HF.BETA2];
    const p1 = a[scalars + OPT_SCALARS.BETA1_POWER] * beta1, p2 = a[scalars + OPT_SCALARS.BETA2_POWER] * beta2;
    a[scalars + OPT_SCALARS.T] += 1;
    a[scalars + OPT_SCALARS.BETA1_POWER] = p1;
    a[scalars + OPT_SCALARS.BETA2_POWER] = p2;
    return adam(a, P, params, grads, mask, m, v, lr, decay, beta1, beta2, a[f + HF.EPSILON], 1 - p1, 1 - p2, l1);
  }
  return sgd(a, P, params, grads, mask, lr, decay, l1);
}

/** True when the header's optimizer is sgd and no mask entry is 0: train_epochs may call sgd_all. */
export function plain_sgd(a: Float64Array, i32: Int32Array, header: number): boolean {
  const h = header >>> 2;
  if (i32[h + H.OPTIMIZER] !== OPTIMIZER_ID.sgd) return false;
  const mask = i32[h + H.OPT_STATE] >>> 3, P = i32[h + H.PARAM_COUNT];
  for (let i = 0; i < P; i++) if (a[mask + i] === 0) return false;
  return true;
}

/** optimizer_step for plain_sgd headers. */
export function plain_sgd_step(a: Float64Array, i32: Int32Array, header: number): number {
  const h = header >>> 2, f = header >>> 3;
  return sgd_all(a, i32[h + H.PARAM_COUNT], i32[h + H.PARAMS] >>> 3, i32[h + H.GRADS] >>> 3, a[f + HF.LEARNING_RATE], a[f + HF.WEIGHT_DECAY], a[f + HF.L1]);
}
