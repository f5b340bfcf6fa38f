// Rollback: copies of the part of the arena a fit call changes, and putting them back (a failed
// call, onDiverge's rewind). Only what this call can change is copied.
import type { Engine } from '../engine/engine.js';
import { OPT_SCALAR_BYTES } from '../layout/abi.js';
import type { Plan } from '../layout/plan.js';
import type { Run } from './run.js';

/** What snapshot and restore need of a run. */
export type Regions = Pick<Run, 'engine' | 'regions'>;

/**
 * The buffer of each engine's `before` snapshot, kept from call to call: allocating (and zeroing) a
 * fresh one per fit costs more than the copy for large models. Only one fit runs per model at a time.
 */
const keptSnapshots = new WeakMap<Engine, Uint8Array>();

/**
 * What a rollback restores: the parameters, the shuffler, the optimizer's scalars, and its moments
 * unless this call can neither reset nor update them (`momentsChange` false: sgd with the same
 * options as before, so m and v stay as they are). The gradients and the trainable mask are not
 * state: every call rewrites them before use. (Copying only these matters for large models: W4's
 * 100k parameters make the whole fixed part 4 MB, the parameters 0.8 MB, per snapshot.)
 */
export function rollbackRegions(plan: Plan, momentsChange: boolean): Array<[number, number]> {
  const list: Array<[number, number]> = [[plan.params, plan.grads], [plan.rng, plan.optState]];
  list.push(momentsChange ? [plan.m, plan.optScalars + OPT_SCALAR_BYTES] : [plan.optScalars, plan.optScalars + OPT_SCALAR_BYTES]);
  return list;
}

/** A copy of the regions; `reuse`: fill this engine's kept buffer instead of allocating (for `before`). */
export function snapshot({ engine, regions }: Regions, reuse = false): Uint8Array {
  const size = regions.reduce((n, [from, to]) => n + (to - from), 0);
  let bytes = reuse ? keptSnapshots.get(engine) : undefined;
  if (bytes === undefined || bytes.length !== size) {
    bytes = new Uint8Array(size);
    if (reuse) keptSnapshots.set(engine, bytes);
  }
  const arena = new Uint8Array(engine.f64.buffer);
  let at = 0;
  for (const [from, to] of regions) {
    bytes.set(arena.subarray(from, to), at);
    at += to - from;
  }
  return bytes;
}

/** Puts a snapshot's bytes back where they came from. */
export function restore({ engine, regions }: Regions, bytes: Uint8Array): void {
  const arena = new Uint8Array(engine.f64.buffer);
  let at = 0;
  for (const [from, to] of regions) {
    arena.set(bytes.subarray(at, at + (to - from)), from);
    at += to - from;
  }
}
