// Activations and their derivatives (the same names and formulas as assembly/activations.ts).
// Every formula is stable for |z| up to 1e3 and accurate in the tails:
//   sigmoid(z)  = 1 / (1 + e^-z) for z ≥ 0, e^z / (1 + e^z) for z < 0      (no overflow)
//   sigmoid'(z) = sigmoid(z) · sigmoid(-z) = e / (1 + e)², e = e^-|z|       (not y(1 - y): exact in the tails)
//   tanh'(z)    = 1 / cosh²(z) = 4e / (1 + e)², e = e^-2|z|                 (not 1 - y², which is 0 past |z| = 19)
//   softplus(z) = max(z, 0) + log1p(e^-|z|), softplus' = sigmoid           (no linear cut-off)
//   relu'(0) = 0 and leaky_relu'(0) = slope, as PyTorch
//   softmax over a row: e^(z - max) / Σ; its backward is the Jacobian product a ⊙ (g − g·a)
import { ACTIVATION_ID } from '../../layout/abi.js';

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export function sigmoid_derivative(z: number): number {
  const e = Math.exp(-Math.abs(z));
  const d = 1 + e;
  return e / (d * d);
}

export function tanh_derivative(z: number): number {
  const e = Math.exp(-2 * Math.abs(z));
  const d = 1 + e;
  return (4 * e) / (d * d);
}

export function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** a = f(z) over `rows × n` values (softmax: per row of n). Element offsets. */
export function activate(m: Float64Array, act: number, slope: number, rows: number, n: number, z: number, a: number): void {
  const count = rows * n;
  switch (act) {
    case ACTIVATION_ID.identity:
      if (a !== z) m.copyWithin(a, z, z + count);
      break;
    case ACTIVATION_ID.sigmoid:
      for (let i = 0; i < count; i++) m[a + i] = sigmoid(m[z + i]);
      break;
    case ACTIVATION_ID.tanh:
      for (let i = 0; i < count; i++) m[a + i] = Math.tanh(m[z + i]);
      break;
    case ACTIVATION_ID.relu:
      for (let i = 0; i < count; i++) { const v = m[z + i]; m[a + i] = v > 0 ? v : 0; }
      break;
    case ACTIVATION_ID.leaky_relu:
      for (let i = 0; i < count; i++) { const v = m[z + i]; m[a + i] = v > 0 ? v : slope * v; }
      break;
    case ACTIVATION_ID.softplus:
      for (let i = 0; i < count; i++) m[a + i] = softplus(m[z + i]);
      break;
    case ACTIVATION_ID.softmax:
      for (let r = 0; r < rows; r++) softmax_row(m, n, z + r * n, a + r * n);
      break;
  }
}

function softmax_row(m: Float64Array, n: number, z: number, a: number): void {
  let max = -Infinity;
  for (let k = 0; k < n; k++) if (m[z + k] > max) max = m[z + k];
  let sum = 0;
  for (let k = 0; k < n; k++) { const e = Math.exp(m[z + k] - max); m[a + k] = e; sum += e; }
  const inv = 1 / sum;
  for (let k = 0; k < n; k++) m[a + k] *= inv;
}

/** d ← dL/dz from d = dL/da: d ⊙ f'(z) elementwise, or the softmax Jacobian product per row. */
export function backprop_activation(
  m: Float64Array, act: number, slope: number, rows: number, n: number, z: number, a: number, d: number,
): void {
  const count = rows * n;
  switch (act) {
    case ACTIVATION_ID.identity:
      break;
    case ACTIVATION_ID.sigmoid:
      for (let i = 0; i < count; i++) m[d + i] *= sigmoid_derivative(m[z + i]);
      break;
    case ACTIVATION_ID.softplus: // softplus' = sigmoid
      for (let i = 0; i < count; i++) m[d + i] *= sigmoid(m[z + i]);
      break;
    case ACTIVATION_ID.tanh:
      for (let i = 0; i < count; i++) m[d + i] *= tanh_derivative(m[z + i]);
      break;
    case ACTIVATION_ID.relu:
      for (let i = 0; i < count; i++) if (!(m[z + i] > 0)) m[d + i] = 0;
      break;
    case ACTIVATION_ID.leaky_relu:
      for (let i = 0; i < count; i++) if (!(m[z + i] > 0)) m[d + i] *= slope;
      break;
    case ACTIVATION_ID.softmax:
      for (let r = 0; r < rows; r++) {
        const ar = a + r * n, dr = d + r * n;
        let dot = 0;
        for (let k = 0; k < n; k++) dot += m[dr + k] * m[ar + k];
        for (let k = 0; k < n; k++) m[dr + k] = m[ar + k] * (m[dr + k] - dot);
      }
      break;
  }
}
