// A model: a validated spec, the plan of its memory and the engine that computes on it.
// Every public method validates its input completely before it writes anything, so a failed call
// leaves the model exactly as it was.
import type { Engine } from '../engine/engine.js';
import { loss_scale } from '../engine/ts/losses.js';
import { H, HF, LOSS_ID, TRAIN_STATUS } from '../layout/abi.js';
import { LOSS_LOG_CAPACITY, computePlan, type Plan } from '../layout/plan.js';
import { readRegion, readRng, readSlot, resetOptimizerState, writeIdentityOrder, writeRng, writeRows, writeTraining } from '../layout/pack.js';
import { seedState } from '../train/rng.js';
import { validateFitOptions, type FitOptions } from '../train/options.js';
import { yieldToEventLoop } from '../train/yield.js';
import { checkSameRows, toMatrix, toNested, type Matrix, type MatrixInput } from '../data/dataset.js';
import { Scaler, parseScalerSpec, type NormalizationSpec } from '../data/normalize.js';
import { DataError, FormatError, OptionsError, TrainingError, WasmlpError, describe } from '../errors.js';
import type { LayerParams, ValidSpec } from '../spec/types.js';
import { flatToParams, paramName, paramsToFlat } from './params.js';
import { FORMAT, FORMAT_VERSION, decodeFloat64, encodeFloat64, formatError, type ModelJSON } from './serialize.js';
import { toONNX, type ToONNXOptions } from '../onnx/export.js';

/** Rows per forward call when predicting or evaluating a loss: bounds memory for large data. */
const CHUNK_ROWS = 1024;

export interface LayerTrace<T> {
  /** Pre-activations z = W a_in + b, one row per sample. */
  z: T;
  /** Activations a = f(z). */
  a: T;
  /** dL/dz. */
  delta: T;
}

export interface GradientsResult {
  loss: number;
  /** dL/dθ in the parameter layout `[{ W: [units][inputs], b: [units] }]`. */
  grads: LayerParams[];
  /** dL/dθ flat: layer 0 W row by row, layer 0 b, layer 1 W, … */
  gradsFlat: Float64Array;
  /** The network's output for each row. */
  output: number[][];
  layers: LayerTrace<number[][]>[];
}

export interface GradCheckOptions {
  /** Relative step: h = epsilon · max(1, |θ|). Default 1e-6. */
  epsilon?: number;
  /** Largest relative error that passes. Default 1e-6. */
  tolerance?: number;
  /**
   * Differences |numeric − analytic| up to this pass whatever the gradient's size. Default 1e-9:
   * about what a float64 central difference at h = 1e-6 resolves on losses and logits of order 1–10.
   * The round-off floor 64 ε (|L(θ+h)| + |L(θ−h)|) / 2h applies too, when it is larger.
   */
  absoluteTolerance?: number;
}

export interface GradCheckReport {
  passed: boolean;
  /**
   * max over parameters of |numeric − analytic| / max(|numeric|, |analytic|), where a difference
   * within the absolute floor (absoluteTolerance, or the round-off of the central difference when
   * larger) counts as 0. `passed` is maxRelativeError ≤ tolerance.
   */
  maxRelativeError: number;
  worst: { index: number; name: string; layer: number; tensor: 'W' | 'b'; row: number; col: number; analytic: number; numeric: number };
  checked: number;
}

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

/** Rounding error of a loss, in units of its last place, that gradCheck's central difference tolerates. */
const GRADCHECK_NOISE_ULPS = 64;

/** The shuffler's stream is distinct from the initializer's: seeded by the model seed xor this constant. */
const SHUFFLE_STREAM = 0x5bd1e995;

export class Model {
  readonly spec: ValidSpec;
  private readonly engine: Engine;
  private plan: Plan;
  private disposed = false;
  /** The optimizer configuration the state (moments, Adam's t) belongs to; a different one starts afresh. */
  private optimizerKey = '';
  /** Fitted scalers: inputs are scaled before the network, outputs mapped back to target units. */
  private scalers: { inputs?: Scaler; targets?: Scaler } = {};

  constructor(spec: ValidSpec, engine: Engine, params: Float64Array) {
    this.spec = spec;
    this.engine = engine;
    this.plan = computePlan(spec, { batch: 1, rows: 1 }, engine.base);
    engine.bind(this.plan);
    this.engine.f64.set(params, this.plan.params >> 3);
    writeRng(this.plan, this.engine, seedState((spec.seed ^ SHUFFLE_STREAM) >>> 0));
    resetOptimizerState(this.plan, this.engine);
  }

  /** Which engine computes: `wasm` or `ts`. */
  get engineKind(): 'wasm' | 'ts' {
    return this.engine.kind;
  }

  get inputs(): number {
    return this.spec.inputs;
  }

  get outputs(): number {
    return this.spec.outputs;
  }

  /** Grows the arena (once) so that `batch` rows of activations and `rows` rows of data fit. */
  private reserve(batch: number, rows: number, validation = 0): Plan {
    this.assertAlive();
    const plan = this.plan;
    if (plan.batchCapacity >= batch && plan.rowCapacity >= rows && plan.validationCapacity >= validation) return plan;
    const capacity = {
      batch: Math.max(batch, plan.batchCapacity),
      rows: Math.max(rows, plan.rowCapacity),
      validation: Math.max(validation, plan.validationCapacity),
    };
    this.plan = computePlan(this.spec, capacity, this.engine.base);
    this.engine.bind(this.plan);
    return this.plan;
  }

  private assertAlive(): void {
    if (this.disposed) throw new OptionsError('DISPOSED', 'this model was disposed; create or load a new one', { expected: 'a live model', received: 'a disposed model' });
  }

  /** The network's outputs for the rows of X: number[][] for nested input, a flat Float64Array for flat input. */
  forward(X: Float64Array | { data: Float64Array; rows: number }): Float64Array;
  forward(X: readonly (readonly number[])[]): number[][];
  forward(X: MatrixInput): number[][] | Float64Array;
  forward(X: MatrixInput): number[][] | Float64Array {
    const x = this.scaled(toMatrix(X, this.spec.inputs, 'X'), this.scalers.inputs);
    const scaledOut = this.forwardPacked(x);
    const out = this.scalers.targets ? this.scalers.targets.inverse(scaledOut) : scaledOut;
    return x.nested ? toNested(out, x.rows, this.spec.outputs) : out;
  }

  private scaled(m: Matrix, scaler: Scaler | undefined): Matrix {
    return scaler ? { ...m, data: scaler.transform(m.data) } : m;
  }

  /**
   * Fits scalers on (X, Y) and attaches them: from then on every method takes X and Y in their own
   * units (inputs are scaled before the network, targets before the loss) and predict returns
   * outputs in target units. `{ inputs: 'minMax' }`, `{ targets: { kind: 'minMax', range: [-1, 1] } }`,
   * `'standardize'`. Scalers travel with toJSON. gradients() reports the network's own (scaled) values.
   */
  setNormalization(X: MatrixInput, Y: MatrixInput | null, spec: NormalizationSpec): void {
    if (spec === null || typeof spec !== 'object') parseScalerSpec(spec, 'normalization');
    const inputs = spec.inputs === undefined ? undefined : parseScalerSpec(spec.inputs, 'normalization.inputs');
    const targets = spec.targets === undefined ? undefined : parseScalerSpec(spec.targets, 'normalization.targets');
    const x = toMatrix(X, this.spec.inputs, 'X');
    const next: { inputs?: Scaler; targets?: Scaler } = {};
    if (inputs) next.inputs = Scaler.fit(x.data, x.rows, x.cols, inputs.kind, inputs.range);
    if (targets) {
      if (Y === null) throw new DataError('EMPTY_DATA', 'Y: target normalization needs the targets', { path: 'Y', expected: 'the training targets', received: 'null' });
      const y = toMatrix(Y, this.spec.outputs, 'Y');
      checkSameRows(x, y);
      next.targets = Scaler.fit(y.data, y.rows, y.cols, targets.kind, targets.range);
    }
    this.scalers = next;
  }

  /** The attached scalers' settings and statistics (JSON form), if any. */
  getNormalization(): { inputs?: ReturnType<Scaler['toJSON']>; targets?: ReturnType<Scaler['toJSON']> } {
    return { inputs: this.scalers.inputs?.toJSON(), targets: this.scalers.targets?.toJSON() };
  }

  /** Same as forward. */
  predict(X: Float64Array | { data: Float64Array; rows: number }): Float64Array;
  predict(X: readonly (readonly number[])[]): number[][];
  predict(X: MatrixInput): number[][] | Float64Array;
  predict(X: MatrixInput): number[][] | Float64Array {
    return this.forward(X as MatrixInput) as number[][] | Float64Array;
  }

  private forwardPacked(x: Matrix): Float64Array {
    const K = this.spec.outputs;
    const chunk = Math.min(x.rows, CHUNK_ROWS);
    const plan = this.reserve(chunk, chunk);
    const last = plan.layers[plan.layers.length - 1];
    const out = new Float64Array(x.rows * K);
    for (let from = 0; from < x.rows; from += chunk) {
      const rows = Math.min(chunk, x.rows - from);
      writeRows(this.engine.f64, plan.x, x.data, from, rows, x.cols);
      this.engine.forward(rows, plan.x);
      out.set(this.engine.f64.subarray(last.a >> 3, (last.a >> 3) + rows * K), from * K);
    }
    return out;
  }

  /** The loss of the model on (X, Y), as the spec's loss defines it. */
  loss(X: MatrixInput, Y: MatrixInput): number {
    const { x, y } = this.pair(X, Y);
    return this.lossPacked(x, y);
  }

  private pair(X: MatrixInput, Y: MatrixInput): { x: Matrix; y: Matrix } {
    const { x, y } = this.rawPair(X, Y);
    return { x: this.scaled(x, this.scalers.inputs), y: this.scaled(y, this.scalers.targets) };
  }

  /** Checked and packed, not scaled: a flat Float64Array input is used as it is, not copied. */
  private rawPair(X: MatrixInput, Y: MatrixInput): { x: Matrix; y: Matrix } {
    const x = toMatrix(X, this.spec.inputs, 'X');
    const y = toMatrix(Y, this.spec.outputs, 'Y');
    checkSameRows(x, y);
    return { x, y };
  }

  private lossPacked(x: Matrix, y: Matrix): number {
    const chunk = Math.min(x.rows, CHUNK_ROWS);
    const plan = this.reserve(chunk, chunk);
    let sum = 0;
    for (let from = 0; from < x.rows; from += chunk) {
      const rows = Math.min(chunk, x.rows - from);
      writeRows(this.engine.f64, plan.x, x.data, from, rows, x.cols);
      writeRows(this.engine.f64, plan.y, y.data, from, rows, y.cols);
      sum += this.engine.lossSum(rows, plan.x, plan.y);
    }
    return sum * loss_scale(LOSS_ID[this.spec.loss], x.rows, this.spec.outputs);
  }

  /** Loss, gradients and every layer's z, a and delta = dL/dz on (X, Y), by backpropagation. */
  gradients(X: MatrixInput, Y: MatrixInput): GradientsResult {
    const { x, y } = this.pair(X, Y);
    const { loss, gradsFlat } = this.gradientsPacked(x, y);
    const plan = this.plan;
    const N = x.rows;
    const f64 = this.engine.f64;
    const layers = plan.layers.map((layer) => ({
      z: toNested(readRegion(f64, layer.z, N * layer.units), N, layer.units),
      a: toNested(readRegion(f64, layer.a, N * layer.units), N, layer.units),
      delta: toNested(readRegion(f64, layer.delta, N * layer.units), N, layer.units),
    }));
    return { loss, grads: flatToParams(this.spec, gradsFlat), gradsFlat, output: layers[layers.length - 1].a, layers };
  }

  private gradientsPacked(x: Matrix, y: Matrix): { loss: number; gradsFlat: Float64Array } {
    const plan = this.reserve(x.rows, x.rows);
    writeRows(this.engine.f64, plan.x, x.data, 0, x.rows, x.cols);
    writeRows(this.engine.f64, plan.y, y.data, 0, y.rows, y.cols);
    const loss = this.engine.gradients(x.rows, plan.x, plan.y) * loss_scale(LOSS_ID[this.spec.loss], x.rows, this.spec.outputs);
    return { loss, gradsFlat: readRegion(this.engine.f64, plan.grads, this.spec.paramCount) };
  }

  /**
   * Trains by mini-batch gradient descent with the chosen optimizer; returns the history. The loop
   * (shuffle, forward, backward, update, stop rules) runs inside the engine, one call per chunk; the
   * data are copied in once per fit call. The optimizer's state carries over to the next fit call
   * with the same optimizer settings and starts afresh when they change.
   * A non-finite loss or update puts the model back to the last chunk boundary whose loss was finite
   * (with per-epoch chunks: the start of the last epoch that trained on a finite loss) and throws a TrainingError, or stops with 'diverged' (onDiverge).
   * Any other failure (bad options, a throwing callback) leaves the model as it was before the call.
   */
  fit(X: MatrixInput, Y: MatrixInput, options: FitOptions = {}): FitHistory {
    const run = this.training(X, Y, options, false);
    let step = run.next();
    while (!step.done) step = run.next();
    return step.value;
  }

  /** Like fit, but yields to the event loop between chunks (every `progressEvery` updates), so a page stays responsive. */
  async fitAsync(X: MatrixInput, Y: MatrixInput, options: FitOptions = {}): Promise<FitHistory> {
    const run = this.training(X, Y, options, true);
    let step = run.next();
    while (!step.done) {
      await yieldToEventLoop();
      step = run.next();
    }
    return step.value;
  }

  private *training(X: MatrixInput, Y: MatrixInput, options: FitOptions, yielding: boolean): Generator<void, FitHistory> {
    const started = performance.now();
    const scalersBefore = this.scalers;
    if (options !== null && typeof options === 'object' && options.normalize !== undefined) {
      if (this.scalers.inputs || this.scalers.targets) {
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
      all = this.rawPair(X, Y);
      o = validateFitOptions(options, all.x.rows, this.spec);
      if (options.normalize !== undefined) {
        // Fit the scalers on the training rows only: held-out validation rows must not leak into
        // them (validationSplit holds out the last rows, before shuffling).
        const train = all.x.rows - Math.round(all.x.rows * o.validationSplit);
        const head = (m: Matrix) => ({ data: m.data.subarray(0, train * m.cols), rows: train });
        this.setNormalization(head(all.x), options.normalize.targets === undefined ? null : head(all.y), options.normalize);
      }
    } catch (error) {
      this.scalers = scalersBefore;
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
      validation = this.rawPair(options.validationData[0], options.validationData[1]);
    }
    const plan = this.reserve(o.batchSize, rows, validation?.x.rows ?? 0);
    const fixedBytes = plan.fixedEnd - plan.params;
    const snapshot = (): Uint8Array => new Uint8Array(this.engine.f64.buffer.slice(plan.params, plan.fixedEnd));
    const restore = (bytes: Uint8Array): void => new Uint8Array(this.engine.f64.buffer, plan.params, fixedBytes).set(bytes);
    const before = snapshot();
    const keyBefore = this.optimizerKey;
    try {
      const key = JSON.stringify(o.optimizer);
      if (key !== this.optimizerKey) {
        resetOptimizerState(plan, this.engine);
        this.optimizerKey = key;
      }
      const f64 = this.engine.f64;
      const { inputs, targets } = this.scalers;
      writeRows(f64, plan.x, all.x.data, 0, rows, all.x.cols, inputs);
      writeRows(f64, plan.y, all.y.data, 0, rows, all.y.cols, targets);
      if (validation) {
        writeRows(f64, plan.validationX, validation.x.data, 0, validation.x.rows, validation.x.cols, inputs);
        writeRows(f64, plan.validationY, validation.y.data, 0, validation.y.rows, validation.y.cols, targets);
      }
      writeIdentityOrder(plan, this.engine, rows);
      const K = this.spec.outputs;
      const lossId = LOSS_ID[this.spec.loss];
      writeTraining(plan, this.engine, { ...o, rows, lossScale: loss_scale(lossId, rows, K) });

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
        const status = this.engine.trainEpochs(Math.min(perEpoch ? 1 : LOSS_LOG_CAPACITY, o.epochs - history.epochs), maxSteps);
        const completed = readSlot(plan, this.engine, H.EPOCHS_DONE);
        history.steps += readSlot(plan, this.engine, H.STEPS_DONE);
        history.lastStep = this.engine.f64[(plan.header >> 3) + HF.LAST_STEP];
        if (status === TRAIN_STATUS.NON_FINITE_LOSS || status === TRAIN_STATUS.NON_FINITE_STEP) {
          const epoch = history.epochs + completed;
          const step = readSlot(plan, this.engine, H.FAILED_STEP);
          // a loss that is non-finite at the chunk's very first batch condemns the chunk's start too
          const startFailed = status === TRAIN_STATUS.NON_FINITE_LOSS && readSlot(plan, this.engine, H.STEPS_DONE) === 0;
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
          const seen = partial ? readSlot(plan, this.engine, H.ROWS_SEEN) : rows;
          const loss = this.engine.f64[log + e] * loss_scale(lossId, seen, K);
          history.loss.push(loss);
          const logs: { loss: number; valLoss?: number } = { loss };
          if (validation) {
            logs.valLoss = this.validationLoss(plan, validation.x.rows);
            history.valLoss!.push(logs.valLoss);
          }
          const epoch = history.epochs++;
          if (o.patience > 0) {
            const monitored = logs.valLoss ?? loss;
            if (monitored < best) {
              best = monitored;
              bestEpoch = epoch;
              if (o.restoreBest) bestParams = this.getParamsFlat();
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
        this.engine.f64.set(bestParams, plan.params >> 3);
        history.bestEpoch = bestEpoch;
      }
      history.timeMs = performance.now() - started;
      if (diverged !== null && o.onDiverge === 'throw') throw diverged;
      return history;
    } catch (error) {
      if (!(error instanceof TrainingError)) {
        restore(before);
        this.optimizerKey = keyBefore;
        this.scalers = scalersBefore;
      }
      throw error;
    }
  }

  /** The loss on the validation rows held in the plan, in chunks of the batch capacity. */
  private validationLoss(plan: Plan, rows: number): number {
    const { inputs, outputs } = this.spec;
    let sum = 0;
    for (let from = 0; from < rows; from += plan.batchCapacity) {
      const count = Math.min(plan.batchCapacity, rows - from);
      sum += this.engine.lossSum(count, plan.validationX + from * inputs * 8, plan.validationY + from * outputs * 8);
    }
    return sum * loss_scale(LOSS_ID[this.spec.loss], rows, outputs);
  }

  /** Parameters as `[{ W: [units][inputs], b: [units] }]` (copies). */
  getParams(): LayerParams[] {
    return flatToParams(this.spec, this.getParamsFlat());
  }

  /** Parameters as one flat Float64Array (a copy), in the layout's order. */
  getParamsFlat(): Float64Array {
    this.assertAlive();
    return readRegion(this.engine.f64, this.plan.params, this.spec.paramCount);
  }

  /** Replaces every parameter; validated completely first (ParamsError), so a bad call changes nothing. */
  setParams(params: readonly LayerParams[] | Float64Array): void {
    this.assertAlive();
    const flat = paramsToFlat(this.spec, params);
    this.engine.f64.set(flat, this.plan.params >> 3);
  }

  /**
   * Checks backpropagation against central differences of the loss, parameter by parameter:
   * numeric = (L(θ + h) − L(θ − h)) / 2h with h = epsilon · max(1, |θ|). Parameters are restored bit for bit.
   */
  gradCheck(X: MatrixInput, Y: MatrixInput, options: GradCheckOptions = {}): GradCheckReport {
    if (options === null || typeof options !== 'object') {
      throw new OptionsError('BAD_OPTION', `options: expected an object { epsilon?, tolerance?, absoluteTolerance? }, got ${describe(options)}`, {
        path: 'options', expected: 'an object { epsilon?, tolerance?, absoluteTolerance? }', received: describe(options),
      });
    }
    const epsilon = options.epsilon === undefined ? 1e-6 : options.epsilon;
    const tolerance = options.tolerance === undefined ? 1e-6 : options.tolerance;
    const absoluteTolerance = options.absoluteTolerance === undefined ? 1e-9 : options.absoluteTolerance;
    for (const [key, value] of [['epsilon', epsilon], ['tolerance', tolerance]] as const) {
      if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
        throw new OptionsError('BAD_OPTION', `options.${key}: expected a positive finite number, got ${describe(value)}`, {
          path: `options.${key}`, expected: 'a positive finite number', received: describe(value),
        });
      }
    }
    if (typeof absoluteTolerance !== 'number' || !(absoluteTolerance >= 0) || !Number.isFinite(absoluteTolerance)) {
      throw new OptionsError('BAD_OPTION', `options.absoluteTolerance: expected a finite number ≥ 0, got ${describe(absoluteTolerance)}`, {
        path: 'options.absoluteTolerance', expected: 'a finite number ≥ 0', received: describe(absoluteTolerance),
      });
    }
    const { x, y } = this.pair(X, Y);
    const analytic = this.gradientsPacked(x, y).gradsFlat;
    const params = this.plan.params >> 3;
    let worst = { index: 0, relative: -1, analytic: 0, numeric: 0 };
    for (let i = 0; i < this.spec.paramCount; i++) {
      const f64 = this.engine.f64;
      const theta = f64[params + i];
      const h = epsilon * Math.max(1, Math.abs(theta));
      f64[params + i] = theta + h;
      const plus = this.lossPacked(x, y);
      this.engine.f64[params + i] = theta - h;
      const minus = this.lossPacked(x, y);
      this.engine.f64[params + i] = theta;
      const numeric = (plus - minus) / (2 * h);
      // The central difference carries the rounding error of the two losses divided by 2h: a
      // difference below that floor is agreement, whatever the gradient's size. Without it, a
      // gradient near 0 (a trained model's) fails on round-off alone.
      const noise = (GRADCHECK_NOISE_ULPS * Number.EPSILON * (Math.abs(plus) + Math.abs(minus))) / (2 * h);
      const difference = Math.abs(numeric - analytic[i]);
      const error = difference <= Math.max(absoluteTolerance, noise) ? 0 : difference / Math.max(Math.abs(numeric), Math.abs(analytic[i]));
      // a non-finite loss or gradient can never pass: NaN counts as an infinite error
      const relative = Number.isNaN(error) ? Infinity : error;
      if (relative > worst.relative) worst = { index: i, relative, analytic: analytic[i], numeric };
    }
    const where = paramName(this.spec, worst.index);
    return {
      passed: worst.relative <= tolerance,
      maxRelativeError: worst.relative,
      worst: { index: worst.index, name: where.name, layer: where.layer, tensor: where.tensor, row: where.row, col: where.col, analytic: worst.analytic, numeric: worst.numeric },
      checked: this.spec.paramCount,
    };
  }

  /**
   * The model as JSON-ready data: spec, parameters (exact float64), scalers and, unless
   * `{ training: false }`, the optimizer and shuffler state, so a reloaded model predicts
   * bit-identically and resumes training exactly where it stopped.
   */
  toJSON(options: { training?: boolean } = {}): ModelJSON {
    this.assertAlive();
    const plan = this.plan;
    const spec = this.spec;
    const json: ModelJSON = {
      format: FORMAT,
      version: FORMAT_VERSION,
      spec: {
        inputs: spec.inputs,
        layers: spec.layers.map((l) => (l.activation === 'leaky_relu' ? { units: l.units, activation: l.activation, slope: l.slope } : { units: l.units, activation: l.activation })),
        loss: spec.loss,
        plainLoss: spec.plainLoss,
        seed: spec.seed,
        init: spec.init,
      },
      params: encodeFloat64(this.getParamsFlat()),
    };
    if (this.scalers.inputs || this.scalers.targets) json.scalers = this.getNormalization();
    if (options?.training !== false) {
      const P = spec.paramCount;
      json.training = {
        optimizer: this.optimizerKey,
        moments: encodeFloat64(readRegion(this.engine.f64, plan.m, 2 * P)),
        scalars: Array.from(readRegion(this.engine.f64, plan.optScalars, 3)),
        rng: Array.from(readRng(plan, this.engine)),
      };
    }
    return json;
  }

  /** The model as an ONNX file (opset 17, float64, scalers included): see src/onnx/export.ts. */
  toONNX(options: ToONNXOptions = {}): Uint8Array {
    this.assertAlive();
    return toONNX(this, options);
  }

  /** @internal Puts saved scalers and training state into a freshly created model (loadModel). */
  restoreSaved(json: ModelJSON): void {
    const scalers: { inputs?: Scaler; targets?: Scaler } = {};
    const widths = { inputs: this.spec.inputs, targets: this.spec.outputs };
    for (const side of ['inputs', 'targets'] as const) {
      const saved = json.scalers?.[side];
      if (saved === undefined) continue;
      let scaler: Scaler;
      try {
        scaler = Scaler.fromJSON(saved, `scalers.${side}`);
      } catch (error) {
        // a broken scaler in a saved model is a broken file, like any other field of it
        if (!(error instanceof WasmlpError)) throw error;
        throw new FormatError(error.code, error.message, { path: error.path, expected: error.expected, received: error.received, cause: error });
      }
      if (scaler.columns !== widths[side]) throw formatError(`scalers.${side}.a`, `${widths[side]} columns`, `${scaler.columns} columns`);
      scalers[side] = scaler;
    }
    const P = this.spec.paramCount;
    const moments = json.training ? decodeFloat64(json.training.moments, 2 * P, 'training.moments') : null;
    // everything is decoded and checked: now write
    this.scalers = scalers;
    if (json.training && moments) {
      this.engine.f64.set(moments, this.plan.m >> 3);
      this.engine.f64.set(json.training.scalars, this.plan.optScalars >> 3);
      writeRng(this.plan, this.engine, Uint32Array.from(json.training.rng));
      this.optimizerKey = json.training.optimizer;
    }
  }

  /** Frees the model's memory; any later call throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.dispose();
  }
}
