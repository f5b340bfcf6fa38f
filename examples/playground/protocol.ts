// The messages between the page (main.ts) and the training worker (worker.ts). Only plain data and
// typed arrays cross: errors travel as { path, message } so the page can put them next to a field.
import type { Activation, FitOptions, Loss, OptimizerSpec } from 'wasmlp';

/** What the worker needs to build a model. */
export interface ModelRequest {
  inputs: number;
  /** Hidden layers carry the form's dropout rate (when above 0). */
  layers: { units: number; activation: Activation; dropout?: number }[];
  loss: Loss;
  seed: number;
}

/** Training options the page can change while a model trains (no rebuild). */
export interface TrainOptions {
  optimizer: OptimizerSpec;
  learningRate: number;
  batchSize: number;
  /** Absent: a constant rate. The schedule's state lives in the model, so one-epoch fits follow it as one long fit. */
  schedule?: NonNullable<FitOptions['schedule']>;
}

/** The data, already split: the first `trainRows` rows train, the rest validate. */
export interface DataRequest {
  /** Rows × inputs, row-major. */
  X: Float64Array;
  /** Class index (classification) or target value (regression), one per row. */
  labels: Float64Array;
  rows: number;
  trainRows: number;
  task: 'classification' | 'regression';
  classes: number;
}

/** Where to evaluate the model for the heat map (2-D inputs only). */
export interface GridRequest {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** Cells per side. */
  n: number;
}

/** A CSV file to train on without holding it: the worker reads it pass by pass (stream.ts). */
export interface StreamRequest {
  /** From the page's file input: posting it sends a handle, not the bytes. */
  file: File;
  /** The target column's name (from the header). */
  target: string;
  /** The form's hidden layers; the output layer and loss follow the target (pairingFor). */
  layers: ModelRequest['layers'];
  seed: number;
  options: TrainOptions;
}

/** What a pass over a streamed file is for: the target's classes, the scalers, or an epoch. */
export type StreamPhase = 'classes' | 'scalers' | 'training';

export type ToWorker =
  | { type: 'configure'; requestId: number; model: ModelRequest; data: DataRequest; options: TrainOptions; grid: GridRequest | null; play: boolean }
  /** Starts a run on a streamed file (ending the run shown); play, pause, step, reset and options then act on it. */
  | { type: 'stream'; requestId: number; stream: StreamRequest; play: boolean }
  | { type: 'options'; requestId: number; options: TrainOptions }
  | { type: 'play' }
  /** Epochs a second while playing; null: as fast as possible. Never changes the results. */
  | { type: 'speed'; epochsPerSecond: number | null }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset' };

export interface TrainState {
  type: 'state';
  /** Changes whenever a new model starts (configure or reset). */
  runId: number;
  /** Epochs completed. */
  epoch: number;
  running: boolean;
  /** Loss of the last epoch (the initial loss at epoch 0). */
  loss: number;
  valLoss: number | null;
  /** Fraction of rows classified right; null for regression. */
  accuracy: number | null;
  valAccuracy: number | null;
  /**
   * The learning rate of the last epoch (history.learningRate); the base rate without a schedule, and
   * before the first epoch of a schedule (a new run, or a new schedule or base rate, which start it afresh).
   */
  learningRate: number;
  /** Training rows per second of computing (0 before the first epochs). */
  samplesPerSecond: number;
  /** Threads the model computes with (model.threads: 1 unless the page is cross-origin isolated). */
  threads: number;
  /** Flat parameters: layer 0 W row by row, layer 0 b, layer 1 W, … */
  params: Float64Array;
  /** Model outputs on the grid, cell by cell (row-major from the top-left), `outputs` values per cell; null: unchanged or no grid. */
  grid: Float32Array | null;
  outputs: number;
  /** Losses of the epochs completed since the previous state, the last being `epoch`. */
  newLoss: number[];
  newValLoss: number[];
}

export type FromWorker =
  | { type: 'configured'; requestId: number; runId: number }
  | { type: 'options-applied'; requestId: number }
  /** A streamed file's model is ready (its first state follows): its columns and classes (null: regression). */
  | { type: 'stream-ready'; requestId: number; runId: number; inputNames: string[]; target: string; classes: (string | number)[] | null; outputs: number }
  /** After each chunk read from a streamed file: the pass, bytes of the file read in it, rows read in it. */
  | { type: 'stream-progress'; phase: StreamPhase; pass: number; bytesRead: number; totalBytes: number | null; rows: number }
  | { type: 'error'; requestId: number | null; path: string; message: string; kind: string }
  | TrainState;

/** Checks at compile time that TrainOptions are FitOptions. */
export type _Check = TrainOptions extends FitOptions ? true : never;
