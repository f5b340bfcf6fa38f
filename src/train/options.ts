// Training options: names follow TensorFlow.js `model.fit` where one exists. Every option is checked
// before anything runs; an unknown name is an error (a typo must not silently fall back to a default).
import type { Label } from '../spec/labels.js';
import { validateSchedule, type ScheduleSpec, type ValidSchedule } from './schedule.js';
import { OptionsError, describe } from '../errors.js';
import { OPTIMIZER_ID } from '../layout/abi.js';
import type { ValidSpec } from '../spec/types.js';
import type { MatrixInput } from '../data/dataset.js';
import { parseNormalizationSpec, type NormalizationSpec } from '../data/normalize.js';
import { didYouMean, isName, rejectUnknownKeys } from '../spec/names.js';

export type OptimizerName = keyof typeof OPTIMIZER_ID;
/** The optimizer names, in id order. */
export const OPTIMIZERS = Object.keys(OPTIMIZER_ID) as OptimizerName[];

export type OptimizerSpec =
  | OptimizerName
  | { name: 'sgd' }
  | { name: 'momentum'; momentum?: number; nesterov?: boolean }
  | { name: 'adam'; beta1?: number; beta2?: number; epsilon?: number };

/**
 * fit's options as the trainer gets them: a classifier's validation labels already encoded and its
 * classWeight resolved against its classes (src/model/classify.ts).
 */
export type TrainerOptions = Omit<FitOptions, 'validationData' | 'classWeight'> & { validationData?: [MatrixInput, MatrixInput]; classWeight?: RowClasses };

/** classWeight as the model hands it to the trainer: the class of each row given, and each class's weight (null: 'balanced'). */
export interface RowClasses {
  /** The class index of each row given (validationSplit's rows included). */
  of: Int32Array;
  /** How many classes the model has. */
  classes: number;
  /** The weight of each class, or null for 'balanced': n / (classes · count_k), counted on the training rows. */
  weights: Float64Array | null;
}

export interface FitOptions {
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Rows per update: 1 = stochastic, N = full batch, between = mini-batch (the last batch may be smaller). Default min(32, N). */
  batchSize?: number;
  /** Step size. Default 0.01 (0.001 for adam). */
  learningRate?: number;
  /** Reshuffle the rows before every epoch (seeded by the model's seed, reproducible). Default true. */
  shuffle?: boolean;
  /** `sgd` (default), `momentum` (μ 0.9, `nesterov` false) or `adam` (β1 0.9, β2 0.999, ε 1e-8). */
  optimizer?: OptimizerSpec;
  /** L2 weight decay λ: the update uses ∇L + λθ. Default 0. */
  weightDecay?: number;
  /**
   * L1 penalty: the update uses ∇L + l1·sign(θ) + λθ (sign(0) = 0) on the trainable parameters, as
   * adding l1·Σ|θ| to the loss. The reported loss stays the data loss. Default 0.
   */
  l1?: number;
  /**
   * A weight (finite, ≥ 0) per row given, validationSplit's rows included: row r's loss terms and
   * gradient count w_r times (the loss keeps its scale, 1/(N K) for mse, …). The history reports the
   * weighted loss; validation losses are unweighted. Default: every row 1.
   */
  sampleWeight?: readonly number[] | Float64Array;
  /**
   * A classifier's class weights, multiplying sampleWeight: 'balanced' (w_k = n / (classes · count_k)
   * on the training rows, as scikit-learn) or `{ label: weight }` for every class.
   */
  classWeight?: 'balanced' | Readonly<Record<string, number>>;
  /** Parameters to train, as `"<layer>.W"` or `"<layer>.b"` (e.g. `["1.b"]`); the others stay bit-identical. Default all. */
  trainable?: string[];
  /** Stop after the first update whose largest |Δθ| is below this (that update is applied). */
  stepBelow?: number;
  /** Stop after the first epoch whose loss is below this (brain.js' errorThresh). */
  lossBelow?: number;
  /** Hold out this fraction of the rows (the last ones, before shuffling, as TensorFlow.js) for validation. */
  validationSplit?: number;
  /** Validation rows `[X, Y]` (instead of validationSplit); for a classifier, Y may be labels. */
  validationData?: [MatrixInput, MatrixInput | readonly Label[]];
  /** Stop when the validation loss (the training loss without validation) has not improved for this many epochs. */
  patience?: number;
  /** With patience: put back the parameters of the best epoch when stopping. Default true. */
  restoreBest?: boolean;
  /** Stop after this many milliseconds (checked between chunks of updates). */
  timeout?: number;
  /** Stop when this signal aborts (checked before the first update and between chunks of updates). */
  signal?: AbortSignal;
  /**
   * Called after every epoch with its index (from 0); returning false stops training. In fitAsync
   * (and on a worker model) it may return a promise: the fit waits for it, and a promise of false
   * stops it as false does (a rejected one fails the call). fit does not wait.
   */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => boolean | void | Promise<boolean | void>;
  /** Called after every chunk of `progressEvery` updates and after the last chunk; returning false stops training. A promise: as onEpochEnd's. */
  onProgress?: (progress: Progress) => boolean | void | Promise<boolean | void>;
  /** Updates per chunk: how often onProgress fires, timeout and signal are checked, and fitAsync yields. Default: one epoch's updates. */
  progressEvery?: number;
  /**
   * On a non-finite loss or update: throw a TrainingError, the model left as before the call
   * (default), or stop with stopReason 'diverged', the model at its last finite state and the
   * history counting exactly the updates it holds.
   */
  onDiverge?: 'throw' | 'stop';
  /** Fit scalers on these training rows first (see Model.setNormalization); the model must have none yet. */
  normalize?: NormalizationSpec;
  /** A learning-rate schedule, stepped once per epoch (src/train/schedule.ts); the history then has `learningRate`. */
  schedule?: ScheduleSpec;
}

export interface EpochLogs {
  loss: number;
  valLoss?: number;
}

export interface Progress {
  /** The epoch (from 0, as onEpochEnd numbers them) of the chunk's last update: at the end of epoch e, e. */
  epoch: number;
  /** Updates made so far in this fit call. */
  steps: number;
  /** Updates the whole call would make without early stopping. */
  totalSteps: number;
  /** Loss of the last completed epoch, if any. */
  loss: number | undefined;
  elapsedMs: number;
  /** Training rows per second so far. */
  samplesPerSecond: number;
}

export interface ValidOptimizer {
  id: number;
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface ValidFitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  shuffle: boolean;
  optimizer: ValidOptimizer;
  weightDecay: number;
  l1: number;
  /** One weight per row given (validationSplit's rows included), or null. */
  sampleWeight: Float64Array | null;
  /** 1 where a parameter trains, 0 where it is frozen (flat layout). */
  mask: Float64Array;
  stepBelow: number;
  lossBelow: number;
  validationSplit: number;
  patience: number;
  restoreBest: boolean;
  timeout: number;
  progressEvery: number;
  onDiverge: 'throw' | 'stop';
  schedule: ValidSchedule | null;
}

const KNOWN = [
  'epochs', 'batchSize', 'learningRate', 'shuffle', 'optimizer', 'weightDecay', 'l1', 'trainable', 'stepBelow', 'lossBelow',
  'validationSplit', 'validationData', 'patience', 'restoreBest', 'timeout', 'signal', 'onEpochEnd', 'onProgress',
  'progressEvery', 'onDiverge', 'normalize', 'schedule', 'sampleWeight', 'classWeight',
];

function fail(key: string, expected: string, value: unknown): never {
  const path = key === '' ? 'options' : `options.${key}`;
  throw new OptionsError('BAD_OPTION', `${path}: expected ${expected}, got ${describe(value)}`, {
    path, expected, received: describe(value),
  });
}

function unknownKeys(object: object, known: readonly string[], path: string): void {
  rejectUnknownKeys(object, known, path, OptionsError, 'UNKNOWN_OPTION', 'option');
}

function inRange(value: unknown, key: string, expected: string, ok: (v: number) => boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) fail(key, expected, value);
  return value as number;
}

/**
 * An optional option: undefined takes the default. null is not a value the API documents, so
 * `{ seed: null }`-style options are errors, not defaults.
 */
function given<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

const OPTIMIZER_KEYS: Record<OptimizerName, readonly string[]> = {
  sgd: ['name'],
  momentum: ['name', 'momentum', 'nesterov'],
  adam: ['name', 'beta1', 'beta2', 'epsilon'],
};
const unitInterval = (v: number) => v >= 0 && v < 1;

/** The one place a ValidOptimizer is built: its JSON (key order included) is the optimizer's identity in saved models. */
function makeOptimizer(id: number, momentum: number, nesterov: boolean, beta1: number, beta2: number, epsilon: number): ValidOptimizer {
  return { id, momentum, nesterov, beta1, beta2, epsilon };
}

function validateOptimizer(spec: OptimizerSpec): ValidOptimizer {
  const o: unknown = typeof spec === 'string' ? { name: spec } : spec;
  const name = (o as { name?: unknown } | null)?.name;
  if (o === null || typeof o !== 'object' || Array.isArray(o) || !isName(name, OPTIMIZERS)) {
    const received = typeof spec === 'string' || o === null || typeof o !== 'object' ? spec : name;
    const hint = didYouMean(received, OPTIMIZERS);
    throw new OptionsError('UNKNOWN_OPTIMIZER', `options.optimizer: unknown optimizer ${describe(received)}; expected one of ${OPTIMIZERS.join(', ')}${hint}`, {
      path: 'options.optimizer', expected: `one of ${OPTIMIZERS.join(', ')}`, received: describe(received),
    });
  }
  unknownKeys(o, OPTIMIZER_KEYS[name], 'options.optimizer');
  const r = o as { momentum?: unknown; nesterov?: unknown; beta1?: unknown; beta2?: unknown; epsilon?: unknown };
  const nesterov = given(r.nesterov, false);
  if (typeof nesterov !== 'boolean') fail('optimizer.nesterov', 'true or false', nesterov);
  return makeOptimizer(
    OPTIMIZER_ID[name],
    inRange(given(r.momentum, 0.9), 'optimizer.momentum', 'a number in [0, 1)', unitInterval),
    nesterov as boolean,
    inRange(given(r.beta1, 0.9), 'optimizer.beta1', 'a number in [0, 1)', unitInterval),
    inRange(given(r.beta2, 0.999), 'optimizer.beta2', 'a number in [0, 1)', unitInterval),
    inRange(given(r.epsilon, 1e-8), 'optimizer.epsilon', 'a positive finite number', (v) => v > 0),
  );
}

/**
 * Reads the optimizer key a saved model stores (`JSON.stringify` of a ValidOptimizer, or '' before any
 * training). Returns the optimizer, null for '', or a description of what is wrong: the key must be
 * exactly what a fit with valid options writes.
 */
export function parseOptimizerKey(key: string): ValidOptimizer | null | { error: string } {
  if (key === '') return null;
  let o: unknown;
  try {
    o = JSON.parse(key);
  } catch {
    return { error: 'text that is not JSON' };
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return { error: 'text that is not an optimizer object' };
  const r = o as Record<string, unknown>;
  const ids = Object.values(OPTIMIZER_ID) as number[];
  const unit = (v: unknown) => typeof v === 'number' && v >= 0 && v < 1;
  if (!ids.includes(r.id as number)) return { error: `an unknown optimizer id ${describe(r.id)}` };
  if (!unit(r.momentum) || !unit(r.beta1) || !unit(r.beta2)) return { error: 'momentum, beta1 or beta2 outside [0, 1)' };
  if (typeof r.epsilon !== 'number' || !(r.epsilon > 0) || !Number.isFinite(r.epsilon)) return { error: `epsilon ${describe(r.epsilon)}` };
  if (typeof r.nesterov !== 'boolean') return { error: `nesterov ${describe(r.nesterov)}` };
  const valid = makeOptimizer(r.id as number, r.momentum as number, r.nesterov, r.beta1 as number, r.beta2 as number, r.epsilon);
  if (JSON.stringify(valid) !== key) return { error: 'an optimizer object with other fields or in another form' };
  return valid;
}

/** The mask of `trainable` names (`"1.b"`, `"0.W"`) over the flat parameter layout. */
function trainableMask(spec: ValidSpec, trainable: unknown): Float64Array {
  const mask = new Float64Array(spec.paramCount);
  if (trainable === undefined) return mask.fill(1);
  const valid = spec.layers.flatMap((_, l) => [`${l}.W`, `${l}.b`]);
  if (!Array.isArray(trainable) || trainable.length === 0) fail('trainable', `a non-empty array of names from ${valid.join(', ')}`, trainable);
  const names = trainable as unknown[];
  names.forEach((name, i) => {
    if (typeof name !== 'string' || !valid.includes(name)) {
      throw new OptionsError('UNKNOWN_PARAMETER', `options.trainable[${i}]: unknown parameter ${describe(name)}; expected one of ${valid.join(', ')}${didYouMean(name, valid)}`, {
        path: `options.trainable[${i}]`, expected: `one of ${valid.join(', ')}`, received: describe(name),
      });
    }
  });
  let at = 0;
  spec.layers.forEach((layer, l) => {
    const weights = layer.units * layer.inputs;
    if (names.includes(`${l}.W`)) mask.fill(1, at, at + weights);
    at += weights;
    if (names.includes(`${l}.b`)) mask.fill(1, at, at + layer.units);
    at += layer.units;
  });
  return mask;
}

/** sampleWeight: an array or Float64Array of one finite weight ≥ 0 per row given; the error names the row. */
function sampleWeights(value: unknown, allRows: number): Float64Array | null {
  if (value === undefined) return null;
  const expected = `an array or Float64Array of ${allRows} weights (one per row given)`;
  if (!Array.isArray(value) && !(value instanceof Float64Array)) fail('sampleWeight', expected, value);
  const list = value as ArrayLike<unknown>;
  if (list.length !== allRows) fail('sampleWeight', expected, value);
  const weights = new Float64Array(allRows);
  for (let r = 0; r < allRows; r++) weights[r] = inRange(list[r], `sampleWeight[${r}]`, 'a finite number ≥ 0', (v) => v >= 0);
  return weights;
}

/** Checks every option; `allRows` is the number of rows given (before a validation split). */
export function validateFitOptions(options: TrainerOptions, allRows: number, spec: ValidSpec): ValidFitOptions {
  if (options === null || typeof options !== 'object') fail('', 'an object of options', options);
  unknownKeys(options, KNOWN, 'options');
  const validationSplit = options.validationSplit === undefined ? 0 : inRange(options.validationSplit, 'validationSplit', 'a number strictly between 0 and 1', (v) => v > 0 && v < 1);
  if (validationSplit > 0 && options.validationData !== undefined) {
    fail('validationData', 'either validationData or validationSplit, not both', 'both');
  }
  if (options.validationData !== undefined && (!Array.isArray(options.validationData) || options.validationData.length !== 2)) {
    fail('validationData', 'a pair [X, Y]', options.validationData);
  }
  const held = Math.round(allRows * validationSplit);
  if (validationSplit > 0 && (held < 1 || held >= allRows)) {
    fail('validationSplit', `a fraction that leaves at least one row on each side of ${allRows} rows`, validationSplit);
  }
  const rows = allRows - held;
  const epochs = given<unknown>(options.epochs, 1);
  if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 0) fail('epochs', 'a non-negative integer', epochs);
  const batchSize = given<unknown>(options.batchSize, Math.min(32, rows));
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > rows) {
    fail('batchSize', `an integer from 1 to ${rows} (the number of training rows)`, batchSize);
  }
  const optimizer = validateOptimizer(given(options.optimizer, 'sgd'));
  const learningRate = inRange(given(options.learningRate, optimizer.id === OPTIMIZER_ID.adam ? 0.001 : 0.01), 'learningRate', 'a positive finite number', (v) => v > 0);
  const boolean = (key: string, value: unknown, fallback: boolean): boolean => {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') fail(key, 'true or false', value);
    return value as boolean;
  };
  const shuffle = boolean('shuffle', options.shuffle, true);
  const restoreBest = boolean('restoreBest', options.restoreBest, true);
  const weightDecay = inRange(given(options.weightDecay, 0), 'weightDecay', 'a non-negative finite number', (v) => v >= 0);
  const l1 = inRange(given(options.l1, 0), 'l1', 'a non-negative finite number', (v) => v >= 0);
  const sampleWeight = sampleWeights(options.sampleWeight, allRows);
  const stepBelow = options.stepBelow === undefined ? 0 : inRange(options.stepBelow, 'stepBelow', 'a positive finite number', (v) => v > 0);
  const lossBelow = options.lossBelow === undefined ? -Infinity : inRange(options.lossBelow, 'lossBelow', 'a finite number', () => true);
  const patience = options.patience === undefined ? 0 : inRange(options.patience, 'patience', 'a positive integer', (v) => Number.isInteger(v) && v > 0);
  const timeout = options.timeout === undefined ? Infinity : inRange(options.timeout, 'timeout', 'a positive number of milliseconds', (v) => v > 0);
  const stepsPerEpoch = Math.ceil(rows / batchSize);
  const progressEvery = options.progressEvery === undefined ? stepsPerEpoch : inRange(options.progressEvery, 'progressEvery', 'a positive integer', (v) => Number.isInteger(v) && v > 0);
  for (const key of ['onEpochEnd', 'onProgress'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') fail(key, 'a function', options[key]);
  }
  const signal = options.signal;
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof (signal as AbortSignal).aborted !== 'boolean')) {
    fail('signal', 'an AbortSignal', signal);
  }
  const onDiverge = given<unknown>(options.onDiverge, 'throw');
  if (onDiverge !== 'throw' && onDiverge !== 'stop') fail('onDiverge', `"throw" or "stop"${didYouMean(onDiverge, ['throw', 'stop'])}`, onDiverge);
  if (options.normalize !== undefined) parseNormalizationSpec(options.normalize, 'options.normalize', OptionsError);
  const schedule = options.schedule === undefined ? null : validateSchedule(options.schedule);
  return {
    epochs, batchSize, learningRate, shuffle, optimizer, weightDecay, l1, sampleWeight, mask: trainableMask(spec, options.trainable),
    stepBelow, lossBelow, validationSplit, patience, restoreBest, timeout, progressEvery, onDiverge, schedule,
  };
}

export interface ValidGradCheckOptions {
  epsilon: number;
  tolerance: number;
  absoluteTolerance: number;
}

const GRADCHECK_KEYS = ['epsilon', 'tolerance', 'absoluteTolerance'];

/** Checks gradCheck's options: known keys only, epsilon and tolerance > 0, absoluteTolerance ≥ 0, all finite. */
export function validateGradCheckOptions(options: unknown): ValidGradCheckOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) fail('', 'an object { epsilon?, tolerance?, absoluteTolerance? }', options);
  unknownKeys(options as object, GRADCHECK_KEYS, 'options');
  const o = options as { epsilon?: unknown; tolerance?: unknown; absoluteTolerance?: unknown };
  const positive = (key: 'epsilon' | 'tolerance') => inRange(given(o[key], 1e-6), key, 'a positive finite number', (v) => v > 0);
  return {
    epsilon: positive('epsilon'),
    tolerance: positive('tolerance'),
    absoluteTolerance: inRange(given(o.absoluteTolerance, 1e-9), 'absoluteTolerance', 'a finite number ≥ 0', (v) => v >= 0),
  };
}
