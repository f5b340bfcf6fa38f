// Reads and writes the regions of an arena laid out by plan.ts. The only code that knows how the
// header and layer table are encoded; both engines' arenas are filled through it.
import { ACTIVATION_ID, H, HF, L, LAYER_RECORD_BYTES, LOSS_ID, OPT_SCALARS } from './abi.js';
import type { Plan } from './plan.js';
import type { Scaler } from '../data/normalize.js';

export interface ArenaViews {
  f64: Float64Array;
  i32: Int32Array;
}

/** Writes the header and the layer table the kernels read. */
export function writeDescriptors(plan: Plan, views: ArenaViews): void {
  const { i32, f64 } = views;
  const h = plan.header >>> 2;
  const spec = plan.spec;
  i32[h + H.LAYERS] = plan.layers.length;
  i32[h + H.LOSS] = LOSS_ID[spec.loss];
  i32[h + H.FROM_LOGITS] = spec.fromLogits ? 1 : 0;
  i32[h + H.TABLE] = plan.table;
  i32[h + H.INPUTS] = spec.inputs;
  i32[h + H.OUTPUTS] = spec.outputs;
  i32[h + H.PARAM_COUNT] = spec.paramCount;
  i32[h + H.PARAMS] = plan.params;
  i32[h + H.GRADS] = plan.grads;
  i32[h + H.SCRATCH] = plan.scratch;
  i32[h + H.BATCH_CAPACITY] = plan.batchCapacity;
  i32[h + H.X] = plan.x;
  i32[h + H.Y] = plan.y;
  i32[h + H.PERM] = plan.perm;
  i32[h + H.BATCH_X] = plan.batchX;
  i32[h + H.BATCH_Y] = plan.batchY;
  i32[h + H.LOSS_LOG] = plan.lossLog;
  i32[h + H.RNG] = plan.rng;
  i32[h + H.OPT_STATE] = plan.optState;
  i32[h + H.DROPOUT] = plan.layers.some((layer) => layer.dropout > 0) ? 1 : 0;
  plan.layers.forEach((layer, l) => {
    const r = (plan.table + l * LAYER_RECORD_BYTES) >>> 2;
    i32[r + L.INPUTS] = layer.inputs;
    i32[r + L.UNITS] = layer.units;
    i32[r + L.ACTIVATION] = ACTIVATION_ID[layer.activation];
    i32[r + L.FUSED_ROWS] = layer.fusedRows;
    i32[r + L.W] = layer.W;
    i32[r + L.B] = layer.b;
    i32[r + L.GW] = layer.gW;
    i32[r + L.GB] = layer.gb;
    i32[r + L.Z] = layer.z;
    i32[r + L.A] = layer.a;
    i32[r + L.DELTA] = layer.delta;
    i32[r + L.MASK] = layer.mask;
    f64[((plan.table + l * LAYER_RECORD_BYTES) >>> 3) + L.SLOPE_F64] = layer.slope;
    f64[((plan.table + l * LAYER_RECORD_BYTES) >>> 3) + L.DROPOUT_F64] = layer.dropout;
  });
}

/** Copies `rows × width` values starting at row `from` of a packed matrix into a region, scaled on the way when a scaler is given. */
export function writeRows(f64: Float64Array, offset: number, data: Float64Array, from: number, rows: number, width: number, scaler?: Scaler): void {
  if (scaler === undefined) f64.set(data.subarray(from * width, (from + rows) * width), offset >>> 3);
  else scaler.transformAt(data, from * width, f64, offset >>> 3, rows * width);
}

/** A copy of `count` f64 at a byte offset. */
export function readRegion(f64: Float64Array, offset: number, count: number): Float64Array {
  return f64.slice(offset >>> 3, (offset >>> 3) + count);
}

export interface TrainingSetup {
  rows: number;
  batchSize: number;
  shuffle: boolean;
  learningRate: number;
  optimizer: { id: number; momentum: number; nesterov: boolean; beta1: number; beta2: number; epsilon: number };
  weightDecay: number;
  /** The l1 penalty (0: off). */
  l1: number;
  /** Whether the plan's weights region holds this fit's row weights (written by the caller). */
  weighted: boolean;
  mask: Float64Array;
  stepBelow: number;
  lossBelow: number;
  lossScale: number;
}

/** Writes what train_epochs needs besides the data: sizes, switches, hyper-parameters, the mask. */
export function writeTraining(plan: Plan, views: ArenaViews, setup: TrainingSetup): void {
  const h = plan.header >>> 2, f = plan.header >>> 3;
  const { i32, f64 } = views;
  i32[h + H.ROWS] = setup.rows;
  i32[h + H.BATCH_SIZE] = setup.batchSize;
  i32[h + H.SHUFFLE] = setup.shuffle ? 1 : 0;
  i32[h + H.OPTIMIZER] = setup.optimizer.id;
  i32[h + H.NESTEROV] = setup.optimizer.nesterov ? 1 : 0;
  f64[f + HF.LEARNING_RATE] = setup.learningRate;
  f64[f + HF.MOMENTUM] = setup.optimizer.momentum;
  f64[f + HF.BETA1] = setup.optimizer.beta1;
  f64[f + HF.BETA2] = setup.optimizer.beta2;
  f64[f + HF.EPSILON] = setup.optimizer.epsilon;
  f64[f + HF.WEIGHT_DECAY] = setup.weightDecay;
  f64[f + HF.L1] = setup.l1;
  i32[h + H.WEIGHTS] = setup.weighted ? plan.weights : 0;
  i32[h + H.BATCH_WEIGHTS] = setup.weighted ? plan.batchWeights : 0;
  f64[f + HF.STEP_BELOW] = setup.stepBelow;
  f64[f + HF.LOSS_BELOW] = setup.lossBelow;
  f64[f + HF.LOSS_SCALE] = setup.lossScale;
  f64.set(setup.mask, plan.mask >>> 3);
  // every fit call begins a fresh epoch
  i32[h + H.EPOCH_POS] = 0;
  i32[h + H.EPOCH_STEP] = 0;
  f64[f + HF.EPOCH_SUM] = 0;
}

/** Zeroes the optimizer's moments and restarts its step count (β^t back to 1). */
export function resetOptimizerState(plan: Plan, views: ArenaViews): void {
  const P = plan.spec.paramCount;
  views.f64.fill(0, plan.m >>> 3, (plan.v >>> 3) + P);
  const s = plan.optScalars >>> 3;
  views.f64[s + OPT_SCALARS.T] = 0;
  views.f64[s + OPT_SCALARS.BETA1_POWER] = 1;
  views.f64[s + OPT_SCALARS.BETA2_POWER] = 1;
}

/** Reads an i32 header slot (results of train_epochs). */
export function readSlot(plan: Plan, views: ArenaViews, slot: number): number {
  return views.i32[(plan.header >>> 2) + slot];
}

/**
 * Writes the first `count` loss sums of the loss log, each times `scale`, into `into` from index `at`
 * (appending when `at` is its length; a plain loop: hot for tiny fits).
 */
export function readLossLog(plan: Plan, views: ArenaViews, count: number, scale: number, into: number[], at: number): void {
  const f64 = views.f64, log = plan.lossLog >>> 3;
  for (let e = 0; e < count; e++) into[at + e] = f64[log + e] * scale;
}

/** Sets the row order to 0, 1, …, rows − 1. */
export function writeIdentityOrder(plan: Plan, views: ArenaViews, rows: number): void {
  const u32 = new Uint32Array(views.i32.buffer, plan.perm, rows);
  for (let i = 0; i < rows; i++) u32[i] = i;
}

/** The shuffler state as 4 words (a copy), and writing it back. */
export function readRng(plan: Plan, views: ArenaViews): Uint32Array {
  return new Uint32Array(views.i32.buffer.slice(plan.rng, plan.rng + 16));
}
export function writeRng(plan: Plan, views: ArenaViews, state: Uint32Array): void {
  new Uint32Array(views.i32.buffer, plan.rng, 4).set(state);
}
