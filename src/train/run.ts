// The records a fit call is made of, shared by the units that run it: what the trainer needs of a
// model (TrainingHost), the history it fills, and the call itself as it goes from begun (Call) to
// checked (CheckedCall) to running in engine memory (Run). The units take the record as an argument.
import type { ScheduleState } from './schedule.js';
import type { Engine } from '../engine/engine.js';
import type { Plan } from '../layout/plan.js';
import type { TrainerOptions, ValidFitOptions } from './options.js';
import type { Matrix, MatrixInput } from '../data/dataset.js';
import type { NormalizationSpec, Scaler } from '../data/normalize.js';
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
  /** With a schedule: the learning rate of each epoch. */
  learningRate?: number[];
  timeMs: number;
  /**
   * fitStream: rows of the epoch under way read from the source when training stopped (0: it stopped
   * at an epoch's end). The model keeps the place (toJSON saves it), and the next fitStream on the same
   * source continues that epoch.
   */
  epochRows?: number;
  /** fitStream: the rows of an epoch (known once one was read to its end). */
  rows?: number;
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
  /** Where the learning-rate schedule stands (src/train/schedule.ts); null without one. */
  schedule: ScheduleState | null;
}

/** What the trainer needs of a model: its spec and engine, a few of its methods, and its HostState. */
export interface TrainingHost {
  readonly spec: ValidSpec;
  readonly engine: Engine;
  /** True once the model was disposed (from a callback, or between fitAsync chunks). */
  isDisposed(): boolean;
  /** Marks the model busy with `method` (throws DISPOSED or BUSY if it cannot); `progress` is the running call's history. */
  begin(method: string, progress: { epochs: number; steps: number }): void;
  /** The training call has ended. */
  end(): void;
  /** Grows the arena so that the batch, the training rows and the validation rows (and, `weights`, the rows' weights) fit. */
  reserve(batch: number, rows: number, validation: number, weights: boolean): Plan;
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

/** A fit call as it begins. */
export interface Call {
  readonly host: TrainingHost;
  /** The caller's options: its callbacks and signal (the validated values are CheckedCall.o). */
  readonly options: TrainerOptions;
  /** fitAsync: pause between chunks. */
  readonly yielding: boolean;
  readonly history: FitHistory;
  /** performance.now() when the call began. */
  readonly started: number;
}

/** The call with its data and options checked; nothing has changed yet. */
export interface CheckedCall extends Call {
  readonly o: ValidFitOptions;
  /** All the rows given, unscaled; the first `rows` train, the rest (validationSplit) validate. */
  readonly all: { x: Matrix; y: Matrix };
  readonly rows: number;
  readonly validation: { x: Matrix; y: Matrix } | null;
  /** With a schedule: where it stands before this call's first epoch (continued from the model, or fresh). */
  readonly scheduleStart: ScheduleState | null;
  /** The training rows' weights (sampleWeight × classWeight), or null: unweighted. */
  readonly weights: Float64Array | null;
}

/** The call once the arena holds it: what the chunk loop, the epoch log, rollback and replay share. */
export interface Run extends CheckedCall {
  readonly engine: Engine;
  readonly plan: Plan;
  /** The header's slots as indices into engine.i32 and engine.f64. */
  readonly header: { i: number; f: number };
  /** Something watches single epochs (validation, patience, onEpochEnd): one epoch per engine call. */
  readonly perEpoch: boolean;
  /** Engine calls stop every maxSteps updates: for fitAsync's pauses, onProgress, timeout, signal. */
  readonly chunked: boolean;
  readonly maxSteps: number;
  readonly stepsPerEpoch: number;
  /** Updates the whole call would make without early stopping. */
  readonly totalSteps: number;
  /** JSON of the validated optimizer options: the HostState.optimizerKey this call trains with. */
  readonly optimizerKey: string;
  /** The arena's byte ranges a rollback copies (rollback.ts). */
  readonly regions: ReadonlyArray<readonly [number, number]>;
  /** Those ranges before this call changed anything: what a failed call puts back. */
  readonly before: Uint8Array;
  /** With patience: the best monitored loss so far, its epoch, and (restoreBest) its parameters. */
  readonly best: { loss: number; epoch: number; params: Float64Array | null };
  /** With a schedule: its state before each epoch of this call (index: epochs completed in the call). */
  readonly schedule: ScheduleState[] | null;
  /** fitAsync: the promises onEpochEnd returned in the last chunk, awaited before the next one (trainer.ts). */
  readonly answers: Promise<boolean | void>[];
}

/** What the trainer's generator yields: a promise a callback returned (fitAsync awaits it and sends back its value), or a pause. */
export type Pause = Promise<boolean | void> | undefined;

/** A callback's answer that fitAsync awaits: a promise (fit does not wait: only false stops it). */
export function isPromise(answer: unknown): answer is Promise<boolean | void> {
  return typeof (answer as { then?: unknown } | null)?.then === 'function';
}

/** True once the model was disposed; the call then stops with stopReason 'disposed', touching no memory. */
export function noticeDisposal(run: Pick<Run, 'host' | 'history'>): boolean {
  const disposed = run.host.isDisposed();
  if (disposed) run.history.stopReason = 'disposed';
  return disposed;
}
