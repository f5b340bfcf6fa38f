// Conversion between the reference layout `[{ W: [units][inputs], b: [units] }]` and the flat
// parameter vector (layer 0 W row by row, layer 0 b, layer 1 W, …), with shape and value checks.
import { ParamsError, describe } from '../errors.js';
import type { LayerParams, ValidSpec } from '../spec/types.js';

function shapeError(path: string, expected: string, received: unknown): ParamsError {
  return new ParamsError('PARAMS_SHAPE', `${path}: expected ${expected}, got ${describe(received)}`, {
    path, expected, received: describe(received),
  });
}

function finite(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new ParamsError('PARAMS_NON_FINITE', `${path}: expected a finite number, got ${describe(value)}`, {
    path, expected: 'a finite number', received: describe(value),
  });
}

/** Validates `params` against the spec and packs them; throws ParamsError naming the first fault. */
export function paramsToFlat(spec: ValidSpec, params: readonly LayerParams[] | Float64Array, name = 'params'): Float64Array {
  if (params instanceof Float64Array) {
    if (params.length !== spec.paramCount) throw shapeError(name, `a Float64Array of ${spec.paramCount} parameters`, params);
    for (let i = 0; i < params.length; i++) finite(params[i], `${name}[${i}]`);
    return params.slice();
  }
  if (!Array.isArray(params) || params.length !== spec.layers.length) {
    throw shapeError(name, `an array of ${spec.layers.length} { W, b } (one per layer)`, params);
  }
  const flat = new Float64Array(spec.paramCount);
  let at = 0;
  spec.layers.forEach((layer, l) => {
    const p = (params as readonly LayerParams[])[l] as LayerParams | null;
    const here = `${name}[${l}]`;
    if (p === null || typeof p !== 'object') throw shapeError(here, '{ W, b }', p);
    if (!Array.isArray(p.W) || p.W.length !== layer.units) {
      throw shapeError(`${here}.W`, `${layer.units} rows (units of layer ${l}) of ${layer.inputs} weights`, p.W);
    }
    // Indexed loops, not forEach: forEach skips the holes of sparse arrays, which would shift every
    // later value by one slot instead of reporting the missing one.
    for (let j = 0; j < layer.units; j++) {
      const row: unknown = p.W[j];
      if (!Array.isArray(row) || row.length !== layer.inputs) {
        throw shapeError(`${here}.W[${j}]`, `${layer.inputs} weights (inputs of layer ${l})`, row);
      }
      for (let i = 0; i < layer.inputs; i++) flat[at++] = finite(row[i], `${here}.W[${j}][${i}]`);
    }
    if (!Array.isArray(p.b) || p.b.length !== layer.units) {
      throw shapeError(`${here}.b`, `${layer.units} biases (units of layer ${l})`, p.b);
    }
    for (let j = 0; j < layer.units; j++) flat[at++] = finite(p.b[j], `${here}.b[${j}]`);
  });
  return flat;
}

/** Unpacks a flat vector into `[{ W, b }]`. */
export function flatToParams(spec: ValidSpec, flat: Float64Array): LayerParams[] {
  let at = 0;
  return spec.layers.map((layer) => {
    const W: number[][] = [];
    for (let j = 0; j < layer.units; j++) {
      W.push(Array.from(flat.subarray(at, at + layer.inputs)));
      at += layer.inputs;
    }
    const b = Array.from(flat.subarray(at, at + layer.units));
    at += layer.units;
    return { W, b };
  });
}

/** Names a flat parameter index as `layers[l].W[j][i]` or `layers[l].b[j]`. */
export function paramName(spec: ValidSpec, index: number): { layer: number; tensor: 'W' | 'b'; row: number; col: number; name: string } {
  let at = 0;
  for (const layer of spec.layers) {
    const weights = layer.units * layer.inputs;
    if (index < at + weights) {
      const k = index - at;
      const row = Math.floor(k / layer.inputs), col = k % layer.inputs;
      return { layer: layer.index, tensor: 'W', row, col, name: `layers[${layer.index}].W[${row}][${col}]` };
    }
    at += weights;
    if (index < at + layer.units) {
      const row = index - at;
      return { layer: layer.index, tensor: 'b', row, col: 0, name: `layers[${layer.index}].b[${row}]` };
    }
    at += layer.units;
  }
  throw new RangeError(`parameter index ${index} is out of range`);
}
