// One chunk of a source, checked as fit checks its matrices: `x` of the model's inputs, `y` of its
// outputs (or labels, encoded with its classes), optional `weights`, the same row count. Every fault
// is a StreamError naming the chunk and, where there is one, the cell (`chunks[3].x[4][1]`) or the
// widths. A chunk may have no rows at all: it adds nothing.
import { DataError, StreamError, WasmlpError, describe } from '../errors.js';
import { checkSameRows, toMatrix, type Matrix, type MatrixInput } from '../data/dataset.js';
import { classOfRows } from '../metrics/classification.js';
import { rejectUnknownKeys } from '../spec/names.js';
import type { Chunk } from './source.js';

const CHUNK_KEYS = ['x', 'y', 'weights'];

/** What checking a chunk needs of the model. */
export interface ChunkShape {
  readonly inputs: number;
  readonly outputs: number;
  /** Whether the chunks must carry targets (training, scores) or their `y` is not read (predictStream). */
  readonly targets: boolean;
  /** A chunk's `y` as target rows: labels encoded with the model's classes (name: for errors). */
  encode(y: NonNullable<Chunk['y']>, name: string): MatrixInput;
  /** With classWeight: the weight of each class, in the order of the model's outputs. */
  readonly classWeights?: Float64Array | null;
}

/** A chunk's rows, packed and checked; `weights` null when the chunk has none (and no classWeight applies). */
export interface Rows {
  readonly rows: number;
  readonly x: Matrix;
  readonly y: Matrix | null;
  readonly weights: Float64Array | null;
}

const EMPTY: Matrix = { data: new Float64Array(0), rows: 0, cols: 0, nested: false };

/** True for a matrix input of no rows (fit refuses those; a chunk may be one). */
function isEmpty(input: unknown): boolean {
  if (Array.isArray(input) || input instanceof Float64Array) return input.length === 0;
  return input !== null && typeof input === 'object' && (input as { rows?: unknown }).rows === 0 && (input as { data?: unknown }).data instanceof Float64Array && (input as { data: Float64Array }).data.length === 0;
}

function matrix(input: unknown, width: number, name: string): Matrix {
  if (isEmpty(input)) return { ...EMPTY, cols: width };
  return toMatrix(input as MatrixInput, width, name);
}

/** A DataError of a chunk's contents as a StreamError of that chunk (same code, message and path). */
export function inChunk(error: unknown, chunk: number): unknown {
  if (!(error instanceof DataError) || error instanceof StreamError) return error;
  const e = error as WasmlpError;
  return new StreamError(e.code, e.message, chunk, { path: e.path, expected: e.expected, received: e.received, cause: error });
}

function weightsOf(given: unknown, rows: number, name: string, chunk: number): Float64Array {
  const expected = `an array or Float64Array of ${rows} weights (one per row of x)`;
  if ((!Array.isArray(given) && !(given instanceof Float64Array)) || given.length !== rows) {
    throw new StreamError('BAD_WEIGHTS', `${name}: expected ${expected}, got ${describe(given)}`, chunk, { path: name, expected, received: describe(given) });
  }
  const out = Float64Array.from(given as ArrayLike<number>);
  out.forEach((w, r) => {
    if (typeof (given as ArrayLike<unknown>)[r] !== 'number' || !Number.isFinite(w) || w < 0) {
      const at = `${name}[${r}]`;
      throw new StreamError('BAD_WEIGHTS', `${at}: expected a finite number ≥ 0, got ${describe((given as ArrayLike<unknown>)[r])}`, chunk, { path: at, expected: 'a finite number ≥ 0', received: describe((given as ArrayLike<unknown>)[r]) });
    }
  });
  return out;
}

function checkForm(chunk: unknown, at: string, index: number, shape: ChunkShape): asserts chunk is Chunk {
  if (chunk === null || typeof chunk !== 'object' || Array.isArray(chunk)) {
    throw new StreamError('BAD_CHUNK', `${at}: expected an object { x, y?, weights? }, got ${describe(chunk)}`, index, { path: at, expected: 'an object { x, y?, weights? }', received: describe(chunk) });
  }
  rejectUnknownKeys(chunk, CHUNK_KEYS, at, DataError, 'UNKNOWN_KEY', 'key'); // (made a StreamError by checkChunk)
  if (shape.targets && (chunk as Chunk).y === undefined) {
    throw new StreamError('MISSING_TARGETS', `${at}.y: expected the chunk's targets (rows of ${shape.outputs} values, or labels), got undefined`, index, { path: `${at}.y`, expected: 'targets', received: 'undefined' });
  }
}

/** Checks and packs chunk `index` of a pass. */
export function checkChunk(chunk: unknown, index: number, shape: ChunkShape): Rows {
  const at = `chunks[${index}]`;
  try {
    checkForm(chunk, at, index, shape);
    const x = matrix(chunk.x, shape.inputs, `${at}.x`);
    let y: Matrix | null = null;
    if (shape.targets) {
      const given = chunk.y!;
      y = matrix(isEmpty(given) ? given : shape.encode(given, `${at}.y`), shape.outputs, `${at}.y`);
      checkSameRows(x, y, [`${at}.x`, `${at}.y`]);
    }
    let weights = chunk.weights === undefined ? null : weightsOf(chunk.weights, x.rows, `${at}.weights`, index);
    if (shape.classWeights && y !== null) {
      const byClass = shape.classWeights, of = classOfRows(y.data, y.rows, y.cols);
      weights ??= new Float64Array(x.rows).fill(1);
      for (let r = 0; r < x.rows; r++) weights[r] *= byClass[of[r]];
    }
    return { rows: x.rows, x, y, weights };
  } catch (error) {
    throw inChunk(error, index);
  }
}
