// Where a fitStream stopped inside an epoch, so that the next fitStream on the same source continues
// that epoch with the bits of one uninterrupted run. The model keeps it, and toJSON({ training: true })
// saves it (src/model/stream-position.ts, the checksummed field `training.stream`).
//
// Training stops between blocks only (after a block's updates: signal, timeout, onProgress, dispose),
// so the place is exact: `rows` rows of the epoch were read from the source; those not in the shuffle
// buffer were trained on, in `step` updates whose batch losses add up to `sum`. Resuming reads the
// source from its start and skips `rows` rows (the chunks before are read and checked, not trained:
// a source that cannot skip cheaply reads them again), puts the buffer back, and goes on.
export interface StreamPosition {
  /** The batch size and shuffle buffer rows the place belongs to (a resume must use the same). */
  readonly batchSize: number;
  readonly buffer: number;
  /** Whether the rows carried weights. */
  readonly weighted: boolean;
  /** Rows of the epoch read from the source. */
  readonly rows: number;
  /** Updates made in the epoch, and the sum of their batches' losses (in order). */
  readonly step: number;
  readonly sum: number;
  /** The shuffle buffer's generator and its rows (count × inputs, count × outputs, count weights), or null without one. */
  readonly shuffle: { rng: Uint32Array; count: number; x: Float64Array; y: Float64Array; w: Float64Array | null } | null;
}
