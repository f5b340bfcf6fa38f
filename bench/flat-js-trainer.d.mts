// Types of flat-js-trainer.mjs (the benchmark's flat-array plain-JavaScript trainer), for the tests.
import type { PlainOptions, PlainSpec } from './plain-js-trainer.mjs';

export interface FlatTrainer {
  epoch(X: Float64Array, Y: Float64Array, order: ArrayLike<number>): number;
  params(): { W: number[][]; b: number[] }[];
}
export function createFlatTrainer(spec: PlainSpec, params: readonly { W: readonly (readonly number[])[]; b: readonly number[] }[], options: PlainOptions): FlatTrainer;
