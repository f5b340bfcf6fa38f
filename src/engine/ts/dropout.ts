// Inverted dropout (mirrors assembly/dropout.ts, which documents the order of the mask draws): the
// factors of a batch (1/(1 − p) or 0, drawn from the model's xoshiro128** state) and their
// application. Element offsets into `m`.
import { nextUniform, type RngState } from '../../layout/rng.js';

/** The factors of `count` values (rows × units, row-major) at `mask`: 1/(1 − p) where nextUniform ≥ p, else 0. */
export function dropout_mask(m: Float64Array, state: RngState, count: number, p: number, mask: number): void {
  const scale = 1 / (1 - p);
  for (let k = 0; k < count; k++) m[mask + k] = nextUniform(state) >= p ? scale : 0;
}

/** x ← x · factor over `count` values; a dropped value (factor 0) becomes 0 exactly, whatever it was. */
export function apply_mask(m: Float64Array, count: number, x: number, mask: number): void {
  for (let k = 0; k < count; k++) {
    const f = m[mask + k];
    m[x + k] = f !== 0 ? m[x + k] * f : 0;
  }
}
