// The interface both engines implement. The host (src/model) owns the plan and packs data through
// src/layout/pack.ts; an engine owns an arena laid out by that plan and runs the math on it.
// Offsets are unsigned byte addresses into the arena (up to 4 GiB, src/layout/budget.ts); `rows` never
// exceeds the plan's batch capacity.
import type { Plan } from '../layout/plan.js';
import type { EngineKind } from '../spec/types.js';

export interface Engine {
  readonly kind: EngineKind;
  /** Threads this engine computes with (1 for the TypeScript engine). */
  readonly threads: number;
  /** Why it computes on fewer threads than its model asked for, in one sentence; null when it does not. */
  readonly threadsNote: string | null;
  /** Resolves once the engine's workers (if any were started) have started or failed to. */
  threadsReady(): Promise<void>;
  /** Where the arena starts (the plan's base): 0 for the TypeScript engine, the heap base in WebAssembly memory. */
  readonly base: number;
  /**
   * Lays the arena out for `plan`, growing it if needed; the fixed part (parameters) is kept. When
   * the memory cannot grow it throws EngineError OUT_OF_MEMORY and the arena is as it was (the old
   * plan still applies).
   */
  bind(plan: Plan): void;
  /** Views of the whole arena. Read them after every bind: growth replaces them. */
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  /** Forward pass over `rows` rows at byte offset `input`: fills every layer's z and a. */
  forward(rows: number, input: number): void;
  /** Forward pass, then the raw loss sum Σ terms against the targets at `target`, continuing from `start` (default 0). */
  lossSum(rows: number, input: number, target: number, start?: number): number;
  /**
   * Forward, loss and backward: fills z, a, delta and the gradient region; returns the raw loss sum.
   * A chunk of a larger call (same bits as one call over all rows): `scaleRows` all rows (the loss's
   * scale), `accumulate` adds to the gradients of the previous chunks, `start` the loss sum so far.
   */
  gradients(rows: number, input: number, target: number, scaleRows?: number, accumulate?: boolean, start?: number): number;
  /**
   * Mini-batch training (header set by writeTraining) entirely inside the engine: up to `epochs`
   * complete epochs or `maxSteps` updates, whichever comes first (assembly/train.ts has the contract).
   * Writes each completed epoch's loss sum to the loss log and returns the status (TRAIN_STATUS).
   */
  trainEpochs(epochs: number, maxSteps: number): number;
  /** Index of the first of `count` f64 at byte offset `offset` that is not finite, or -1 (data checks). */
  firstNonFinite(offset: number, count: number): number;
  /** Releases the arena; the engine is unusable afterwards. */
  dispose(): void;
}
