// Divergence: a non-finite loss or update ends training. With onDiverge 'stop' the model is put at
// its last finite state by replaying, from where a chunk began, the updates before the failure (the
// engine is deterministic: the same bits as the first time); with 'throw', back to where it began.
import { H, HF, TRAIN_STATUS } from '../layout/abi.js';
import { LOSS_LOG_CAPACITY } from '../layout/plan.js';
import { readSlot } from '../layout/pack.js';
import { TrainingError } from '../errors.js';
import { recordChunk } from './epoch-log.js';
import { restore, snapshot } from './rollback.js';
import type { FitHistory, Run } from './run.js';

/** Where a chunk of updates began: what a divergence with onDiverge 'stop' rewinds to and replays from. */
export interface ChunkStart {
  bytes: Uint8Array;
  pos: number;
  step: number;
  sum: number;
  /** The row order of the epoch under way (only when the chunk starts mid-epoch with shuffling). */
  perm: Int32Array | null;
  epochs: number;
  steps: number;
  losses: number;
  lastStep: number;
  /** The learning rate in the header (a schedule changes it between epochs). */
  rate: number;
}

export function chunkStart(run: Run): ChunkStart {
  const { engine, header, history, o } = run;
  const i32 = engine.i32;
  const pos = i32[header.i + H.EPOCH_POS];
  const step = i32[header.i + H.EPOCH_STEP];
  // A replay from a chunk that starts mid-epoch needs that epoch's row order. It is overwritten
  // only when a new epoch begins, in this chunk or at the next one's first step: possible only
  // when this chunk can reach the end of the epoch. (At an epoch's start the order is drawn
  // again from the shuffler state, which the snapshot holds.)
  const keepOrder = o.shuffle && pos !== 0 && run.maxSteps >= run.stepsPerEpoch - step;
  const perm = run.plan.perm >>> 2;
  return {
    // not `before`: that holds the previous call's trainable mask
    bytes: snapshot(run),
    pos,
    step,
    sum: engine.f64[header.f + HF.EPOCH_SUM],
    perm: keepOrder ? i32.slice(perm, perm + run.rows) : null,
    epochs: history.epochs,
    steps: history.steps,
    losses: history.loss.length,
    lastStep: history.lastStep,
    rate: engine.f64[header.f + HF.LEARNING_RATE],
  };
}

/** The history as it was at a point of the call: its epochs, updates, losses and last step. */
export function rewindHistory(history: FitHistory, at: Pick<ChunkStart, 'epochs' | 'steps' | 'losses' | 'lastStep'>): void {
  history.epochs = at.epochs;
  history.steps = at.steps;
  history.loss.length = at.losses;
  if (history.valLoss) history.valLoss.length = at.losses;
  if (history.learningRate) history.learningRate.length = at.losses;
  history.lastStep = at.lastStep;
}

/** Puts the model at `start`, then makes `updates` updates again: the same bits as the first time. */
function replay(run: Run, start: ChunkStart, updates: number): void {
  const { engine, header, history } = run;
  restore(run, start.bytes);
  const i32 = engine.i32;
  i32[header.i + H.EPOCH_POS] = start.pos;
  i32[header.i + H.EPOCH_STEP] = start.step;
  engine.f64[header.f + HF.EPOCH_SUM] = start.sum;
  engine.f64[header.f + HF.LEARNING_RATE] = start.rate;
  if (start.perm) i32.set(start.perm, run.plan.perm >>> 2);
  rewindHistory(history, start);
  while (updates > 0) {
    const done = recordChunk(run, engine.trainEpochs(LOSS_LOG_CAPACITY, updates), false);
    updates -= done;
    if (done === 0) break; // cannot happen (the engine is deterministic); never spin
  }
}

/**
 * After the engine call that stopped with a non-finite `status`: puts the model at its last finite
 * state (`current`: where this chunk began, with onDiverge 'stop'; `previous`: the chunk before) or
 * else back to its state before the call; sets stopReason 'diverged'; returns the error saying where.
 */
export function diverge(run: Run, status: number, current: ChunkStart | null, previous: ChunkStart | null): TrainingError {
  const { engine, plan, history } = run;
  const epoch = history.epochs + readSlot(plan, engine, H.EPOCHS_DONE);
  const step = readSlot(plan, engine, H.FAILED_STEP);
  if (current !== null) {
    // The last finite state: before the update that was not finite, or, when the loss was
    // not finite, before the last update whose loss was (its result has no finite loss).
    // A non-finite loss at a chunk's first batch reaches back into the chunk before.
    const kept = readSlot(plan, engine, H.STEPS_DONE) - 1;
    if (kept >= 0 || previous === null) replay(run, current, Math.max(kept, 0));
    else replay(run, previous, current.steps - previous.steps - 1);
  } else {
    restore(run, run.before);
  }
  history.stopReason = 'diverged';
  return divergedError(history, status, epoch, step, current !== null);
}

/** The TrainingError DIVERGED of a non-finite `status` at `epoch`, `step`; `kept`: the model holds its last finite state. */
export function divergedError(history: FitHistory, status: number, epoch: number, step: number, kept: boolean): TrainingError {
  const what = status === TRAIN_STATUS.NON_FINITE_LOSS ? 'the loss' : 'an update';
  const where = kept
    ? `the model holds its last finite state (${history.steps} updates, ${history.epochs} complete epochs)`
    : "the model was put back to its state before this call (onDiverge: 'stop' keeps the last finite state)";
  return new TrainingError('DIVERGED', `training diverged: ${what} became non-finite at epoch ${epoch}, step ${step}; ${where}`, epoch, step, {
    path: `epoch ${epoch}, step ${step}`, expected: `${what} to stay finite`, received: 'NaN or Infinity',
  });
}
