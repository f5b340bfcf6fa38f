// The pieces of a saved model's JSON that several of its fields use: float64 arrays as base64 text
// (little-endian, exact), and the FormatError of a field that is not what it should be.
import { FormatError, describe } from '../errors.js';

export function encodeFloat64(values: Float64Array): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  let binary = '';
  // apply takes the typed array as it is; spreading it (`...chunk`) runs its iterator, about 5× slower
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  return btoa(binary);
}

export function decodeFloat64(text: unknown, count: number, path: string): Float64Array {
  if (typeof text !== 'string') throw formatError(path, `a base64 string of ${count} float64`, text);
  // a base64 text of n bytes has about 4n/3 characters: a far longer one is refused before decoding
  if (text.length > 2 * Math.ceil((count * 8) / 3) * 4 + 64) throw formatError(path, `${count} float64 (${count * 8} bytes)`, `a text of ${text.length} characters`);
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

