// What `model.gradients` returns, and its one option. Loss and gradients cost the parameters' size
// whatever the row count; the per-layer traces (every row's z, a and delta) cost rows × units × 3
// numbers, so they are made only when asked for: as nested arrays (`traces: true`) or as flat
// row-major Float64Arrays (`traces: 'flat'`, a fraction of the memory and no per-row objects).
import { toNested } from '../data/dataset.js';
import { OptionsError, describe } from '../errors.js';
import { rejectUnknownKeys } from '../spec/names.js';
import type { LayerParams } from '../spec/types.js';

export interface LayerTrace<T> {
  /** Pre-activations z = W a_in + b, one row per sample. */
  z: T;
  /** Activations a = f(z). */
  a: T;
  /** dL/dz. */
  delta: T;
}

export interface GradientsOptions {
  /**
   * Also return every layer's z, a and delta for every row, and the network's output:
   * `false` (default) none; `true` as nested arrays `[rows][units]`; `'flat'` as row-major
   * Float64Arrays of rows × units (row r, unit j at `r * units + j`).
   */
  traces?: boolean | 'flat';
}

export interface GradientsResult {
  loss: number;
  /** dL/dθ in the parameter layout `[{ W: [units][inputs], b: [units] }]`. */
  grads: LayerParams[];
  /** dL/dθ flat: layer 0 W row by row, layer 0 b, layer 1 W, … */
  gradsFlat: Float64Array;
}

/** With `traces: true`. */
export interface GradientsWithTraces extends GradientsResult {
  /** The network's output for each row. */
  output: number[][];
  layers: LayerTrace<number[][]>[];
}

/** With `traces: 'flat'`. */
export interface GradientsWithFlatTraces extends GradientsResult {
  rows: number;
  /** The network's output, rows × outputs, row-major (the last layer's `a`). */
  output: Float64Array;
  layers: LayerTrace<Float64Array>[];
}

export type TraceMode = false | true | 'flat';

const KEYS = ['traces'] as const;

/** Validates `gradients`' options; returns the trace mode asked for. */
export function traceMode(options: unknown): TraceMode {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionsError('BAD_OPTIONS', `options: expected an object such as { traces: true }, got ${describe(options)}`, {
      path: 'options', expected: 'an object', received: describe(options),
    });
  }
  rejectUnknownKeys(options, KEYS, 'options', OptionsError, 'UNKNOWN_OPTION', 'option');
  const traces = (options as { traces?: unknown }).traces;
  if (traces === undefined || traces === false) return false;
  if (traces === true || traces === 'flat') return traces;
  throw new OptionsError('BAD_TRACES', `options.traces: expected true, false or 'flat', got ${describe(traces)}`, {
    path: 'options.traces', expected: "true, false or 'flat'", received: describe(traces),
  });
}

/** Empty flat traces for `rows` rows of layers of these widths. */
export function allocateTraces(rows: number, widths: readonly number[]): LayerTrace<Float64Array>[] {
  return widths.map((units) => ({ z: new Float64Array(rows * units), a: new Float64Array(rows * units), delta: new Float64Array(rows * units) }));
}

/** The result of `gradients` in the mode asked for. */
export function gradientsResult(
  base: GradientsResult,
  mode: TraceMode,
  rows: number,
  widths: readonly number[],
  traces: LayerTrace<Float64Array>[] | undefined,
): GradientsResult | GradientsWithTraces | GradientsWithFlatTraces {
  if (mode === false || traces === undefined) return base;
  const last = traces.length - 1;
  if (mode === 'flat') return { ...base, rows, output: traces[last].a, layers: traces };
  const layers = traces.map((t, l) => ({ z: toNested(t.z, rows, widths[l]), a: toNested(t.a, rows, widths[l]), delta: toNested(t.delta, rows, widths[l]) }));
  return { ...base, output: layers[last].a, layers };
}
