// Per-column scaling of packed rows, fitted on training data, with its exact inverse.
//   minMax to [0, 1]:   u = (x − min) / (max − min)          inverse: x = min + u (max − min)
//   minMax to [−1, 1]:  v = 2 (x − min) / (max − min) − 1    inverse: x = min + (v + 1)/2 · (max − min)
//   standardize:        s = (x − mean) / std  (population std) inverse: x = mean + s · std
// A constant column (max = min, or std = 0) cannot be divided by its spread: it maps to the middle of
// the range (0.5 for [0, 1], 0 for [−1, 1] and for standardize), and the inverse gives the constant back.
//
// Finite data always give a finite scaler that maps those data to finite values, however large they
// are. Two things can overflow in the formulas above, and neither is allowed to:
//  - std's sum of squares (values beyond about 1.3e154) or mean's sum: where the plain formula gives a
//    non-finite mean or std, that column's statistics are computed again on the values divided by a
//    power of two s close to max |x| (exact, so each operation rounds as it would with an unbounded
//    exponent), the mean kept in [min, max] and the std at most max/2 − min/2 (Popoviciu's bound).
//    Where the plain formula is finite, its result is the scaler, to the bit.
//  - a difference such as max − min, x − min or x − mean (a range from −1e308 to 1e308): a column
//    where it can overflow (max − min, or for [−1, 1] 2 (max − min), not finite; |mean| ≥ 2^969 for
//    standardize) is computed with x, its statistics and its spread multiplied by k = 1/2 (1/4 for
//    [−1, 1]) first: u = (k x − k min) / (k max − k min), and the inverse (k min + u (k max − k min)) / k.
//    Powers of two again: the same bits as the formula above wherever that one is finite, and a finite
//    result where it overflowed in between. Every other column has k = 1, which is the formula above.
// A value far outside the fitted data can still scale to ±Infinity (x = 1e300 with max − min = 1e-300):
// that is not an error of the scaler (predict gives what the network makes of it).
import { DataError, describe, type ErrorDetails, type WasmlpError } from '../errors.js';
import { oneOfNames, rejectUnknownKeys } from '../spec/names.js';

export const SCALER_KINDS = ['minMax', 'standardize'] as const;
type ErrorClass = new (code: string, message: string, details?: ErrorDetails) => WasmlpError;

export type ScalerKind = 'minMax' | 'standardize';
export type ScalerRange = readonly [0, 1] | readonly [-1, 1];

export interface ScalerJSON {
  kind: ScalerKind;
  range?: [number, number];
  /** minMax: per-column min and max. standardize: per-column mean and std. */
  a: number[];
  b: number[];
}

export class Scaler {
  /** Per column: the prescale k (1, or 1/2 or 1/4 where a difference could overflow), k·a, and the divisor (k·std, or k·max − k·min). */
  private readonly k: Float64Array;
  private readonly ka: Float64Array;
  private readonly spread: Float64Array;

  private constructor(
    readonly kind: ScalerKind,
    readonly range: ScalerRange,
    /** min (minMax) or mean (standardize), per column. */
    private readonly a: Float64Array,
    /** max (minMax) or std (standardize), per column. */
    private readonly b: Float64Array,
  ) {
    const n = a.length;
    this.k = new Float64Array(n);
    this.ka = new Float64Array(n);
    this.spread = new Float64Array(n);
    for (let c = 0; c < n; c++) {
      const k = prescale(kind, range, a[c], b[c]);
      this.k[c] = k;
      this.ka[c] = k * a[c];
      this.spread[c] = kind === 'standardize' ? k * b[c] : k * b[c] - k * a[c];
    }
  }

  get columns(): number {
    return this.a.length;
  }

  /**
   * Fits per-column statistics on `rows × cols` packed values (finite, as the callers check). `name`
   * names the data in errors (`X[*][3]`).
   */
  static fit(data: Float64Array, rows: number, cols: number, kind: ScalerKind = 'minMax', range: ScalerRange = [0, 1], name = 'X'): Scaler {
    if (rows < 1) throw new DataError('EMPTY_DATA', 'cannot fit a scaler on no rows', { expected: 'at least one row', received: '0 rows' });
    const a = new Float64Array(cols), b = new Float64Array(cols);
    if (kind === 'minMax') {
      a.fill(Infinity);
      b.fill(-Infinity);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const v = data[r * cols + c];
          if (v < a[c]) a[c] = v;
          if (v > b[c]) b[c] = v;
        }
      }
    } else {
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) a[c] += data[r * cols + c];
      for (let c = 0; c < cols; c++) a[c] /= rows;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const d = data[r * cols + c] - a[c];
          b[c] += d * d;
        }
      }
      for (let c = 0; c < cols; c++) b[c] = Math.sqrt(b[c] / rows);
      for (let c = 0; c < cols; c++) {
        if (!Number.isFinite(a[c]) || !Number.isFinite(b[c])) [a[c], b[c]] = scaledMoments(data, rows, cols, c, a[c]);
      }
    }
    return Scaler.fromStatistics(kind, range, a, b, name);
  }

  /**
   * The scaler of per-column statistics (min and max, or mean and std) computed as `fit` computes them
   * (also over rows read a chunk at a time: src/stream/moments.ts). Each must be finite.
   */
  static fromStatistics(kind: ScalerKind, range: ScalerRange, a: Float64Array, b: Float64Array, name = 'X'): Scaler {
    for (let c = 0; c < a.length; c++) {
      // never reached for finite data (see the top of this file); a scaler is finite or not made
      if (!Number.isFinite(a[c]) || !Number.isFinite(b[c])) {
        const path = `${name}[*][${c}]`, what = kind === 'minMax' ? 'minimum and maximum' : 'mean and standard deviation';
        throw new DataError('NON_FINITE_SCALER', `${path}: the column's ${what} are not finite (${describe(a[c])}, ${describe(b[c])}); it cannot be scaled`, {
          path, expected: `a finite ${what}`, received: `${describe(a[c])}, ${describe(b[c])}`,
        });
      }
    }
    return new Scaler(kind, range, a, b);
  }

  /** Scales packed rows into `out` (a new array unless given; it may be `data` itself, or engine memory). */
  transform(data: Float64Array, out: Float64Array = new Float64Array(data.length)): Float64Array {
    this.transformAt(data, 0, out, 0, data.length);
    return out;
  }

  /**
   * transform on `n` values of packed rows: `data` from index `from` (a row's start) into `out` from
   * index `to`, without a view of either (a row at a time, views cost more than the row).
   */
  transformAt(data: Float64Array, from: number, out: Float64Array, to: number, n: number): void {
    const cols = this.columns;
    const standardize = this.kind === 'standardize';
    const symmetric = !standardize && this.range[0] === -1;
    const middle = standardize || symmetric ? 0 : 0.5;
    const { a, b, k, ka, spread } = this;
    // k = 1: (x − min) / (max − min), 2 (x − min) / (max − min) − 1 and (x − mean) / std, to the bit
    for (let i = 0; i < n; i++) {
      const c = i % cols, x = data[from + i];
      if (standardize ? b[c] === 0 : b[c] === a[c]) out[to + i] = middle;
      else out[to + i] = symmetric ? (2 * (x * k[c] - ka[c])) / spread[c] - 1 : (x * k[c] - ka[c]) / spread[c];
    }
  }

  /** Maps scaled rows back to the original units (a new array). */
  inverse(data: Float64Array): Float64Array {
    const cols = this.columns;
    const out = new Float64Array(data.length);
    const symmetric = this.kind === 'minMax' && this.range[0] === -1;
    const { k, ka, spread } = this;
    // k = 1: min + u (max − min), min + (v + 1)/2 · (max − min) and mean + s · std, to the bit
    for (let i = 0; i < data.length; i++) {
      const c = i % cols, v = data[i];
      out[i] = (ka[c] + (symmetric ? (v + 1) / 2 : v) * spread[c]) / k[c];
    }
    return out;
  }

  toJSON(): ScalerJSON {
    return { kind: this.kind, range: [this.range[0], this.range[1]], a: Array.from(this.a), b: Array.from(this.b) };
  }

  /**
   * Checks a saved scaler completely (known keys only, a known kind and range, two equally long arrays
   * of finite numbers, min ≤ max for minMax and std ≥ 0 for standardize) and rebuilds it.
   */
  static fromJSON(json: ScalerJSON, path = 'scaler'): Scaler {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw bad(path, 'an object { kind, range, a, b }', json);
    rejectUnknownKeys(json, ['kind', 'range', 'a', 'b'], path, DataError, 'BAD_SCALER');
    const kind = oneOfNames(json.kind, SCALER_KINDS, `${path}.kind`, 'scaler kind', DataError, 'BAD_SCALER');
    const range = json.range === undefined ? [0, 1] : json.range;
    if (!Array.isArray(range) || range.length !== 2 || !((range[0] === 0 && range[1] === 1) || (range[0] === -1 && range[1] === 1))) {
      throw bad(`${path}.range`, '[0, 1] or [-1, 1]', range);
    }
    if (!Array.isArray(json.a) || !Array.isArray(json.b) || json.a.length !== json.b.length || json.a.length === 0) {
      throw bad(`${path}.a`, 'two arrays a and b of the same non-zero length', json.a);
    }
    const a = new Float64Array(json.a.length), b = new Float64Array(json.b.length);
    for (const [key, out] of [['a', a], ['b', b]] as const) {
      const values: unknown[] = json[key];
      // an indexed loop: a hole is a missing value, not a skipped one
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${path}.${key}[${i}]`, 'a finite number', v);
        out[i] = v;
      }
    }
    for (let i = 0; i < a.length; i++) {
      if (kind === 'minMax' && !(a[i] <= b[i])) throw bad(`${path}.b[${i}]`, `a maximum ≥ the minimum a[${i}] = ${describe(a[i])}`, b[i]);
      if (kind === 'standardize' && !(b[i] >= 0)) throw bad(`${path}.b[${i}]`, 'a standard deviation ≥ 0', b[i]);
    }
    return new Scaler(kind, range as unknown as ScalerRange, a, b);
  }
}

/** 2^969, half of half an ulp of the largest double: |x − mean| cannot overflow for a finite x while |mean| is below it. */
const OVERFLOW_MEAN = 2 ** 969;

/**
 * The power of two a column's values, statistics and spread are multiplied by before scaling: 1
 * unless a difference of the formula could overflow, then 1/2 (1/4 for minMax to [−1, 1], which
 * doubles the difference). Exported for the ONNX form of the scalers (src/onnx/scaling.ts).
 */
export function prescale(kind: ScalerKind, range: readonly number[] | undefined, a: number, b: number): number {
  if (kind === 'standardize') return Math.abs(a) >= OVERFLOW_MEAN ? 0.5 : 1;
  if (range !== undefined && range[0] === -1) return Number.isFinite(2 * (b - a)) ? 1 : 0.25;
  return Number.isFinite(b - a) ? 1 : 0.5;
}

/** 2^e, exactly (e an integer from −1022 to 1023). */
function powerOfTwo(e: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint16(0, (e + 1023) << 4);
  return view.getFloat64(0);
}

/**
 * Mean and population std of column `c` where the plain sums overflow: the same formula on the
 * values divided by s = 2^e, the power of two about max |x| (at most 2^1023, so |x/s| < 2). Dividing
 * by a power of two is exact, so every operation rounds as it would with an unbounded exponent, and
 * no sum exceeds 16 per row. The mean is the plain one when that is finite; a recomputed one is kept
 * in [min, max], and the std at most max/2 − min/2, as they are mathematically: both are finite.
 */
function scaledMoments(data: Float64Array, rows: number, cols: number, c: number, plainMean: number): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let r = 0; r < rows; r++) {
    const v = data[r * cols + c];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const s = momentScale(lo, hi);
  let mean = plainMean;
  if (!Number.isFinite(mean)) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += data[r * cols + c] / s;
    mean = scaledMean(sum, rows, s, lo, hi);
  }
  const m = mean / s;
  let squares = 0;
  for (let r = 0; r < rows; r++) {
    const d = data[r * cols + c] / s - m;
    squares += d * d;
  }
  return [mean, scaledStd(squares, rows, s, lo, hi)];
}

/** The power of two s about max |x| (from a column's min and max) that the overflow-safe moments divide by. */
export function momentScale(lo: number, hi: number): number {
  const largest = Math.max(-lo, hi);
  return largest > 0 ? powerOfTwo(Math.max(-1022, Math.min(1023, Math.ceil(Math.log2(largest))))) : 1;
}

/** The mean from Σ x/s, kept in [min, max]. */
export function scaledMean(sum: number, rows: number, s: number, lo: number, hi: number): number {
  return Math.min(Math.max((sum / rows) * s, lo), hi);
}

/** The population std from Σ (x/s − mean/s)², at most max/2 − min/2. */
export function scaledStd(squares: number, rows: number, s: number, lo: number, hi: number): number {
  return Math.min(Math.sqrt(squares / rows) * s, hi / 2 - lo / 2);
}

function bad(path: string, expected: string, received: unknown): DataError {
  return new DataError('BAD_SCALER', `${path}: expected ${expected}, got ${describe(received)}`, { path, expected, received: describe(received) });
}

/** How to scale a side of the data: 'minMax' ([0, 1]), 'standardize', or { kind, range }. */
export type ScalerSpec = ScalerKind | { kind: ScalerKind; range?: ScalerRange };

export interface NormalizationSpec {
  inputs?: ScalerSpec;
  targets?: ScalerSpec;
}

/** Validates a scaler spec; `path` names it in errors. */
export function parseScalerSpec(spec: unknown, path: string, ErrorClass: ErrorClass = DataError): { kind: ScalerKind; range: ScalerRange } {
  const o = typeof spec === 'string' ? { kind: spec } : spec;
  const expected = '"minMax", "standardize" or { kind, range }';
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw new ErrorClass('BAD_NORMALIZATION', `${path}: expected ${expected}, got ${describe(spec)}`, { path, expected, received: describe(spec) });
  }
  if (typeof spec !== 'string') rejectUnknownKeys(o, ['kind', 'range'], path, ErrorClass, 'BAD_NORMALIZATION');
  const kind = oneOfNames((o as { kind?: unknown }).kind, SCALER_KINDS, typeof spec === 'string' ? path : `${path}.kind`, 'scaler kind', ErrorClass, 'BAD_NORMALIZATION');
  const given = (o as { range?: unknown }).range;
  const range = given === undefined ? [0, 1] : given;
  if (!Array.isArray(range) || range.length !== 2 || !((range[0] === 0 && range[1] === 1) || (range[0] === -1 && range[1] === 1))) {
    throw new ErrorClass('BAD_NORMALIZATION', `${path}.range: expected [0, 1] or [-1, 1], got ${describe(range)}`, {
      path: `${path}.range`, expected: '[0, 1] or [-1, 1]', received: describe(range),
    });
  }
  return { kind, range: range as unknown as ScalerRange };
}

/**
 * Validates `{ inputs?, targets? }` (setNormalization, fit's `normalize`): an unknown key such as
 * `input` is an error, not a side left unscaled.
 */
export function parseNormalizationSpec(
  spec: unknown, path: string, ErrorClass: ErrorClass = DataError,
): { inputs?: { kind: ScalerKind; range: ScalerRange }; targets?: { kind: ScalerKind; range: ScalerRange } } {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    const expected = 'an object { inputs?, targets? }';
    throw new ErrorClass('BAD_NORMALIZATION', `${path}: expected ${expected}, got ${describe(spec)}`, { path, expected, received: describe(spec) });
  }
  rejectUnknownKeys(spec, ['inputs', 'targets'], path, ErrorClass, 'BAD_NORMALIZATION');
  const s = spec as { inputs?: unknown; targets?: unknown };
  const out: ReturnType<typeof parseNormalizationSpec> = {};
  if (s.inputs !== undefined) out.inputs = parseScalerSpec(s.inputs, `${path}.inputs`, ErrorClass);
  if (s.targets !== undefined) out.targets = parseScalerSpec(s.targets, `${path}.targets`, ErrorClass);
  return out;
}
