// A block: training rows assembled in engine memory, whole batches at a time, and trained there by the
// engine's own loop (train_epochs), so the hot path never crosses into the engine per row.
//
// The block lives in the plan's data region from row 1 on; row 0 is never read. The engine is handed
// the block as the rest of an epoch already under way: N = rows + 1 rows, position 1, the epoch's
// update count and loss sum so far, no shuffling (the rows come in their training order). train_epochs
// then does exactly what it does inside one epoch of fit with shuffle: false: the same batches (a
// block holds whole batches; only the epoch's last block may end with a smaller one), the same
// updates, and the loss sum continued batch after batch in one sequential sum. Its loss log receives
// that running sum at the block's end. So an epoch cut into blocks is, bit for bit, one epoch of fit
// on the concatenated rows. Row weights (when the rows have them) sit in the weights region, row 1 on.
import { H, HF, TRAIN_STATUS } from '../layout/abi.js';
import { writeRows } from '../layout/pack.js';
import type { Plan } from '../layout/plan.js';
import type { Engine } from '../engine/engine.js';
import type { Scaler } from '../data/normalize.js';
import type { Rows } from './chunk.js';
import { copyValues, type ShuffleBuffer } from './shuffle-buffer.js';

/** Largest count the engine takes (an i32). */
const ENGINE_MAX_COUNT = 0x7fffffff;

/** `n` values of `source` from index `from` into `target` from `to`, scaled on the way when a scaler is given (a row: no views). */
function placeValues(scaler: Scaler | undefined, source: Float64Array, from: number, target: Float64Array, to: number, n: number): void {
  if (scaler === undefined) copyValues(source, from, target, to, n);
  else scaler.transformAt(source, from, target, to, n);
}

/** Where an epoch stands: updates made in it and its loss sum (each batch's loss sum added in order). */
export interface EpochPoint {
  step: number;
  sum: number;
}

/** What one engine call on a block did. */
export interface BlockResult extends EpochPoint {
  status: number;
  /** Updates made by the call. */
  steps: number;
  /** Rows of the block trained on (fewer than the block when stepBelow ended the epoch). */
  rows: number;
}

export class Block {
  /** Rows assembled so far. */
  count = 0;

  constructor(
    private readonly engine: Engine,
    private readonly plan: Plan,
    /** Rows the block holds: whole batches. */
    readonly capacity: number,
    private readonly scalers: { inputs?: Scaler; targets?: Scaler },
    private readonly weighted: boolean,
  ) {}

  get full(): boolean {
    return this.count === this.capacity;
  }

  private at(region: number, width: number): number {
    return region + (1 + this.count) * width * 8;
  }

  /** Copies `n` rows of a chunk from row `from` (n ≤ the room left), scaled on the way. */
  add(rows: Rows, from: number, n: number): void {
    const { inputs, outputs } = this.plan.spec;
    const f64 = this.engine.f64;
    writeRows(f64, this.at(this.plan.x, inputs), rows.x.data, from, n, inputs, this.scalers.inputs);
    writeRows(f64, this.at(this.plan.y, outputs), rows.y!.data, from, n, outputs, this.scalers.targets);
    if (this.weighted) f64.set(rows.weights!.subarray(from, from + n), this.at(this.plan.weights, 1) >>> 3);
    this.count += n;
  }

  /** Copies the row in a slot of the shuffle buffer (scaled on the way). */
  addBuffered(buffer: ShuffleBuffer, slot: number): void {
    const { inputs, outputs } = this.plan.spec;
    const f64 = this.engine.f64;
    const { inputs: sx, targets: sy } = this.scalers;
    placeValues(sx, buffer.x, slot * inputs, f64, this.at(this.plan.x, inputs) >>> 3, inputs);
    placeValues(sy, buffer.y, slot * outputs, f64, this.at(this.plan.y, outputs) >>> 3, outputs);
    if (this.weighted) f64[this.at(this.plan.weights, 1) >>> 3] = buffer.w![slot];
    this.count++;
  }

  /**
   * The shuffle buffer's exchange for rows `from` … `from + n − 1` of a chunk (n ≤ the room left; the
   * buffer full), in one loop: per row, the slot picked, the row in it into the block (scaled on the
   * way), the arriving row into the slot: what pick, addBuffered and the buffer's store do, with the
   * block's places computed once.
   */
  exchange(buffer: ShuffleBuffer, rows: Rows, from: number, n: number): void {
    const { inputs, outputs } = this.plan.spec;
    const f64 = this.engine.f64;
    const { inputs: sx, targets: sy } = this.scalers;
    let x = this.at(this.plan.x, inputs) >>> 3, y = this.at(this.plan.y, outputs) >>> 3, w = this.at(this.plan.weights, 1) >>> 3;
    for (let r = from; r < from + n; r++, x += inputs, y += outputs, w++) {
      const slot = buffer.pick();
      placeValues(sx, buffer.x, slot * inputs, f64, x, inputs);
      placeValues(sy, buffer.y, slot * outputs, f64, y, outputs);
      if (this.weighted) f64[w] = buffer.w![slot];
      buffer.store(slot, rows, r);
    }
    this.count += n;
  }

  /**
   * Trains on the rows of the block from the epoch's point `from` (the rows before `skip` were trained
   * by an earlier call), at most `maxSteps` updates. The rows stay, so a block can be trained again
   * from a snapshot (a replay).
   */
  train(from: EpochPoint, skip = 0, maxSteps = ENGINE_MAX_COUNT): BlockResult {
    const { engine, plan } = this;
    const h = plan.header >>> 2, f = plan.header >>> 3;
    const i32 = engine.i32;
    i32[h + H.ROWS] = this.count + 1;
    i32[h + H.SHUFFLE] = 0;
    i32[h + H.EPOCH_POS] = 1 + skip;
    i32[h + H.EPOCH_STEP] = from.step;
    engine.f64[f + HF.EPOCH_SUM] = from.sum;
    const status = engine.trainEpochs(1, maxSteps);
    const steps = i32[h + H.STEPS_DONE];
    const ended = i32[h + H.EPOCHS_DONE] === 1;
    const sum = ended ? engine.f64[plan.lossLog >>> 3] : engine.f64[f + HF.EPOCH_SUM];
    const rows = status === TRAIN_STATUS.STEP_BELOW ? i32[h + H.ROWS_SEEN] - 1 - skip : ended ? this.count - skip : i32[h + H.EPOCH_POS] - 1 - skip;
    return { status, steps, rows, step: from.step + steps, sum };
  }

  /** Empties the block (its rows were trained). */
  clear(): void {
    this.count = 0;
  }
}
