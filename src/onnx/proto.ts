// The subset of ONNX's protobuf schema (onnx.proto, proto2) that an MLP needs, written and read
// without any dependency: ModelProto, OperatorSetIdProto, StringStringEntryProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto (TypeProto.Tensor, TensorShapeProto).
// Field numbers are onnx.proto's. Unknown fields are skipped on reading, as protobuf requires; a
// repeated number field is read packed or unpacked. A fault (truncated bytes, a wrong wire type)
// is a FormatError whose path names the message it was in: `graph.node[3].attribute[0]`, and so are
// a tensor's dims that are not non-negative safe integers (`graph.initializer[1].dims`).
import { FormatError } from '../errors.js';
import { nodeLabel } from './faults.js';

/** TensorProto.DataType values used here. */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, BFLOAT16: 16 } as const;

/** AttributeProto.AttributeType values used here. */
export const AT = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const DT_NAMES: Record<number, string> = {
  0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

export function dataTypeName(t: number): string {
  return DT_NAMES[t] ?? `data type ${t}`;
}

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  raw?: Uint8Array;
  floatData?: number[];
  doubleData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  /** data_location = EXTERNAL: the values are in another file. */
  external?: boolean;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: AttributeProto[];
}

/** A tensor-typed value: element type and shape; a dimension is a number, a symbolic name, or null (unknown). */
export interface ValueInfoProto {
  name: string;
  elemType: number;
  /** null when the shape is absent. */
  dims: (number | string | null)[] | null;
}

export interface GraphProto {
  name: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
}

export interface ModelProto {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: GraphProto;
  metadata: { key: string; value: string }[];
}

// ---------------------------------------------------------------- writing

const utf8 = new TextEncoder();

/** One protobuf message being written: fields appended in order. */
class Out {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  private rawVarint(value: number | bigint): void {
    // int64 fields: a negative value is written as its 64-bit two's complement (10 bytes)
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(bytes));
  }

  private key(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }

  varint(field: number, value: number): this {
    this.key(field, 0);
    this.rawVarint(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.rawVarint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  message(field: number, value: Out): this {
    return this.bytes(field, value.finish());
  }

  float32(field: number, value: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function writeTensor(t: TensorProto): Out {
  const o = new Out();
  for (const d of t.dims) o.varint(1, d);
  o.varint(2, t.dataType);
  o.string(8, t.name);
  if (t.raw) o.bytes(9, t.raw);
  // packed float_data / double_data (toONNX writes raw_data; these are for other writers' forms)
  const packed = (field: number, values: number[] | undefined, size: 4 | 8) => {
    if (values === undefined) return;
    const b = new Uint8Array(values.length * size);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => (size === 4 ? view.setFloat32(i * 4, v, true) : view.setFloat64(i * 8, v, true)));
    o.bytes(field, b);
  };
  packed(4, t.floatData, 4);
  packed(10, t.doubleData, 8);
  return o;
}

function writeAttribute(a: AttributeProto): Out {
  const o = new Out().string(1, a.name);
  if (a.type === AT.FLOAT) o.float32(2, a.f!);
  else if (a.type === AT.INT) o.varint(3, a.i!);
  else if (a.type === AT.STRING) o.string(4, a.s!);
  else if (a.type === AT.TENSOR) o.message(5, writeTensor(a.t!));
  else if (a.type === AT.FLOATS) for (const f of a.floats!) o.float32(7, f);
  else throw new Error(`writeAttribute: type ${a.type} is not written by wasmlp`);
  return o.varint(20, a.type);
}

function writeNode(n: NodeProto): Out {
  const o = new Out();
  for (const i of n.inputs) o.string(1, i);
  for (const i of n.outputs) o.string(2, i);
  o.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes) o.message(5, writeAttribute(a));
  if (n.domain !== '') o.string(7, n.domain);
  return o;
}

function writeValueInfo(v: ValueInfoProto): Out {
  const tensor = new Out().varint(1, v.elemType);
  if (v.dims !== null) {
    const shape = new Out();
    for (const d of v.dims) {
      const dim = new Out();
      if (typeof d === 'number') dim.varint(1, d);
      else if (typeof d === 'string') dim.string(2, d);
      shape.message(1, dim);
    }
    tensor.message(2, shape);
  }
  return new Out().string(1, v.name).message(2, new Out().message(1, tensor));
}

function writeGraph(g: GraphProto): Out {
  const o = new Out();
  for (const n of g.nodes) o.message(1, writeNode(n));
  o.string(2, g.name);
  for (const t of g.initializers) o.message(5, writeTensor(t));
  for (const v of g.inputs) o.message(11, writeValueInfo(v));
  for (const v of g.outputs) o.message(12, writeValueInfo(v));
  return o;
}

/** Serializes a ModelProto. */
export function encodeModel(m: ModelProto): Uint8Array {
  const o = new Out().varint(1, m.irVersion);
  o.string(2, m.producerName).string(3, m.producerVersion);
  o.message(7, writeGraph(m.graph));
  for (const op of m.opsetImport) {
    const set = new Out();
    if (op.domain !== '') set.string(1, op.domain);
    o.message(8, set.varint(2, op.version));
  }
  for (const e of m.metadata) o.message(14, new Out().string(1, e.key).string(2, e.value));
  return o.finish();
}

// ---------------------------------------------------------------- reading

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function truncated(path: string, at: number, what: string): FormatError {
  return new FormatError('BAD_ONNX', `${path}: the file is truncated or corrupt: ${what} at byte ${at}`, {
    path, expected: 'a complete ONNX protobuf message', received: `${what} at byte ${at}`,
  });
}

interface Field {
  field: number;
  wire: number;
  /** Varint value (wire 0), as a bigint. */
  int: bigint;
  /** Bytes of a length-delimited (2), fixed32 (5) or fixed64 (1) field. */
  data: Uint8Array;
  /** The field declares more bytes than the message holds: `data` is what there is. */
  cut?: boolean;
}

/**
 * Sub-messages cut short by the end of the file. A truncated file shows up first as an outer field
 * (the graph) that declares more bytes than remain; its bytes are read anyway, so the error names
 * the innermost message that was cut (`graph.node[4]`), not just `model`.
 */
const partial = new WeakSet<Uint8Array>();

/**
 * The fields of one message, in order; `base` is the message's offset in the file (for errors).
 * A message cut short throws after its last whole field, so a cut inside a sub-message throws there first.
 */
function* fields(bytes: Uint8Array, path: string, base: number): Generator<Field> {
  let at = 0;
  const cutShort = partial.has(bytes);
  const varint = (): bigint => {
    let result = 0n, shift = 0n;
    for (;;) {
      if (at >= bytes.length) throw truncated(path, base + at, 'a number runs past the end');
      const byte = bytes[at++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw truncated(path, base + at, 'a number longer than 10 bytes');
    }
  };
  while (at < bytes.length) {
    const keyAt = at;
    const key = Number(varint());
    const field = key >>> 3, wire = key & 7;
    if (field === 0) throw truncated(path, base + keyAt, 'field number 0');
    if (wire === 0) yield { field, wire, int: varint(), data: new Uint8Array(0) };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (at + n > bytes.length) throw truncated(path, base + at, `field ${field} needs ${n} bytes`);
      yield { field, wire, int: 0n, data: bytes.subarray(at, at + n) };
      at += n;
    } else if (wire === 2) {
      const len = varint();
      if (BigInt(at) + len > BigInt(bytes.length)) {
        const data = bytes.subarray(at);
        yield { field, wire, int: 0n, data, cut: true };
        throw truncated(path, base + at, `field ${field} declares ${len} bytes, ${bytes.length - at} remain`);
      }
      const n = Number(len);
      yield { field, wire, int: 0n, data: bytes.subarray(at, at + n) };
      at += n;
    } else {
      throw truncated(path, base + keyAt, `wire type ${wire} of field ${field}`);
    }
  }
  if (cutShort) throw truncated(path, base + at, 'the message ends early');
}

/** Offset of a sub-array inside the file (for error messages). */
function offsetIn(file: Uint8Array, sub: Uint8Array): number {
  return sub.byteOffset - file.byteOffset;
}

function wrongWire(path: string, f: Field, expected: string): FormatError {
  return new FormatError('BAD_ONNX', `${path}: field ${f.field} has wire type ${f.wire}, expected ${expected}`, {
    path, expected, received: `wire type ${f.wire}`,
  });
}

function int(path: string, f: Field): number {
  if (f.wire !== 0) throw wrongWire(path, f, 'a varint');
  return Number(BigInt.asIntN(64, f.int));
}

function str(path: string, f: Field): string {
  if (f.wire !== 2) throw wrongWire(path, f, 'a string');
  if (f.cut) throw truncated(path, f.data.byteOffset, 'the text ends early');
  return utf8Decoder.decode(f.data);
}

/** A length-delimited field's bytes (a sub-message, raw data); cut short, they are marked so. */
function bytesOf(path: string, f: Field): Uint8Array {
  if (f.wire !== 2) throw wrongWire(path, f, 'bytes');
  if (f.cut) partial.add(f.data);
  return f.data;
}

/** Appends packed varints one by one (a spread of a long list would overflow the call stack). */
function packedVarints(path: string, data: Uint8Array, base: number, out: number[]): void {
  let at = 0;
  while (at < data.length) {
    let result = 0n, shift = 0n;
    for (;;) {
      if (at >= data.length) throw truncated(path, base + at, 'a packed number runs past the end');
      const byte = data[at++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw truncated(path, base + at, 'a packed number longer than 10 bytes');
    }
    out.push(Number(BigInt.asIntN(64, result)));
  }
}

/** A repeated varint field, packed (wire 2) or not. */
function repeatedInts(path: string, f: Field, file: Uint8Array, into: number[]): void {
  if (f.wire === 0) into.push(int(path, f));
  else if (f.wire === 2) packedVarints(path, f.data, offsetIn(file, f.data), into);
  else throw wrongWire(path, f, 'varints');
}

/** A repeated float (4 bytes) or double (8 bytes) field, packed or not. */
function repeatedFloats(path: string, f: Field, size: 4 | 8, file: Uint8Array, into: number[]): void {
  const wire = size === 4 ? 5 : 1;
  let data: Uint8Array;
  if (f.wire === wire) data = f.data;
  else if (f.wire === 2) data = f.data;
  else throw wrongWire(path, f, size === 4 ? 'float32 values' : 'float64 values');
  if (data.length % size !== 0) throw truncated(path, offsetIn(file, data), `${data.length} bytes of packed ${size === 4 ? 'float32' : 'float64'}`);
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < data.length; i += size) into.push(size === 4 ? view.getFloat32(i, true) : view.getFloat64(i, true));
}

function readTensor(file: Uint8Array, data: Uint8Array, path: string): TensorProto {
  const t: TensorProto = { name: '', dims: [], dataType: 0 };
  for (const f of fields(data, path, offsetIn(file, data))) {
    switch (f.field) {
      case 1: repeatedInts(`${path}.dims`, f, file, t.dims); break;
      case 2: t.dataType = int(`${path}.data_type`, f); break;
      case 4: repeatedFloats(`${path}.float_data`, f, 4, file, (t.floatData ??= [])); break;
      case 5: repeatedInts(`${path}.int32_data`, f, file, (t.int32Data ??= [])); break;
      case 7: repeatedInts(`${path}.int64_data`, f, file, (t.int64Data ??= [])); break;
      case 8: t.name = str(`${path}.name`, f); break;
      case 9: t.raw = bytesOf(`${path}.raw_data`, f); break;
      case 10: repeatedFloats(`${path}.double_data`, f, 8, file, (t.doubleData ??= [])); break;
      case 14: t.external = int(`${path}.data_location`, f) === 1; break;
      default: break;
    }
  }
  checkDims(t.dims, `${path}.dims`);
  return t;
}

/** A tensor's dims are non-negative safe integers (a count of values, checked against the values held where they are read). */
function checkDims(dims: number[], path: string): void {
  const bad = dims.findIndex((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad < 0) return;
  const given = Number.isSafeInteger(dims[bad]) ? String(dims[bad]) : dims[bad] < 0 ? '-2^53 or less' : '2^53 or more';
  throw new FormatError('BAD_ONNX', `${path}: dims[${bad}] is ${given}; a dimension is a whole number from 0 to 2^53 - 1`, {
    path, expected: 'non-negative safe integers', received: `dims[${bad}] = ${given}`,
  });
}

function readAttribute(file: Uint8Array, data: Uint8Array, path: string): AttributeProto {
  const a: AttributeProto = { name: '', type: 0 };
  for (const f of fields(data, path, offsetIn(file, data))) {
    switch (f.field) {
      case 1: a.name = str(`${path}.name`, f); break;
      case 2:
        if (f.wire !== 5) throw wrongWire(`${path}.f`, f, 'a float32');
        a.f = new DataView(f.data.buffer, f.data.byteOffset, 4).getFloat32(0, true);
        break;
      case 3: a.i = int(`${path}.i`, f); break;
      case 4: a.s = str(`${path}.s`, f); break;
      case 5: a.t = readTensor(file, bytesOf(`${path}.t`, f), `${path}.t`); break;
      case 7: repeatedFloats(`${path}.floats`, f, 4, file, (a.floats ??= [])); break;
      case 8: repeatedInts(`${path}.ints`, f, file, (a.ints ??= [])); break;
      case 20: a.type = int(`${path}.type`, f); break;
      default: break;
    }
  }
  return a;
}

function readNode(file: Uint8Array, data: Uint8Array, path: string): NodeProto {
  const n: NodeProto = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
  try {
    readNodeFields(file, data, path, n);
  } catch (error) {
    // name the node when its name or op was read before the fault
    if (!(error instanceof FormatError) || (n.name === '' && n.opType === '')) throw error;
    const label = nodeLabel(path, n);
    throw new FormatError(error.code, error.message.startsWith(path) ? label + error.message.slice(path.length) : `${label}: ${error.message}`, {
      path: error.path, expected: error.expected, received: error.received, cause: error,
    });
  }
  return n;
}

function readNodeFields(file: Uint8Array, data: Uint8Array, path: string, n: NodeProto): void {
  for (const f of fields(data, path, offsetIn(file, data))) {
    switch (f.field) {
      case 1: n.inputs.push(str(`${path}.input`, f)); break;
      case 2: n.outputs.push(str(`${path}.output`, f)); break;
      case 3: n.name = str(`${path}.name`, f); break;
      case 4: n.opType = str(`${path}.op_type`, f); break;
      case 5: n.attributes.push(readAttribute(file, bytesOf(`${path}.attribute`, f), `${path}.attribute[${n.attributes.length}]`)); break;
      case 7: n.domain = str(`${path}.domain`, f); break;
      default: break;
    }
  }
}

function readValueInfo(file: Uint8Array, data: Uint8Array, path: string): ValueInfoProto {
  const v: ValueInfoProto = { name: '', elemType: 0, dims: null };
  for (const f of fields(data, path, offsetIn(file, data))) {
    if (f.field === 1) v.name = str(`${path}.name`, f);
    else if (f.field === 2) {
      for (const t of fields(bytesOf(`${path}.type`, f), `${path}.type`, offsetIn(file, f.data))) {
        if (t.field !== 1) continue; // only tensor_type
        for (const g of fields(bytesOf(`${path}.type.tensor_type`, t), `${path}.type.tensor_type`, offsetIn(file, t.data))) {
          if (g.field === 1) v.elemType = int(`${path}.type.tensor_type.elem_type`, g);
          else if (g.field === 2) {
            v.dims = [];
            for (const d of fields(bytesOf(`${path}.type.tensor_type.shape`, g), `${path}.type.tensor_type.shape`, offsetIn(file, g.data))) {
              if (d.field !== 1) continue;
              let dim: number | string | null = null;
              for (const x of fields(bytesOf(`${path}.shape.dim`, d), `${path}.shape.dim`, offsetIn(file, d.data))) {
                if (x.field === 1) dim = int(`${path}.shape.dim.dim_value`, x);
                else if (x.field === 2) dim = str(`${path}.shape.dim.dim_param`, x);
              }
              v.dims.push(dim);
            }
          }
        }
      }
    }
  }
  return v;
}

function readGraph(file: Uint8Array, data: Uint8Array, path: string): GraphProto {
  const g: GraphProto = { name: '', nodes: [], initializers: [], inputs: [], outputs: [] };
  for (const f of fields(data, path, offsetIn(file, data))) {
    switch (f.field) {
      case 1: g.nodes.push(readNode(file, bytesOf(`${path}.node`, f), `${path}.node[${g.nodes.length}]`)); break;
      case 2: g.name = str(`${path}.name`, f); break;
      case 5: g.initializers.push(readTensor(file, bytesOf(`${path}.initializer`, f), `${path}.initializer[${g.initializers.length}]`)); break;
      case 11: g.inputs.push(readValueInfo(file, bytesOf(`${path}.input`, f), `${path}.input[${g.inputs.length}]`)); break;
      case 12: g.outputs.push(readValueInfo(file, bytesOf(`${path}.output`, f), `${path}.output[${g.outputs.length}]`)); break;
      case 15:
        throw new FormatError('BAD_ONNX', `${path}.sparse_initializer: sparse initializers are not read by wasmlp`, {
          path: `${path}.sparse_initializer`, expected: 'dense initializers', received: 'a sparse initializer',
        });
      default: break;
    }
  }
  return g;
}

/** Parses a ModelProto (only the fields listed at the top of this file). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const m: ModelProto = { irVersion: 0, opsetImport: [], producerName: '', producerVersion: '', graph: { name: '', nodes: [], initializers: [], inputs: [], outputs: [] }, metadata: [] };
  let graphs = 0;
  for (const f of fields(bytes, 'model', 0)) {
    switch (f.field) {
      case 1: m.irVersion = int('model.ir_version', f); break;
      case 2: m.producerName = str('model.producer_name', f); break;
      case 3: m.producerVersion = str('model.producer_version', f); break;
      case 7: m.graph = readGraph(bytes, bytesOf('model.graph', f), 'graph'); graphs++; break;
      case 8: {
        const op = { domain: '', version: 0 };
        const p = `opset_import[${m.opsetImport.length}]`;
        for (const g of fields(bytesOf(p, f), p, offsetIn(bytes, f.data))) {
          if (g.field === 1) op.domain = str(`${p}.domain`, g);
          else if (g.field === 2) op.version = int(`${p}.version`, g);
        }
        m.opsetImport.push(op);
        break;
      }
      case 14: {
        const e = { key: '', value: '' };
        const p = `metadata_props[${m.metadata.length}]`;
        for (const g of fields(bytesOf(p, f), p, offsetIn(bytes, f.data))) {
          if (g.field === 1) e.key = str(`${p}.key`, g);
          else if (g.field === 2) e.value = str(`${p}.value`, g);
        }
        m.metadata.push(e);
        break;
      }
      default: break;
    }
  }
  if (graphs === 0) {
    throw new FormatError('BAD_ONNX', 'model.graph: the file holds no graph (not an ONNX model, or truncated before its graph)', {
      path: 'model.graph', expected: 'an ONNX ModelProto with a graph', received: bytes.length === 0 ? 'an empty file' : `${bytes.length} bytes without a graph`,
    });
  }
  return m;
}
