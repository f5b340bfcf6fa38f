// Numbers the host and the kernels must agree on. assembly/abi.ts mirrors every constant here;
// the loader refuses kernels whose ABI_VERSION differs.

export const ABI_VERSION = 10;

/** Activation ids, as stored in the layer table. */
export const ACTIVATION_ID = {
  identity: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  leaky_relu: 4,
  softplus: 5,
  softmax: 6,
} as const;

/** Loss ids, as stored in the header. */
export const LOSS_ID = {
  ssr: 0,
  half_se: 1,
  mse: 2,
  bce: 3,
  cce: 4,
} as const;

/** Header: i32 slots at byte `plan.header + 4 * slot`. */
export const H = {
  LAYERS: 0, // layer count L
  LOSS: 1, // LOSS_ID
  FROM_LOGITS: 2, // 1: the loss is computed from the output logits (sigmoid+bce, softmax+cce)
  TABLE: 3, // byte offset of the layer table
  INPUTS: 4, // width of the network input
  OUTPUTS: 5, // width of the network output
  PARAM_COUNT: 6, // P
  PARAMS: 7, // byte offset of the parameter region
  GRADS: 8, // byte offset of the gradient region
  SCRATCH: 9, // byte offset of the GEMM scratch region
  BATCH_CAPACITY: 10, // rows the activation regions hold
  // training (written by the host before train_epochs)
  ROWS: 11, // N: data rows in X and Y
  BATCH_SIZE: 12, // rows per step (the last batch of an epoch may be smaller)
  SHUFFLE: 13, // 1: reshuffle the row order before every epoch
  X: 14, // byte offsets of the data, the row order, the gathered batch and the loss log
  Y: 15,
  PERM: 16,
  BATCH_X: 17,
  BATCH_Y: 18,
  LOSS_LOG: 19,
  RNG: 20, // byte offset of the 4-word xoshiro128** state
  OPTIMIZER: 21, // OPTIMIZER_ID
  OPT_STATE: 22, // byte offset of the optimizer state: mask [P], m [P], v [P], then OPT_SCALARS f64
  NESTEROV: 23, // 1: Nesterov momentum
  // results (written by train_epochs)
  STATUS: 24, // TRAIN_STATUS
  EPOCHS_DONE: 25, // epochs completed by the last call
  FAILED_STEP: 26, // step (batch index within the epoch) where a non-finite loss appeared
  ROWS_SEEN: 27, // rows the last logged epoch trained on (fewer than N when a stop rule ends it early)
  STEPS_DONE: 28, // updates made by the last call
  EPOCH_POS: 29, // state across calls: row where the current epoch resumes (0: a new epoch begins)
  EPOCH_STEP: 30, // state across calls: updates made so far in the current epoch
  // row weights (sampleWeight, classWeight), written by the host before train_epochs
  WEIGHTS: 64, // byte offset of the N per-row weights of the training rows (0: no weights)
  BATCH_WEIGHTS: 65, // byte offset of the gathered weights of a shuffled batch (0 without weights)
  // dropout (written with the layer table)
  DROPOUT: 66, // 1: a layer has dropout; train_epochs then draws masks (the other entry points never read it)
} as const;
/** Header: f64 slots at byte `plan.header + 8 * slot`. */
export const HF = {
  LEARNING_RATE: 16,
  MOMENTUM: 17, // μ of momentum
  BETA1: 18, // Adam
  BETA2: 19,
  EPSILON: 20,
  WEIGHT_DECAY: 21, // λ of L2 decay: g ← g + λθ
  STEP_BELOW: 22, // stop after the first update whose largest |Δθ| is below this (0: off)
  LOSS_BELOW: 23, // stop after the first epoch whose loss is below this (-Infinity: off)
  LOSS_SCALE: 24, // factor turning an epoch's loss sum into its loss (1/(N K) for mse, …)
  LAST_STEP: 25, // out: largest |Δθ| of the last update
  EPOCH_SUM: 26, // state across calls: loss sum of the current epoch so far
  L1: 27, // l1 penalty: g ← ∇L + l1·sign(θ) + λθ (0: off)
} as const;
/** What train_epochs reports in H.STATUS. */
export const TRAIN_STATUS = { OK: 0, NON_FINITE_LOSS: 1, STEP_BELOW: 2, LOSS_BELOW: 3, NON_FINITE_STEP: 4 } as const;

/** Optimizer ids, as stored in the header. */
export const OPTIMIZER_ID = { sgd: 0, momentum: 1, adam: 2 } as const;

/** Optimizer scalars after the state regions: f64 slots. */
export const OPT_SCALARS = { T: 0, BETA1_POWER: 1, BETA2_POWER: 2 } as const;
export const OPT_SCALAR_BYTES = 32;
export const HEADER_BYTES = 512;

/** Layer table: one record of LAYER_RECORD_BYTES per layer; i32 slots, then the slope and the dropout rate as f64. */
export const L = {
  INPUTS: 0,
  UNITS: 1,
  ACTIVATION: 2,
  FUSED_ROWS: 3, // steps of at most this many rows train the layer on the fused path (src/layout/plan.ts fusedRows)
  W: 4, // byte offsets from here on
  B: 5,
  GW: 6,
  GB: 7,
  Z: 8,
  A: 9,
  DELTA: 10,
  MASK: 11, // the dropout mask region (batch capacity × units f64: 0 or 1/(1 − p)); 0 when the layer has no dropout
  SLOPE_F64: 6, // f64 slot (byte 48 of the record)
  DROPOUT_F64: 7, // f64 slot (byte 56): the dropout rate p (0: none)
} as const;
export const LAYER_RECORD_BYTES = 64;

/**
 * The thread pool's block (assembly/pool.ts, src/engine/wasm/pool.ts): POOL_BYTES at plan.pool, i32
 * slots at byte `plan.pool + 4 * slot`. These are the slots the host writes or reads; the others
 * (the task and its arguments) belong to the kernels.
 */
export const POOL_BYTES = 1024;
export const P = {
  GEN: 0, // task generation: workers sleep on it
  DONE: 3, // tiles of the current task done: the calling thread sleeps on it (a failing worker wakes it)
  STOP: 4, // 1: workers leave pool_serve for good (the model is gone)
  WORKERS: 5, // workers inside pool_serve on this block
  THREADS: 8, // threads configured (scratch slots; the coordinator is 0)
  SCRATCH: 9, // byte offset of scratch slot 0 (plan.scratch)
  SCRATCH_STRIDE: 10, // bytes per scratch slot (plan.scratchBytes)
  MIN_VOLUME: 11, // products of fewer multiply-adds stay on one thread (src/layout/plan.ts)
  MIN_ELEMENTS: 12, // element-wise passes over fewer values stay on one thread
  WORKER_TILES: 13, // tiles the workers have run, ever (wraps at 2^32)
  WORKERS_ONLY: 14, // 1: the calling thread takes no tile while workers serve the block (threadSplitOverride.workersOnly)
  FAILED: 15, // 1: a worker failed; the kernels stop splitting, and a task it held traps the call
  RELEASE: 16, // 1: workers leave pool_serve (the shared pool turns to another model, or has mail for them)
  CAN_BLOCK: 18, // 1: the calling thread may sleep (Atomics.wait) while workers finish their tiles
  PRODUCT_TILES: 19, // tiles per thread of a product
  ELEMENT_TILES: 20, // tiles per thread of an element-wise pass
  COORDINATOR_SPINS: 21, // spins of the calling thread on the last tiles before it looks at the clock (assembly/pool.ts awaitTiles)
  WORKER_SPINS: 22, // spins of an idle worker between tasks before it sleeps
  CALLS: 23, // the host's kernel calls, counted (the kernels' probe of whether the pool pays measures across one return to the host, not more)
  WHOLE: 24, // byte offset of the region where a product's shared operand is packed once (plan.whole)
  WHOLE_BYTES: 25, // its bytes (plan.wholeBytes)
} as const;
/** f64 slots of the pool block the host writes (byte `plan.pool + 8 * slot`; within the control slots' room, past P's). */
export const PF = {
  CALL_START: 13, // performance.now() when the current kernel call began
  CALL_END: 14, // performance.now() when the last kernel call ended
} as const;
