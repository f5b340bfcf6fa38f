// The saved form of a model. Float64 data travel as little-endian base64 (exact to the bit, -0 and
// all), the spec and scalers as plain JSON. `version` is the format version; loading refuses others.
import { FormatError, describe } from '../errors.js';
import type { ScalerJSON } from '../data/normalize.js';
import type { LayerSpec, ModelSpec } from '../spec/types.js';

export const FORMAT = 'wasmlp-model';
export const FORMAT_VERSION = 1;

export interface ModelJSON {
  format: typeof FORMAT;
  version: number;
  spec: Omit<ModelSpec, 'params' | 'engine'>;
  /** The flat parameter vector (layer 0 W row by row, layer 0 b, …), float64 little-endian, base64. */
  params: string;
  scalers?: { inputs?: ScalerJSON; targets?: ScalerJSON };
  /** Optimizer and shuffler state, so training resumes exactly where it stopped. */
  training?: {
    optimizer: string;
    /** m then v, float64 little-endian base64. */
    moments: string;
    /** Adam's t, β1^t, β2^t. */
    scalars: number[];
    /** xoshiro128** state of the shuffler. */
    rng: number[];
  };
}

export function encodeFloat64(values: Float64Array): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function decodeFloat64(text: unknown, count: number, path: string): Float64Array {
  if (typeof text !== 'string') throw formatError(path, `a base64 string of ${count} float64`, text);
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw formatError(path, 'valid base64', 'text that is not base64');
  }
  if (binary.length !== count * 8) throw formatError(path, `${count} float64 (${count * 8} bytes)`, `${binary.length} bytes`);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = view.getFloat64(i * 8, true);
    if (!Number.isFinite(out[i])) {
      throw new FormatError('NON_FINITE', `${path}[${i}]: expected a finite number, got ${describe(out[i])}`, {
        path: `${path}[${i}]`, expected: 'a finite number', received: describe(out[i]),
      });
    }
  }
  return out;
}

export function formatError(path: string, expected: string, received: unknown): FormatError {
  // a phrase such as '12 bytes' reads as it is; any other value is described (strings quoted)
  const text = typeof received === 'string' && received.includes(' ') ? received : describe(received);
  return new FormatError('BAD_MODEL_JSON', `${path}: expected ${expected}, got ${text}`, { path, expected, received: text });
}

/** Parses text or takes an object, and checks the envelope (format, version, the fields' types). */
export function readEnvelope(input: unknown): ModelJSON {
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
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw formatError('model', 'an object from model.toJSON()', json);
  const j = json as Record<string, unknown>;
  if (j.format !== FORMAT) throw formatError('format', JSON.stringify(FORMAT), j.format);
  if (j.version !== FORMAT_VERSION) {
    throw new FormatError('UNSUPPORTED_VERSION', `version: this wasmlp reads format version ${FORMAT_VERSION}, the model is version ${describe(j.version)}`, {
      path: 'version', expected: String(FORMAT_VERSION), received: describe(j.version),
    });
  }
  if (j.spec === null || typeof j.spec !== 'object') throw formatError('spec', 'the model spec', j.spec);
  const layers = (j.spec as { layers?: unknown }).layers;
  if (!Array.isArray(layers)) throw formatError('spec.layers', 'an array of layers', layers);
  if (j.training !== undefined) {
    const t = j.training as Record<string, unknown>;
    if (t === null || typeof t !== 'object') throw formatError('training', 'an object', t);
    if (typeof t.optimizer !== 'string') throw formatError('training.optimizer', 'a string', t.optimizer);
    const numbers = (key: string, length: number) => {
      const v = t[key];
      if (!Array.isArray(v) || v.length !== length || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw formatError(`training.${key}`, `${length} finite numbers`, v);
      }
    };
    numbers('scalars', 3);
    numbers('rng', 4);
    if (!(t.rng as number[]).every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) throw formatError('training.rng', '4 unsigned 32-bit integers', t.rng);
  }
  return json as ModelJSON;
}

/** The spec part of a saved model, as createModel takes it. */
export function specOf(model: ModelJSON): ModelSpec {
  return { ...model.spec, layers: model.spec.layers.map((l: LayerSpec) => ({ ...l })) };
}
