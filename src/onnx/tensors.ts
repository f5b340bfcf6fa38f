// The values of an ONNX file's constants (initializers and Constant nodes): float64 or float32
// (widened exactly), from raw_data, double_data or float_data, and bool masks. A constant's shape
// must match the values the file holds before any array is made for it, so no loop or allocation
// is sized by a claim alone.
import { describe } from '../errors.js';
import { onnxError, type Place } from './faults.js';
import { DT, dataTypeName, type NodeProto, type TensorProto } from './proto.js';

/** A list for a message: all of a short one; the first 8 items of a long one, and how many there are. */
export function listed(items: readonly unknown[], noun: string): string {
  return items.length <= 8 ? items.join(', ') : `${items.slice(0, 8).join(', ')}, … (${items.length} ${noun})`;
}

export const shape = (dims: readonly unknown[]): string => `[${listed(dims, 'dims')}]`;

/**
 * The number of values a shape holds, or Infinity past 2^53 (proto.ts reads dims as non-negative
 * safe integers). It is compared with the values the file holds before anything is allocated.
 */
function count(dims: readonly number[]): number {
  if (dims.includes(0)) return 0;
  let n = 1;
  for (const d of dims) if ((n *= d) > Number.MAX_SAFE_INTEGER) return Infinity;
  return n;
}

const needs = (n: number, unit: string): string => (n === Infinity ? `more than 2^53 ${unit}` : `${n} ${unit}`);

/** The tensor a Constant node holds (value, value_float or value_floats). */
export function constantNodeTensor(n: NodeProto, at: Place): TensorProto {
  const a = n.attributes[0];
  if (n.attributes.length === 1 && a.t) return a.t;
  if (n.attributes.length === 1 && a.f !== undefined && a.name === 'value_float') return { name: '', dims: [], dataType: DT.FLOAT, floatData: [a.f] };
  if (n.attributes.length === 1 && a.floats && a.name === 'value_floats') return { name: '', dims: [a.floats.length], dataType: DT.FLOAT, floatData: a.floats };
  throw onnxError('UNSUPPORTED_ONNX', at, 'a Constant that is not a float tensor', 'value, value_float or value_floats', a?.name ?? 'no attribute');
}

/** Float64 values of a float32/float64 tensor; any other type or a wrong size is a FormatError. */
export function tensorValues(t: TensorProto, at: Place, role: string): Float64Array {
  const what = `its ${role} "${t.name}"`;
  if (t.external) throw onnxError('UNSUPPORTED_ONNX_TYPE', at, `${what} is stored in an external file; wasmlp reads weights stored in the model`, 'data inside the file', 'external data');
  if (t.dataType !== DT.DOUBLE && t.dataType !== DT.FLOAT) {
    throw onnxError('UNSUPPORTED_ONNX_TYPE', at, `${what} is ${dataTypeName(t.dataType)}; wasmlp reads float64 and float32 weights (float32 is widened exactly)${t.dataType === DT.FLOAT16 || t.dataType === DT.BFLOAT16 ? ': export the model in float32 or float64' : ''}`, 'float64 or float32', dataTypeName(t.dataType));
  }
  const n = count(t.dims);
  let out: Float64Array;
  if (t.raw !== undefined && t.raw.length > 0) {
    const size = t.dataType === DT.DOUBLE ? 8 : 4;
    if (t.raw.length !== n * size) throw onnxError('ONNX_SHAPE', at, `${what} has ${t.raw.length} bytes of raw_data; its shape ${shape(t.dims)} needs ${needs(n * size, 'bytes')}`, needs(n * size, 'bytes'), `${t.raw.length} bytes`);
    const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.length);
    out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = size === 8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
  } else {
    const list = (t.dataType === DT.DOUBLE ? t.doubleData : t.floatData) ?? [];
    if (list.length !== n) throw onnxError('ONNX_SHAPE', at, `${what} holds ${list.length} values; its shape ${shape(t.dims)} needs ${needs(n, 'values')}`, needs(n, 'values'), `${list.length} values`);
    out = Float64Array.from(list);
  }
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw onnxError('NON_FINITE', at, `${what}[${bad}] is ${describe(out[bad])}`, 'finite numbers', describe(out[bad]));
  return out;
}

export function boolValues(t: TensorProto, at: Place): boolean[] {
  if (t.dataType !== DT.BOOL) throw onnxError('UNSUPPORTED_ONNX_TYPE', at, `its condition "${t.name}" is ${dataTypeName(t.dataType)}`, 'bool', dataTypeName(t.dataType));
  const n = count(t.dims);
  const raw = t.raw !== undefined && t.raw.length > 0 ? Array.from(t.raw) : (t.int32Data ?? []);
  if (raw.length !== n) throw onnxError('ONNX_SHAPE', at, `its condition "${t.name}" holds ${raw.length} values; its shape needs ${needs(n, 'values')}`, needs(n, 'values'), `${raw.length} values`);
  return raw.map((v) => v !== 0);
}
