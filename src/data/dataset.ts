// Turns user data (number[][] or a flat Float64Array) into packed row-major rows, checking every cell.
// Errors name the matrix, the row and the column of the first fault.
import { DataError, describe } from '../errors.js';

/** Rows as nested arrays, a flat row-major Float64Array (rows = length / width), or a flat array with its row count. */
export type MatrixInput = readonly (readonly number[])[] | Float64Array | { data: Float64Array; rows: number };

export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
  /** True when the caller gave nested arrays (results are returned in the same form). */
  readonly nested: boolean;
}

export function nonFinite(name: string, row: number, col: number, value: unknown): DataError {
  const path = `${name}[${row}][${col}]`;
  return new DataError('NON_FINITE', `${path}: expected a finite number, got ${describe(value)} (row ${row}, column ${col})`, {
    path,
    expected: 'a finite number',
    received: describe(value),
  });
}

/**
 * Index of the first value that is not finite, or -1. Blocks of 4096 are summed as x − x (0 for a
 * finite x, NaN for NaN and ±Infinity) in four independent sums, with no branch per value; only a
 * block whose sum is not 0 is searched. About twice as fast as testing every value, which matters
 * for large data (10,000 rows of 784 values: 7.8M values per predict call).
 */
export function firstNonFinite(flat: Float64Array): number {
  const n = flat.length;
  for (let start = 0; start < n; start += 4096) {
    const end = Math.min(n, start + 4096);
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, i = start;
    for (; i + 4 <= end; i += 4) {
      a0 += flat[i] - flat[i];
      a1 += flat[i + 1] - flat[i + 1];
      a2 += flat[i + 2] - flat[i + 2];
      a3 += flat[i + 3] - flat[i + 3];
    }
    for (; i < end; i++) a0 += flat[i] - flat[i];
    if (a0 + a1 + a2 + a3 !== 0) {
      for (let j = start; j < end; j++) if (!Number.isFinite(flat[j])) return j;
    }
  }
  return -1;
}

/**
 * Validates and packs `input` as a matrix of `width` columns. `name` is X or Y, for messages.
 * `checkFinite: false` leaves the finiteness of a flat Float64Array to the caller (forward/predict
 * check each chunk once it is in engine memory, on the engine's threads: checkChunk in model.ts);
 * nested arrays are always checked as they are packed.
 */
export function toMatrix(input: MatrixInput, width: number, name: string, checkFinite = true): Matrix {
  if (input instanceof Float64Array || (input !== null && typeof input === 'object' && !Array.isArray(input) && 'data' in input)) {
    const flat = input instanceof Float64Array ? input : (input as { data: Float64Array }).data;
    if (!(flat instanceof Float64Array)) {
      throw new DataError('BAD_DATA', `${name}.data: expected a Float64Array, got ${describe(flat)}`, {
        path: `${name}.data`, expected: 'a Float64Array', received: describe(flat),
      });
    }
    let rows: number;
    if (input instanceof Float64Array) {
      if (flat.length % width !== 0) {
        throw new DataError('WRONG_WIDTH', `${name}: a flat Float64Array of length ${flat.length} is not a whole number of rows of ${width} values`, {
          path: name, expected: `a length divisible by ${width}`, received: String(flat.length),
        });
      }
      rows = flat.length / width;
    } else {
      rows = (input as { rows: number }).rows;
      if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0) {
        throw new DataError('BAD_ROWS', `${name}.rows: expected a whole number of rows ≥ 0 (the data have ${flat.length} values, ${width} per row), got ${describe(rows)}`, {
          path: `${name}.rows`, expected: 'a whole number of rows ≥ 0', received: describe(rows),
        });
      }
      if (rows * width !== flat.length) {
        throw new DataError('WRONG_WIDTH', `${name}.rows: ${describe(rows)} rows of ${width} values need length ${Number(rows) * width}, the data have ${flat.length}`, {
          path: `${name}.rows`, expected: `rows × ${width} = ${flat.length}`, received: describe(rows),
        });
      }
    }
    if (rows === 0) throw emptyData(name);
    const bad = checkFinite ? firstNonFinite(flat) : -1;
    if (bad >= 0) throw nonFinite(name, Math.floor(bad / width), bad % width, flat[bad]);
    return { data: flat, rows, cols: width, nested: false };
  }
  if (!Array.isArray(input)) {
    throw new DataError('BAD_DATA', `${name}: expected rows (number[][]) or a Float64Array, got ${describe(input)}`, {
      path: name, expected: 'number[][] or Float64Array', received: describe(input),
    });
  }
  if (input.length === 0) throw emptyData(name);
  const rows = input.length;
  const data = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const row = input[r];
    if (!Array.isArray(row)) {
      throw new DataError('BAD_ROW', `${name}[${r}]: expected an array of ${width} numbers, got ${describe(row)} (row ${r})`, {
        path: `${name}[${r}]`, expected: `an array of ${width} numbers`, received: describe(row),
      });
    }
    if (row.length !== width) {
      const code = r > 0 && row.length !== input[0].length ? 'RAGGED' : 'WRONG_WIDTH';
      const what = code === 'RAGGED' ? `ragged rows: row ${r} has ${row.length} values, row 0 has ${input[0].length}` : `row ${r} has ${row.length} values`;
      throw new DataError(code, `${name}[${r}]: expected ${width} values per row; ${what}`, {
        path: `${name}[${r}]`, expected: `${width} values`, received: `${row.length} values`,
      });
    }
    for (let c = 0; c < width; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw nonFinite(name, r, c, v);
      data[r * width + c] = v;
    }
  }
  return { data, rows, cols: width, nested: true };
}

function emptyData(name: string): DataError {
  return new DataError('EMPTY_DATA', `${name}: expected at least one row, got none`, {
    path: name, expected: 'at least one row', received: '0 rows',
  });
}

/** Checks that X and Y (or the matrices `names` names) have the same number of rows. */
export function checkSameRows(x: Matrix, y: Matrix, names: readonly [string, string] = ['X', 'Y']): void {
  if (x.rows !== y.rows) {
    throw new DataError('ROW_COUNT_MISMATCH', `${names[1]}: expected ${x.rows} rows (as many as ${names[0]}), got ${y.rows}`, {
      path: names[1], expected: `${x.rows} rows`, received: `${y.rows} rows`,
    });
  }
}

/** Splits packed rows back into nested arrays. */
export function toNested(data: Float64Array, rows: number, cols: number): number[][] {
  const out: number[][] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = Array.from(data.subarray(r * cols, (r + 1) * cols));
  return out;
}
