// A loss summed over rows that arrive a chunk at a time, with the bits of the in-memory sums:
// the rows go in groups of `group` rows, each group one sequential sum (continued across the pieces
// the engine memory takes at once), and the groups' sums added in order. model.loss and evaluate sum
// blocks of 1024 rows this way; fit's validation loss sums groups of the batch capacity.
import { loss_scale } from '../layout/loss-scale.js';
import { LOSS_ID } from '../layout/abi.js';
import { writeRows } from '../layout/pack.js';
import type { Engine } from '../engine/engine.js';
import type { Scaler } from '../data/normalize.js';
import type { ValidSpec } from '../spec/types.js';
import type { Rows } from './chunk.js';

/** Where the rows go: `capacity` rows at byte offsets `x` and `y`. */
export interface LossRegion {
  x: number;
  y: number;
  capacity: number;
}

export class GroupedLoss {
  /** Rows added so far. */
  rows = 0;
  private sum = 0;
  private groupSum = 0;
  private inGroup = 0;
  private held = 0;

  constructor(
    private readonly engine: Engine,
    private readonly spec: ValidSpec,
    /** Where a chunk's rows go (asked per chunk: between chunks the model may have grown its memory). */
    private readonly regionOf: () => LossRegion,
    private readonly group: number,
    private readonly scalers: { inputs?: Scaler; targets?: Scaler },
  ) {}

  /** Adds a chunk's rows (scaled on their way into engine memory); none stay there after the call. */
  add(chunk: Rows): void {
    if (chunk.rows === 0) return;
    const { inputs, outputs } = this.spec;
    const region = this.regionOf();
    for (let from = 0; from < chunk.rows;) {
      const n = Math.min(chunk.rows - from, region.capacity - this.held, this.group - this.inGroup - this.held);
      writeRows(this.engine.f64, region.x + this.held * inputs * 8, chunk.x.data, from, n, inputs, this.scalers.inputs);
      writeRows(this.engine.f64, region.y + this.held * outputs * 8, chunk.y!.data, from, n, outputs, this.scalers.targets);
      this.held += n;
      from += n;
      if (this.held === region.capacity || this.inGroup + this.held === this.group) this.flush(region);
    }
    this.flush(region);
    this.rows += chunk.rows;
  }

  private flush(region: LossRegion): void {
    if (this.held > 0) this.groupSum = this.engine.lossSum(this.held, region.x, region.y, this.groupSum);
    this.inGroup += this.held;
    this.held = 0;
    if (this.inGroup === this.group) this.closeGroup();
  }

  private closeGroup(): void {
    this.sum += this.groupSum;
    this.groupSum = 0;
    this.inGroup = 0;
  }

  /** The loss over every row added (the spec's loss scale of that many rows). */
  total(): number {
    if (this.inGroup > 0) this.closeGroup();
    return this.sum * loss_scale(LOSS_ID[this.spec.loss], this.rows, this.spec.outputs);
  }
}
