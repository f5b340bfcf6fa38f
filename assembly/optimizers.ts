// Parameter updates: one pass over the flat parameter buffer (mirrors src/engine/ts/optimizers.ts).
//   sgd: θ ← θ − lr · g

/** θ[i] −= lr · g[i] for the n parameters at `params`, gradients at `grads`. */
export function sgd(n: i32, params: usize, grads: usize, lr: f64): void {
  const bytes = <usize>n << 3;
  const rate = f64x2.splat(lr);
  let k: usize = 0;
  for (; k + 16 <= bytes; k += 16) {
    v128.store(params + k, f64x2.sub(v128.load(params + k), f64x2.mul(rate, v128.load(grads + k))));
  }
  for (; k < bytes; k += 8) store<f64>(params + k, load<f64>(params + k) - lr * load<f64>(grads + k));
}
