// Per-column scaling of packed rows, fitted on training data, with its exact inverse.
//   minMax to [0, 1]:   u = (x − min) / (max − min)          inverse: x = min + u (max − min)
//   minMax to [−1, 1]:  v = 2 (x − min) / (max − min) − 1    inverse: x = min + (v + 1)/2 · (max − min)
//   standardize:        s = (x − mean) / std  (population std) inverse: x = mean + s · std
// A constant column (max = min, or std = 0) cannot be divided by its spread: it maps to the middle of
// the range (0.5 for [0, 1], 0 for [−1, 1] and for standardize), and the inverse gives the constant back.
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
  private constructor(
    readonly kind: ScalerKind,
    readonly range: ScalerRange,
    /** min (minMax) or mean (standardize), per column. */
    private readonly a: Float64Array,
    /** max (minMax) or std (standardize), per column. */
    private readonly b: Float64Array,
  ) {}

  get columns(): number {
    return this.a.length;
  }

  /** Fits per-column statistics on `rows × cols` packed values. */
  static fit(data: Float64Array, rows: number, cols: number, kind: ScalerKind = 'minMax', range: ScalerRange = [0, 1]): Scaler {
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
    }
    return new Scaler(kind, range, a, b);
  }

  /** Scales packed rows into `out` (a new array unless given; it may be `data` itself, or engine memory). */
  transform(data: Float64Array, out: Float64Array = new Float64Array(data.length)): Float64Array {
    const cols = this.columns;
    const symmetric = this.range[0] === -1;
    for (let i = 0; i < data.length; i++) {
      const c = i % cols, x = data[i], lo = this.a[c], hi = this.b[c];
      if (this.kind === 'standardize') out[i] = hi === 0 ? 0 : (x - lo) / hi;
      else if (hi === lo) out[i] = symmetric ? 0 : 0.5;
      else out[i] = symmetric ? (2 * (x - lo)) / (hi - lo) - 1 : (x - lo) / (hi - lo);
    }
    return out;
  }

  /** Maps scaled rows back to the original units (a new array). */
  inverse(data: Float64Array): Float64Array {
    const cols = this.columns;
    const out = new Float64Array(data.length);
    const symmetric = this.range[0] === -1;
    for (let i = 0; i < data.length; i++) {
      const c = i % cols, v = data[i], lo = this.a[c], hi = this.b[c];
      if (this.kind === 'standardize') out[i] = lo + v * hi;
      else out[i] = lo + (symmetric ? (v + 1) / 2 : v) * (hi - lo);
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
