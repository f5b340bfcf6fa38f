// ONNX → model: reads MLP-shaped graphs, from wasmlp's toONNX or from other tools (PyTorch's
// torch.onnx.export among them), and rebuilds them as a wasmlp Model in float64.
//
// What is read, from the graph's input to its output:
//   [input scaling] → layer → layer → … → [output unscaling]
//   layer       Gemm (transA = 0, any transB, alpha, beta; C optional), or MatMul (+ Add of a bias),
//               with constant weights and bias, then an activation:
//   activation  none or Identity · Tanh · Relu · Sigmoid or Reciprocal(1 + Exp(−z)) · Softplus or
//               Relu(z) + log1p(Exp(−|z|)) (log1p as Log(1 + y), or toONNX's accurate form) ·
//               LeakyRelu(alpha) or Where(Less(z, 0), z·a, z) · Softmax over the last axis
//   scaling     Sub/Add/Mul/Div by constants, and toONNX's Where for constant columns, mapped to
//               the model's scalers (scaling.ts) when they match a scaler's form exactly
// Constants are initializers or Constant nodes, float64 or float32 (widened exactly, raw_data,
// double_data or float_data). Gemm's alpha and beta are float32 attributes: alpha ≠ 1 or beta ≠ 1
// is folded into the weights (one rounding each). LeakyRelu's alpha is a float32 attribute too, so
// the slope is the float32 value it holds: 0.1 is read as 0.10000000149011612, as ONNX Runtime uses it.
// Anything else is a FormatError naming the node, its op and why. The graph must first be what ONNX
// requires (checkGraph): each value named once, each node after the nodes whose outputs it reads, so
// every walk of it ends; a constant's shape must match the values the file holds before any array
// is made for it, so no loop or allocation is sized by a claim alone; no walk recurses.
import { FormatError, OptionsError, WasmlpError, describe } from '../errors.js';
import { loadModel } from '../model/factory.js';
import type { Model } from '../model/model.js';
import { NO_METADATA, encodeModel, type ModelState } from '../model/serialize.js';
import { Scaler, type ScalerJSON } from '../data/normalize.js';
import { validateSpec } from '../spec/validate.js';
import { ENGINES, INITS, LOSSES, type Activation, type EngineKind, type Loss, type ModelSpec, type Threads } from '../spec/types.js';
import { oneOfNames, rejectUnknownKeys } from '../spec/names.js';
import { validateThreads } from '../engine/threads.js';
import { DT, dataTypeName, decodeModel, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './proto.js';
import { MAX_SCALER_STEPS, inputScaler, outputScaler, type Op, type ReadStep } from './scaling.js';
import { ONNX_OPSET } from './export.js';

/** The default-domain opsets whose operators are read (the ops used here mean the same throughout). */
export const MIN_OPSET = 7;
export const MAX_OPSET = 25;

export interface LoadONNXOptions {
  /** The loss for further training. Default: the file's `wasmlp.loss`, else by the output: softmax → cce, sigmoid → bce, otherwise mse. */
  loss?: Loss;
  /** Apply bce/cce's plain formula to an output other than sigmoid/softmax (see ModelSpec.plainLoss). */
  plainLoss?: boolean;
  engine?: EngineKind;
  /** Threads, as createModel's `threads` (default `'auto'`). */
  threads?: Threads;
}

interface Layer {
  W: Float64Array; // units × inputs, row by row
  b: Float64Array;
  units: number;
  inputs: number;
  activation: Activation;
  slope?: number;
  /** The node that holds the weights, for messages. */
  node: NodeProto;
}

function onnxError(code: string, path: string, message: string, expected: string, received: string): FormatError {
  return new FormatError(code, `${path}: ${message}`, { path, expected, received });
}

/** `graph.node[3] (Identity "y")`: a node by its place in the file, for faults of the graph's structure. */
function nodeLabel(n: NodeProto, i: number): string {
  return `graph.node[${i}] (${n.opType}${n.name === '' ? '' : ` ${JSON.stringify(n.name)}`})`;
}

function structureError(path: string, label: string, why: string, expected: string, received: string): FormatError {
  return new FormatError('BAD_ONNX', `${label}: ${why}`, { path, expected, received });
}

/** Each graph input, and each initializer, is named once (an initializer may also be a graph input: its default). */
function definedNames(graph: GraphProto): Map<string, string> {
  const defined = new Map<string, string>();
  for (const [list, field] of [[graph.inputs, 'input'], [graph.initializers, 'initializer']] as const) {
    const seen = new Map<string, string>();
    list.forEach(({ name }, i) => {
      const path = `graph.${field}[${i}]`, first = seen.get(name);
      if (first !== undefined) throw structureError(path, path, `${JSON.stringify(name)} is defined already, by ${first}; ONNX names each value once`, 'a name of its own', JSON.stringify(name));
      seen.set(name, path);
      if (!defined.has(name)) defined.set(name, path);
    });
  }
  return defined;
}

/**
 * What ONNX requires of a graph, and every walk of it here relies on: each value is defined once
 * (a graph input, an initializer or one node's output), and each node reads only values defined
 * before it, so the nodes are in order and there is no cycle.
 */
function checkGraph(graph: GraphProto): void {
  const defined = definedNames(graph);
  graph.nodes.forEach((n, i) => {
    const path = `graph.node[${i}]`, label = nodeLabel(n, i);
    if (n.opType === 'Identity' && (n.domain === '' || n.domain === 'ai.onnx') && (n.inputs.length !== 1 || n.outputs.length !== 1)) {
      throw structureError(path, label, `an Identity has one input and one output; this one has ${n.inputs.length} and ${n.outputs.length}`, 'one input and one output', `${n.inputs.length} inputs, ${n.outputs.length} outputs`);
    }
    for (const name of n.inputs) if (name !== '' && !defined.has(name)) throw readTooSoon(graph, i, name);
    for (const name of n.outputs) {
      if (name === '') continue; // an optional output left out
      const first = defined.get(name);
      if (first !== undefined) throw structureError(path, label, `its output ${JSON.stringify(name)} is defined already, by ${first}; ONNX names each value once`, 'a name of its own', JSON.stringify(name));
      defined.set(name, label);
    }
  });
}

/** Node i reads `name` before anything defines it: its own output, a later node's, or nothing's. */
function readTooSoon(graph: GraphProto, i: number, name: string): FormatError {
  const n = graph.nodes[i], label = nodeLabel(n, i), path = `graph.node[${i}]`;
  const expected = 'a graph input, an initializer or the output of an earlier node';
  if (n.outputs.includes(name)) return structureError(path, label, `it reads ${JSON.stringify(name)}, its own output (a cycle)`, expected, 'its own output');
  const j = graph.nodes.findIndex((m, k) => k > i && m.outputs.includes(name));
  if (j < 0) return structureError(path, label, `it reads ${JSON.stringify(name)}, which is no graph input, initializer or node output`, expected, 'an undefined name');
  const later = nodeLabel(graph.nodes[j], j);
  return structureError(path, label, `it reads ${JSON.stringify(name)} before ${later} writes it; ONNX requires each node after the nodes whose outputs it reads (a cycle, or nodes out of order)`, expected, `the output of ${later}`);
}

/** `node "/0/Gemm" (Gemm)`, or `graph.node[3] (Gemm)` for a node without a name. */
class Graph {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly index = new Map<NodeProto, number>();
  readonly constants = new Map<string, TensorProto>();
  /** A name written by an Identity node → the name it copies, through every Identity before it. */
  private readonly copies = new Map<string, string>();
  /** Constants' values, converted once (however many nodes read them). */
  private readonly converted = new Map<TensorProto, Float64Array>();
  /** Nodes already read as part of the MLP. */
  readonly used = new Set<NodeProto>();
  /** The nodes read as one piece (a layer, an activation, a scaling step), by node. */
  readonly group = new Map<NodeProto, number>();
  private groups = 0;

  /** Marks nodes as read, as one piece of the MLP. */
  take(nodes: NodeProto[]): void {
    const id = this.groups++;
    for (const n of nodes) {
      this.used.add(n);
      this.group.set(n, id);
    }
  }

  /** The nodes that read `name`, looking through Identity nodes (in graph order, depth first; no recursion). */
  readers(name: string): NodeProto[] {
    const out: NodeProto[] = [];
    const stack = [...(this.consumers.get(name) ?? [])].reverse();
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      if (n.opType !== 'Identity') {
        out.push(n);
        continue;
      }
      const next = n.outputs.flatMap((o) => this.consumers.get(o) ?? []);
      for (let k = next.length - 1; k >= 0; k--) stack.push(next[k]);
    }
    return out;
  }

  constructor(readonly model: ModelProto, readonly opset: number) {
    const g = model.graph;
    checkGraph(g);
    for (const t of g.initializers) this.constants.set(t.name, t);
    g.nodes.forEach((n, i) => {
      this.index.set(n, i);
      if (n.opType === 'Constant' && (n.domain === '' || n.domain === 'ai.onnx')) {
        const t = constantNodeTensor(n, this.where(n));
        if (n.outputs[0] !== undefined) this.constants.set(n.outputs[0], t);
        this.used.add(n);
        return;
      }
      for (const o of n.outputs) this.producer.set(o, n);
      // checkGraph put the nodes in order: what an Identity copies is known already
      if (n.opType === 'Identity') for (const o of n.outputs) this.copies.set(o, this.copies.get(n.inputs[0]) ?? n.inputs[0]);
      for (const i of n.inputs) {
        if (i === '') continue;
        const list = this.consumers.get(i) ?? [];
        if (list[list.length - 1] !== n) list.push(n); // a node that reads a name twice is one reader
        this.consumers.set(i, list);
      }
    });
  }

  where(n: NodeProto): string {
    const i = this.index.get(n) ?? -1;
    return n.name !== '' ? `node ${JSON.stringify(n.name)} (${n.opType})` : `graph.node[${i}] (${n.opType})`;
  }

  error(n: NodeProto, code: string, why: string, expected: string, received: string): FormatError {
    return onnxError(code, this.where(n), why, expected, received);
  }

  isConstant(name: string): boolean {
    return this.constants.has(name);
  }

  /** The node that computes `name`, looking through Identity nodes (which are taken as read). */
  produce(name: string): NodeProto | undefined {
    return this.producer.get(this.source(name));
  }

  /** `name` after looking through Identity nodes (which are taken as read). */
  source(name: string): string {
    // an Identity read already had the ones before it read too: each is walked once
    for (let n = this.producer.get(name); n?.opType === 'Identity' && !this.used.has(n); n = this.producer.get(n.inputs[0])) this.used.add(n);
    return this.copies.get(name) ?? name;
  }

  /** A constant's values as float64 (float32 widened exactly), with its shape. */
  values(name: string, node: NodeProto, role: string): { dims: number[]; data: Float64Array } {
    const t = this.constants.get(this.source(name));
    if (t === undefined) throw this.error(node, 'ONNX_NOT_CONSTANT', `its ${role} "${name}" is computed, not a constant; wasmlp reads constant weights only`, 'an initializer or Constant', 'a computed tensor');
    let data = this.converted.get(t);
    if (data === undefined) this.converted.set(t, (data = tensorValues(t, this.where(node), role)));
    return { dims: t.dims, data };
  }

  attribute(n: NodeProto, name: string): AttributeProto | undefined {
    return n.attributes.find((a) => a.name === name);
  }

  intAttribute(n: NodeProto, name: string, fallback: number): number {
    const a = this.attribute(n, name);
    if (a === undefined) return fallback;
    if (a.i === undefined) throw this.error(n, 'BAD_ONNX', `attribute ${name} is not an integer`, 'an INT attribute', `attribute type ${a.type}`);
    return a.i;
  }

  floatAttribute(n: NodeProto, name: string, fallback: number): number {
    const a = this.attribute(n, name);
    if (a === undefined) return fallback;
    if (a.f === undefined) throw this.error(n, 'BAD_ONNX', `attribute ${name} is not a float`, 'a FLOAT attribute', `attribute type ${a.type}`);
    return a.f;
  }
}

function constantNodeTensor(n: NodeProto, where: string): TensorProto {
  const a = n.attributes[0];
  if (n.attributes.length === 1 && a.t) return a.t;
  if (n.attributes.length === 1 && a.f !== undefined && a.name === 'value_float') return { name: '', dims: [], dataType: DT.FLOAT, floatData: [a.f] };
  if (n.attributes.length === 1 && a.floats && a.name === 'value_floats') return { name: '', dims: [a.floats.length], dataType: DT.FLOAT, floatData: a.floats };
  throw onnxError('UNSUPPORTED_ONNX', where, 'a Constant that is not a float tensor', 'value, value_float or value_floats', a?.name ?? 'no attribute');
}

/** A list for a message: all of a short one; the first 8 items of a long one, and how many there are. */
function listed(items: readonly unknown[], noun: string): string {
  return items.length <= 8 ? items.join(', ') : `${items.slice(0, 8).join(', ')}, … (${items.length} ${noun})`;
}

const shape = (dims: readonly unknown[]): string => `[${listed(dims, 'dims')}]`;

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

/** Float64 values of a float32/float64 tensor; any other type or a wrong size is a FormatError. */
function tensorValues(t: TensorProto, where: string, role: string): Float64Array {
  const what = `its ${role} "${t.name}"`;
  if (t.external) throw onnxError('UNSUPPORTED_ONNX_TYPE', where, `${what} is stored in an external file; wasmlp reads weights stored in the model`, 'data inside the file', 'external data');
  if (t.dataType !== DT.DOUBLE && t.dataType !== DT.FLOAT) {
    throw onnxError('UNSUPPORTED_ONNX_TYPE', where, `${what} is ${dataTypeName(t.dataType)}; wasmlp reads float64 and float32 weights (float32 is widened exactly)${t.dataType === DT.FLOAT16 || t.dataType === DT.BFLOAT16 ? ': export the model in float32 or float64' : ''}`, 'float64 or float32', dataTypeName(t.dataType));
  }
  const n = count(t.dims);
  let out: Float64Array;
  if (t.raw !== undefined && t.raw.length > 0) {
    const size = t.dataType === DT.DOUBLE ? 8 : 4;
    if (t.raw.length !== n * size) throw onnxError('ONNX_SHAPE', where, `${what} has ${t.raw.length} bytes of raw_data; its shape ${shape(t.dims)} needs ${needs(n * size, 'bytes')}`, needs(n * size, 'bytes'), `${t.raw.length} bytes`);
    const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.length);
    out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = size === 8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
  } else {
    const list = (t.dataType === DT.DOUBLE ? t.doubleData : t.floatData) ?? [];
    if (list.length !== n) throw onnxError('ONNX_SHAPE', where, `${what} holds ${list.length} values; its shape ${shape(t.dims)} needs ${needs(n, 'values')}`, needs(n, 'values'), `${list.length} values`);
    out = Float64Array.from(list);
  }
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw onnxError('NON_FINITE', where, `${what}[${bad}] is ${describe(out[bad])}`, 'finite numbers', describe(out[bad]));
  return out;
}

function boolValues(t: TensorProto, where: string): boolean[] {
  if (t.dataType !== DT.BOOL) throw onnxError('UNSUPPORTED_ONNX_TYPE', where, `its condition "${t.name}" is ${dataTypeName(t.dataType)}`, 'bool', dataTypeName(t.dataType));
  const n = count(t.dims);
  const raw = t.raw !== undefined && t.raw.length > 0 ? Array.from(t.raw) : (t.int32Data ?? []);
  if (raw.length !== n) throw onnxError('ONNX_SHAPE', where, `its condition "${t.name}" holds ${raw.length} values; its shape needs ${needs(n, 'values')}`, needs(n, 'values'), `${raw.length} values`);
  return raw.map((v) => v !== 0);
}

/** Per-column values of a scaling constant: a scalar, [1], [cols] or [1, cols]. */
function broadcast(g: Graph, node: NodeProto, v: { dims: number[]; data: Float64Array }, columns: number, role: string): Float64Array {
  const dims = v.dims.filter((d, i) => !(d === 1 && i < v.dims.length - 1));
  if (v.data.length === 1 && v.dims.length <= 2) return new Float64Array(columns).fill(v.data[0]);
  if (dims.length === 1 && dims[0] === columns) return v.data.slice(); // a scaler may change its copy
  throw g.error(node, 'ONNX_SHAPE', `its ${role} has shape ${shape(v.dims)}, which does not broadcast to the ${columns} columns here`, `a scalar, [${columns}] or [1, ${columns}]`, shape(v.dims));
}

// ------------------------------------------------------------ activations (matched backwards from a layer's output)

interface Matched {
  activation: Activation;
  slope?: number;
  /** The layer's pre-activation z. */
  z: string;
  nodes: NodeProto[];
}

function op(g: Graph, name: string, type: string): NodeProto | null {
  const n = g.produce(name);
  return n !== undefined && n.opType === type ? n : null;
}

/** The operand of a binary node other than the constant `value` (either order for Add/Mul); null if none. */
function otherThan(g: Graph, n: NodeProto, value: number, commutative: boolean): string | null {
  for (const [c, x] of commutative ? [[1, 0], [0, 1]] : [[1, 0]]) {
    const name = n.inputs[c];
    if (name === undefined || !g.isConstant(g.source(name))) continue;
    const v = g.values(name, n, 'constant');
    if (v.data.length === 1 && v.data[0] === value) return n.inputs[x];
  }
  return null;
}

/** Exp(Neg(z)) or Exp(−1·z) → z. */
function expNeg(g: Graph, name: string, nodes: NodeProto[]): string | null {
  const e = op(g, name, 'Exp');
  if (!e) return null;
  const neg = op(g, e.inputs[0], 'Neg');
  if (neg) {
    nodes.push(e, neg);
    return g.source(neg.inputs[0]);
  }
  const mul = op(g, e.inputs[0], 'Mul');
  const z = mul ? otherThan(g, mul, -1, true) : null;
  if (mul && z !== null) {
    nodes.push(e, mul);
    return g.source(z);
  }
  return null;
}

function sigmoidForm(g: Graph, out: NodeProto): Matched | null {
  // Reciprocal(1 + Exp(−z)) or Div(1, 1 + Exp(−z))
  let sum: string | null = null;
  if (out.opType === 'Reciprocal') sum = out.inputs[0];
  else if (out.opType === 'Div' && g.isConstant(g.source(out.inputs[0]))) {
    const v = g.values(out.inputs[0], out, 'numerator');
    if (v.data.length === 1 && v.data[0] === 1) sum = out.inputs[1];
  }
  if (sum === null) return null;
  const add = op(g, sum, 'Add');
  const e = add ? otherThan(g, add, 1, true) : null;
  if (!add || e === null) return null;
  const nodes = [out, add];
  const z = expNeg(g, e, nodes);
  return z === null ? null : { activation: 'sigmoid', z, nodes };
}

/** log1p(y) as Log(1 + y), or toONNX's Log(u) − ((u − 1) − y)/u with u = 1 + y: returns y. */
function log1pForm(g: Graph, name: string, nodes: NodeProto[]): string | null {
  const log = op(g, name, 'Log');
  if (log) {
    const add = op(g, log.inputs[0], 'Add');
    const y = add ? otherThan(g, add, 1, true) : null;
    if (!add || y === null) return null;
    nodes.push(log, add);
    return g.source(y);
  }
  const sub = op(g, name, 'Sub');
  if (!sub) return null;
  const lg = op(g, sub.inputs[0], 'Log');
  const div = op(g, sub.inputs[1], 'Div');
  if (!lg || !div) return null;
  const u = g.source(lg.inputs[0]);
  const add = op(g, u, 'Add');
  const y = add ? otherThan(g, add, 1, true) : null;
  if (!add || y === null || g.source(div.inputs[1]) !== u) return null;
  const err = op(g, div.inputs[0], 'Sub');
  const um1 = err ? op(g, err.inputs[0], 'Sub') : null;
  if (!err || !um1 || g.source(err.inputs[1]) !== g.source(y)) return null;
  if (g.source(um1.inputs[0]) !== u || otherThan(g, um1, 1, false) === null) return null;
  nodes.push(sub, lg, div, add, err, um1);
  return g.source(y);
}

function softplusForm(g: Graph, out: NodeProto): Matched | null {
  // Relu(z) + log1p(Exp(−|z|)), either order
  if (out.opType !== 'Add') return null;
  for (const [r, l] of [[0, 1], [1, 0]]) {
    const relu = op(g, out.inputs[r], 'Relu');
    if (!relu) continue;
    const nodes: NodeProto[] = [out, relu];
    const y = log1pForm(g, out.inputs[l], nodes);
    if (y === null) continue;
    const absolute = expNeg(g, y, nodes);
    const abs = absolute === null ? null : op(g, absolute, 'Abs');
    const z = g.source(relu.inputs[0]);
    if (!abs || g.source(abs.inputs[0]) !== z) continue;
    nodes.push(abs);
    return { activation: 'softplus', z, nodes };
  }
  return null;
}

function leakyForm(g: Graph, out: NodeProto): Matched | null {
  // Where(Less(z, 0), z·a, z)
  if (out.opType !== 'Where' || g.isConstant(g.source(out.inputs[0]))) return null;
  const less = op(g, out.inputs[0], 'Less');
  const mul = op(g, out.inputs[1], 'Mul');
  if (!less || !mul) return null;
  const z = g.source(out.inputs[2]);
  if (g.source(less.inputs[0]) !== z || otherThan(g, less, 0, false) === null) return null;
  const [p, q] = mul.inputs.map((i) => g.source(i));
  const slopeName = p === z ? mul.inputs[1] : q === z ? mul.inputs[0] : null;
  if (slopeName === null || !g.isConstant(g.source(slopeName))) return null;
  const a = g.values(slopeName, mul, 'slope');
  if (a.data.length !== 1) throw g.error(mul, 'ONNX_SHAPE', 'the leaky relu slope is not one number', 'a scalar', `shape ${shape(a.dims)}`);
  return { activation: 'leaky_relu', slope: a.data[0], z, nodes: [out, less, mul] };
}

/** The activation whose output is `name`, or null when `name` is a layer's z itself. */
function activationOf(g: Graph, name: string): Matched | null {
  const n = g.produce(name);
  if (n === undefined) return null;
  switch (n.opType) {
    case 'Tanh': return { activation: 'tanh', z: g.source(n.inputs[0]), nodes: [n] };
    case 'Relu': return { activation: 'relu', z: g.source(n.inputs[0]), nodes: [n] };
    case 'Sigmoid': return { activation: 'sigmoid', z: g.source(n.inputs[0]), nodes: [n] };
    case 'Softplus': return { activation: 'softplus', z: g.source(n.inputs[0]), nodes: [n] };
    case 'LeakyRelu': return { activation: 'leaky_relu', slope: g.floatAttribute(n, 'alpha', Math.fround(0.01)), z: g.source(n.inputs[0]), nodes: [n] };
    case 'Softmax': {
      const axis = g.intAttribute(n, 'axis', g.opset >= 13 ? -1 : 1);
      if (axis !== -1 && axis !== 1) throw g.error(n, 'UNSUPPORTED_ONNX', `softmax over axis ${axis}; wasmlp's softmax runs over the last axis of [batch, units]`, 'axis -1 (or 1)', `axis ${axis}`);
      return { activation: 'softmax', z: g.source(n.inputs[0]), nodes: [n] };
    }
    case 'Reciprocal':
    case 'Div': return sigmoidForm(g, n);
    case 'Add': return softplusForm(g, n);
    case 'Where': return leakyForm(g, n);
    default: return null;
  }
}

// ------------------------------------------------------------ linear layers

interface Linear {
  W: Float64Array;
  b: Float64Array;
  units: number;
  inputs: number;
  /** The layer's input tensor. */
  x: string;
  node: NodeProto;
  nodes: NodeProto[];
}

function isLinear(g: Graph, name: string): boolean {
  const n = g.produce(name);
  if (!n) return false;
  if (n.opType === 'Gemm' || n.opType === 'MatMul') return true;
  return n.opType === 'Add' && n.inputs.some((i) => g.produce(i)?.opType === 'MatMul') && n.inputs.some((i) => g.isConstant(g.source(i)));
}

function weights2d(g: Graph, node: NodeProto, name: string, role: string): { rows: number; cols: number; data: Float64Array } {
  const v = g.values(name, node, role);
  if (v.dims.length !== 2) throw g.error(node, 'ONNX_SHAPE', `its ${role} "${name}" has shape ${shape(v.dims)}; a layer's weights are a matrix`, 'a 2-D weight matrix', `shape ${shape(v.dims)}`);
  if (v.data.length === 0) throw g.error(node, 'ONNX_SHAPE', `its ${role} "${name}" has shape ${shape(v.dims)}, no values; a layer has at least one input and one unit`, 'a matrix with at least one row and one column', `shape ${shape(v.dims)}`);
  return { rows: v.dims[0], cols: v.dims[1], data: v.data };
}

function biasOf(g: Graph, node: NodeProto, name: string | undefined, units: number, scale: number): Float64Array {
  if (name === undefined || name === '') return new Float64Array(units);
  const v = g.values(name, node, 'bias');
  const dims = v.dims;
  let b: Float64Array;
  if (v.data.length === 1 && dims.length <= 2) b = new Float64Array(units).fill(v.data[0]);
  else if ((dims.length === 1 && dims[0] === units) || (dims.length === 2 && dims[0] === 1 && dims[1] === units)) b = v.data.slice();
  else throw g.error(node, 'ONNX_SHAPE', `its bias "${name}" has shape ${shape(dims)}; the layer has ${units} units`, `[${units}] or [1, ${units}]`, shape(dims));
  if (scale !== 1) for (let i = 0; i < b.length; i++) b[i] *= scale;
  return b;
}

function linearOf(g: Graph, name: string): Linear | null {
  const n = g.produce(name);
  if (!n) return null;
  if (n.opType === 'Gemm') {
    if (g.intAttribute(n, 'transA', 0) !== 0) throw g.error(n, 'UNSUPPORTED_ONNX', 'Gemm with transA = 1: the layer input must be [batch, features]', 'transA = 0', 'transA = 1');
    const transB = g.intAttribute(n, 'transB', 0) !== 0;
    const alpha = g.floatAttribute(n, 'alpha', 1), beta = g.floatAttribute(n, 'beta', 1);
    const B = weights2d(g, n, n.inputs[1], 'weight B');
    const units = transB ? B.rows : B.cols, inputs = transB ? B.cols : B.rows;
    const W = new Float64Array(units * inputs);
    for (let j = 0; j < units; j++) for (let i = 0; i < inputs; i++) W[j * inputs + i] = (transB ? B.data[j * inputs + i] : B.data[i * units + j]) * alpha;
    return { W, b: biasOf(g, n, n.inputs[2], units, beta), units, inputs, x: g.source(n.inputs[0]), node: n, nodes: [n] };
  }
  let matmul: NodeProto | undefined, biasName: string | undefined;
  const nodes: NodeProto[] = [];
  if (n.opType === 'MatMul') matmul = n;
  else if (n.opType === 'Add') {
    const k = n.inputs.findIndex((i) => g.produce(i)?.opType === 'MatMul');
    if (k < 0 || !g.isConstant(g.source(n.inputs[1 - k]))) return null;
    matmul = g.produce(n.inputs[k])!;
    biasName = n.inputs[1 - k];
    nodes.push(n);
  } else return null;
  nodes.push(matmul);
  const B = weights2d(g, matmul, matmul.inputs[1], 'weight');
  const units = B.cols, inputs = B.rows;
  const W = new Float64Array(units * inputs);
  for (let j = 0; j < units; j++) for (let i = 0; i < inputs; i++) W[j * inputs + i] = B.data[i * units + j];
  return { W, b: biasOf(g, n, biasName, units, 1), units, inputs, x: g.source(matmul.inputs[0]), node: matmul, nodes };
}

// ------------------------------------------------------------ scaling chains

const SCALING_OPS = new Set(['Sub', 'Add', 'Mul', 'Div']);

/** One scaling step whose output is `name`: an elementwise op with one constant operand. */
function scalingStep(g: Graph, name: string, columns: number | null, side: 'input' | 'output'): { step: ReadStep | null; x: string; node: NodeProto } | null {
  const n = g.produce(name);
  if (!n) return null;
  if (n.opType === 'Where' && side === 'input' && g.isConstant(g.source(n.inputs[0])) && g.isConstant(g.source(n.inputs[1])) && !g.isConstant(g.source(n.inputs[2]))) {
    const mask = boolValues(g.constants.get(g.source(n.inputs[0]))!, g.where(n));
    const cols = columns ?? mask.length;
    if (mask.length !== cols) throw g.error(n, 'ONNX_SHAPE', `its condition has ${mask.length} values for ${cols} columns`, `${cols} values`, `${mask.length} values`);
    const values = broadcast(g, n, g.values(n.inputs[1], n, 'value'), cols, 'value');
    return { step: { op: 'Where', mask, values, node: g.where(n) }, x: g.source(n.inputs[2]), node: n };
  }
  if (!SCALING_OPS.has(n.opType)) return null;
  const [p, q] = n.inputs.map((i) => g.isConstant(g.source(i)));
  // x − c, x / c, and either order of + and ×
  const constantAt = q && !p ? 1 : p && !q && (n.opType === 'Add' || n.opType === 'Mul') ? 0 : -1;
  if (constantAt < 0) return null;
  if (side === 'output' && n.opType === 'Add' && g.produce(n.inputs[1 - constantAt])?.opType === 'MatMul') return null; // a layer's bias
  const v = g.values(n.inputs[constantAt], n, 'constant');
  const cols = columns ?? (v.data.length === 1 ? 1 : v.dims[v.dims.length - 1]);
  return { step: { op: n.opType as Op, values: broadcast(g, n, v, cols, 'constant'), node: g.where(n) }, x: g.source(n.inputs[1 - constantAt]), node: n };
}

// ------------------------------------------------------------ the whole graph

interface ReadMLP {
  inputs: number;
  layers: Layer[];
  inputSteps: ReadStep[];
  outputSteps: ReadStep[];
  inputNodes: NodeProto[];
  outputNodes: NodeProto[];
}

const SUPPORTED_OPS = ['Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Tanh', 'Relu', 'Sigmoid', 'Softplus', 'LeakyRelu', 'Softmax', 'Identity', 'Constant', 'Exp', 'Log', 'Neg', 'Abs', 'Reciprocal', 'Where', 'Less'];

function checkOpset(m: ModelProto): number {
  const main = m.opsetImport.filter((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (main.length === 0) {
    throw onnxError('UNSUPPORTED_OPSET', 'opset_import', 'the model imports no version of the default ONNX operator set', `an opset from ${MIN_OPSET} to ${MAX_OPSET}`, 'none');
  }
  const v = main[0].version;
  if (v < MIN_OPSET || v > MAX_OPSET) {
    throw onnxError('UNSUPPORTED_OPSET', `opset_import[${m.opsetImport.indexOf(main[0])}]`, `opset ${v} is not supported; wasmlp reads opsets ${MIN_OPSET} to ${MAX_OPSET} (it writes ${ONNX_OPSET})`, `an opset from ${MIN_OPSET} to ${MAX_OPSET}`, `opset ${v}`);
  }
  return v;
}

function readMLP(g: Graph): ReadMLP {
  const graph = g.model.graph;
  for (const n of graph.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') {
      throw g.error(n, 'UNSUPPORTED_ONNX_OP', `operator domain "${n.domain}" is not read; wasmlp reads the default ONNX domain`, 'the default domain', JSON.stringify(n.domain));
    }
    if (!SUPPORTED_OPS.includes(n.opType)) {
      throw g.error(n, 'UNSUPPORTED_ONNX_OP', `${n.opType} is not part of an MLP that wasmlp reads (layers: Gemm, MatMul + Add; activations: Tanh, Relu, Sigmoid, Softplus, LeakyRelu, Softmax and their elementwise forms; scaling: Sub, Add, Mul, Div)`, `one of ${SUPPORTED_OPS.join(', ')}`, n.opType);
    }
  }
  const inputs = graph.inputs.filter((v) => !g.constants.has(v.name));
  if (inputs.length !== 1) {
    throw onnxError('ONNX_SHAPE', 'graph.input', `the graph has ${inputs.length} inputs; an MLP has one, [batch, features]`, 'one input', `${inputs.length} inputs (${listed(inputs.map((v) => v.name), 'inputs')})`);
  }
  if (graph.outputs.length !== 1) {
    throw onnxError('ONNX_SHAPE', 'graph.output', `the graph has ${graph.outputs.length} outputs; an MLP has one`, 'one output', `${graph.outputs.length} outputs`);
  }
  const input = inputs[0], output = graph.outputs[0];
  for (const [v, what] of [[input, 'input'], [output, 'output']] as const) {
    if (v.elemType !== DT.DOUBLE && v.elemType !== DT.FLOAT && v.elemType !== 0) {
      throw onnxError('UNSUPPORTED_ONNX_TYPE', `graph.${what} "${v.name}"`, `the ${what} is ${dataTypeName(v.elemType)}; wasmlp reads float64 and float32 models`, 'float64 or float32', dataTypeName(v.elemType));
    }
    if (v.dims !== null && v.dims.length !== 2) {
      throw onnxError('ONNX_SHAPE', `graph.${what} "${v.name}"`, `the ${what} has rank ${v.dims.length}; an MLP's ${what} is [batch, features]`, 'rank 2', `shape ${shape(v.dims)}`);
    }
  }

  // backwards from the output: unscaling, then layers, then input scaling (each node is read
  // before the one it reads, so every loop ends within the graph)
  let t = g.source(output.name);
  const outputSteps: ReadStep[] = [], outputNodes: NodeProto[] = [];
  while (!isLinear(g, t) && activationOf(g, t) === null) {
    const s = scalingStep(g, t, null, 'output');
    if (s === null) break;
    outputSteps.push(s.step!);
    outputNodes.push(s.node);
    atMostScalerSteps(outputSteps, 'output');
    t = s.x;
  }
  const layers: Layer[] = [];
  for (;;) {
    const act = isLinear(g, t) ? null : activationOf(g, t);
    const z = act === null ? t : act.z;
    const lin = linearOf(g, z);
    if (lin === null) {
      const n = g.produce(z);
      if (n === undefined) throw onnxError('ONNX_SHAPE', `tensor "${z}"`, 'expected a layer (Gemm or MatMul) here, found the graph input or a constant', 'a Gemm or MatMul layer', `"${z}"`);
      throw g.error(n, 'UNSUPPORTED_ONNX', `this ${n.opType} is not a layer (Gemm, MatMul + Add) or an activation that wasmlp reads`, 'a layer or an activation', n.opType);
    }
    if (act !== null) g.take(act.nodes);
    g.take(lin.nodes);
    layers.push({ W: lin.W, b: lin.b, units: lin.units, inputs: lin.inputs, activation: act?.activation ?? 'identity', slope: act?.slope, node: lin.node });
    t = lin.x;
    if (t === input.name || !(isLinear(g, t) || activationOf(g, t) !== null)) break;
  }
  layers.reverse();
  // the rest must be input scaling down to the graph's input
  const inputSteps: ReadStep[] = [], inputNodes: NodeProto[] = [];
  while (t !== input.name) {
    const s = scalingStep(g, t, layers[0].inputs, 'input');
    if (s === null) {
      const n = g.produce(t);
      if (n === undefined) throw onnxError('ONNX_SHAPE', `tensor "${t}"`, 'the first layer does not read the graph input', `the input "${input.name}"`, `"${t}"`);
      throw g.error(n, 'UNSUPPORTED_ONNX', `this ${n.opType} before the first layer is not input scaling by constants`, 'Sub, Add, Mul or Div by a constant', n.opType);
    }
    inputSteps.push(s.step!);
    inputNodes.push(s.node);
    atMostScalerSteps(inputSteps, 'input');
    t = s.x;
  }
  return finish(g, input, output, { inputs: layers[0].inputs, layers, inputSteps: inputSteps.reverse(), outputSteps: outputSteps.reverse(), inputNodes, outputNodes });
}

/** A longer chain is no scaler: refused as it is read, before its constants are spread over the columns once more. */
function atMostScalerSteps(steps: ReadStep[], side: 'input' | 'output'): void {
  const max = MAX_SCALER_STEPS[side];
  if (steps.length <= max) return;
  const what = side === 'input' ? 'input scaling' : 'output unscaling';
  throw onnxError('UNSUPPORTED_ONNX', steps[steps.length - 1].node, `the ${what} has more than ${max} steps; none of wasmlp's scalers has more than ${max}`, `at most ${max} steps`, `more than ${max} steps`);
}

/** Shapes agree from layer to layer, with the declared input and output, and every node was read. */
function finish(g: Graph, input: { name: string; dims: (number | string | null)[] | null }, output: { name: string; dims: (number | string | null)[] | null }, mlp: ReadMLP): ReadMLP {
  const { layers } = mlp;
  for (const n of [...mlp.inputNodes, ...mlp.outputNodes]) g.take([n]);
  const declared = input.dims?.[1];
  if (typeof declared === 'number' && declared > 0 && declared !== layers[0].inputs) {
    throw g.error(layers[0].node, 'ONNX_SHAPE', `its weights take ${layers[0].inputs} inputs, but the graph input "${input.name}" has ${declared} columns`, `${declared} inputs`, `${layers[0].inputs} inputs`);
  }
  for (let l = 1; l < layers.length; l++) {
    if (layers[l].inputs !== layers[l - 1].units) {
      throw g.error(layers[l].node, 'ONNX_SHAPE', `its weights take ${layers[l].inputs} inputs, but the layer before it (${g.where(layers[l - 1].node)}) gives ${layers[l - 1].units}`, `${layers[l - 1].units} inputs`, `${layers[l].inputs} inputs`);
    }
  }
  const last = layers[layers.length - 1];
  const out = output.dims?.[1];
  if (typeof out === 'number' && out > 0 && out !== last.units) {
    throw g.error(last.node, 'ONNX_SHAPE', `the last layer gives ${last.units} outputs, but the graph output "${output.name}" has ${out} columns`, `${out} units`, `${last.units} units`);
  }
  for (const s of mlp.outputSteps) {
    if (s.values.length !== last.units && s.values.length !== 1) {
      throw onnxError('ONNX_SHAPE', s.node, `its constant has ${s.values.length} values for ${last.units} outputs`, `${last.units} values`, `${s.values.length} values`);
    }
    if (s.values.length === 1 && last.units !== 1) s.values = new Float64Array(last.units).fill(s.values[0]);
  }
  for (const layer of layers) {
    if (layer.activation === 'softmax' && layer !== last) throw g.error(layer.node, 'UNSUPPORTED_ONNX', 'softmax on a hidden layer; wasmlp has softmax on the output layer only', 'softmax on the output layer', 'softmax on a hidden layer');
  }
  const unread = g.model.graph.nodes.find((n) => !g.used.has(n));
  if (unread !== undefined) {
    throw g.error(unread, 'UNSUPPORTED_ONNX', 'this node is not part of the MLP chain from the input to the output (a branch, or an unused computation)', 'every node on the chain', unread.opType);
  }
  // a tensor inside an activation or a layer feeds nothing outside it, and a piece's output feeds one piece
  for (const n of g.model.graph.nodes) {
    if (!g.group.has(n)) continue;
    for (const o of n.outputs) {
      const readers = g.readers(o);
      const pieces = new Set(readers.map((r) => g.group.get(r)));
      if (pieces.size > 1) {
        const other = readers.find((r) => g.group.get(r) !== g.group.get(n)) ?? readers[0];
        throw g.error(other, 'UNSUPPORTED_ONNX', `it reads "${o}", which belongs to another part of the MLP (a branch in the graph)`, 'a chain without branches', `"${o}" read by ${readers.length} nodes`);
      }
    }
  }
  return mlp;
}

function scalerOrError(g: Graph, steps: ReadStep[], result: ScalerJSON | string, side: string): ScalerJSON | undefined {
  if (steps.length === 0) return undefined;
  if (typeof result !== 'string') return result;
  const where = steps[0].node;
  throw onnxError('UNSUPPORTED_ONNX', where, `the ${side} (${steps.map((s) => s.op).join(' → ')}) is not one of wasmlp's scalers: ${result}`, 'standardize or minMax arithmetic', steps.map((s) => s.op).join(' → '));
}

function bytesOf(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new OptionsError('BAD_ONNX_INPUT', `bytes: expected the ONNX file's bytes (a Uint8Array or an ArrayBuffer), got ${describe(input)}`, {
    path: 'bytes', expected: 'a Uint8Array or an ArrayBuffer', received: describe(input),
  });
}

/** The file's `metadata_props` as an object (wasmlp's own keys start with `wasmlp.`). */
export function readONNXMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  return metadataOf(decodeModel(bytesOf(bytes)));
}

function metadataOf(proto: ModelProto): Record<string, string> {
  return Object.fromEntries(proto.metadata.map((e) => [e.key, e.value]));
}

function savedScalers(meta: Record<string, string>): { inputs?: ScalerJSON; targets?: ScalerJSON } {
  const text = meta['wasmlp.normalization'];
  if (text === undefined) return {};
  try {
    const parsed = JSON.parse(text) as { inputs?: unknown; targets?: unknown };
    if (parsed === null || typeof parsed !== 'object') return {};
    const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
    const scaler = (v: unknown): ScalerJSON | undefined => {
      const s = v as ScalerJSON | null;
      return s !== null && typeof s === 'object' && (s.kind === 'minMax' || s.kind === 'standardize') && numbers(s.a) && numbers(s.b) && s.a.length === s.b.length &&
        (s.range === undefined || numbers(s.range)) ? s : undefined;
    };
    return { inputs: scaler(parsed.inputs), targets: scaler(parsed.targets) };
  } catch {
    return {}; // only a hint: the graph itself decides
  }
}

function defaultLoss(output: Activation): Loss {
  return output === 'softmax' ? 'cce' : output === 'sigmoid' ? 'bce' : 'mse';
}

/**
 * Reads an ONNX model into a wasmlp Model (float64). See the top of this file for the graphs it
 * reads. `options.loss` sets the loss for further training.
 */
export async function loadONNX(bytes: Uint8Array | ArrayBuffer, options: LoadONNXOptions = {}): Promise<Model> {
  const data = bytesOf(bytes);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionsError('BAD_OPTION', `options: expected an object { loss?, plainLoss?, engine?, threads? }, got ${describe(options)}`, { path: 'options', expected: 'an object { loss?, plainLoss?, engine?, threads? }', received: describe(options) });
  }
  rejectUnknownKeys(options, ['loss', 'plainLoss', 'engine', 'threads'], 'options', OptionsError, 'UNKNOWN_OPTION', 'option');
  if (options.loss !== undefined) oneOfNames(options.loss, LOSSES, 'options.loss', 'loss', OptionsError, 'UNKNOWN_LOSS');
  if (options.engine !== undefined) oneOfNames(options.engine, ENGINES, 'options.engine', 'engine', OptionsError, 'UNKNOWN_ENGINE');
  if (options.threads !== undefined) validateThreads(options.threads, 'options.threads', OptionsError);
  if (options.plainLoss !== undefined && typeof options.plainLoss !== 'boolean') {
    throw new OptionsError('BAD_OPTION', `options.plainLoss: expected a boolean, got ${describe(options.plainLoss)}`, { path: 'options.plainLoss', expected: 'a boolean', received: describe(options.plainLoss) });
  }
  const proto = decodeModel(data);
  const opset = checkOpset(proto);
  const g = new Graph(proto, opset);
  const mlp = readMLP(g);
  const meta = metadataOf(proto);
  const saved = savedScalers(meta);
  const last = mlp.layers[mlp.layers.length - 1];
  const inputs = scalerOrError(g, mlp.inputSteps, inputScaler(mlp.inputSteps, mlp.inputs, saved.inputs), 'input scaling');
  const targets = scalerOrError(g, mlp.outputSteps, outputScaler(mlp.outputSteps, last.units, saved.targets), 'output unscaling');

  const savedLoss = (LOSSES as readonly string[]).includes(meta['wasmlp.loss']) ? (meta['wasmlp.loss'] as Loss) : undefined;
  const loss = options.loss ?? savedLoss ?? defaultLoss(last.activation);
  const plainLoss = options.plainLoss ?? (options.loss === undefined && savedLoss !== undefined ? meta['wasmlp.plain_loss'] === 'true' : false);
  const seed = Number(meta['wasmlp.seed']);
  const init = meta['wasmlp.init'];
  const flat = new Float64Array(mlp.layers.reduce((s, l) => s + l.W.length + l.b.length, 0));
  let at = 0;
  for (const l of mlp.layers) {
    flat.set(l.W, at);
    flat.set(l.b, at + l.W.length);
    at += l.W.length + l.b.length;
  }
  const spec: ModelSpec = {
    inputs: mlp.inputs,
    layers: mlp.layers.map((l) => (l.activation === 'leaky_relu' ? { units: l.units, activation: l.activation, slope: l.slope } : { units: l.units, activation: l.activation })),
    loss,
    plainLoss,
    ...(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? { seed } : {}),
    ...((INITS as readonly string[]).includes(init) ? { init: init as (typeof INITS)[number] } : {}),
    ...(options.engine === undefined ? {} : { engine: options.engine }),
  };
  let state: ModelState;
  try {
    state = {
      spec: validateSpec(spec),
      params: flat,
      scalers: {
        ...(inputs ? { inputs: Scaler.fromJSON(inputs, 'input scaling') } : {}),
        ...(targets ? { targets: Scaler.fromJSON(targets, 'output unscaling') } : {}),
      },
      training: null,
      metadata: NO_METADATA,
    };
  } catch (error) {
    if (!(error instanceof WasmlpError)) throw error;
    if (options.loss !== undefined && (error.code === 'LOSS_NEEDS_OUTPUT' || error.path === 'loss')) {
      throw new OptionsError(error.code, `options.loss: ${error.message}`, { path: 'options.loss', expected: error.expected, received: error.received, cause: error });
    }
    throw new FormatError(error.code, `the ONNX model: ${error.message}`, { path: error.path, expected: error.expected, received: error.received, cause: error });
  }
  // through the saved form, so the model is built and checked exactly as loadModel builds any model
  return loadModel(encodeModel(state), {
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });
}
