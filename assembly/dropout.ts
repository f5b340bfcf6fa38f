// Inverted dropout (mirrors src/engine/ts/dropout.ts): the training pass of train_epochs drops each
// output of a layer with dropout rate p (src/layout/abi.ts L.DROPOUT_F64) with probability p and
// scales the others by 1/(1 − p), so the expected output is unchanged; the backward pass multiplies
// that layer's dL/da by the same factors before f'(z). Prediction, loss and gradients
// (network.ts) never drop.
//
// The masks. They come from the model's xoshiro128** state (rng.ts; the shuffler's), drawn serially on
// the calling thread in this order:
//   per epoch       the shuffled row order first (when shuffling), at the start of the epoch
//   per update      for each layer with dropout, in layer order (during the forward pass),
//                   for each row of the batch in order, for each unit in order:
//                   u = next_uniform (53 random bits), kept iff u ≥ p
// The factor (1/(1 − p) or 0) of each value of the batch is stored in the layer's mask region
// (L_MASK, rows × units f64): the backward pass reuses it, and threads only read it (pool.ts
// split_apply_mask), so the results do not depend on the thread count. The state lives with the
// parameters and is saved by toJSON, so a resumed fit draws the masks an uninterrupted one would.
// With no dropout layer nothing is drawn: the shuffles and the bits are those of a model without it.
import { next_uniform } from './rng';

/** The factors of `count` values (rows × units, row-major) at `mask`: 1/(1 − p) where next_uniform ≥ p, else 0. */
export function dropout_mask(state: usize, count: i32, p: f64, mask: usize): void {
  const scale = 1.0 / (1.0 - p);
  const end = mask + (<usize>count << 3);
  for (let q = mask; q < end; q += 8) store<f64>(q, next_uniform(state) >= p ? scale : 0.0);
}

/** x ← x · factor over `count` values; a dropped value (factor 0) becomes 0 exactly, whatever it was. */
export function apply_mask(count: i32, x: usize, mask: usize): void {
  const end = <usize>count << 3;
  for (let k: usize = 0; k < end; k += 8) {
    const f = load<f64>(mask + k);
    store<f64>(x + k, f != 0.0 ? load<f64>(x + k) * f : 0.0);
  }
}
