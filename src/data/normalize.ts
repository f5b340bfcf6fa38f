// Per-column scaling of packed rows, fitted on training data, with its exact inverse.
//   minMax to [0, 1]:   u = (x − min) / (max − min)          inverse: x = min + u (max − min)
//   minMax to [−1, 1]:  v = 2 (x − min) / (max − min) − 1    inverse: x = min + (v + 1)/2 · (max − min)
//   standardize:        s = (x − mean) / std  (population std) inverse: x = mean + s · std
// A constant column (max = min, or std = 0) cannot be divided by its spread: it maps to the middle of
// the range (0.5 for [0, 1], 0 for [−1, 1] and for standardize), and the inverse gives the constant back.
import { DataError, describe } from '../errors.js';

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

  static fromJSON(json: ScalerJSON, path = 'scaler'): Scaler {
    if (json === null || typeof json !== 'object') throw bad(path, 'an object { kind, a, b }', json);
    if (json.kind !== 'minMax' && json.kind !== 'standardize') throw bad(`${path}.kind`, '"minMax" or "standardize"', json.kind);
    const range = json.range ?? [0, 1];
    if (!Array.isArray(range) || !((range[0] === 0 && range[1] === 1) || (range[0] === -1 && range[1] === 1))) {
      throw bad(`${path}.range`, '[0, 1] or [-1, 1]', range);
    }
    if (!Array.isArray(json.a) || !Array.isArray(json.b) || json.a.length !== json.b.length || json.a.length === 0) {
      throw bad(`${path}.a`, 'two arrays a and b of the same non-zero length', json.a);
    }
    for (const key of ['a', 'b'] as const) {
      json[key].forEach((v, i) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${path}.${key}[${i}]`, 'a finite number', v);
      });
    }
    return new Scaler(json.kind, range as unknown as ScalerRange, Float64Array.from(json.a), Float64Array.from(json.b));
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
export function parseScalerSpec(spec: unknown, path: string): { kind: ScalerKind; range: ScalerRange } {
  const o = typeof spec === 'string' ? { kind: spec } : spec;
  const kind = (o as { kind?: unknown } | null)?.kind;
  if (o === null || typeof o !== 'object' || (kind !== 'minMax' && kind !== 'standardize')) {
    throw new DataError('BAD_NORMALIZATION', `${path}: expected "minMax", "standardize" or { kind, range }, got ${describe(spec)}`, {
      path, expected: '"minMax", "standardize" or { kind, range }', received: describe(spec),
    });
  }
  const range = (o as { range?: unknown }).range ?? [0, 1];
  if (!Array.isArray(range) || range.length !== 2 || !((range[0] === 0 && range[1] === 1) || (range[0] === -1 && range[1] === 1))) {
    throw new DataError('BAD_NORMALIZATION', `${path}.range: expected [0, 1] or [-1, 1], got ${describe(range)}`, {
      path: `${path}.range`, expected: '[0, 1] or [-1, 1]', received: describe(range),
    });
  }
  return { kind: kind as ScalerKind, range: range as unknown as ScalerRange };
}
