/**
 * THE memory layout of wasmlp. Both engines follow it: the WebAssembly engine in its linear memory
 * (starting at the kernels' heap base), the TypeScript engine in an ArrayBuffer of its own (starting
 * at 0). Every offset below is a byte address, 16-byte aligned (f64x2 loads), computed here and only
 * here; kernels receive offsets and never allocate.
 *
 *   fixed part (depends on the model only; it never moves when the arena grows)
 *     header        HEADER_BYTES   i32 slots H.* (src/layout/abi.ts): counts and region offsets the
 *                                   kernels read (layer count, loss id, table, params, grads, scratch)
 *     pool          POOL_BYTES     the thread pool's block (assembly/pool.ts): its workers hold this
 *                                   address for their whole life, so it sits in the part that never moves
 *     layer table   L × 64 bytes   per layer: inputs, units, activation id, offsets of W, b, gW, gb,
 *                                   z, a, delta, mask; slope and dropout rate (f64)
 *     params        P f64          layer 0 W [units][inputs] row by row, layer 0 b [units], layer 1 W,
 *                                   layer 1 b, …: the reference files' `grads_flat` order
 *     grads         P f64          dL/dθ, same order as params
 *     rng           4 u32          xoshiro128** state of the row shuffler (saved with the parameters)
 *     optimizer     mask [P] f64   1 where a parameter trains, 0 where it is frozen
 *                   m [P], v [P]   momentum velocity (m), Adam's first (m) and second (v) moments
 *                   4 f64          Adam's step count t, β1^t, β2^t (OPT_SCALARS)
 *   batch part (depends on the batch capacity B and the data capacity N; may grow)
 *     per layer l   z_l, a_l, delta_l: B × units_l f64 each, row-major (one sample per row);
 *                   delta_l = dL/dz_l; then, for a layer with dropout only, mask_l: B × units_l f64,
 *                   the current batch's mask times the scale (0 or 1/(1 − p); assembly/dropout.ts)
 *     data X        N × inputs f64 (one sample per row); a forward pass reads its rows in place
 *     data Y        N × outputs f64
 *     perm          N u32          the row order of the current epoch (shuffled in place)
 *     weights       N f64          the rows' weights (sampleWeight × classWeight); only in a plan for
 *                                   weighted fits (Capacity.weights), else empty
 *     batch X, Y    B × inputs, B × outputs f64: a shuffled batch's rows gathered contiguously
 *                   (unshuffled training reads X and Y in place instead)
 *     batch weights B f64: a shuffled batch's weights, gathered with its rows (weighted plans only)
 *     loss log      LOSS_LOG_CAPACITY f64: the loss sum of each epoch of one train_epochs call
 *     validation    V × inputs, V × outputs f64: held-out rows, evaluated between epochs
 *     scratch       GEMM packing space for the largest product of the plan (gemmScratchBytes),
 *                   once per thread (spec.threads): thread t packs at scratch + t × scratchBytes
 *
 * Growing the arena keeps the fixed part where it is, so parameters survive a larger batch or more
 * data; views of a grown WebAssembly memory must be re-created (the engine does that).
 *
 * Offsets are unsigned 32-bit byte addresses: a plan may end anywhere up to 4 GiB (2^32 bytes, a
 * wasm32 memory's 65536 pages). They are stored in the header's i32 slots with the same bits (an
 * offset ≥ 2^31 reads back negative from an Int32Array: hosts read them with `>>> 0` / `>>> 3`).
 * src/layout/budget.ts checks every plan against the limit before anything is allocated.
 *
 * Layer paths (fusedRows below: the one place that decides; the layer table carries it in L.FUSED_ROWS)
 *   general  the layer's products run through the GEMM kernels (direct, thin or packed: blas.ts),
 *            then the activation and its derivative as separate passes
 *   fused    small layers inside train_epochs (assembly/fused.ts, src/engine/ts/fused.ts): one loop
 *            computes product, bias, activation and f'(z) from the same exp; f'(z) waits in the
 *            layer's delta region (rows × units, free until the backward pass) and multiplies the
 *            incoming gradient there, the output layer's loss sum, loss gradient and f' are one loop,
 *            and the backward pass computes gW, gb and the previous layer's delta in direct loops
 *   Both paths compute each element of every product as one sequential sum in the same order, and
 *   the same activation formulas, so the choice changes speed only, never a bit of the results.
 *   A step of `rows` rows trains a layer on the fused path when rows × inputs × units ≤ FUSED_VOLUME
 *   (rows ≤ the layer's fusedRows), its activation is not softmax (its Jacobian needs a whole row)
 *   and it has no dropout (its masks are drawn and applied on the general path only).
 *   A step of one row on a network whose every layer is fused for one row, with plain sgd (every
 *   parameter trains) and a loss the fused output loop handles, is one pass forward and one pass
 *   back that updates each parameter as it reads it (no gradient region, no separate update pass):
 *   not a setting of its own, it follows from fusedRows and the optimizer, and train_epochs checks it
 *   once per call (assembly/train.ts, src/engine/ts/train.ts). The same bits again.
 *
 * Threads (threadSplit below: the one place that decides; the kernels read it from the pool block)
 *   With spec.threads > 1 the WebAssembly engine runs on a shared memory, and its workers take tiles
 *   of the general path's large passes: products of at least PARALLEL_VOLUME multiply-adds (blocks of
 *   C), activations, dropout masks' application, optimizer updates and the gathering of shuffled
 *   batches over at least PARALLEL_ELEMENTS values (row or element ranges). Everything smaller, the
 *   fused path, the loss, the bias sums and the drawing of dropout masks stay on the calling thread. Each output element is still computed by one thread in the same order, so the choice
 *   changes speed only, never a bit of the results (assembly/pool.ts). Workers start at the first
 *   plan that has such a pass (wantsThreads).
 */
import { HEADER_BYTES, LAYER_RECORD_BYTES, OPT_SCALAR_BYTES, POOL_BYTES } from './abi.js';
import { gemmScratchBytes, sharedOperandBytes } from './scratch.js';
import type { LayerShape, ValidSpec } from '../spec/types.js';

export interface LayerPlan extends LayerShape {
  /** Byte offsets into the arena. */
  readonly W: number;
  readonly b: number;
  readonly gW: number;
  readonly gb: number;
  readonly z: number;
  readonly a: number;
  readonly delta: number;
  /** Offset of this layer's weights within the flat parameter vector (in elements). */
  readonly paramIndex: number;
  /** Steps of at most this many rows train the layer on the fused path (fusedRows). */
  readonly fusedRows: number;
  /** Byte offset of the dropout mask region (batch capacity × units f64); 0 when the layer has no dropout. */
  readonly mask: number;
}

/**
 * Largest product (batch rows × inputs × units) a fused layer may have. Up to here a product is
 * small enough for the direct loop in blas.ts anyway (DIRECT_VOLUME), so the fused loop loses
 * nothing on arithmetic and saves the passes and calls around it.
 */
export const FUSED_VOLUME = 4096;

/**
 * Forces every layer onto one path (null: decide by size). A testing hook: the two paths give the
 * same bits, and tests prove it by training one model both ways. Plans computed afterwards follow it.
 */
export const layerPathOverride: { force: 'fused' | 'general' | null } = { force: null };

/** THE path choice: the largest batch (rows) for which the layer trains on the fused path; 0: never. */
export function fusedRows(shape: Pick<LayerShape, 'inputs' | 'units' | 'activation'> & { readonly dropout?: number }): number {
  if (shape.activation === 'softmax' || (shape.dropout ?? 0) > 0) return 0;
  if (layerPathOverride.force === 'general') return 0;
  if (layerPathOverride.force === 'fused') return 0x7fffffff;
  return Math.floor(FUSED_VOLUME / (shape.inputs * shape.units));
}

/**
 * Products with fewer multiply-adds than this stay on one thread: below it the split costs more than
 * it saves. Measured on 2 cores: W6's 32 × 64 × 32 products (65,536) were 17 % slower split, W4's
 * output-layer products (64 × 128 × 10 = 81,920) gain, and splitting them takes W4 from about 1.7×
 * to 1.9× on 2 threads.
 */
export const PARALLEL_VOLUME = 80_000;
/** Activations, optimizer passes and batch gathers over fewer values than this stay on one thread. */
export const PARALLEL_ELEMENTS = 1 << 12;

/**
 * Tiles per thread. More tiles than threads, claimed dynamically: whoever is running takes the next
 * one, so a worker the operating system deschedules holds up a small part, and the calling thread
 * takes every tile no worker has started (assembly/pool.ts). No tile is smaller than half the
 * smallest pass that splits (PARALLEL_VOLUME, PARALLEL_ELEMENTS): W4's 81,920-multiply-add products
 * go in two, not eight tiles of a few microseconds each.
 */
export const PRODUCT_TILES_PER_THREAD = 4;
export const ELEMENT_TILES_PER_THREAD = 4;
/**
 * Spins of the calling thread on the last tiles before it looks at the clock (it then spins on for
 * as long as one of its own tiles of the task took, and sleeps where it may: not on a browser's main
 * thread); and of an idle worker between tasks before it sleeps (a step's serial parts are usually
 * shorter). Spinning longer only takes a core that a worker, or another process, needs; on a busy
 * machine the kernels' probe (assembly/pool.ts usePool) sends the work to the calling thread alone.
 */
export const COORDINATOR_SPINS = 1 << 12;
export const WORKER_SPINS = 1 << 16;

/**
 * Lowers the split thresholds (null: the constants above), and with `workersOnly` leaves every tile
 * to the workers. A testing hook: splitting changes no bit, and tests prove it on small layers by
 * splitting everything, with the workers (not the calling thread) computing every tile. Plans bound
 * afterwards follow it. The tiles and spins can be set too (benchmarks tune them with it).
 */
export const threadSplitOverride: {
  minVolume: number | null; minElements: number | null; workersOnly: boolean;
  productTiles?: number; elementTiles?: number; coordinatorSpins?: number; workerSpins?: number;
} = {
  minVolume: null, minElements: null, workersOnly: false,
};

/** THE thread choice: the smallest product and the smallest element-wise pass that run on the pool, and how they are cut. */
export function threadSplit(): {
  minVolume: number; minElements: number; workersOnly: boolean;
  productTiles: number; elementTiles: number; coordinatorSpins: number; workerSpins: number;
} {
  const o = threadSplitOverride;
  return {
    minVolume: o.minVolume ?? PARALLEL_VOLUME,
    minElements: o.minElements ?? PARALLEL_ELEMENTS,
    workersOnly: o.workersOnly,
    productTiles: o.productTiles ?? PRODUCT_TILES_PER_THREAD,
    elementTiles: o.elementTiles ?? ELEMENT_TILES_PER_THREAD,
    coordinatorSpins: o.coordinatorSpins ?? COORDINATOR_SPINS,
    workerSpins: o.workerSpins ?? WORKER_SPINS,
  };
}

/** Rows assumed for a model that has not trained yet when deciding whether to start its workers. */
const TYPICAL_BATCH = 64;

/**
 * True when a pass of this plan, or of the same model at a batch of 64 rows, is large enough for the
 * pool: only then are workers started (at the model's creation, or at the first plan that needs them).
 */
export function wantsThreads(plan: Plan): boolean {
  if (plan.spec.threads < 2) return false;
  const { minVolume, minElements } = threadSplit();
  if (plan.spec.paramCount >= minElements) return true;
  const rows = Math.max(plan.batchCapacity, TYPICAL_BATCH);
  return plan.layers.some((l) => rows * l.inputs * l.units >= minVolume || rows * l.units >= minElements);
}

export interface Plan {
  readonly spec: ValidSpec;
  readonly base: number;
  readonly header: number;
  /** The thread pool's block (POOL_BYTES; used when spec.threads > 1). */
  readonly pool: number;
  readonly table: number;
  readonly params: number;
  readonly grads: number;
  readonly rng: number;
  /** Optimizer state: mask, m and v (P f64 each), then the optimizer scalars. */
  readonly optState: number;
  readonly mask: number;
  readonly m: number;
  readonly v: number;
  readonly optScalars: number;
  /** End of the fixed part: everything before it is independent of batch and data capacity. */
  readonly fixedEnd: number;
  readonly batchCapacity: number;
  readonly rowCapacity: number;
  readonly layers: readonly LayerPlan[];
  readonly x: number;
  readonly y: number;
  readonly perm: number;
  readonly batchX: number;
  readonly batchY: number;
  /** Whether the plan holds row weights (`weights`, N f64; `batchWeights`, B f64); both regions are empty otherwise. */
  readonly weighted: boolean;
  readonly weights: number;
  readonly batchWeights: number;
  readonly lossLog: number;
  readonly validationCapacity: number;
  readonly validationX: number;
  readonly validationY: number;
  /** Scratch slot 0; slot t (thread t) at scratch + t × scratchBytes. */
  readonly scratch: number;
  /** Bytes of one scratch slot. */
  readonly scratchBytes: number;
  /**
   * Where a split product's shared operand is packed once for all its tiles (assembly/pool.ts
   * packShared), and its bytes: the largest such operand of the plan's layer products; 0 and 0 on
   * one thread.
   */
  readonly whole: number;
  readonly wholeBytes: number;
  /** One past the last byte of the arena. */
  readonly end: number;
}

export interface Capacity {
  /** Rows the per-layer activation regions hold. */
  batch: number;
  /** Rows the data regions X and Y hold. */
  rows: number;
  /** Rows the validation regions hold (default 0). */
  validation?: number;
  /** Room for a weight per data row and per batch row (default false). */
  weights?: boolean;
}

/** Epochs one train_epochs call may run: the loss log holds one sum per epoch. */
export const LOSS_LOG_CAPACITY = 1024;

/** Rounds up to a multiple of 16 in exact float64 arithmetic: offsets reach 4 GiB, past int32 (`&` would wrap). */
const align16 = (n: number): number => Math.ceil(n / 16) * 16;

export function computePlan(spec: ValidSpec, capacity: Capacity, base = 0): Plan {
  const B = capacity.batch;
  const N = capacity.rows;
  let at = align16(base);
  const take = (bytes: number): number => {
    const start = at;
    at = align16(at + bytes);
    return start;
  };
  const header = take(HEADER_BYTES);
  const pool = take(POOL_BYTES);
  const table = take(spec.layers.length * LAYER_RECORD_BYTES);
  const params = take(spec.paramCount * 8);
  const grads = take(spec.paramCount * 8);
  const rng = take(16);
  const optState = take(3 * spec.paramCount * 8 + OPT_SCALAR_BYTES);
  const mask = optState, m = mask + spec.paramCount * 8, v = m + spec.paramCount * 8, optScalars = v + spec.paramCount * 8;
  const fixedEnd = at;

  const layers: LayerPlan[] = [];
  let paramIndex = 0;
  let maxWidth = spec.inputs;
  for (const shape of spec.layers) {
    const W = params + paramIndex * 8;
    const b = W + shape.units * shape.inputs * 8;
    const gW = grads + paramIndex * 8;
    const gb = gW + shape.units * shape.inputs * 8;
    const rowBytes = B * shape.units * 8;
    const z = take(rowBytes), a = take(rowBytes), delta = take(rowBytes);
    const mask = shape.dropout > 0 ? take(rowBytes) : 0;
    layers.push({ ...shape, W, b, gW, gb, z, a, delta, paramIndex, fusedRows: fusedRows(shape), mask });
    paramIndex += shape.units * shape.inputs + shape.units;
    maxWidth = Math.max(maxWidth, shape.units);
  }
  const x = take(N * spec.inputs * 8);
  const y = take(N * spec.outputs * 8);
  const perm = take(N * 4);
  const weighted = capacity.weights ?? false;
  const weights = take(weighted ? N * 8 : 0);
  const batchX = take(B * spec.inputs * 8);
  const batchY = take(B * spec.outputs * 8);
  const batchWeights = take(weighted ? B * 8 : 0);
  const lossLog = take(LOSS_LOG_CAPACITY * 8);
  const V = capacity.validation ?? 0;
  const validationX = take(V * spec.inputs * 8);
  const validationY = take(V * spec.outputs * 8);
  const scratchBytes = gemmScratchBytes(Math.max(B, maxWidth), maxWidth, Math.max(B, maxWidth));
  const scratch = take(scratchBytes * spec.threads);
  const wholeBytes = spec.threads > 1 ? Math.max(...spec.layers.map((l) => Math.max(
    sharedOperandBytes(B, l.units, l.inputs), // forward: Z = X · Wᵀ
    sharedOperandBytes(B, l.inputs, l.units), // input gradient: dX = Δ · W
    sharedOperandBytes(l.units, l.inputs, B), // weight gradient: dW = Δᵀ · X
  ))) : 0;
  const whole = take(wholeBytes);
  return {
    spec,
    base,
    header,
    pool,
    table,
    params,
    grads,
    rng,
    optState,
    mask,
    m,
    v,
    optScalars,
    fixedEnd,
    batchCapacity: B,
    rowCapacity: N,
    layers,
    x,
    y,
    perm,
    batchX,
    batchY,
    weighted,
    weights,
    batchWeights,
    lossLog,
    validationCapacity: V,
    validationX,
    validationY,
    scratch,
    scratchBytes,
    whole,
    wholeBytes,
    end: at,
  };
}
