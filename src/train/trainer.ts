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
import { isPromise, noticeDisposal, type Call, type FitHistory, type Pause, type Run, type StopReason, type TrainingHost } from './run.js';
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
  while (!step.done) step = await resume(run, step.value);
  return step.value;
}

type Training<T> = Generator<Pause, T, boolean | void>;

/**
 * Awaits what the training yielded (a promise a callback returned, or a pause that gives the event
 * loop a turn) and resumes it with the promise's value; a rejection is thrown into it, so the call
 * rolls back and fails with that error.
 */
async function resume(run: Training<FitHistory>, pause: Pause): Promise<IteratorResult<Pause, FitHistory>> {
  let answer: boolean | void;
  try {
    answer = pause === undefined ? await yieldToEventLoop() : await pause;
  } catch (error) {
    return run.throw(error);
  }
  return run.next(answer);
}

function* training(host: TrainingHost, X: MatrixInput, Y: MatrixInput, options: TrainerOptions, yielding: boolean): Training<FitHistory> {
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
function* train(call: Call, X: MatrixInput, Y: MatrixInput): Training<FitHistory> {
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
function* chunks(run: Run): Training<TrainingError | null> {
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
    yield* epochAnswers(run);
    if ((history.stopReason as StopReason) === 'disposed') break;
    previous = current;
    if (!(yield* betweenChunks(run, status))) break;
  }
  return null;
}

/** fitAsync: waits for the promises onEpochEnd returned in the chunk; one that gives false stops the fit, as false itself does. */
function* epochAnswers(run: Run): Training<void> {
  while (run.answers.length > 0) {
    if ((yield run.answers.shift()) === false) run.history.stopReason = 'callback';
    if (noticeDisposal(run)) return;
  }
}

/** With a schedule, at an epoch's start: its rate into the header (the engine reads it at every update). */
function setEpochRate({ engine, header, history, o, schedule }: Run): void {
  if (o.schedule === null || schedule === null || engine.i32[header.i + H.EPOCH_POS] !== 0) return;
  engine.f64[header.f + HF.LEARNING_RATE] = rateOf(o.schedule, schedule[history.epochs]);
}

/** The stop rules after a chunk (the engine's, onProgress, signal, timeout), then fitAsync's pause; false: stop. */
function* betweenChunks(run: Run, status: number): Training<boolean> {
  const { history, o, options } = run;
  if (history.stopReason === 'epochs') {
    if (status === TRAIN_STATUS.STEP_BELOW) history.stopReason = 'stepBelow';
    else if (status === TRAIN_STATUS.LOSS_BELOW) history.stopReason = 'lossBelow';
  }
  const more = history.stopReason === 'epochs' && history.epochs < o.epochs;
  let answer = options.onProgress?.(progress(run, performance.now() - run.started));
  if (run.yielding && isPromise(answer)) answer = yield answer;
  if (!stopRules(run, more, options.onProgress !== undefined, answer)) return false;
  if (run.chunked) {
    yield;
    if (noticeDisposal(run)) return false;
  }
  return true;
}

/**
 * After a chunk of updates, once onProgress (if `asked`) gave its `answer` (awaited, when it was a
 * promise): false stops a call that has `more` to do; then the signal and the timeout. False: stop
 * (stopReason says why, or the call is complete).
 */
export function stopRules(run: Pick<Run, 'history' | 'options' | 'o' | 'started' | 'host'>, more: boolean, asked: boolean, answer: unknown): boolean {
  const { history, o, options } = run;
  const elapsedMs = performance.now() - run.started;
  if (asked) {
    if (noticeDisposal(run)) return false;
    if (answer === false && more) {
      history.stopReason = 'callback';
      return false;
    }
  }
  if (!more) return false;
  if (options.signal?.aborted) history.stopReason = 'aborted';
  else if (elapsedMs >= o.timeout) history.stopReason = 'timeout';
  return history.stopReason === 'epochs';
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
