// The saved form of a model, and its complete validation. Float64 arrays travel as little-endian
// base64 (exact to the bit, -0 and all), the spec and scalers as plain JSON. `version` is the format
// version: 3 writes a CRC-32 of every field that defines the model and of the list of those fields; 2
// (field checksums only) and 1 (no checksums) still load.
//
// Loading checks everything before anything is built: known fields only, every type, shape and
// range (scalers against the model's widths, Adam's scalars, non-negative second moments, a live
// shuffler state, a known optimizer), then every checksum. Each fault is a FormatError naming the
// field; nothing is half-loaded.
//
// Checksums (`checksums`, version 2): CRC-32 (IEEE 802.3, as zlib and PNG) written as 8 lowercase hex
// digits, one per field, keyed by the field's path. A base64 field's checksum is over its bytes; any
// other field's is over the UTF-8 bytes of its canonical JSON text (`JSON.stringify` of the value as
// toJSON writes it), so the key order or spacing of a file does not matter, but every value does.
// Version 3 adds `checksums.fields`: the CRC-32 of the canonical JSON text of the list of the fields
// that have a checksum (in the order spec, params, scalers.inputs, scalers.targets, training.optimizer,
// training.moments, training.scalars, training.rng), so what the file covers is verified too:
// removing an optional field (the scalers, the training state) together with its checksum no longer
// loads as another model. A version 2 file cannot tell, and is read with the per-field checks only.
// The command line's `cli` block is metadata, not part of the model, and has no checksum.
//
// Writing refuses what reading would refuse: a non-finite number anywhere (JSON would write null,
// base64 would write bits that loadModel rejects) is a FormatError naming the field, not a file.
import { FormatError, OptionsError, WasmlpError, describe } from '../errors.js';
import { Scaler, type ScalerJSON } from '../data/normalize.js';
import { rejectUnknownKeys, oneOfNames } from '../spec/names.js';
import { ENGINES, type CheckedSpec, type EngineKind, type LayerShape, type LayerSpec, type ModelSpec, type Threads } from '../spec/types.js';
import { validateThreads } from '../spec/threads.js';
import { NO_NAMES, validateNames, type Label, type ModelNames } from '../spec/labels.js';
import type { ScheduleState } from '../train/schedule.js';
import { decodeFloat64, encodeFloat64, formatError } from './json-fields.js';
import { decodePosition, savedPosition, type SavedStreamPosition } from './stream-position.js';
import type { StreamPosition } from '../stream/position.js';

export { decodeFloat64, encodeFloat64, formatError };
import { checkSpecFits } from '../layout/budget.js';
import { validateSpec } from '../spec/validate.js';
import { parseOptimizerKey } from '../train/options.js';

export const FORMAT = 'wasmlp-model';
/** The version toJSON writes. */
export const FORMAT_VERSION = 3;
/** The versions loadModel reads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2, 3];

/** A JSON value, read-only. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** What a saved model carries besides the model itself: the command line's `cli` block, as it was saved. */
export interface ModelMetadata {
  readonly cli?: JsonObject;
}

export interface ModelJSON {
  format: typeof FORMAT;
  version: number;
  spec: Omit<ModelSpec, 'params' | 'engine'>;
  /** The flat parameter vector (layer 0 W row by row, layer 0 b, …), float64 little-endian, base64. */
  params: string;
  scalers?: { inputs?: ScalerJSON; targets?: ScalerJSON };
  /** Optimizer and shuffler state, so training resumes exactly where it stopped. */
  training?: {
    /** The optimizer settings the state belongs to (the validated optimizer as JSON), '' before any training. */
    optimizer: string;
    /** m then v, float64 little-endian base64. */
    moments: string;
    /** Adam's t, β1^t, β2^t. */
    scalars: number[];
    /** xoshiro128** state of the shuffler. */
    rng: number[];
    /** Version 3: where the learning-rate schedule stands (src/train/schedule.ts); `best` null for +Infinity. */
    schedule?: SavedSchedule;
    /** Where a stopped fitStream left its epoch (src/model/stream-position.ts); absent when none did. */
    stream?: SavedStreamPosition;
  };
  /** Version 3: what the inputs, outputs and classes are called (src/spec/labels.ts), when the model knows. */
  names?: { inputs?: string[]; targets?: string[]; classes?: Label[] };
  /**
   * Versions 2 and 3: the CRC-32 of each field, keyed by its path (`spec`, `params`, `training.moments`,
   * …); version 3 also `fields`, the CRC-32 of the list of those paths.
   */
  checksums?: Record<string, string>;
  /** The command line's metadata (column names, labels, how it was trained): a JSON object, kept as it is. */
  cli?: unknown;
}

/** Everything a saved model holds, decoded and checked: what toJSON writes and loadModel restores. */
export interface ModelState {
  spec: CheckedSpec;
  /** Names of the inputs, outputs and classes (NO_NAMES when none). */
  names: ModelNames;
  params: Float64Array;
  scalers: { inputs?: Scaler; targets?: Scaler };
  training: { optimizer: string; moments: Float64Array; scalars: Float64Array; rng: Uint32Array; schedule: ScheduleState | null; stream?: StreamPosition | null } | null;
  metadata: ModelMetadata;
}

export const NO_METADATA: ModelMetadata = Object.freeze({});

const FIELDS_V1 = ['format', 'version', 'spec', 'params', 'scalers', 'training', 'cli'];
const FIELDS_V2 = ['format', 'version', 'spec', 'params', 'scalers', 'training', 'checksums', 'cli'];
const FIELDS_V3 = ['format', 'version', 'spec', 'params', 'scalers', 'training', 'names', 'checksums', 'cli'];
/** The fields that can have a checksum, in their canonical order. */
const CHECKSUMMED = ['spec', 'params', 'scalers.inputs', 'scalers.targets', 'training.optimizer', 'training.moments', 'training.scalars', 'training.rng', 'names', 'training.schedule', 'training.stream'];
/** The optional parts of a model, each one or more checksummed fields that are there or not together. */
const OPTIONAL_PARTS = [['scalers.inputs'], ['scalers.targets'], ['training.optimizer', 'training.moments', 'training.scalars', 'training.rng'], ['names'], ['training.schedule'], ['training.stream']];
const NAMES_FIELDS = ['inputs', 'targets', 'classes'];
const SPEC_FIELDS = ['inputs', 'layers', 'loss', 'plainLoss', 'seed', 'init'];
const TRAINING_FIELDS = ['optimizer', 'moments', 'scalars', 'rng', 'schedule', 'stream'];
const SCHEDULE_FIELDS = ['key', 'epoch', 'lr', 'best', 'bad', 'cooldown'];
/** Deepest nesting of the `cli` block that is accepted (it is a few levels deep). */
const METADATA_DEPTH = 64;

// ---------------------------------------------------------------------------------------------------
// CRC-32

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3 polynomial, reflected, as zlib's crc32) of some bytes. */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}

const textChecksum = (text: string): string => hex(crc32(new TextEncoder().encode(text)));
const bytesChecksum = (values: Float64Array): string => hex(crc32(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)));

// ---------------------------------------------------------------------------------------------------
// errors

/** Re-throws an error of the spec or scaler checks as a FormatError of the file, its path under `prefix`. */
function asFormatError(error: unknown, prefix: string): never {
  if (!(error instanceof WasmlpError)) throw error;
  const path = error.path === undefined || error.path === '' ? prefix : `${prefix}.${error.path}`;
  const message = error.message.startsWith(`${prefix}.`) || error.message.startsWith(`${prefix}:`) ? error.message : `${prefix}.${error.message}`;
  throw new FormatError(error.code, message, { path, expected: error.expected, received: error.received, cause: error });
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------------
// options

/** loadModel's options. */
export interface LoadOptions {
  /** The engine to run on (default: the spec's default, `wasm`). */
  engine?: EngineKind;
  /** Threads, as createModel's `threads` (default `'auto'`); not part of the saved model. */
  threads?: Threads;
}

/** loadModel's options: `{ engine?, threads? }`. */
export function validateLoadOptions(options: unknown): LoadOptions {
  if (!isObject(options)) {
    throw new OptionsError('BAD_OPTION', `options: expected an object { engine?, threads? }, got ${describe(options)}`, { path: 'options', expected: 'an object { engine?, threads? }', received: describe(options) });
  }
  rejectUnknownKeys(options, ['engine', 'threads'], 'options', OptionsError, 'UNKNOWN_OPTION', 'option');
  const valid: LoadOptions = {};
  if (options.engine !== undefined) valid.engine = oneOfNames(options.engine, ENGINES, 'options.engine', 'engine', OptionsError, 'UNKNOWN_ENGINE');
  if (options.threads !== undefined) valid.threads = validateThreads(options.threads, 'options.threads', OptionsError);
  return valid;
}

/** toJSON's options: `{ training? }`; returns whether the training state is written. */
export function validateSaveOptions(options: unknown): boolean {
  // JSON.stringify(model) calls model.toJSON(key) with the property name (a string): the defaults
  if (options === undefined || typeof options === 'string') return true;
  if (!isObject(options)) {
    throw new OptionsError('BAD_OPTION', `options: expected an object { training? }, got ${describe(options)}`, { path: 'options', expected: 'an object { training? }', received: describe(options) });
  }
  rejectUnknownKeys(options, ['training'], 'options', OptionsError, 'UNKNOWN_OPTION', 'option');
  if (options.training === undefined) return true;
  if (typeof options.training !== 'boolean') {
    throw new OptionsError('BAD_OPTION', `options.training: expected true or false, got ${describe(options.training)}`, { path: 'options.training', expected: 'true or false', received: describe(options.training) });
  }
  return options.training;
}

// ---------------------------------------------------------------------------------------------------
// writing

/** A layer as a saved model stores it: the slope of leaky_relu only, the dropout rate only when above 0 (so a model without dropout saves as before it existed). */
function savedLayer(l: LayerShape): LayerSpec {
  const layer: LayerSpec = { units: l.units, activation: l.activation };
  if (l.activation === 'leaky_relu') layer.slope = l.slope;
  if (l.dropout > 0) layer.dropout = l.dropout;
  return layer;
}

/** The spec as a saved model stores it (no engine, no explicit params; every default filled in). */
export function savedSpec(spec: CheckedSpec): ModelJSON['spec'] {
  return {
    inputs: spec.inputs,
    layers: spec.layers.map(savedLayer),
    loss: spec.loss,
    plainLoss: spec.plainLoss,
    seed: spec.seed,
    init: spec.init,
  };
}

/** A schedule's state as JSON: its best loss is null before the first epoch (+Infinity has no JSON form). */
type SavedSchedule = Omit<ScheduleState, 'best'> & { best: number | null };

function savedSchedule(state: ScheduleState): SavedSchedule {
  return { key: state.key, epoch: state.epoch, lr: state.lr, best: state.best === Infinity ? null : state.best, bad: state.bad, cooldown: state.cooldown };
}

function decodeSchedule(value: unknown): ScheduleState {
  const at = 'training.schedule';
  if (!isObject(value)) throw formatError(at, 'an object { key, epoch, lr, best, bad, cooldown }', value);
  rejectUnknownKeys(value, SCHEDULE_FIELDS, at, FormatError, 'UNKNOWN_FIELD', 'field');
  const { key, epoch, lr, best, bad, cooldown } = value;
  const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (typeof key !== 'string') throw formatError(`${at}.key`, 'the schedule and rate as JSON (a string)', key);
  if (!count(epoch)) throw formatError(`${at}.epoch`, 'an integer ≥ 0', epoch);
  if (typeof lr !== 'number' || !(lr > 0 && lr < Infinity)) throw formatError(`${at}.lr`, 'a positive finite number', lr);
  if (best !== null && (typeof best !== 'number' || !Number.isFinite(best))) throw formatError(`${at}.best`, 'a finite number, or null before the first epoch', best);
  if (!count(bad)) throw formatError(`${at}.bad`, 'an integer ≥ 0', bad);
  if (!count(cooldown)) throw formatError(`${at}.cooldown`, 'an integer ≥ 0', cooldown);
  return { key, epoch, lr, best: best ?? Infinity, bad, cooldown };
}

/** The `names` field: the lists the model has, in a fixed key order; undefined when it has none. */
export function savedNames(names: ModelNames): ModelJSON['names'] {
  const saved: NonNullable<ModelJSON['names']> = {};
  if (names.inputs !== null) saved.inputs = [...names.inputs];
  if (names.targets !== null) saved.targets = [...names.targets];
  if (names.classes !== null) saved.classes = [...names.classes];
  return Object.keys(saved).length === 0 ? undefined : saved;
}

/** `checksums.fields`: the CRC-32 of the canonical JSON text of the list of checksummed fields, in CHECKSUMMED's order. */
function fieldsChecksum(fields: readonly string[]): string {
  return textChecksum(JSON.stringify(CHECKSUMMED.filter((f) => fields.includes(f))));
}

/** The checksums of a model's fields (their canonical forms); from version 3 with `fields`. */
function checksumsOf(spec: ModelJSON['spec'], params: Float64Array, scalers: ModelState['scalers'], training: ModelState['training'], names: ModelJSON['names'], version: number): Record<string, string> {
  const sums: Record<string, string> = { spec: textChecksum(JSON.stringify(spec)), params: bytesChecksum(params) };
  for (const side of ['inputs', 'targets'] as const) {
    const scaler = scalers[side];
    if (scaler !== undefined) sums[`scalers.${side}`] = textChecksum(JSON.stringify(scaler.toJSON()));
  }
  if (training !== null) {
    sums['training.optimizer'] = textChecksum(JSON.stringify(training.optimizer));
    sums['training.moments'] = bytesChecksum(training.moments);
    sums['training.scalars'] = textChecksum(JSON.stringify(Array.from(training.scalars)));
    sums['training.rng'] = textChecksum(JSON.stringify(Array.from(training.rng)));
    if (training.schedule !== null) sums['training.schedule'] = textChecksum(JSON.stringify(savedSchedule(training.schedule)));
    if (training.stream) sums['training.stream'] = textChecksum(JSON.stringify(savedPosition(training.stream)));
  }
  if (names !== undefined) sums.names = textChecksum(JSON.stringify(names));
  if (version >= 3) sums.fields = fieldsChecksum(Object.keys(sums));
  return sums;
}

/** A deep, plain copy of JSON data (own keys only; `__proto__` stays a key, never a prototype). */
function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/** A FormatError for a value that toJSON cannot write (loadModel would refuse the file). */
function unsaveable(path: string, expected: string, value: unknown, hint = ''): FormatError {
  return new FormatError('NON_FINITE', `${path}: expected ${expected}, got ${describe(value)}; the model cannot be saved (loadModel would refuse the file)${hint}`, {
    path, expected, received: describe(value),
  });
}

/** Every value of `values` finite (and, from `nonNegativeFrom` on, ≥ 0), or a FormatError naming the first other one. */
function checkSaveable(values: ArrayLike<number>, path: string, hint = '', nonNegativeFrom = values.length): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw unsaveable(`${path}[${i}]`, 'a finite number', v, hint);
    if (i >= nonNegativeFrom && !(v >= 0)) throw unsaveable(`${path}[${i}]`, 'a second moment ≥ 0', v, hint);
  }
}

/**
 * The JSON form of a model's state (current format version, with checksums). Refuses, with a
 * FormatError naming the field, to write what loadModel would refuse: a non-finite number anywhere.
 */
export function encodeModel(state: ModelState): ModelJSON {
  checkSaveable(state.params, 'params');
  const scalers: NonNullable<ModelJSON['scalers']> = {};
  for (const side of ['inputs', 'targets'] as const) {
    const scaler = state.scalers[side]?.toJSON();
    if (scaler === undefined) continue;
    checkSaveable(scaler.a, `scalers.${side}.a`);
    checkSaveable(scaler.b, `scalers.${side}.b`);
    scalers[side] = scaler;
  }
  const t = state.training;
  if (t !== null) {
    const hint = '; toJSON({ training: false }) saves the model without its training state';
    checkSaveable(t.moments, 'training.moments', hint, state.params.length);
    checkSaveable(t.scalars, 'training.scalars', hint);
  }
  if (state.metadata.cli !== undefined) {
    try {
      checkJson(state.metadata.cli, 'cli', 0);
    } catch (error) {
      const e = error as FormatError;
      throw new FormatError(e.code, `${e.message}; the model cannot be saved (loadModel would refuse the file)`, { path: e.path, expected: e.expected, received: e.received });
    }
  }
  const spec = savedSpec(state.spec);
  const json: ModelJSON = { format: FORMAT, version: FORMAT_VERSION, spec, params: encodeFloat64(state.params) };
  if (scalers.inputs !== undefined || scalers.targets !== undefined) json.scalers = scalers;
  if (t !== null) {
    json.training = { optimizer: t.optimizer, moments: encodeFloat64(t.moments), scalars: Array.from(t.scalars), rng: Array.from(t.rng) };
    if (t.schedule !== null) json.training.schedule = savedSchedule(t.schedule);
    if (t.stream) json.training.stream = savedPosition(t.stream);
  }
  const names = savedNames(state.names);
  if (names !== undefined) json.names = names;
  json.checksums = checksumsOf(spec, state.params, state.scalers, t, names, FORMAT_VERSION);
  if (state.metadata.cli !== undefined) json.cli = cloneJson(state.metadata.cli);
  return json;
}

// ---------------------------------------------------------------------------------------------------
// reading

function parse(input: unknown): Record<string, unknown> {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (cause) {
      throw new FormatError('BAD_MODEL_JSON', `model: the text is not valid JSON (${String(cause)})`, {
        path: 'model', expected: 'a saved model (JSON)', received: 'text that does not parse', cause,
      });
    }
  }
  if (!isObject(json)) throw formatError('model', 'an object from model.toJSON()', json);
  return json;
}

function decodeSpec(json: Record<string, unknown>, options: LoadOptions): CheckedSpec {
  const spec = json.spec;
  if (!isObject(spec)) throw formatError('spec', 'the model spec { inputs, layers, loss, … }', spec);
  rejectUnknownKeys(spec, SPEC_FIELDS, 'spec', FormatError, 'UNKNOWN_FIELD', 'field');
  if (!Array.isArray(spec.layers)) throw formatError('spec.layers', 'an array of layers', spec.layers);
  try {
    const checked = validateSpec({ ...(spec as unknown as ModelSpec), ...options });
    // a shape that can never fit is refused before its parameters are decoded
    checkSpecFits(checked);
    return checked;
  } catch (error) {
    return asFormatError(error, 'spec');
  }
}

function decodeScalers(json: Record<string, unknown>, spec: CheckedSpec): ModelState['scalers'] {
  const saved = json.scalers;
  if (saved === undefined) return {};
  if (!isObject(saved)) throw formatError('scalers', 'an object { inputs?, targets? } of scalers', saved);
  rejectUnknownKeys(saved, ['inputs', 'targets'], 'scalers', FormatError, 'UNKNOWN_FIELD', 'field');
  const scalers: ModelState['scalers'] = {};
  const widths = { inputs: spec.inputs, targets: spec.outputs };
  for (const side of ['inputs', 'targets'] as const) {
    const value = saved[side];
    if (value === undefined) continue;
    let scaler: Scaler;
    try {
      scaler = Scaler.fromJSON(value as ScalerJSON, side);
    } catch (error) {
      asFormatError(error, 'scalers');
    }
    if (scaler.columns !== widths[side]) {
      const what = side === 'inputs' ? 'inputs' : 'outputs';
      throw formatError(`scalers.${side}.a`, `${widths[side]} columns (the model's ${what})`, `${scaler.columns} columns`);
    }
    scalers[side] = scaler;
  }
  return scalers;
}

function decodeTraining(json: Record<string, unknown>, spec: CheckedSpec): ModelState['training'] {
  const t = json.training;
  if (t === undefined) return null;
  if (!isObject(t)) throw formatError('training', 'an object { optimizer, moments, scalars, rng }', t);
  rejectUnknownKeys(t, TRAINING_FIELDS, 'training', FormatError, 'UNKNOWN_FIELD', 'field');
  if (typeof t.optimizer !== 'string') throw formatError('training.optimizer', 'a string (the optimizer settings as JSON, or "")', t.optimizer);
  const optimizer = parseOptimizerKey(t.optimizer);
  if (optimizer !== null && 'error' in optimizer) {
    throw formatError('training.optimizer', 'the settings of sgd, momentum or adam as a fit writes them, or ""', optimizer.error);
  }
  const P = spec.paramCount;
  const moments = decodeFloat64(t.moments, 2 * P, 'training.moments');
  for (let i = P; i < 2 * P; i++) {
    if (!(moments[i] >= 0)) {
      throw formatError(`training.moments[${i}]`, `a second moment v[${i - P}] ≥ 0`, moments[i]);
    }
  }
  const s = t.scalars;
  if (!Array.isArray(s) || s.length !== 3) throw formatError('training.scalars', "3 numbers (Adam's t, β1^t, β2^t)", s);
  for (let i = 0; i < 3; i++) {
    if (typeof s[i] !== 'number' || !Number.isFinite(s[i])) throw formatError(`training.scalars[${i}]`, 'a finite number', s[i]);
  }
  const [steps, power1, power2] = s as number[];
  if (!Number.isInteger(steps) || steps < 0 || steps > Number.MAX_SAFE_INTEGER) {
    throw formatError('training.scalars[0]', "Adam's step count t: an integer ≥ 0", steps);
  }
  for (const [i, power] of [[1, power1], [2, power2]] as const) {
    // β^t is 1 before the first step and in [0, 1) after it (β < 1)
    const ok = steps === 0 ? power === 1 : power >= 0 && power < 1;
    if (!ok) throw formatError(`training.scalars[${i}]`, steps === 0 ? `β${i}^t = 1 at t = 0` : `β${i}^t in [0, 1) at t = ${steps}`, power);
  }
  const r = t.rng;
  if (!Array.isArray(r) || r.length !== 4) throw formatError('training.rng', '4 unsigned 32-bit integers (the shuffler state)', r);
  for (let i = 0; i < 4; i++) {
    if (typeof r[i] !== 'number' || !Number.isInteger(r[i]) || r[i] < 0 || r[i] > 0xffffffff) {
      throw formatError(`training.rng[${i}]`, 'an unsigned 32-bit integer', r[i]);
    }
  }
  if ((r as number[]).every((w) => w === 0)) throw formatError('training.rng', 'a shuffler state that is not all zero (xoshiro128** never leaves it)', 'all zero');
  const schedule = t.schedule === undefined ? null : decodeSchedule(t.schedule);
  const stream = t.stream === undefined ? null : decodePosition(t.stream, spec);
  return { optimizer: t.optimizer, moments, scalars: Float64Array.from(s as number[]), rng: Uint32Array.from(r as number[]), schedule, stream };
}

/** Checks that `value` is JSON data (null, booleans, finite numbers, strings, arrays, plain objects). */
function checkJson(value: unknown, path: string, depth: number): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw formatError(path, 'a JSON value (a finite number)', value);
    return;
  }
  if (typeof value !== 'object') throw formatError(path, 'a JSON value', value);
  if (depth >= METADATA_DEPTH) throw formatError(path, `JSON nested at most ${METADATA_DEPTH} levels deep`, 'a deeper value');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJson(value[i], `${path}[${i}]`, depth + 1);
    return;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw formatError(path, 'a plain JSON object', value);
  for (const key of Object.keys(value)) checkJson((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
}

function decodeNames(json: Record<string, unknown>, spec: CheckedSpec): ModelNames {
  const names = json.names;
  if (names === undefined) return NO_NAMES;
  if (!isObject(names) || Object.keys(names).length === 0) throw formatError('names', 'an object { inputs?, targets?, classes? } with at least one list', names);
  rejectUnknownKeys(names, NAMES_FIELDS, 'names', FormatError, 'UNKNOWN_FIELD', 'field');
  for (const key of NAMES_FIELDS) if (names[key] === null) throw formatError(`names.${key}`, 'a list (or no field)', null);
  return validateNames(names, spec, { inputs: 'names.inputs', targets: 'names.targets', classes: 'names.classes' }, FormatError);
}

function decodeMetadata(json: Record<string, unknown>): ModelMetadata {
  const cli = json.cli;
  if (cli === undefined) return NO_METADATA;
  if (!isObject(cli)) throw formatError('cli', "a JSON object (the command line's metadata)", cli);
  checkJson(cli, 'cli', 0);
  return deepFreeze({ cli: cloneJson(cli) as JsonObject });
}

function verifyChecksums(json: Record<string, unknown>, state: Omit<ModelState, 'metadata'>, version: number): void {
  const stored = json.checksums;
  if (!isObject(stored)) throw formatError('checksums', `an object of CRC-32 checksums (format version ${version})`, stored);
  const computed = checksumsOf(savedSpec(state.spec), state.params, state.scalers, state.training, savedNames(state.names), version);
  const known = version >= 3 ? [...CHECKSUMMED, 'fields'] : CHECKSUMMED;
  rejectUnknownKeys(stored, known, 'checksums', FormatError, 'UNKNOWN_FIELD', 'field');
  for (const field of Object.keys(stored)) {
    if (!Object.hasOwn(computed, field)) {
      throw new FormatError('MISSING_FIELD', `${field}: the checksums list this field, but the model has none (it was removed after saving)`, {
        path: field, expected: `the field ${field}`, received: 'no such field',
      });
    }
  }
  // each field's checksum first (a changed field is named), then the list of fields (a removed one)
  const order = Object.keys(computed).filter((field) => field !== 'fields');
  if (version >= 3) order.push('fields');
  for (const field of order) {
    const sum = computed[field];
    const saved = stored[field];
    if (typeof saved !== 'string' || !/^[0-9a-f]{8}$/.test(saved)) throw formatError(`checksums.${field}`, 'a CRC-32 as 8 lowercase hexadecimal digits', saved);
    if (saved === sum) continue;
    if (field === 'fields') throw removedFields(saved, sum, Object.keys(computed).filter((f) => f !== 'fields'));
    throw new FormatError('CHECKSUM_MISMATCH', `${field}: the checksum does not match (saved ${saved}, computed ${sum}): the field was changed or corrupted after saving`, {
      path: field, expected: `data whose CRC-32 is ${saved}`, received: `data whose CRC-32 is ${sum}`,
    });
  }
}

/**
 * The error for a `checksums.fields` that does not match the fields the file has: names the fields
 * removed after saving when some set of optional parts added to the file's gives the saved checksum.
 */
function removedFields(saved: string, computed: string, present: string[]): FormatError {
  const missing = OPTIONAL_PARTS.filter((part) => !present.includes(part[0]));
  for (let mask = 1; mask < 1 << missing.length; mask++) {
    const removed = missing.filter((_, i) => mask & (1 << i)).flat();
    if (fieldsChecksum([...present, ...removed]) !== saved) continue;
    const list = removed.join(', ');
    return new FormatError('MISSING_FIELD', `${removed[0]}: the model was saved with ${list}, but the file has ${removed.length === 1 ? 'no such field' : 'none of them'} (removed after saving, with ${removed.length === 1 ? 'its checksum' : 'their checksums'})`, {
      path: removed[0], expected: `the field${removed.length === 1 ? '' : 's'} ${list}`, received: 'no such field',
    });
  }
  return new FormatError('CHECKSUM_MISMATCH', `checksums.fields: the checksum of the list of fields does not match (saved ${saved}, computed ${computed}): fields were removed or added after saving, or the checksum was changed`, {
    path: 'checksums.fields', expected: `fields whose list has the CRC-32 ${saved}`, received: `fields whose list has the CRC-32 ${computed}`,
  });
}

/**
 * Reads a saved model (the object, or its JSON text) completely: every field checked, every checksum
 * verified. Returns the decoded state, or throws a FormatError naming the field.
 */
export function decodeModel(input: unknown, options: LoadOptions = {}): ModelState {
  const json = parse(input);
  if (json.format !== FORMAT) throw formatError('format', JSON.stringify(FORMAT), json.format);
  const version = json.version;
  if (typeof version !== 'number' || !READABLE_VERSIONS.includes(version)) {
    const readable = READABLE_VERSIONS.join(' or ');
    throw new FormatError('UNSUPPORTED_VERSION', `version: this wasmlp reads format version ${readable}, the model is version ${describe(version)}`, {
      path: 'version', expected: readable, received: describe(version),
    });
  }
  rejectUnknownKeys(json, version === 1 ? FIELDS_V1 : version === 2 ? FIELDS_V2 : FIELDS_V3, '', FormatError, 'UNKNOWN_FIELD', 'field');
  const spec = decodeSpec(json, options);
  const params = decodeFloat64(json.params, spec.paramCount, 'params');
  const scalers = decodeScalers(json, spec);
  const training = decodeTraining(json, spec);
  const names = decodeNames(json, spec);
  const metadata = decodeMetadata(json);
  if (version >= 2) verifyChecksums(json, { spec, params, scalers, training, names }, version);
  return { spec, names, params, scalers, training, metadata };
}
