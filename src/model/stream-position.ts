// `training.stream` of a saved model: where a stopped fitStream left its epoch (src/stream/position.ts),
// so that a reloaded model continues it with the bits of one run. Optional and checksummed; a model
// without it (every file before it existed) starts its next fitStream with a fresh epoch.
import type { CheckedSpec } from '../spec/types.js';
import { rejectUnknownKeys } from '../spec/names.js';
import { FormatError } from '../errors.js';
import type { StreamPosition } from '../stream/position.js';
import { decodeFloat64, encodeFloat64, formatError } from './json-fields.js';

export interface SavedStreamPosition {
  batchSize: number;
  buffer: number;
  weighted: boolean;
  rows: number;
  step: number;
  sum: number;
  /** The shuffle buffer: its generator, and its rows' inputs, targets and weights (float64, base64). */
  shuffle?: { rng: number[]; count: number; x: string; y: string; w?: string };
}

const FIELDS = ['batchSize', 'buffer', 'weighted', 'rows', 'step', 'sum', 'shuffle'];
const SHUFFLE_FIELDS = ['rng', 'count', 'x', 'y', 'w'];
const AT = 'training.stream';

export function savedPosition(p: StreamPosition): SavedStreamPosition {
  const saved: SavedStreamPosition = { batchSize: p.batchSize, buffer: p.buffer, weighted: p.weighted, rows: p.rows, step: p.step, sum: p.sum };
  if (p.shuffle !== null) {
    const { rng, count, x, y, w } = p.shuffle;
    saved.shuffle = { rng: Array.from(rng), count, x: encodeFloat64(x), y: encodeFloat64(y) };
    if (w !== null) saved.shuffle.w = encodeFloat64(w);
  }
  return saved;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function count(value: unknown, path: string, min: number, max = 0x7fffffff): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw formatError(path, `an integer from ${min} to ${max}`, value);
  return value;
}

function decodeShuffle(value: unknown, spec: CheckedSpec, buffer: number, weighted: boolean): StreamPosition['shuffle'] {
  const at = `${AT}.shuffle`;
  if (!isObject(value)) throw formatError(at, 'an object { rng, count, x, y, w? } (the shuffle buffer)', value);
  rejectUnknownKeys(value, SHUFFLE_FIELDS, at, FormatError, 'UNKNOWN_FIELD', 'field');
  const r = value.rng;
  if (!Array.isArray(r) || r.length !== 4) throw formatError(`${at}.rng`, '4 unsigned 32-bit integers', r);
  const rng = Uint32Array.from(r.map((word, i) => count(word, `${at}.rng[${i}]`, 0, 0xffffffff)));
  if (rng.every((w) => w === 0)) throw formatError(`${at}.rng`, 'a generator state that is not all zero', 'all zero');
  const n = count(value.count, `${at}.count`, 0, buffer);
  if (weighted !== (value.w !== undefined)) throw formatError(`${at}.w`, weighted ? 'the rows\' weights' : 'no weights (the rows had none)', value.w);
  const x = decodeFloat64(value.x, n * spec.inputs, `${at}.x`);
  const y = decodeFloat64(value.y, n * spec.outputs, `${at}.y`);
  const w = weighted ? decodeFloat64(value.w, n, `${at}.w`) : null;
  return { rng, count: n, x, y, w };
}

/** Reads and checks `training.stream` (every field, the buffer's shape against the spec). */
export function decodePosition(value: unknown, spec: CheckedSpec): StreamPosition {
  if (!isObject(value)) throw formatError(AT, 'an object { batchSize, buffer, weighted, rows, step, sum, shuffle? }', value);
  rejectUnknownKeys(value, FIELDS, AT, FormatError, 'UNKNOWN_FIELD', 'field');
  const batchSize = count(value.batchSize, `${AT}.batchSize`, 1);
  const buffer = count(value.buffer, `${AT}.buffer`, 0);
  if (typeof value.weighted !== 'boolean') throw formatError(`${AT}.weighted`, 'true or false', value.weighted);
  const rows = count(value.rows, `${AT}.rows`, 1, Number.MAX_SAFE_INTEGER);
  const step = count(value.step, `${AT}.step`, 0, Number.MAX_SAFE_INTEGER);
  const sum = value.sum;
  if (typeof sum !== 'number' || !Number.isFinite(sum)) throw formatError(`${AT}.sum`, 'a finite number (the epoch\'s loss sum so far)', sum);
  if ((buffer > 0) !== (value.shuffle !== undefined)) throw formatError(`${AT}.shuffle`, buffer > 0 ? 'the shuffle buffer' : 'no shuffle buffer (buffer is 0)', value.shuffle);
  const shuffle = buffer > 0 ? decodeShuffle(value.shuffle, spec, buffer, value.weighted) : null;
  return { batchSize, buffer, weighted: value.weighted, rows, step, sum, shuffle };
}
