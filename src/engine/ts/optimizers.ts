// Parameter updates: one pass over the flat parameter buffer (mirrors assembly/optimizers.ts).
//   sgd: θ ← θ − lr · g

/** θ[i] −= lr · g[i] for the n parameters at element offset `params`, gradients at `grads`. */
export function sgd(m: Float64Array, n: number, params: number, grads: number, lr: number): void {
  for (let i = 0; i < n; i++) m[params + i] -= lr * m[grads + i];
}
