// Training orchestration: the chunk loop around the engine's train_epochs, callbacks, stop rules,
// validation, patience, and putting the model back when a call fails. The model hands the trainer
// a TrainingHost (its engine, plan and state); the loop itself runs inside the engine.
import type { Engine } from '../engine/engine.js';
import { loss_scale } from '../engine/ts/losses.js';
import { H, HF, LOSS_ID, TRAIN_STATUS } from '../layout/abi.js';
import { LOSS_LOG_CAPACITY, type Plan } from '../layout/plan.js';
import { readSlot, resetOptimizerState, writeIdentityOrder, writeRows, writeTraining } from '../layout/pack.js';
import { validateFitOptions, type FitOptions } from './options.js';
import { yieldToEventLoop } from './yield.js';
import type { Matrix, MatrixInput } from '../data/dataset.js';
import type { NormalizationSpec, Scaler } from '../data/normalize.js';
import { OptionsError, TrainingError } from '../errors.js';
import type { ValidSpec } from '../spec/types.js';

export type StopReason = 'epochs' | 'stepBelow' | 'lossBelow' | 'patience' | 'timeout' | 'aborted' | 'callback' | 'diverged';

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

/** What the trainer needs of a model: its engine and plan, and the state a failed call must put back. */
export interface TrainingHost {
  readonly spec: ValidSpec;
  readonly engine: Engine;
  /** Grows the arena so that the batch, the training rows and the validation rows fit. */
  reserve(batch: number, rows: number, validation: number): Plan;
  scalers: Scalers;
  optimizerKey: string;
  /** Fits and attaches scalers (Model.setNormalization). */
  fitScalers(X: MatrixInput, Y: MatrixInput | null, spec: NormalizationSpec): void;
  /** Checked and packed, not scaled. */
  rawPair(X: MatrixInput, Y: MatrixInput): { x: Matrix; y: Matrix };
  paramsFlat(): Float64Array;
}

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

function* training(host: TrainingHost, X: MatrixInput, Y: MatrixInput, options: FitOptions, yielding: boolean): Generator<void, FitHistory> {
  const started = performance.now();
  const { spec, engine } = host;
  const scalersBefore = host.scalers;
  if (options !== null && typeof options === 'object' && options.normalize !== undefined) {
    if (host.scalers.inputs || host.scalers.targets) {
      throw new OptionsError('ALREADY_NORMALIZED', 'options.normalize: this model already has fitted scalers; call setNormalization() to refit them', {
        path: 'options.normalize', expected: 'a model without scalers', received: 'a model with scalers',
      });
    }
  }
  let all: { x: Matrix; y: Matrix };
  let o: ReturnType<typeof validateFitOptions>;
  try {
    // The rows stay unscaled here and are scaled on their way into engine memory, so a large
    // Float64Array is never copied on the host.
    all = host.rawPair(X, Y);
    o = validateFitOptions(options, all.x.rows, spec);
    if (options.normalize !== undefined) {
      // Fit the scalers on the training rows only: held-out validation rows must not leak into
      // them (validationSplit holds out the last rows, before shuffling).
      const train = all.x.rows - Math.round(all.x.rows * o.validationSplit);
      const head = (m: Matrix) => ({ data: m.data.subarray(0, train * m.cols), rows: train });
      host.fitScalers(head(all.x), options.normalize.targets === undefined ? null : head(all.y), options.normalize);
    }
  } catch (error) {
    host.scalers = scalersBefore;
    throw error;
  }
  const held = Math.round(all.x.rows * o.validationSplit);
  const rows = all.x.rows - held;
  let validation: { x: Matrix; y: Matrix } | null = null;
  if (held > 0) {
    validation = {
      x: { data: all.x.data.subarray(rows * all.x.cols), rows: held, cols: all.x.cols, nested: false },
      y: { data: all.y.data.subarray(rows * all.y.cols), rows: held, cols: all.y.cols, nested: false },
    };
  } else if (options.validationData !== undefined) {
    validation = host.rawPair(options.validationData[0], options.validationData[1]);
  }
  const plan = host.reserve(o.batchSize, rows, validation?.x.rows ?? 0);
  const fixedBytes = plan.fixedEnd - plan.params;
  const snapshot = (): Uint8Array => new Uint8Array(engine.f64.buffer.slice(plan.params, plan.fixedEnd));
  const restore = (bytes: Uint8Array): void => new Uint8Array(engine.f64.buffer, plan.params, fixedBytes).set(bytes);
  const before = snapshot();
  const keyBefore = host.optimizerKey;
  try {
    const key = JSON.stringify(o.optimizer);
    if (key !== host.optimizerKey) {
      resetOptimizerState(plan, engine);
      host.optimizerKey = key;
    }
    const f64 = engine.f64;
    const { inputs, targets } = host.scalers;
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

    const perEpoch = validation !== null || o.patience > 0 || options.onEpochEnd !== undefined;
    const chunked = yielding || options.onProgress !== undefined || Number.isFinite(o.timeout) || options.signal !== undefined;
    const maxSteps = chunked ? o.progressEvery : 0x7fffffff;
    const stepsPerEpoch = Math.ceil(rows / o.batchSize);
    const history: FitHistory = { loss: [], epochs: 0, steps: 0, stopReason: 'epochs', lastStep: NaN, timeMs: 0 };
    if (validation) history.valLoss = [];
    let best = Infinity, bestEpoch = -1;
    let bestParams: Float64Array | null = null;
    let diverged: TrainingError | null = null;

    // the states at the start of the previous and of the current chunk: a divergence goes back to
    // the latest of them whose loss was finite
    let previous = before;
    while (history.epochs < o.epochs && history.stopReason === 'epochs') {
      const current = history.steps === 0 ? before : snapshot();
      const status = engine.trainEpochs(Math.min(perEpoch ? 1 : LOSS_LOG_CAPACITY, o.epochs - history.epochs), maxSteps);
      const completed = readSlot(plan, engine, H.EPOCHS_DONE);
      history.steps += readSlot(plan, engine, H.STEPS_DONE);
      history.lastStep = engine.f64[(plan.header >> 3) + HF.LAST_STEP];
      if (status === TRAIN_STATUS.NON_FINITE_LOSS || status === TRAIN_STATUS.NON_FINITE_STEP) {
        const epoch = history.epochs + completed;
        const step = readSlot(plan, engine, H.FAILED_STEP);
        // a loss that is non-finite at the chunk's very first batch condemns the chunk's start too
        const startFailed = status === TRAIN_STATUS.NON_FINITE_LOSS && readSlot(plan, engine, H.STEPS_DONE) === 0;
        restore(startFailed ? previous : current);
        const what = status === TRAIN_STATUS.NON_FINITE_LOSS ? 'the loss' : 'an update';
        diverged = new TrainingError('DIVERGED', `training diverged: ${what} became non-finite at epoch ${epoch}, step ${step}; the model was put back to its last finite state`, epoch, step, {
          path: `epoch ${epoch}, step ${step}`, expected: `${what} to stay finite`, received: 'NaN or Infinity',
        });
        history.stopReason = 'diverged';
        break;
      }
      const log = plan.lossLog >> 3;
      for (let e = 0; e < completed; e++) {
        const partial = status === TRAIN_STATUS.STEP_BELOW && e === completed - 1;
        const seen = partial ? readSlot(plan, engine, H.ROWS_SEEN) : rows;
        const loss = engine.f64[log + e] * loss_scale(lossId, seen, K);
        history.loss.push(loss);
        const logs: { loss: number; valLoss?: number } = { loss };
        if (validation) {
          logs.valLoss = validationLoss(host, plan, validation.x.rows);
          history.valLoss!.push(logs.valLoss);
        }
        const epoch = history.epochs++;
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
      }
      previous = current;
      if (history.stopReason !== 'epochs') break;
      if (status === TRAIN_STATUS.STEP_BELOW) history.stopReason = 'stepBelow';
      else if (status === TRAIN_STATUS.LOSS_BELOW) history.stopReason = 'lossBelow';
      else if (history.epochs < o.epochs) {
        const elapsedMs = performance.now() - started;
        const progress = {
          epoch: history.epochs, steps: history.steps, totalSteps: o.epochs * stepsPerEpoch,
          loss: history.loss[history.loss.length - 1], elapsedMs,
          samplesPerSecond: (history.steps * o.batchSize * 1000) / Math.max(elapsedMs, 1e-3),
        };
        if (options.onProgress?.(progress) === false) history.stopReason = 'callback';
        else if (options.signal?.aborted) history.stopReason = 'aborted';
        else if (elapsedMs >= o.timeout) history.stopReason = 'timeout';
        else if (chunked) yield;
      }
    }
    if (history.stopReason === 'patience' && bestParams !== null) {
      engine.f64.set(bestParams, plan.params >> 3);
      history.bestEpoch = bestEpoch;
    }
    history.timeMs = performance.now() - started;
    if (diverged !== null && o.onDiverge === 'throw') throw diverged;
    return history;
  } catch (error) {
    if (!(error instanceof TrainingError)) {
      restore(before);
      host.optimizerKey = keyBefore;
      host.scalers = scalersBefore;
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
