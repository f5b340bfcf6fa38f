// setNormalizationStream: the scalers of setNormalization, from rows read a chunk at a time, with the
// same bits (src/data/normalize.ts computes them; every sum below is the same sequential sum per column
// in row order, whatever the chunks):
//   pass 1: rows, min and max of every column, and for standardize the plain Σ x;
//   pass 2 (standardize): the plain Σ (x − mean)², and Σ x/s for a column whose plain mean overflowed
//           (s: the power of two of its min and max, as normalize.ts's scaledMoments);
//   pass 3 (only for a column whose plain mean or std is not finite): Σ (x/s − mean/s)².
// Each pass must give the rows of the first (a StreamError SOURCE_CHANGED otherwise).
import { StreamError } from '../errors.js';
import { Scaler, momentScale, parseNormalizationSpec, scaledMean, scaledStd, type NormalizationSpec, type ScalerKind, type ScalerRange } from '../data/normalize.js';
import type { Matrix } from '../data/dataset.js';
import { checkChunk, type ChunkShape, type Rows } from './chunk.js';
import { pass, type ChunkSource } from './source.js';

/** The statistics of one side (inputs or targets), accumulated over the passes. */
class Columns {
  rows = 0;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  /** Per column: 0 plain, else the power of two of the overflow-safe recomputation. */
  readonly s: Float64Array;
  readonly scaled: Float64Array;

  constructor(readonly cols: number, readonly kind: ScalerKind, readonly range: ScalerRange, readonly name: string) {
    this.min = new Float64Array(cols).fill(Infinity);
    this.max = new Float64Array(cols).fill(-Infinity);
    this.a = new Float64Array(cols);
    this.b = new Float64Array(cols);
    this.s = new Float64Array(cols);
    this.scaled = new Float64Array(cols);
  }

  first({ data, rows }: Matrix): void {
    const { cols, min, max, a } = this;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = data[r * cols + c];
        if (v < min[c]) min[c] = v;
        if (v > max[c]) max[c] = v;
        a[c] += v;
      }
    }
    this.rows += rows;
  }

  second({ data, rows }: Matrix): void {
    const { cols, a, b, s, scaled } = this;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const d = data[r * cols + c] - a[c];
        b[c] += d * d;
        if (s[c] !== 0) scaled[c] += data[r * cols + c] / s[c];
      }
    }
  }

  third({ data, rows }: Matrix): void {
    const { cols, a, s, scaled } = this;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (s[c] === 0) continue;
        const d = data[r * cols + c] / s[c] - a[c] / s[c];
        scaled[c] += d * d;
      }
    }
  }

  /** After pass 1: the plain means, and which columns overflowed (their s). */
  means(): void {
    for (let c = 0; c < this.cols; c++) {
      this.a[c] /= this.rows;
      if (!Number.isFinite(this.a[c])) this.s[c] = momentScale(this.min[c], this.max[c]);
    }
  }

  /** After pass 2: the stds, the recomputed means; true when a pass 3 is needed. */
  stds(): boolean {
    let again = false;
    for (let c = 0; c < this.cols; c++) {
      this.b[c] = Math.sqrt(this.b[c] / this.rows);
      if (this.s[c] !== 0) this.a[c] = scaledMean(this.scaled[c], this.rows, this.s[c], this.min[c], this.max[c]);
      if (this.s[c] !== 0 || !Number.isFinite(this.b[c])) {
        if (this.s[c] === 0) this.s[c] = momentScale(this.min[c], this.max[c]);
        this.scaled[c] = 0;
        again = true;
      }
    }
    return again;
  }

  /** After pass 3: the overflow-safe stds. */
  scaledStds(): void {
    for (let c = 0; c < this.cols; c++) {
      if (this.s[c] !== 0) this.b[c] = scaledStd(this.scaled[c], this.rows, this.s[c], this.min[c], this.max[c]);
    }
  }

  scaler(): Scaler {
    if (this.kind === 'minMax') return Scaler.fromStatistics(this.kind, this.range, this.min, this.max, this.name);
    return Scaler.fromStatistics(this.kind, this.range, this.a, this.b, this.name);
  }
}

type Side = { columns: Columns; of: (rows: Rows) => Matrix };

async function readPass(source: ChunkSource, shape: ChunkShape, sides: Side[], step: (c: Columns, m: Matrix) => void, expected: number | null): Promise<number> {
  let index = 0, rows = 0;
  for await (const chunk of pass(source)) {
    const checked = checkChunk(chunk, index++, shape);
    rows += checked.rows;
    if (checked.rows > 0) for (const side of sides) step(side.columns, side.of(checked));
  }
  if (rows === 0) throw new StreamError('EMPTY_STREAM', 'source: no rows to fit a scaler on', -1, { path: 'source', expected: 'at least one row', received: '0 rows' });
  if (expected !== null && rows !== expected) {
    throw new StreamError('SOURCE_CHANGED', `source: a pass gave ${rows} rows, the first gave ${expected}; a scaler needs the same rows on every pass`, index, { path: 'source', expected: `${expected} rows`, received: `${rows} rows` });
  }
  return rows;
}

/** The scalers of `spec` over the rows of `source` (shape: the model's widths and label encoding). */
export async function scalersFromStream(source: ChunkSource, spec: NormalizationSpec, shape: Omit<ChunkShape, 'targets'>): Promise<{ inputs?: Scaler; targets?: Scaler }> {
  const parsed = parseNormalizationSpec(spec, 'normalization');
  const sides: Side[] = [];
  if (parsed.inputs) sides.push({ columns: new Columns(shape.inputs, parsed.inputs.kind, parsed.inputs.range, 'X'), of: (r) => r.x });
  if (parsed.targets) sides.push({ columns: new Columns(shape.outputs, parsed.targets.kind, parsed.targets.range, 'Y'), of: (r) => r.y! });
  const read = { ...shape, targets: parsed.targets !== undefined, classWeights: null };
  const rows = await readPass(source, read, sides, (c, m) => c.first(m), null);
  const standardized = sides.filter((side) => side.columns.kind === 'standardize');
  if (standardized.length > 0) {
    for (const side of standardized) side.columns.means();
    await readPass(source, read, standardized, (c, m) => c.second(m), rows);
    const again = standardized.filter((side) => side.columns.stds());
    if (again.length > 0) {
      await readPass(source, read, again, (c, m) => c.third(m), rows);
      for (const side of again) side.columns.scaledStds();
    }
  }
  return { inputs: parsed.inputs ? sides[0].columns.scaler() : undefined, targets: parsed.targets ? sides[sides.length - 1].columns.scaler() : undefined };
}
