// Helpers of the ONNX tests: the committed fixtures (bundled, so the browser suite has them too),
// ONNX Runtime (onnxruntime-web, in Node and in the page) and the comparison rule.
/// <reference types="vite/client" />
import * as ort from 'onnxruntime-web';
import { expect } from 'vitest';

// Vite inlines each file as a base64 data URL: the same loader works in Node and in the page.
const FILES: Record<string, string> = import.meta.glob('../fixtures/onnx/*.onnx', { eager: true, query: '?inline', import: 'default' });
const OUTPUTS = import.meta.glob('../fixtures/onnx/outputs.json', { eager: true, import: 'default' });

export interface TorchOutputs {
  torch: string;
  opset: number;
  X: number[][];
  models: Record<string, { file: string; dtype: 'f64' | 'f32'; activations: string[]; Y: number[][] }>;
}

export function torchOutputs(): TorchOutputs {
  return structuredClone(OUTPUTS['../fixtures/onnx/outputs.json']) as TorchOutputs;
}

export function fixture(file: string): Uint8Array {
  const url = FILES[`../fixtures/onnx/${file}`];
  if (url === undefined) throw new Error(`fixture ${file} not found (have: ${Object.keys(FILES).join(', ')})`);
  const binary = atob(url.slice(url.indexOf(',') + 1));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

ort.env.wasm.numThreads = 1;

/** Runs an ONNX model in ONNX Runtime (web/wasm) on float64 rows; returns the output, flat. */
export async function runOrt(bytes: Uint8Array, X: Float64Array, rows: number, cols: number): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float64', X, [rows, cols]) });
    const y = out[session.outputNames[0]];
    expect(y.type).toBe('float64');
    expect(y.dims[0]).toBe(rows);
    return y.data as Float64Array;
  } finally {
    await session.release();
  }
}

/**
 * Largest relative error |a − b| / scale over the elements of a rows × columns output, the scale of
 * an element being max(|b|, floor × the largest |b| of its column). With floor 0 it is the plain
 * element-wise relative error. A floor > 0 measures an output that cancels to near 0 (a layer's sum,
 * or min + v·(max − min) in target units) at the magnitude of its column: there two summation
 * orders differ by a few ulps of the terms, not of the result, which no relative bound can hold.
 */
export function worstRelative(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 0, columns = 1): number {
  expect(actual.length).toBe(expected.length);
  const largest = new Float64Array(columns);
  for (let i = 0; i < expected.length; i++) largest[i % columns] = Math.max(largest[i % columns], Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], b = expected[i];
    if (a === b) continue;
    const r = Math.abs(a - b) / Math.max(Math.abs(b), floor * largest[i % columns]);
    worst = Math.max(worst, Number.isNaN(r) ? Infinity : r);
  }
  return worst;
}

export const bytesOf = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
