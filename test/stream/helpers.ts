// Shared by the stream tests: seeded rows, sources cut into chunks of given sizes, and bytes to compare.
import type { Chunk } from '../../src/index.js';
import { mulberry32 } from '../helpers/mulberry32.mjs';

/** The exact bits of some numbers as text (hex words; no Buffer, so it runs in a page too). */
export const bytes = (a: ArrayLike<number>): string => Array.from(new Uint32Array(Float64Array.from(a).buffer), (w) => w.toString(16)).join(' ');

/** `rows` seeded rows: X rows × inputs, Y rows × outputs (flat), a smooth target of X. */
export function rowsOf(rows: number, inputs: number, outputs: number, seed = 7): { X: Float64Array; Y: Float64Array } {
  const rand = mulberry32(seed);
  const X = Float64Array.from({ length: rows * inputs }, () => rand() * 2 - 1);
  const Y = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < outputs; k++) Y[r * outputs + k] = Math.sin(X[r * inputs + (k % inputs)] * 2) * 0.5 + 0.1 * k;
  }
  return { X, Y };
}

/** Sizes of the chunks: a fixed size, or the given list repeated, until `rows` are covered. */
export function cuts(rows: number, sizes: number[]): number[] {
  const out: number[] = [];
  for (let at = 0, i = 0; at < rows; i++) {
    const n = Math.min(sizes[i % sizes.length], rows - at);
    out.push(n);
    at += n;
  }
  return out;
}

/** A function source: a fresh generator of chunks of the given sizes (flat x and y), per pass. */
export function source(X: Float64Array, Y: Float64Array, inputs: number, outputs: number, sizes: number[], extra: (from: number, n: number) => Partial<Chunk> = () => ({})): () => Generator<Chunk> {
  const rows = X.length / inputs;
  const list = cuts(rows, sizes);
  return function* chunks() {
    let at = 0;
    for (const n of list) {
      yield { x: X.slice(at * inputs, (at + n) * inputs), y: Y.slice(at * outputs, (at + n) * outputs), ...extra(at, n) };
      at += n;
    }
  };
}
