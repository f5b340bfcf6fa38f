// Constants shared with the host (src/layout/abi.ts mirrors them; the loader refuses a mismatch).

/** Bumped whenever an export's signature or a record layout changes. */
export const ABI_VERSION: i32 = 10;

/** First byte the host may use: everything below holds the module's static data (math tables). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

// Activation ids (src/layout/abi.ts ACTIVATION_ID).
export const ACT_IDENTITY: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_LEAKY_RELU: i32 = 4;
export const ACT_SOFTPLUS: i32 = 5;
export const ACT_SOFTMAX: i32 = 6;

// Loss ids (src/layout/abi.ts LOSS_ID).
export const LOSS_SSR: i32 = 0;
export const LOSS_HALF_SE: i32 = 1;
export const LOSS_MSE: i32 = 2;
export const LOSS_BCE: i32 = 3;
export const LOSS_CCE: i32 = 4;

// Header i32 slots (src/layout/abi.ts H).
export const H_LAYERS: i32 = 0;
export const H_LOSS: i32 = 1;
export const H_FROM_LOGITS: i32 = 2;
export const H_TABLE: i32 = 3;
export const H_INPUTS: i32 = 4;
export const H_OUTPUTS: i32 = 5;
export const H_PARAM_COUNT: i32 = 6;
export const H_PARAMS: i32 = 7;
export const H_GRADS: i32 = 8;
export const H_SCRATCH: i32 = 9;
export const H_BATCH_CAPACITY: i32 = 10;
export const H_ROWS: i32 = 11;
export const H_BATCH_SIZE: i32 = 12;
export const H_SHUFFLE: i32 = 13;
export const H_X: i32 = 14;
export const H_Y: i32 = 15;
export const H_PERM: i32 = 16;
export const H_BATCH_X: i32 = 17;
export const H_BATCH_Y: i32 = 18;
export const H_LOSS_LOG: i32 = 19;
export const H_RNG: i32 = 20;
export const H_OPTIMIZER: i32 = 21;
export const H_OPT_STATE: i32 = 22;
export const H_NESTEROV: i32 = 23;
export const H_STATUS: i32 = 24;
export const H_EPOCHS_DONE: i32 = 25;
export const H_FAILED_STEP: i32 = 26;
export const H_ROWS_SEEN: i32 = 27;
export const H_STEPS_DONE: i32 = 28;
export const H_EPOCH_POS: i32 = 29;
export const H_EPOCH_STEP: i32 = 30;
export const H_WEIGHTS: i32 = 64;
export const H_BATCH_WEIGHTS: i32 = 65;
export const H_DROPOUT: i32 = 66; // 1: a layer has dropout (train_epochs draws masks; nothing else reads it)
// Header f64 slots (src/layout/abi.ts HF), at byte 8 * slot.
export const HF_LEARNING_RATE: i32 = 16;
export const HF_MOMENTUM: i32 = 17;
export const HF_BETA1: i32 = 18;
export const HF_BETA2: i32 = 19;
export const HF_EPSILON: i32 = 20;
export const HF_WEIGHT_DECAY: i32 = 21;
export const HF_STEP_BELOW: i32 = 22;
export const HF_LOSS_BELOW: i32 = 23;
export const HF_LOSS_SCALE: i32 = 24;
export const HF_LAST_STEP: i32 = 25;
export const HF_EPOCH_SUM: i32 = 26;
export const HF_L1: i32 = 27;
// Optimizer ids (src/layout/abi.ts OPTIMIZER_ID) and scalars after the state regions (OPT_SCALARS).
export const OPT_SGD: i32 = 0;
export const OPT_MOMENTUM: i32 = 1;
export const OPT_ADAM: i32 = 2;
export const OPT_T: i32 = 0;
export const OPT_BETA1_POWER: i32 = 1;
export const OPT_BETA2_POWER: i32 = 2;
// train_epochs status (src/layout/abi.ts TRAIN_STATUS).
export const STATUS_OK: i32 = 0;
export const STATUS_NON_FINITE_LOSS: i32 = 1;
export const STATUS_STEP_BELOW: i32 = 2;
export const STATUS_LOSS_BELOW: i32 = 3;
export const STATUS_NON_FINITE_STEP: i32 = 4;

// Layer record (src/layout/abi.ts L): i32 slots, then the slope as f64 at byte 48 and the dropout rate at byte 56.
export const LAYER_RECORD_BYTES: i32 = 64;
export const L_INPUTS: i32 = 0;
export const L_UNITS: i32 = 1;
export const L_ACTIVATION: i32 = 2;
export const L_FUSED_ROWS: i32 = 3; // steps of at most this many rows take the fused path (src/layout/plan.ts fusedRows)
export const L_W: i32 = 4;
export const L_B: i32 = 5;
export const L_GW: i32 = 6;
export const L_GB: i32 = 7;
export const L_Z: i32 = 8;
export const L_A: i32 = 9;
export const L_DELTA: i32 = 10;
export const L_MASK: i32 = 11; // the dropout mask region (0 or 1/(1 − p) per value); 0: no dropout
export const L_SLOPE_BYTE: i32 = 48;
export const L_DROPOUT_BYTE: i32 = 56; // the dropout rate p

/** i32 slot `index` of the record (header or layer) at `record`. */
@inline export function slot(record: usize, index: i32): i32 {
  return load<i32>(record + (<usize>index << 2));
}

@inline export function set_slot(record: usize, index: i32, value: i32): void {
  store<i32>(record + (<usize>index << 2), value);
}

/** f64 slot `index` of the header. */
@inline export function fslot(record: usize, index: i32): f64 {
  return load<f64>(record + (<usize>index << 3));
}

@inline export function set_fslot(record: usize, index: i32, value: f64): void {
  store<f64>(record + (<usize>index << 3), value);
}
