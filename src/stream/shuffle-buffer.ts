// The shuffle buffer of fitStream's `shuffle: { buffer: n }`: a seeded, reservoir-style buffer of n rows.
//
// Per epoch (each pass over the source):
//   1. the buffer's own xoshiro128** state is drawn from the model's shuffler (4 words of nextU32, at
//      the epoch's start, before any update of the epoch draws its dropout masks), so the order depends
//      on the seed, n and the order of the rows only: not on how the rows were cut into chunks, nor on
//      the engine, the thread count or the block size;
//   2. the first n rows fill slots 0 … n − 1 in order (nothing is emitted yet);
//   3. each later row: j = nextBelow(state, n) (floor(u32 · 2^-32 · n)); the row in slot j is emitted
//      (it goes to training), and the arriving row takes slot j;
//   4. at the end of the pass, the rows left are drained: while k > 0 rows remain, j = nextBelow(state,
//      k); slot j is emitted, the row in slot k − 1 moves to slot j, and k decreases.
// With n ≥ the rows of an epoch, steps 2 and 4 alone make a uniformly random permutation (Fisher–Yates
// from the end). Memory: n rows of inputs, targets and a weight, on the host.
import { nextBelow, nextU32, type RngState } from '../layout/rng.js';
import type { Rows } from './chunk.js';

/** `n` values of `source` from index `from` into `target` from index `to` (a plain loop: rows are short, and this runs per row). */
export function copyValues(source: Float64Array, from: number, target: Float64Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) target[to + i] = source[from + i];
}

/** An epoch's buffer generator: 4 words of the model's shuffler `model` (advanced), never all zero. */
export function drawSeed(model: RngState): RngState {
  const seed = new Uint32Array(4);
  for (let i = 0; i < 4; i++) seed[i] = nextU32(model);
  if ((seed[0] | seed[1] | seed[2] | seed[3]) === 0) seed[0] = 1;
  return seed;
}

export class ShuffleBuffer {
  /** Rows held, in slots 0 … count − 1. */
  count = 0;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** The rows' weights (null: unweighted rows). */
  readonly w: Float64Array | null;
  readonly rng: RngState = new Uint32Array(4);

  constructor(readonly capacity: number, readonly inputs: number, readonly outputs: number, weighted: boolean) {
    this.x = new Float64Array(capacity * inputs);
    this.y = new Float64Array(capacity * outputs);
    this.w = weighted ? new Float64Array(capacity) : null;
  }

  /** An empty buffer at an epoch's start, with its generator state `seed` (drawSeed). */
  startEpoch(seed: RngState): void {
    this.count = 0;
    this.rng.set(seed);
  }

  /** The buffer as a stopped training left it (position.ts). */
  restore(saved: { rng: RngState; count: number; x: Float64Array; y: Float64Array; w: Float64Array | null }): void {
    this.rng.set(saved.rng);
    this.count = saved.count;
    this.x.set(saved.x);
    this.y.set(saved.y);
    if (this.w !== null && saved.w !== null) this.w.set(saved.w);
  }

  /** Row r of `rows` into `slot` (a free one, or one whose row was emitted: Block.exchange). */
  store(slot: number, rows: Rows, r: number): void {
    const { inputs, outputs } = this;
    copyValues(rows.x.data, r * inputs, this.x, slot * inputs, inputs);
    copyValues(rows.y!.data, r * outputs, this.y, slot * outputs, outputs);
    if (this.w !== null) this.w[slot] = rows.weights![r];
  }

  private move(from: number, to: number): void {
    const { inputs, outputs } = this;
    this.x.copyWithin(to * inputs, from * inputs, (from + 1) * inputs);
    this.y.copyWithin(to * outputs, from * outputs, (from + 1) * outputs);
    if (this.w !== null) this.w[to] = this.w[from];
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Fills the next free slot with row r of `rows` (while the buffer is not full). */
  fill(rows: Rows, r: number): void {
    this.store(this.count++, rows, r);
  }

  /** A full buffer and a row arriving: the slot whose row goes to training now (the new row is then stored there: Block.exchange). */
  pick(): number {
    return nextBelow(this.rng, this.capacity);
  }

  /** At the end of a pass: the slot of the next row to emit, or -1 when none is left (then `remove` it). */
  drainPick(): number {
    return this.count === 0 ? -1 : nextBelow(this.rng, this.count);
  }

  /** The last held row moves into the emitted slot. */
  remove(slot: number): void {
    this.move(this.count - 1, slot);
    this.count--;
  }
}
