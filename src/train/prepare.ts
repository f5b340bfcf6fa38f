// Before the first update: check the call (nothing changes), then fit the scalers and grow the arena
// (reserve), then write the optimizer state, the rows and the settings into engine memory (load).
import { loss_scale } from '../layout/loss-scale.js';
import { LOSS_ID, OPTIMIZER_ID } from '../layout/abi.js';
import { resetOptimizerState, writeIdentityOrder, writeRows, writeTraining } from '../layout/pack.js';
import { validateFitOptions, type RowClasses, type ValidFitOptions } from './options.js';
import { checkReach, startState, type ScheduleState } from './schedule.js';
import { rollbackRegions, snapshot } from './rollback.js';
import type { Call, CheckedCall, FitHistory, Run, TrainingHost } from './run.js';
import type { Plan } from '../layout/plan.js';
import type { Matrix, MatrixInput } from '../data/dataset.js';
import { OptionsError } from '../errors.js';

/** Largest count the engine takes (an i32): a larger steps-per-chunk is clamped to it. */
const ENGINE_MAX_COUNT = 0x7fffffff;

/**
 * The training rows' weights: sampleWeight (given for every row, the first `rows` train) times the
 * weight of each row's class; null when neither option is given (the unweighted path).
 */
function rowWeights(sample: Float64Array | null, byClass: RowClasses | undefined, rows: number): Float64Array | null {
  if (sample === null && byClass === undefined) return null;
  const weights = sample === null ? new Float64Array(rows).fill(1) : sample.slice(0, rows);
  if (byClass === undefined) return weights;
  let perClass = byClass.weights;
  if (perClass === null) {
    // 'balanced', as scikit-learn's compute_class_weight: n / (classes · count_k) over the training rows
    const counts = new Float64Array(byClass.classes);
    for (let r = 0; r < rows; r++) counts[byClass.of[r]]++;
    perClass = counts.map((count) => rows / (byClass.classes * count));
  }
  for (let r = 0; r < rows; r++) weights[r] *= perClass[byClass.of[r]];
  return weights;
}

/** With a schedule: where it stands before the call's first epoch (checked to stay in range), and the history's list of rates. */
export function scheduleStartOf(host: TrainingHost, o: ValidFitOptions, history: FitHistory): ScheduleState | null {
  if (o.schedule === null) return null;
  const start = startState(o.schedule, o.learningRate, host.state().schedule);
  checkReach(o.schedule, start, o.epochs);
  history.learningRate = [];
  return start;
}

/** Checks the data and options; everything is checked before anything changes. */
export function check(call: Call, X: MatrixInput, Y: MatrixInput): CheckedCall {
  const { host, options } = call;
  if (options !== null && typeof options === 'object' && options.normalize !== undefined) {
    const { scalers } = host.state();
    if (scalers.inputs || scalers.targets) {
      throw new OptionsError('ALREADY_NORMALIZED', 'options.normalize: this model already has fitted scalers; call setNormalization() to refit them', {
        path: 'options.normalize', expected: 'a model without scalers', received: 'a model with scalers',
      });
    }
  }
  // The rows stay unscaled here and are scaled on their way into engine memory, so a large
  // Float64Array is never copied on the host.
  const all = host.rawPair(X, Y);
  const o = validateFitOptions(options, all.x.rows, host.spec);
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
  if (validation) call.history.valLoss = [];
  const scheduleStart = scheduleStartOf(host, o, call.history);
  return { ...call, o, all, rows, validation, scheduleStart, weights: rowWeights(o.sampleWeight, options.classWeight, rows) };
}

/** Fits the scalers (options.normalize), grows the arena, and takes the snapshot a failed call restores. */
export function reserve(call: CheckedCall): Run {
  const { host, options, o, all, rows, validation } = call;
  if (options.normalize !== undefined) {
    // Fit the scalers on the training rows only: held-out validation rows must not leak into
    // them (validationSplit holds out the last rows, before shuffling).
    const head = (m: Matrix): Matrix => ({ data: m.data.subarray(0, rows * m.cols), rows, cols: m.cols, nested: false });
    host.fitScalers(head(all.x), options.normalize.targets === undefined ? null : head(all.y), options.normalize);
  }
  const plan = host.reserve(o.batchSize, rows, validation?.x.rows ?? 0, call.weights !== null);
  const engine = host.engine;
  const optimizerKey = JSON.stringify(o.optimizer);
  // the moments are copied for a rollback only when this call can reset or update them
  const momentsChange = optimizerKey !== host.state().optimizerKey || o.optimizer.id !== OPTIMIZER_ID.sgd;
  const regions = rollbackRegions(plan, momentsChange);
  // a schedule sets each epoch's rate before it begins: one epoch per engine call at most
  const perEpoch = validation !== null || o.patience > 0 || options.onEpochEnd !== undefined || o.schedule !== null;
  const chunked = call.yielding || options.onProgress !== undefined || Number.isFinite(o.timeout) || options.signal !== undefined;
  const stepsPerEpoch = Math.ceil(rows / o.batchSize);
  return {
    ...call, engine, plan, optimizerKey, regions, perEpoch, chunked, stepsPerEpoch,
    header: { i: plan.header >>> 2, f: plan.header >>> 3 },
    // every count that crosses into the engine is an i32
    maxSteps: chunked ? Math.min(o.progressEvery, ENGINE_MAX_COUNT) : ENGINE_MAX_COUNT,
    totalSteps: o.epochs * stepsPerEpoch,
    before: snapshot({ engine, regions }, true),
    best: { loss: Infinity, epoch: -1, params: null },
    schedule: call.scheduleStart === null ? null : [call.scheduleStart],
    answers: [],
  };
}

/** The optimizer state afresh when the call's optimizer options (`key`) differ from those it belongs to. */
export function adoptOptimizer(host: TrainingHost, plan: Plan, key: string): void {
  if (key === host.state().optimizerKey) return;
  resetOptimizerState(plan, host.engine);
  host.setState({ ...host.state(), optimizerKey: key });
}

/** The validation rows into the plan's validation region, scaled. */
export function writeValidation(host: TrainingHost, plan: Plan, validation: { x: Matrix; y: Matrix }): void {
  const { inputs, targets } = host.state().scalers;
  writeRows(host.engine.f64, plan.validationX, validation.x.data, 0, validation.x.rows, validation.x.cols, inputs);
  writeRows(host.engine.f64, plan.validationY, validation.y.data, 0, validation.y.rows, validation.y.cols, targets);
}

/** Writes the optimizer state (afresh for new optimizer options), the rows and the settings. */
export function load(run: Run): void {
  const { host, engine, plan, o, all, rows, validation, weights } = run;
  adoptOptimizer(host, plan, run.optimizerKey);
  const f64 = engine.f64;
  const { inputs, targets } = host.state().scalers;
  writeRows(f64, plan.x, all.x.data, 0, rows, all.x.cols, inputs);
  writeRows(f64, plan.y, all.y.data, 0, rows, all.y.cols, targets);
  if (validation) writeValidation(host, plan, validation);
  if (weights !== null) f64.set(weights, plan.weights >>> 3);
  writeIdentityOrder(plan, engine, rows);
  writeTraining(plan, engine, { ...o, rows, weighted: weights !== null, lossScale: loss_scale(LOSS_ID[host.spec.loss], rows, host.spec.outputs) });
}
