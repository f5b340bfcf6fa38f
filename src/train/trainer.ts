// Training orchestration: the chunk loop around the engine's train_epochs, callbacks, stop rules,
// validation, patience, and putting the model back when a call fails. The model hands the trainer
// a TrainingHost (its engine, plan and state); the loop itself runs inside the engine.
//
// One training at a time: the host is marked busy for the whole call (callbacks and the pauses
// between fitAsync's chunks included); the model refuses with BUSY every call that would compute on
// or write its engine memory meanwhile. dispose() is allowed: the call notices it after the callback
// or pause and returns with stopReason 'disposed', touching no memory. A failed call puts back the
// parameters, optimizer and shuffler state and the scalers it fitted.
import type { Engine } from '../engine/engine.js';
import { loss_scale } from '../engine/ts/losses.js';
import { H, HF, LOSS_ID, OPTIMIZER_ID, OPT_SCALAR_BYTES, TRAIN_STATUS } from '../layout/abi.js';
import { LOSS_LOG_CAPACITY, type Plan } from '../layout/plan.js';
import { readLossLog, readSlot, resetOptimizerState, writeIdentityOrder, writeRows, writeTraining } from '../layout/pack.js';
import { validateFitOptions, type FitOptions, type Progress } from './options.js';
import { yieldToEventLoop } from './yield.js';
import type { Matrix, MatrixInput } from '../data/dataset.js';
import type { NormalizationSpec, Scaler } from '../data/normalize.js';
import { OptionsError, TrainingError } from '../errors.js';
import type { ValidSpec } from '../spec/types.js';

export type StopReason = 'epochs' | 'stepBelow' | 'lossBelow' | 'patience' | 'timeout' | 'aborted' | 'callback' | 'diverged' | 'disposed';

export interface FitHistory {
  /** Loss of each epoch: the loss's reduction over all rows, each batch evaluated before its update. */
  loss: number[];
  /** Validation loss after each epoch (with validationSplit or validationData). */
  valLoss?: number[];
  /** Epochs completed. */
  epochs: number;
  /** Updates made. */
  steps: number;
  /** Why training stopped. */
  stopReason: StopReason;
  /** With patience: the epoch (0-based) whose parameters the model holds when restoreBest put them back. */
  bestEpoch?: number;
  /** Largest |Δθ| of the last update. */
  lastStep: number;
  timeMs: number;
}

export interface Scalers {
  inputs?: Scaler;
  targets?: Scaler;
}

/** The model's state outside engine memory that a fit may change (and a failed fit puts back). */
export interface HostState {
  scalers: Scalers;
  /** The optimizer configuration the moments belong to; a different one starts them afresh. */
  optimizerKey: string;
}

/** What the trainer needs of a model: its spec and engine, a few of its methods, and its HostState. */
export interface TrainingHost {
  readonly spec: ValidSpec;
  readonly engine: Engine;
  /** True once the model was disposed (from a callback, or between fitAsync chunks). */
  isDisposed(): boolean;
  /** Marks the model busy with `method` (throws DISPOSED or BUSY if it cannot); `progress` is the running call's history. */
  begin(method: 'fit' | 'fitAsync', progress: { epochs: number; steps: number }): void;
  /** The training call has ended. */
  end(): void;
  /** Grows the arena so that the batch, the training rows and the validation rows fit. */
  reserve(batch: number, rows: number, validation: number): Plan;
  /** The scalers and optimizer key the model holds now. */
  state(): HostState;
  /** Replaces them: a new optimizer key, or both put back after a failed call. */
  setState(state: HostState): void;
  /** Fits and attaches scalers on rows the trainer has already checked (spec: the normalize option, not yet validated). */
  fitScalers(x: Matrix, y: Matrix | null, spec: NormalizationSpec): void;
  /** Checked and packed, not scaled; `names` name the matrices in error messages. */
  rawPair(X: MatrixInput, Y: MatrixInput, names?: [string, string]): { x: Matrix; y: Matrix };
  paramsFlat(): Float64Array;
}

/**
 * The buffer of each engine's `before` snapshot, kept from call to call: allocating (and zeroing) a
 * fresh one per fit costs more than the copy for large models. Only one fit runs per model at a time.
 */
const keptSnapshots = new WeakMap<Engine, Uint8Array>();

/** Largest count the engine takes (an i32): a larger steps-per-chunk is clamped to it. */
const ENGINE_MAX_COUNT = 0x7fffffff;

export function fitSync(host: TrainingHost, X: MatrixInput, Y: MatrixInput, options: FitOptions): FitHistory {
  const run = training(host, X, Y, options, false);
  let step = run.next();
  while (!step.done) step = run.next();
  return step.value;
}

export async function fitAsync(host: TrainingHost, X: MatrixInput, Y: MatrixInput, options: FitOptions): Promise<FitHistory> {
  const run = training(host, X, Y, options, true);
  let step = run.next();
  while (!step.done) {
    await yieldToEventLoop();
    step = run.next();
  }
  return step.value;
}

/** Where a chunk of updates began: what a divergence with onDiverge 'stop' rewinds to and replays from. */
interface ChunkStart {
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
}

function* training(host: TrainingHost, X: MatrixInput, Y: MatrixInput, options: FitOptions, yielding: boolean): Generator<void, FitHistory> {
  const started = performance.now();
  const history: FitHistory = { loss: [], epochs: 0, steps: 0, stopReason: 'epochs', lastStep: NaN, timeMs: 0 };
  host.begin(yielding ? 'fitAsync' : 'fit', history);
  try {
    return yield* train(host, X, Y, options, yielding, history, started);
  } finally {
    host.end();
  }
}

function* train(host: TrainingHost, X: MatrixInput, Y: MatrixInput, options: FitOptions, yielding: boolean, history: FitHistory, started: number): Generator<void, FitHistory> {
  const { spec, engine } = host;
  const kept = host.state();
  if (options !== null && typeof options === 'object' && options.normalize !== undefined) {
    if (host.state().scalers.inputs || host.state().scalers.targets) {
      throw new OptionsError('ALREADY_NORMALIZED', 'options.normalize: this model already has fitted scalers; call setNormalization() to refit them', {
        path: 'options.normalize', expected: 'a model without scalers', received: 'a model with scalers',
      });
    }
  }
  // The rows stay unscaled here and are scaled on their way into engine memory, so a large
  // Float64Array is never copied on the host. Everything is checked before anything changes.
  const all = host.rawPair(X, Y);
  const o = validateFitOptions(options, all.x.rows, spec);
  const held = Math.round(all.x.rows * o.validationSplit);
  const rows = all.x.rows - held;
  let validation: { x: Matrix; y: Matrix } | null = null;
  if (held > 0) {
    validation = {
      x: { data: all.x.data.subarray(rows * all.x.cols), rows: held, cols: all.x.cols, nested: false },
      y: { data: all.y.data.subarray(rows * all.y.cols), rows: held, cols: all.y.cols, nested: false },
    };
  } else if (options.validationData !== undefined) {
    validation = host.rawPair(options.validationData[0], options.validationData[1], ['options.validationData[0]', 'options.validationData[1]']);
  }
  if (validation) history.valLoss = [];
  // an already aborted signal: no update, nothing changes
  if (options.signal?.aborted) {
    history.stopReason = 'aborted';
    history.timeMs = performance.now() - started;
    return history;
  }

  let plan: Plan | null = null;
  let before: Uint8Array | null = null;
  // What a rollback restores: the parameters, the shuffler, the optimizer's scalars, and its moments
  // unless this call can neither reset nor update them (sgd with the same options as before: m and v
  // stay as they are). The gradients and the trainable mask are not state: every call rewrites them
  // before use. (Copying only these matters for large models: W4's 100k parameters make the whole
  // fixed part 4 MB, the parameters 0.8 MB, per snapshot.)
  const key = JSON.stringify(o.optimizer);
  const momentsChange = key !== host.state().optimizerKey || o.optimizer.id !== OPTIMIZER_ID.sgd;
  const regions = (): Array<[number, number]> => {
    const p = plan!;
    const list: Array<[number, number]> = [[p.params, p.grads], [p.rng, p.optState]];
    list.push(momentsChange ? [p.m, p.optScalars + OPT_SCALAR_BYTES] : [p.optScalars, p.optScalars + OPT_SCALAR_BYTES]);
    return list;
  };
  /** A copy of the regions; `reuse`: fill this engine's kept buffer instead of allocating (for `before`). */
  const snapshot = (reuse = false): Uint8Array => {
    const parts = regions();
    const size = parts.reduce((n, [from, to]) => n + (to - from), 0);
    let bytes = reuse ? keptSnapshots.get(engine) : undefined;
    if (bytes === undefined || bytes.length !== size) {
      bytes = new Uint8Array(size);
      if (reuse) keptSnapshots.set(engine, bytes);
    }
    const arena = new Uint8Array(engine.f64.buffer);
    let at = 0;
    for (const [from, to] of parts) {
      bytes.set(arena.subarray(from, to), at);
      at += to - from;
    }
    return bytes;
  };
  const restore = (bytes: Uint8Array): void => {
    const arena = new Uint8Array(engine.f64.buffer);
    let at = 0;
    for (const [from, to] of regions()) {
      arena.set(bytes.subarray(at, at + (to - from)), from);
      at += to - from;
    }
  };
  try {
    if (options.normalize !== undefined) {
      // Fit the scalers on the training rows only: held-out validation rows must not leak into
      // them (validationSplit holds out the last rows, before shuffling).
      const head = (m: Matrix): Matrix => ({ data: m.data.subarray(0, rows * m.cols), rows, cols: m.cols, nested: false });
      host.fitScalers(head(all.x), options.normalize.targets === undefined ? null : head(all.y), options.normalize);
    }
    plan = host.reserve(o.batchSize, rows, validation?.x.rows ?? 0);
    before = snapshot(true);
    if (key !== host.state().optimizerKey) {
      resetOptimizerState(plan, engine);
      host.setState({ ...host.state(), optimizerKey: key });
    }
    const f64 = engine.f64;
    const { inputs, targets } = host.state().scalers;
    writeRows(f64, plan.x, all.x.data, 0, rows, all.x.cols, inputs);
    writeRows(f64, plan.y, all.y.data, 0, rows, all.y.cols, targets);
    if (validation) {
      writeRows(f64, plan.validationX, validation.x.data, 0, validation.x.rows, validation.x.cols, inputs);
      writeRows(f64, plan.validationY, validation.y.data, 0, validation.y.rows, validation.y.cols, targets);
    }
    writeIdentityOrder(plan, engine, rows);
    const K = spec.outputs;
    const lossId = LOSS_ID[spec.loss];
    writeTraining(plan, engine, { ...o, rows, lossScale: loss_scale(lossId, rows, K) });
    const header = { i: plan.header >>> 2, f: plan.header >>> 3 };

    const perEpoch = validation !== null || o.patience > 0 || options.onEpochEnd !== undefined;
    const chunked = yielding || options.onProgress !== undefined || Number.isFinite(o.timeout) || options.signal !== undefined;
    // every count that crosses into the engine is an i32
    const maxSteps = chunked ? Math.min(o.progressEvery, ENGINE_MAX_COUNT) : ENGINE_MAX_COUNT;
    const stepsPerEpoch = Math.ceil(rows / o.batchSize);
    const totalSteps = o.epochs * stepsPerEpoch;
    const keepFinite = o.onDiverge === 'stop';
    let best = Infinity, bestEpoch = -1;
    let bestParams: Float64Array | null = null;
    let diverged: TrainingError | null = null;
    const disposed = (): boolean => {
      if (host.isDisposed()) history.stopReason = 'disposed';
      return host.isDisposed();
    };
    /** Reads the completed epochs of the last engine call from the loss log into the history. */
    const logEpochs = (status: number, completed: number, report: boolean): void => {
      const log = plan!.lossLog >>> 3;
      // nothing watches single epochs: read the chunk's losses in one pass (the same products)
      const unwatched = perEpoch || status === TRAIN_STATUS.STEP_BELOW ? 0 : completed;
      readLossLog(plan!, engine, unwatched, loss_scale(lossId, rows, K), history.loss);
      history.epochs += unwatched;
      if (unwatched > 0 && report && disposed()) return;
      for (let e = unwatched; e < completed; e++) {
        const partial = status === TRAIN_STATUS.STEP_BELOW && e === completed - 1;
        const seen = partial ? readSlot(plan!, engine, H.ROWS_SEEN) : rows;
        const loss = engine.f64[log + e] * loss_scale(lossId, seen, K);
        history.loss.push(loss);
        const logs: { loss: number; valLoss?: number } = { loss };
        if (validation) {
          logs.valLoss = validationLoss(host, plan!, validation.x.rows);
          history.valLoss!.push(logs.valLoss);
        }
        const epoch = history.epochs++;
        if (!report) continue;
        if (o.patience > 0) {
          const monitored = logs.valLoss ?? loss;
          if (monitored < best) {
            best = monitored;
            bestEpoch = epoch;
            if (o.restoreBest) bestParams = host.paramsFlat();
          } else if (epoch - bestEpoch >= o.patience) {
            history.stopReason = 'patience';
          }
        }
        if (options.onEpochEnd?.(epoch, logs) === false) history.stopReason = 'callback';
        if (disposed()) return;
      }
    };
    const chunkStart = (): ChunkStart => {
      const i32 = engine.i32;
      const pos = i32[header.i + H.EPOCH_POS];
      const step = i32[header.i + H.EPOCH_STEP];
      // A replay from a chunk that starts mid-epoch needs that epoch's row order. It is overwritten
      // only when a new epoch begins, in this chunk or at the next one's first step: possible only
      // when this chunk can reach the end of the epoch. (At an epoch's start the order is drawn
      // again from the shuffler state, which the snapshot holds.)
      const keepOrder = o.shuffle && pos !== 0 && maxSteps >= stepsPerEpoch - step;
      return {
        // not `before`: that holds the previous call's trainable mask
        bytes: snapshot(),
        pos,
        step,
        sum: engine.f64[header.f + HF.EPOCH_SUM],
        perm: keepOrder ? i32.slice(plan!.perm >>> 2, (plan!.perm >>> 2) + rows) : null,
        epochs: history.epochs,
        steps: history.steps,
        losses: history.loss.length,
        lastStep: history.lastStep,
      };
    };
    /** Puts the model at `start`, then makes `updates` updates again: the same bits as the first time. */
    const replay = (start: ChunkStart, updates: number): void => {
      restore(start.bytes);
      const i32 = engine.i32;
      i32[header.i + H.EPOCH_POS] = start.pos;
      i32[header.i + H.EPOCH_STEP] = start.step;
      engine.f64[header.f + HF.EPOCH_SUM] = start.sum;
      if (start.perm) i32.set(start.perm, plan!.perm >>> 2);
      history.epochs = start.epochs;
      history.steps = start.steps;
      history.loss.length = start.losses;
      if (history.valLoss) history.valLoss.length = start.losses;
      history.lastStep = start.lastStep;
      while (updates > 0) {
        const status = engine.trainEpochs(LOSS_LOG_CAPACITY, updates);
        const done = readSlot(plan!, engine, H.STEPS_DONE);
        history.steps += done;
        history.lastStep = engine.f64[header.f + HF.LAST_STEP];
        logEpochs(status, readSlot(plan!, engine, H.EPOCHS_DONE), false);
        updates -= done;
        if (done === 0) break; // cannot happen (the engine is deterministic); never spin
      }
    };

    let previous: ChunkStart | null = null;
    while (history.epochs < o.epochs && history.stopReason === 'epochs') {
      const current: ChunkStart | null = keepFinite ? chunkStart() : null;
      const status = engine.trainEpochs(Math.min(perEpoch ? 1 : LOSS_LOG_CAPACITY, o.epochs - history.epochs), maxSteps);
      const completed = readSlot(plan, engine, H.EPOCHS_DONE);
      const done = readSlot(plan, engine, H.STEPS_DONE);
      if (status === TRAIN_STATUS.NON_FINITE_LOSS || status === TRAIN_STATUS.NON_FINITE_STEP) {
        const epoch = history.epochs + completed;
        const step = readSlot(plan, engine, H.FAILED_STEP);
        const what = status === TRAIN_STATUS.NON_FINITE_LOSS ? 'the loss' : 'an update';
        if (current !== null) {
          // The last finite state: before the update that was not finite, or, when the loss was
          // not finite, before the last update whose loss was (its result has no finite loss).
          // A non-finite loss at a chunk's first batch reaches back into the chunk before.
          const kept = done - 1;
          if (kept >= 0 || previous === null) replay(current, Math.max(kept, 0));
          else replay(previous, current.steps - previous.steps - 1);
        } else {
          restore(before);
        }
        const where = current !== null
          ? `the model holds its last finite state (${history.steps} updates, ${history.epochs} complete epochs)`
          : "the model was put back to its state before this call (onDiverge: 'stop' keeps the last finite state)";
        diverged = new TrainingError('DIVERGED', `training diverged: ${what} became non-finite at epoch ${epoch}, step ${step}; ${where}`, epoch, step, {
          path: `epoch ${epoch}, step ${step}`, expected: `${what} to stay finite`, received: 'NaN or Infinity',
        });
        history.stopReason = 'diverged';
        break;
      }
      history.steps += done;
      history.lastStep = engine.f64[header.f + HF.LAST_STEP];
      logEpochs(status, completed, true);
      if ((history.stopReason as StopReason) === 'disposed') break;
      previous = current;
      if (history.stopReason === 'epochs') {
        if (status === TRAIN_STATUS.STEP_BELOW) history.stopReason = 'stepBelow';
        else if (status === TRAIN_STATUS.LOSS_BELOW) history.stopReason = 'lossBelow';
      }
      const more = history.stopReason === 'epochs' && history.epochs < o.epochs;
      const elapsedMs = performance.now() - started;
      if (options.onProgress !== undefined) {
        // the epoch of the chunk's last update, numbered from 0 as in onEpochEnd
        const epoch = engine.i32[header.i + H.EPOCH_POS] === 0 ? history.epochs - 1 : history.epochs;
        const progress: Progress = {
          epoch, steps: history.steps, totalSteps,
          loss: history.loss[history.loss.length - 1], elapsedMs,
          samplesPerSecond: (history.steps * o.batchSize * 1000) / Math.max(elapsedMs, 1e-3),
        };
        const answer = options.onProgress(progress);
        if (disposed()) break;
        if (answer === false && more) {
          history.stopReason = 'callback';
          break;
        }
      }
      if (!more) break;
      if (options.signal?.aborted) history.stopReason = 'aborted';
      else if (elapsedMs >= o.timeout) history.stopReason = 'timeout';
      else if (chunked) {
        yield;
        if (disposed()) break;
      }
    }
    if (history.stopReason === 'disposed') {
      history.timeMs = performance.now() - started;
      return history;
    }
    if (history.stopReason === 'patience' && bestParams !== null) {
      engine.f64.set(bestParams, plan.params >>> 3);
      history.bestEpoch = bestEpoch;
    }
    history.timeMs = performance.now() - started;
    if (diverged !== null && o.onDiverge === 'throw') throw diverged;
    return history;
  } catch (error) {
    // a failed call leaves the model as it was: parameters, optimizer and shuffler state, scalers
    if (!host.isDisposed()) {
      if (before !== null) restore(before);
      host.setState(kept);
    }
    throw error;
  }
}

/** The loss on the validation rows held in the plan, in chunks of the batch capacity. */
function validationLoss(host: TrainingHost, plan: Plan, rows: number): number {
  const { inputs, outputs } = host.spec;
  let sum = 0;
  for (let from = 0; from < rows; from += plan.batchCapacity) {
    const count = Math.min(plan.batchCapacity, rows - from);
    sum += host.engine.lossSum(count, plan.validationX + from * inputs * 8, plan.validationY + from * outputs * 8);
  }
  return sum * loss_scale(LOSS_ID[host.spec.loss], rows, outputs);
}
