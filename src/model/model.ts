// A model: a validated spec, the plan of its memory and the engine that computes on it.
// Every public method validates its input completely before it writes anything, so a failed call
// leaves the model exactly as it was.
import type { Engine } from '../engine/engine.js';
import { loss_scale } from '../layout/loss-scale.js';
import { LOSS_ID } from '../layout/abi.js';
import type { Plan } from '../layout/plan.js';
import { chunkRows, reservePlan } from '../layout/budget.js';
import { readRegion, readRng, resetOptimizerState, writeRng, writeRows } from '../layout/pack.js';
import { seedState } from '../layout/rng.js';
import { validateGradCheckOptions, type FitOptions, type TrainerOptions } from '../train/options.js';
import type { ScheduleState } from '../train/schedule.js';
import { yieldToEventLoop } from '../train/yield.js';
import { fitAsync, fitSync, type FitHistory, type TrainingHost } from '../train/trainer.js';
import { checkSameRows, firstNonFinite, nonFinite, toMatrix, toNested, type Matrix, type MatrixInput } from '../data/dataset.js';
import { Scaler, parseNormalizationSpec, type NormalizationSpec } from '../data/normalize.js';
import { DataError, EngineError, OptionsError, TrainingError, WasmlpError, describe } from '../errors.js';
import type { LayerParams, ValidSpec } from '../spec/types.js';
import { NO_NAMES, validateNames, type Label, type ModelNames } from '../spec/labels.js';
import { rejectUnknownKeys } from '../spec/names.js';
import { isLabelArray } from '../data/labels.js';
import { lossInTargetUnits, lossUnits, type LossOptions } from './loss-units.js';
import { flatToParams, paramName, paramsToFlat } from './params.js';
import { NO_METADATA, encodeModel, validateSaveOptions, type ModelJSON, type ModelMetadata, type ModelState } from './serialize.js';
import { saveTarget, writeModelText } from './storage.js';
import { asyncOptions, gradCheckSteps, runToEnd, type GradCheckAsyncOptions, type GradCheckOptions, type GradCheckProbe, type GradCheckReport } from './gradcheck.js';
import { classesFromLabels, evaluate, predictClasses, predictProba, rowClasses, targetRows, type Evaluation, type Targets } from './classify.js';
import { fitStream } from '../stream/fit-stream.js';
import type { FitStreamOptions } from '../stream/options.js';
import { scalersFromStream } from '../stream/moments.js';
import { evaluateStream, predictStream, type PredictStreamOptions, type ScoreView } from '../stream/score.js';
import type { StreamHost } from '../stream/host.js';
import type { StreamPosition } from '../stream/position.js';
import type { ChunkSource } from '../stream/source.js';
import { allocateTraces, gradientsResult, traceMode, type GradientsOptions, type GradientsResult, type GradientsWithFlatTraces, type GradientsWithTraces, type LayerTrace } from './gradients.js';

export type { FitHistory, StopReason } from '../train/trainer.js';
export type { GradCheckAsyncOptions, GradCheckOptions, GradCheckReport } from './gradcheck.js';
export type { ClassifierEvaluation, Evaluation, RegressorEvaluation, Targets } from './classify.js';
export type { GradientsOptions, GradientsResult, GradientsWithFlatTraces, GradientsWithTraces, LayerTrace } from './gradients.js';

/**
 * Rows per forward call when predicting or evaluating a loss: bounds memory for large data. A loss
 * is summed per block of this many rows (each block one sequential sum, the blocks added in order),
 * whatever smaller chunks the engine memory forces inside a block.
 */
const CHUNK_ROWS = 1024;

/**
 * The finiteness check of forward/predict: the chunk's rows, once in engine memory, are scanned by
 * the engine (on its threads); only when that finds a value that is not finite are the caller's own
 * rows of the chunk searched, and the first one there is the error (a finite value that scaling
 * made infinite is not one, as before). Chunks go in order, so it is the first in the whole input.
 */
function checkChunk(engine: Engine, at: number, raw: Matrix, from: number, rows: number): void {
  if (raw.nested || engine.firstNonFinite(at, rows * raw.cols) < 0) return;
  const chunk = raw.data.subarray(from * raw.cols, (from + rows) * raw.cols);
  const bad = firstNonFinite(chunk);
  if (bad >= 0) throw nonFinite('X', from + Math.floor(bad / raw.cols), bad % raw.cols, chunk[bad]);
}

/** The shuffler's stream is distinct from the initializer's: seeded by the model seed xor this constant. */
const SHUFFLE_STREAM = 0x5bd1e995;

export class Model {
  readonly spec: ValidSpec;
  private readonly engine: Engine;
  private plan: Plan;
  private disposed = false;
  /** The training call running on this model (fit, or fitAsync between its chunks), if any. */
  private busy: { method: string; progress: { epochs: number; steps: number } } | null = null;
  /** The optimizer configuration the state (moments, Adam's t) belongs to; a different one starts afresh. */
  private optimizerKey = '';
  /** Where the learning-rate schedule of the last fit stands (src/train/schedule.ts); a fit with the same one continues it. */
  private schedule: ScheduleState | null = null;
  /** Fitted scalers: inputs are scaled before the network, outputs mapped back to target units. */
  private scalers: { inputs?: Scaler; targets?: Scaler } = {};
  private savedMetadata: ModelMetadata = NO_METADATA;
  /** What the inputs, outputs and classes are called (src/spec/labels.ts). */
  private naming: ModelNames = NO_NAMES;
  /** Where a stopped fitStream left its epoch (src/stream/position.ts), or null. */
  private streamPlace: StreamPosition | null = null;

  constructor(spec: ValidSpec, engine: Engine, params: Float64Array, names: ModelNames = NO_NAMES) {
    this.spec = spec;
    this.naming = Object.freeze({ ...names });
    this.engine = engine;
    this.plan = reservePlan(spec, engine.base, null, { batch: 1, rows: 1 });
    engine.bind(this.plan);
    this.engine.f64.set(params, this.plan.params >>> 3);
    writeRng(this.plan, this.engine, seedState((spec.seed ^ SHUFFLE_STREAM) >>> 0));
    resetOptimizerState(this.plan, this.engine);
  }

  /** Which engine computes: `wasm` or `ts`. */
  get engineKind(): 'wasm' | 'ts' {
    return this.engine.kind;
  }

  /**
   * Threads the model computes with: the spec's `threads` (default 'auto': the cores, at most 8), or 1
   * where threads cannot run (the TS engine; a browser page without cross-origin isolation; no worker
   * thread could start, or one failed). Results are the same bits for every count. Small passes stay
   * on the calling thread (src/layout/plan.ts).
   */
  get threads(): number {
    return this.engine.threads;
  }

  /**
   * Why the model computes on fewer threads than its spec asks for, in one sentence, or null when it
   * runs on what was asked (`threads: 1`; 'auto' on a machine of one core; the count asked, where
   * threads run). Read-only. Says, for example, that the page is not cross-origin isolated (and the
   * two headers that make it so), that the browser has no SharedArrayBuffer, that the TypeScript
   * engine computes on one thread, that Node.js has no process.getBuiltinModule, that a shared memory
   * could not be reserved, or that a worker failed. Results are the same bits either way.
   */
  get threadsNote(): string | null {
    return this.engine.threadsNote;
  }

  /** Resolves once the model's workers have started (the async createModel/loadModel await it). */
  threadsReady(): Promise<void> {
    return this.engine.threadsReady();
  }

  get inputs(): number {
    return this.spec.inputs;
  }

  get outputs(): number {
    return this.spec.outputs;
  }

  /** The names of the inputs, the outputs and (a classifier's) classes; null where not known. */
  get names(): ModelNames {
    return this.naming;
  }

  /** A classifier's classes in the order of its outputs (given in the spec, or the sorted labels of its first fit); null before. */
  get classes(): readonly Label[] | null {
    return this.naming.classes;
  }

  /**
   * Names the inputs (one per input column), the outputs (one per output unit) or a classifier's
   * classes (one per class, in output order); a list left out stays, null removes it. Saved with the
   * model, so the command line reads its columns by name. Checked completely first (OptionsError).
   */
  setNames(names: { inputs?: readonly string[] | null; targets?: readonly string[] | null; classes?: readonly Label[] | null }): void {
    this.assertIdle('setNames');
    if (names === null || typeof names !== 'object' || Array.isArray(names)) {
      throw new OptionsError('BAD_OPTIONS', `names: expected an object { inputs?, targets?, classes? }, got ${describe(names)}`, { path: 'names', expected: 'an object', received: describe(names) });
    }
    rejectUnknownKeys(names, ['inputs', 'targets', 'classes'], 'names', OptionsError, 'UNKNOWN_OPTION', 'option');
    const given = validateNames(names, this.spec, { inputs: 'names.inputs', targets: 'names.targets', classes: 'names.classes' }, OptionsError);
    const pick = <K extends keyof ModelNames>(key: K): ModelNames[K] => (names[key] === undefined ? this.naming[key] : given[key]);
    this.naming = Object.freeze({ inputs: pick('inputs'), targets: pick('targets'), classes: pick('classes') });
  }

  /**
   * Grows the arena (once) so that `batch` rows of activations and `rows` rows of data fit. Sizes are
   * checked first (EngineError OUT_OF_MEMORY over the 4 GiB limit, src/layout/budget.ts), and the new
   * plan is adopted only once the engine is bound to it: a refused or failed growth changes nothing.
   */
  private reserve(batch: number, rows: number, validation = 0, weights = false): Plan {
    this.assertAlive();
    const plan = reservePlan(this.spec, this.engine.base, this.plan, { batch, rows, validation, weights });
    if (plan !== this.plan) {
      this.engine.bind(plan);
      this.plan = plan;
    }
    return plan;
  }

  /** Rows per chunk (≤ want) for a call split by rows, as many as the engine memory holds. */
  private chunk(want: number, multiple = 1): number {
    this.assertAlive();
    return chunkRows(this.spec, this.engine.base, this.plan, want, multiple);
  }

  private assertAlive(): void {
    if (this.disposed) throw new EngineError('DISPOSED', 'this model was disposed; create or load a new one', { expected: 'a live model', received: 'a disposed model' });
  }

  /**
   * One training at a time: while fit or fitAsync runs (in its callbacks, or between fitAsync's
   * chunks), a call that computes on or writes the engine's memory would change what the running
   * training reads, so it throws TrainingError BUSY instead.
   */
  private assertIdle(method: string): void {
    this.assertAlive();
    const busy = this.busy;
    if (busy === null) return;
    throw new TrainingError('BUSY', `${method}: this model is training (${busy.method} is running); wait for it to finish, or stop it (signal, a callback returning false, or dispose)`, busy.progress.epochs, busy.progress.steps, {
      path: method, expected: 'a model that is not training', received: `a model inside ${busy.method}`,
    });
  }

  /** The network's outputs for the rows of X: number[][] for nested input, a flat Float64Array for flat input. */
  forward(X: Float64Array | { data: Float64Array; rows: number }): Float64Array;
  forward(X: readonly (readonly number[])[]): number[][];
  forward(X: MatrixInput): number[][] | Float64Array;
  forward(X: MatrixInput): number[][] | Float64Array {
    return this.compute(X, 'forward');
  }

  private compute(X: MatrixInput, method: string): number[][] | Float64Array {
    this.assertIdle(method);
    // a flat array's values are checked chunk by chunk in engine memory (forwardPacked)
    const raw = toMatrix(X, this.spec.inputs, 'X', false);
    const x = this.scaled(raw, this.scalers.inputs);
    const scaledOut = this.forwardPacked(x, raw);
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
    this.assertIdle('setNormalization');
    this.fitNormalization(X, Y, spec);
  }

  private fitNormalization(X: MatrixInput, Y: MatrixInput | null, spec: NormalizationSpec): void {
    const parsed = parseNormalizationSpec(spec, 'normalization');
    const x = toMatrix(X, this.spec.inputs, 'X');
    let y: Matrix | null = null;
    if (parsed.targets) {
      if (Y === null) throw new DataError('EMPTY_DATA', 'Y: target normalization needs the targets', { path: 'Y', expected: 'the training targets', received: 'null' });
      y = toMatrix(Y, this.spec.outputs, 'Y');
      checkSameRows(x, y);
    }
    this.fitScalersOn(x, y, parsed);
  }

  /** Scalers fitted on rows already checked (by fitNormalization, or by the trainer's own check of the fit's data). */
  private fitScalersOn(x: Matrix, y: Matrix | null, { inputs, targets }: ReturnType<typeof parseNormalizationSpec>): void {
    const next: { inputs?: Scaler; targets?: Scaler } = {};
    if (inputs) next.inputs = Scaler.fit(x.data, x.rows, x.cols, inputs.kind, inputs.range);
    if (targets && y) next.targets = Scaler.fit(y.data, y.rows, y.cols, targets.kind, targets.range, 'Y');
    this.scalers = next;
  }

  /** The attached scalers' settings and statistics (JSON form), if any. */
  getNormalization(): { inputs?: ReturnType<Scaler['toJSON']>; targets?: ReturnType<Scaler['toJSON']> } {
    this.assertAlive();
    return { inputs: this.scalers.inputs?.toJSON(), targets: this.scalers.targets?.toJSON() };
  }

  /** Same as forward. */
  predict(X: Float64Array | { data: Float64Array; rows: number }): Float64Array;
  predict(X: readonly (readonly number[])[]): number[][];
  predict(X: MatrixInput): number[][] | Float64Array;
  predict(X: MatrixInput): number[][] | Float64Array {
    return this.compute(X as MatrixInput, 'predict');
  }

  /**
   * A classifier's probability of each class for each row, in the order of `classes` (one sigmoid
   * output: [1 − p, p]); nested rows for nested X, a flat Float64Array (rows × classes) otherwise.
   */
  predictProba(X: Float64Array | { data: Float64Array; rows: number }): Float64Array;
  predictProba(X: readonly (readonly number[])[]): number[][];
  predictProba(X: MatrixInput): number[][] | Float64Array;
  predictProba(X: MatrixInput): number[][] | Float64Array {
    return predictProba(this, X);
  }

  /** A classifier's predicted class of each row: the most probable (the first on a tie; one sigmoid output: p > 0.5). */
  predictClasses(X: MatrixInput): Label[] {
    return predictClasses(this, X);
  }

  /**
   * The loss and the scores of the model on (X, Y), with scikit-learn's definitions (src/metrics): a
   * classifier's accuracy, confusion matrix (rows true, columns predicted, in `classes` order),
   * per-class precision, recall, F1 and support, and their macro and weighted averages; a regressor's
   * MSE, MAE and R² per output in target units, and their averages. Y: labels or target rows.
   */
  evaluate(X: MatrixInput, Y: Targets): Evaluation {
    this.assertIdle('evaluate');
    return evaluate(this, X, Y);
  }

  /** `raw` (the caller's values, before scaling): its chunks are checked for finiteness on the way in. */
  private forwardPacked(x: Matrix, raw?: Matrix): Float64Array {
    const K = this.spec.outputs;
    // each row's outputs are the same bits whatever the chunk it is computed in
    const chunk = this.chunk(Math.min(x.rows, CHUNK_ROWS));
    const plan = this.reserve(chunk, chunk);
    const last = plan.layers[plan.layers.length - 1];
    const out = new Float64Array(x.rows * K);
    for (let from = 0; from < x.rows; from += chunk) {
      const rows = Math.min(chunk, x.rows - from);
      writeRows(this.engine.f64, plan.x, x.data, from, rows, x.cols);
      if (raw !== undefined) checkChunk(this.engine, plan.x, raw, from, rows);
      this.engine.forward(rows, plan.x);
      out.set(this.engine.f64.subarray(last.a >>> 3, (last.a >>> 3) + rows * K), from * K);
    }
    return out;
  }

  /** The loss of the model on (X, Y), as the spec's loss defines it: on scaled targets when a target scaler is attached, unless `{ units: 'target' }`. */
  loss(X: MatrixInput, Y: Targets, options?: LossOptions): number {
    this.assertIdle('loss');
    const rows = targetRows(this.spec, this.naming, Y, 'Y');
    if (lossUnits(options) === 'target' && this.scalers.targets) return lossInTargetUnits(this, X, rows);
    const { x, y } = this.pair(X, rows);
    return this.lossPacked(x, y);
  }

  private pair(X: MatrixInput, Y: MatrixInput): { x: Matrix; y: Matrix } {
    const { x, y } = this.rawPair(X, Y);
    return { x: this.scaled(x, this.scalers.inputs), y: this.scaled(y, this.scalers.targets) };
  }

  /** Checked and packed, not scaled: a flat Float64Array input is used as it is, not copied. */
  private rawPair(X: MatrixInput, Y: MatrixInput, names: [string, string] = ['X', 'Y']): { x: Matrix; y: Matrix } {
    const x = toMatrix(X, this.spec.inputs, names[0]);
    const y = toMatrix(Y, this.spec.outputs, names[1]);
    checkSameRows(x, y, names);
    return { x, y };
  }

  private lossPacked(x: Matrix, y: Matrix): number {
    const block = Math.min(x.rows, CHUNK_ROWS);
    const chunk = this.chunk(block);
    const plan = this.reserve(chunk, chunk);
    let sum = 0;
    for (let start = 0; start < x.rows; start += block) {
      // one sequential sum per block, continued across the chunks the memory allows
      const end = Math.min(start + block, x.rows);
      let blockSum = 0;
      for (let from = start; from < end; from += chunk) {
        const rows = Math.min(chunk, end - from);
        writeRows(this.engine.f64, plan.x, x.data, from, rows, x.cols);
        writeRows(this.engine.f64, plan.y, y.data, from, rows, y.cols);
        blockSum = this.engine.lossSum(rows, plan.x, plan.y, blockSum);
      }
      sum += blockSum;
    }
    return sum * loss_scale(LOSS_ID[this.spec.loss], x.rows, this.spec.outputs);
  }

  /**
   * Loss and gradients on (X, Y), by backpropagation; with `{ traces: true }` (nested arrays) or
   * `{ traces: 'flat' }` (Float64Arrays) also every layer's z, a and delta = dL/dz and the output,
   * for every row. Without traces the cost in memory is the parameters', whatever the row count.
   * Computes the deterministic network: no dropout (a layer's dropout applies while training only).
   */
  gradients(X: MatrixInput, Y: Targets, options?: { traces?: false }): GradientsResult;
  gradients(X: MatrixInput, Y: Targets, options: { traces: true }): GradientsWithTraces;
  gradients(X: MatrixInput, Y: Targets, options: { traces: 'flat' }): GradientsWithFlatTraces;
  gradients(X: MatrixInput, Y: Targets, options?: GradientsOptions): GradientsResult | GradientsWithTraces | GradientsWithFlatTraces;
  gradients(X: MatrixInput, Y: Targets, options?: GradientsOptions): GradientsResult | GradientsWithTraces | GradientsWithFlatTraces {
    this.assertIdle('gradients');
    const mode = traceMode(options);
    const { x, y } = this.pair(X, targetRows(this.spec, this.naming, Y, 'Y'));
    const widths = this.spec.layers.map((layer) => layer.units);
    const traces = mode === false ? undefined : allocateTraces(x.rows, widths);
    const { loss, gradsFlat } = this.gradientsPacked(x, y, traces);
    return gradientsResult({ loss, grads: flatToParams(this.spec, gradsFlat), gradsFlat }, mode, x.rows, widths, traces);
  }

  /**
   * Loss and gradients over all rows, in chunks as large as the engine memory allows, with the same
   * bits as one pass over all rows: every chunk uses the loss scale of all N rows, continues the loss
   * sum and accumulates into the gradients (each one sequential sum over the rows). Chunks hold an
   * even number of rows (the TypeScript engine's weight gradient adds rows in pairs). `traces`, when
   * given, receives every layer's z, a and delta for all rows.
   */
  private gradientsPacked(x: Matrix, y: Matrix, traces?: LayerTrace<Float64Array>[]): { loss: number; gradsFlat: Float64Array } {
    const N = x.rows;
    const chunk = this.chunk(N, 2);
    const plan = this.reserve(chunk, chunk);
    let sum = 0;
    for (let from = 0; from < N; from += chunk) {
      const rows = Math.min(chunk, N - from);
      writeRows(this.engine.f64, plan.x, x.data, from, rows, x.cols);
      writeRows(this.engine.f64, plan.y, y.data, from, rows, y.cols);
      sum = this.engine.gradients(rows, plan.x, plan.y, N, from > 0, sum);
      if (traces) {
        const f64 = this.engine.f64;
        plan.layers.forEach((layer, l) => {
          const count = rows * layer.units, at = from * layer.units;
          traces[l].z.set(f64.subarray(layer.z >>> 3, (layer.z >>> 3) + count), at);
          traces[l].a.set(f64.subarray(layer.a >>> 3, (layer.a >>> 3) + count), at);
          traces[l].delta.set(f64.subarray(layer.delta >>> 3, (layer.delta >>> 3) + count), at);
        });
      }
    }
    const loss = sum * loss_scale(LOSS_ID[this.spec.loss], N, this.spec.outputs);
    return { loss, gradsFlat: readRegion(this.engine.f64, plan.grads, this.spec.paramCount) };
  }

  /**
   * Trains by mini-batch gradient descent with the chosen optimizer; returns the history. The loop
   * (shuffle, forward, backward, update, stop rules) runs inside the engine, one call per chunk; the
   * data are copied in once per fit call. The optimizer's state carries over to the next fit call
   * with the same optimizer settings and starts afresh when they change.
   * A non-finite loss or update throws a TrainingError, or with onDiverge 'stop' returns 'diverged'
   * with the model at its last finite state. A failed call leaves the model as it was before the call.
   * One training at a time: see src/train/trainer.ts, where the orchestration lives.
   */
  fit(X: MatrixInput, Y: Targets, options: FitOptions = {}): FitHistory {
    const run = this.fitTargets('fit', Y, options);
    try {
      return this.endsStreamEpoch(fitSync(this.host(), X, run.y, run.options));
    } catch (error) {
      run.undo();
      throw error;
    }
  }

  /** Like fit, but yields to the event loop between chunks (every `progressEvery` updates), so a page stays responsive. */
  async fitAsync(X: MatrixInput, Y: Targets, options: FitOptions = {}): Promise<FitHistory> {
    const run = this.fitTargets('fitAsync', Y, options);
    try {
      return this.endsStreamEpoch(await fitAsync(this.host(), X, run.y, run.options));
    } catch (error) {
      run.undo();
      throw error;
    }
  }

  /** A fit that trained ends the epoch a stopped fitStream left (a later fitStream starts afresh). */
  private endsStreamEpoch(history: FitHistory): FitHistory {
    if (history.steps > 0) this.streamPlace = null;
    return history;
  }

  /**
   * A fit's targets as rows: a classifier's labels encoded with its classes, which a first fit on
   * labels takes from them (put back by `undo` when the fit fails, as everything a failed call changed),
   * and its classWeight resolved by those classes.
   */
  private fitTargets(method: string, Y: Targets, options: FitOptions): { y: MatrixInput; options: TrainerOptions; undo: () => void } {
    this.assertIdle(method);
    const before = this.naming;
    const learned = classesFromLabels(this.spec, before, Y, 'Y');
    if (learned !== null) this.naming = Object.freeze({ ...before, classes: learned });
    const undo = (): void => {
      this.naming = before;
    };
    try {
      const y = targetRows(this.spec, this.naming, Y, 'Y');
      const given = options !== null && typeof options === 'object';
      const v = given ? options.validationData : undefined;
      const labels = Array.isArray(v) && isLabelArray(v[1]);
      if (!labels && (!given || options.classWeight === undefined)) return { y, options: options as TrainerOptions, undo };
      const resolved = { ...options } as TrainerOptions;
      if (labels) resolved.validationData = [v[0], targetRows(this.spec, this.naming, v[1], 'options.validationData[1]')];
      if (options.classWeight !== undefined) resolved.classWeight = rowClasses(this.spec, this.naming, y, options.classWeight);
      return { y, options: resolved, undo };
    } catch (error) {
      undo();
      throw error;
    }
  }

  /** The view of this model the trainer works on. */
  private host(): TrainingHost {
    const model = this;
    return {
      spec: model.spec,
      engine: model.engine,
      isDisposed: () => model.disposed,
      begin: (method, progress) => {
        model.assertIdle(method);
        model.busy = { method, progress };
      },
      end: () => {
        model.busy = null;
      },
      reserve: (batch, rows, validation, weights) => model.reserve(batch, rows, validation, weights),
      state: () => ({ scalers: model.scalers, optimizerKey: model.optimizerKey, schedule: model.schedule }),
      setState: ({ scalers, optimizerKey, schedule }) => {
        model.scalers = scalers;
        model.optimizerKey = optimizerKey;
        model.schedule = schedule;
      },
      fitScalers: (x, y, spec) => model.fitScalersOn(x, y, parseNormalizationSpec(spec, 'options.normalize', OptionsError)),
      rawPair: (X, Y, names) => model.rawPair(X, Y, names),
      paramsFlat: () => model.getParamsFlat(),
    };
  }

  /**
   * Trains on the rows of a source read chunk by chunk, one pass per epoch, in engine memory bounded by
   * a block of batches (src/stream/): with `shuffle: false` (the default) the bits of fit on the
   * concatenated rows with shuffle: false; `shuffle: { buffer: n }` through a seeded shuffle buffer.
   * fitAsync's options otherwise; a stop inside an epoch keeps the place, which the next call continues.
   */
  fitStream(source: ChunkSource, options: FitStreamOptions = {}): Promise<FitHistory> {
    return fitStream(this.streamHost(), source, options);
  }

  /** setNormalization's scalers over every row of a source (two passes for standardize), with the same bits. */
  async setNormalizationStream(source: ChunkSource, spec: NormalizationSpec): Promise<void> {
    this.assertIdle('setNormalizationStream');
    const scalers = await scalersFromStream(source, spec, { inputs: this.spec.inputs, outputs: this.spec.outputs, encode: (y, name) => this.encode(y, name) });
    this.assertIdle('setNormalizationStream');
    this.scalers = scalers;
  }

  /** The predictions of each chunk of a source as it is read: `output` 'values' (predict), 'proba' or 'classes'. */
  predictStream(source: ChunkSource, options: PredictStreamOptions = {}): AsyncGenerator<Float64Array | number[][] | Label[], void, undefined> {
    this.assertAlive();
    return predictStream(this.scoreView(), source, options);
  }

  /** evaluate's loss and scores over every row of a source (a regressor's targets are read twice, for R²). */
  async evaluateStream(source: ChunkSource): Promise<Evaluation> {
    this.assertIdle('evaluateStream');
    return evaluateStream(this.scoreView(), source);
  }

  private encode(y: Targets, name: string): MatrixInput {
    return targetRows(this.spec, this.naming, y, name);
  }

  /** The view of this model the stream methods work on. */
  private streamHost(): StreamHost {
    return {
      ...this.host(),
      encode: (y, name) => this.encode(y, name),
      classWeights: (classWeight) => rowClasses(this.spec, this.naming, new Float64Array(this.spec.outputs), classWeight).weights!,
      position: () => this.streamPlace,
      setPosition: (position) => {
        this.streamPlace = position;
      },
    };
  }

  private scoreView(): ScoreView {
    return {
      spec: this.spec, names: this.naming, engine: this.engine,
      encode: (y, name) => this.encode(y, name),
      predict: (X) => this.predict(X), predictProba: (X) => this.predictProba(X), predictClasses: (X) => this.predictClasses(X),
      lossRegion: (rows) => {
        const capacity = this.chunk(rows);
        const plan = this.reserve(capacity, capacity);
        return { x: plan.x, y: plan.y, capacity };
      },
      scalers: () => this.scalers,
    };
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
    this.assertIdle('setParams');
    const flat = paramsToFlat(this.spec, params);
    this.engine.f64.set(flat, this.plan.params >>> 3);
  }

  /**
   * Checks backpropagation against central differences of the loss, parameter by parameter
   * (src/model/gradcheck.ts). Parameters are restored bit for bit.
   */
  gradCheck(X: MatrixInput, Y: Targets, options: GradCheckOptions = {}): GradCheckReport {
    this.assertIdle('gradCheck');
    const valid = validateGradCheckOptions(options);
    return runToEnd(gradCheckSteps(this.probe(X, Y), valid));
  }

  /**
   * Like gradCheck, but yields to the event loop between parameters (about every 20 ms), so a page
   * stays responsive and `signal` can stop it: the promise then rejects with the signal's reason and
   * the parameters are as before. The model is busy meanwhile (other calls throw TrainingError BUSY).
   */
  async gradCheckAsync(X: MatrixInput, Y: Targets, options: GradCheckAsyncOptions = {}): Promise<GradCheckReport> {
    this.assertIdle('gradCheckAsync');
    const { check, signal, onProgress } = asyncOptions(options);
    signal?.throwIfAborted();
    const steps = gradCheckSteps(this.probe(X, Y), check);
    const progress = { epochs: 0, steps: 0 };
    this.busy = { method: 'gradCheckAsync', progress };
    try {
      // the first parameter always yields and reports, then about every 20 ms (reports every 100 ms)
      let last = -Infinity, reported = -Infinity;
      for (;;) {
        const next = steps.next();
        if (next.done === true) return next.value;
        progress.steps = next.value;
        const now = performance.now();
        if (now - last < 20) continue;
        if (onProgress !== undefined && now - reported >= 100) {
          onProgress(next.value, this.spec.paramCount);
          reported = now;
        }
        await yieldToEventLoop();
        last = performance.now();
        this.assertAlive();
        signal?.throwIfAborted();
      }
    } finally {
      this.busy = null;
    }
  }

  /** gradCheck's view of this model on (X, Y): checked, scaled and bound once. */
  private probe(X: MatrixInput, Y: Targets): GradCheckProbe {
    const { x, y } = this.pair(X, targetRows(this.spec, this.naming, Y, 'Y'));
    return {
      spec: this.spec,
      analytic: () => this.gradientsPacked(x, y).gradsFlat,
      loss: () => this.lossPacked(x, y),
      // read through the current view: a loss may grow the memory (the parameters stay where they are)
      param: (i) => this.engine.f64[(this.plan.params >>> 3) + i],
      setParam: (i, value) => {
        this.engine.f64[(this.plan.params >>> 3) + i] = value;
      },
    };
  }

  /**
   * The model as JSON-ready data: spec, parameters (exact float64), scalers and, unless
   * `{ training: false }`, the optimizer and shuffler state, so a reloaded model predicts
   * bit-identically and resumes training exactly where it stopped; a CRC-32 of every field; and the
   * metadata it was loaded with (the command line's `cli` block), unchanged.
   */
  toJSON(options: { training?: boolean } = {}): ModelJSON {
    this.assertAlive();
    const withTraining = validateSaveOptions(options);
    const plan = this.plan, f64 = this.engine.f64, P = this.spec.paramCount;
    return encodeModel({
      spec: this.spec, names: this.naming, params: this.getParamsFlat(), scalers: this.scalers, metadata: this.savedMetadata,
      training: withTraining
        ? { optimizer: this.optimizerKey, moments: readRegion(f64, plan.m, 2 * P), scalars: readRegion(f64, plan.optScalars, 3), rng: readRng(plan, this.engine), schedule: this.schedule, stream: this.streamPlace }
        : null,
    });
  }



  /**
   * Saves the model (the JSON of toJSON(options), one text) in the browser: `'indexeddb://name'`,
   * `'localstorage://name'` (an OptionsError TOO_LARGE when it does not fit: about 5 MB per site) or
   * `'download://file.json'` (the page downloads it). `loadModel(target)` reads it back, verified.
   * Errors are OptionsErrors naming the target (malformed, unknown, unavailable here, too large);
   * nothing is half-saved. src/model/storage.ts has the stores.
   */
  async save(target: string, options: { training?: boolean } = {}): Promise<void> {
    const where = saveTarget(target);
    await writeModelText(where, JSON.stringify(this.toJSON(options)));
  }

  /** What the model was loaded with besides the model itself (the command line's `cli` block): read-only, written back by toJSON. */
  get metadata(): ModelMetadata {
    return this.savedMetadata;
  }

  /** @internal Puts the checked state of a saved model into this freshly created one (loadModel). */
  restoreSaved(state: ModelState): void {
    this.assertIdle('restoreSaved');
    this.scalers = { ...state.scalers };
    this.naming = state.names;
    this.savedMetadata = state.metadata;
    if (state.training !== null) {
      this.engine.f64.set(state.training.moments, this.plan.m >>> 3);
      this.engine.f64.set(state.training.scalars, this.plan.optScalars >>> 3);
      writeRng(this.plan, this.engine, state.training.rng);
      this.optimizerKey = state.training.optimizer;
      this.schedule = state.training.schedule;
      this.streamPlace = state.training.stream ?? null;
    }
  }

  /** Frees the model's memory and ends its workers; any later call throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.dispose();
  }
}
