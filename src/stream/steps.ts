// Training a full block, and what a non-finite loss or update does to a stream's training.
//
// onDiverge 'throw': the TrainingError goes up and the call puts the model back as before it
// (fit-stream.ts). onDiverge 'stop': the model is put at its last finite state, as fit does: before the
// update that was not finite, or, when a loss was not finite, before the update made just before it
// (its result has no finite loss). The block's rows are still in engine memory, so the updates of the
// block before the failure are made again from a snapshot of the block's start (the same bits). The
// update before a block's first batch is the previous block's last: for that case each block's last
// update is made by an engine call of its own, with a snapshot just before it.
import { HF, TRAIN_STATUS } from '../layout/abi.js';
import { divergedError, rewindHistory } from '../train/replay.js';
import { restore, snapshot } from '../train/rollback.js';
import type { Arena, StreamRun } from './run.js';
import type { BlockResult, EpochPoint } from './block.js';

/** A point of the call a divergence can go back to. */
interface Checkpoint {
  bytes: Uint8Array;
  point: EpochPoint;
  epochs: number;
  steps: number;
  losses: number;
  lastStep: number;
}

/** Before the previous block's last update (onDiverge 'stop'), per run. */
const lastUpdates = new WeakMap<StreamRun, Checkpoint>();

function checkpoint(run: StreamRun): Checkpoint {
  const { history } = run;
  return { bytes: snapshot(run), point: { ...run.epoch.point }, epochs: history.epochs, steps: history.steps, losses: history.loss.length, lastStep: history.lastStep };
}

const nonFinite = (status: number): boolean => status === TRAIN_STATUS.NON_FINITE_LOSS || status === TRAIN_STATUS.NON_FINITE_STEP;

/** Adds an engine call's updates to the history and the epoch. */
function record(run: StreamRun, r: BlockResult): void {
  run.history.steps += r.steps;
  run.history.lastStep = run.engine.f64[(run.arena!.plan.header >>> 3) + HF.LAST_STEP];
  run.epoch.trained += r.rows;
  run.epoch.point = { step: r.step, sum: r.sum };
  run.trainedRows += r.rows;
}

/**
 * Trains the block's rows from where the epoch stands and empties it. Returns the engine's status:
 * OK, STEP_BELOW (the epoch ends there), or a non-finite one (history.stopReason is then 'diverged',
 * the model at its last finite state; with onDiverge 'throw' the TrainingError is thrown instead).
 */
export function trainBlock(run: StreamRun, arena: Arena): number {
  const { block } = arena;
  let status: number;
  if (run.o.onDiverge !== 'stop') status = settle(run, block.train(run.epoch.point), null, 0);
  else status = trainKeepingLast(run, arena);
  block.clear();
  return status;
}

function trainKeepingLast(run: StreamRun, { block }: Arena): number {
  const start = checkpoint(run);
  const steps = Math.ceil(block.count / run.o.batchSize);
  let done = 0, rows = 0;
  if (steps > 1) {
    const first = block.train(run.epoch.point, 0, steps - 1);
    const status = settle(run, first, start, 0);
    if (status !== TRAIN_STATUS.OK) return status;
    done = first.steps;
    rows = first.rows;
  }
  const last = checkpoint(run);
  const status = settle(run, block.train(run.epoch.point, rows, 1), start, done);
  if (!nonFinite(status)) lastUpdates.set(run, last);
  return status;
}

/** Records an engine call, or handles its divergence (`start`: the block's start; `before`: updates of the block before the call). */
function settle(run: StreamRun, r: BlockResult, start: Checkpoint | null, before: number): number {
  if (!nonFinite(r.status)) {
    record(run, r);
    return r.status;
  }
  if (start === null) {
    const step = run.epoch.point.step + r.steps - (r.status === TRAIN_STATUS.NON_FINITE_STEP ? 1 : 0);
    throw divergedError(run.history, r.status, run.history.epochs, step, false);
  }
  const kept = before + r.steps - 1;
  const previous = lastUpdates.get(run);
  if (kept < 0 && previous !== undefined) goBack(run, previous);
  else replay(run, start, Math.max(kept, 0));
  run.history.stopReason = 'diverged';
  return r.status;
}

function goBack(run: StreamRun, to: Checkpoint): void {
  restore(run, to.bytes);
  rewindHistory(run.history, to);
  run.epoch.point = to.point;
}

/** Back to the block's start, then its first `updates` updates again. */
function replay(run: StreamRun, start: Checkpoint, updates: number): void {
  goBack(run, start);
  if (updates > 0) record(run, run.arena!.block.train(start.point, 0, updates));
}
