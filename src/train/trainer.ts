// Training orchestration: the chunk loop around the engine's train_epochs, callbacks, stop rules,
// validation, patience, and putting the model back when a call fails. The model hands the trainer
// a TrainingHost (its spec, engine and a few methods: run.ts); the loop itself runs inside the
// engine. The parts: prepare.ts (check, reserve, load), epoch-log.ts (the history, patience,
// onEpochEnd), rollback.ts (snapshots), replay.ts (divergence); they share the call's Run record.
//
// One training at a time: the host is marked busy for the whole call (callbacks and the pauses
// between fitAsync's chunks included); the model refuses with BUSY every call that would compute on
// or write its engine memory meanwhile. dispose() is allowed: the call notices it after the callback
// or pause and returns with stopReason 'disposed', touching no memory. A failed call puts back the
// parameters, optimizer and shuffler state and the scalers it fitted.
import { H, HF, TRAIN_STATUS } from '../layout/abi.js';
import { rateOf } from './schedule.js';
import { LOSS_LOG_CAPACITY } from '../layout/plan.js';
import type { TrainerOptions, Progress } from './options.js';
import { recordChunk, trimLosses } from './epoch-log.js';
import { check, load, reserve } from './prepare.js';
import { chunkStart, diverge, type ChunkStart } from './replay.js';
import { restore } from './rollback.js';
import { noticeDisposal, type Call, type FitHistory, type Run, type StopReason, type TrainingHost } from './run.js';
import { yieldToEventLoop } from './yield.js';
import type { MatrixInput } from '../data/dataset.js';
import type { TrainingError } from '../errors.js';

export type { FitHistory, HostState, Scalers, StopReason, TrainingHost } from './run.js';

export function fitSync(host: TrainingHost, X: MatrixInput, Y: MatrixInput, options: TrainerOptions): FitHistory {
  const run = training(host, X, Y, options, false);
  let step = run.next();
  while (!step.done) step = run.next();
  return step.value;
}

export async function fitAsync(host: TrainingHost, X: MatrixInput, Y: MatrixInput, options: TrainerOptions): Promise<FitHistory> {
  const run = training(host, X, Y, options, true);
  let step = run.next();
  while (!step.done) {
    await yieldToEventLoop();
    step = run.next();
  }
  return step.value;
}

function* training(host: TrainingHost, X: MatrixInput, Y: MatrixInput, options: TrainerOptions, yielding: boolean): Generator<void, FitHistory> {
  const started = performance.now();
  const history: FitHistory = { loss: [], epochs: 0, steps: 0, stopReason: 'epochs', lastStep: NaN, timeMs: 0 };
  host.begin(yielding ? 'fitAsync' : 'fit', history);
  try {
    return yield* train({ host, options, yielding, history, started }, X, Y);
  } finally {
    host.end();
  }
}

/** A fit: check → reserve → load → the chunk loop → finish; or, when anything throws, roll back. */
function* train(call: Call, X: MatrixInput, Y: MatrixInput): Generator<void, FitHistory> {
  const { host, history } = call;
  const kept = host.state();
  const checked = check(call, X, Y);
  // an already aborted signal: no update, nothing changes
  if (call.options.signal?.aborted) {
    history.stopReason = 'aborted';
    history.timeMs = performance.now() - call.started;
    return history;
  }
  let run: Run | null = null;
  try {
    run = reserve(checked);
    load(run);
    const diverged = yield* chunks(run);
    return finish(run, diverged);
  } catch (error) {
    // a failed call leaves the model as it was: parameters, optimizer and shuffler state, scalers
    if (!host.isDisposed()) {
      if (run !== null) restore(run, run.before);
      host.setState(kept);
    }
    throw error;
  }
}

/** Runs the engine, a chunk per call, until a stop rule ends the fit; returns the divergence, if any. */
function* chunks(run: Run): Generator<void, TrainingError | null> {
  const { engine, history, o } = run;
  let previous: ChunkStart | null = null;
  while (history.epochs < o.epochs && history.stopReason === 'epochs') {
    setEpochRate(run);
    const current = o.onDiverge === 'stop' ? chunkStart(run) : null;
    const status = engine.trainEpochs(Math.min(run.perEpoch ? 1 : LOSS_LOG_CAPACITY, o.epochs - history.epochs), run.maxSteps);
    if (status === TRAIN_STATUS.NON_FINITE_LOSS || status === TRAIN_STATUS.NON_FINITE_STEP) {
      return diverge(run, status, current, previous);
    }
    recordChunk(run, status, true);
    if ((history.stopReason as StopReason) === 'disposed') break;
    previous = current;
    if (!(yield* betweenChunks(run, status))) break;
  }
  return null;
}

/** With a schedule, at an epoch's start: its rate into the header (the engine reads it at every update). */
function setEpochRate({ engine, header, history, o, schedule }: Run): void {
  if (o.schedule === null || schedule === null || engine.i32[header.i + H.EPOCH_POS] !== 0) return;
  engine.f64[header.f + HF.LEARNING_RATE] = rateOf(o.schedule, schedule[history.epochs]);
}

/** The stop rules after a chunk (the engine's, onProgress, signal, timeout), then fitAsync's pause; false: stop. */
function* betweenChunks(run: Run, status: number): Generator<void, boolean> {
  const { history, o, options } = run;
  if (history.stopReason === 'epochs') {
    if (status === TRAIN_STATUS.STEP_BELOW) history.stopReason = 'stepBelow';
    else if (status === TRAIN_STATUS.LOSS_BELOW) history.stopReason = 'lossBelow';
  }
  const more = history.stopReason === 'epochs' && history.epochs < o.epochs;
  const elapsedMs = performance.now() - run.started;
  if (options.onProgress !== undefined) {
    const answer = options.onProgress(progress(run, elapsedMs));
    if (noticeDisposal(run)) return false;
    if (answer === false && more) {
      history.stopReason = 'callback';
      return false;
    }
  }
  if (!more) return false;
  if (options.signal?.aborted) history.stopReason = 'aborted';
  else if (elapsedMs >= o.timeout) history.stopReason = 'timeout';
  else if (run.chunked) {
    yield;
    if (noticeDisposal(run)) return false;
  }
  return true;
}

function progress({ engine, header, history, o, totalSteps }: Run, elapsedMs: number): Progress {
  return {
    // the epoch of the chunk's last update, numbered from 0 as in onEpochEnd
    epoch: engine.i32[header.i + H.EPOCH_POS] === 0 ? history.epochs - 1 : history.epochs,
    steps: history.steps, totalSteps,
    loss: history.loss[history.loss.length - 1], elapsedMs,
    samplesPerSecond: (history.steps * o.batchSize * 1000) / Math.max(elapsedMs, 1e-3),
  };
}

/** restoreBest's parameters when patience stopped the fit; the time; onDiverge 'throw''s error. */
function finish(run: Run, diverged: TrainingError | null): FitHistory {
  const { history, best } = run;
  trimLosses(run);
  // (not after a dispose: its stopReason is 'disposed', and no memory is touched)
  if (history.stopReason === 'patience' && best.params !== null) {
    run.engine.f64.set(best.params, run.plan.params >>> 3);
    history.bestEpoch = best.epoch;
  }
  history.timeMs = performance.now() - run.started;
  if (diverged !== null && run.o.onDiverge === 'throw') throw diverged;
  // the schedule continues where the epochs the model holds left it (a fit without one ends it)
  if (!run.host.isDisposed()) run.host.setState({ ...run.host.state(), schedule: run.schedule?.[history.epochs] ?? null });
  return history;
}
