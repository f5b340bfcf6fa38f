// Activations, matched backwards from a layer's output: none or Identity · Tanh · Relu · Sigmoid or
// Reciprocal(1 + Exp(−z)) · Softplus or Relu(z) + log1p(Exp(−|z|)) (log1p as Log(1 + y), or toONNX's
// accurate form) · LeakyRelu(alpha) or Where(Less(z, 0), z·a, z) · Softmax over the last axis.
// LeakyRelu's alpha is a float32 attribute, so the slope is the float32 value it holds: 0.1 is read
// as 0.10000000149011612, as ONNX Runtime uses it.
import type { Activation } from '../spec/types.js';
import type { Graph } from './graph.js';
import type { NodeProto } from './proto.js';
import { shape } from './tensors.js';

export interface Matched {
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
export function activationOf(g: Graph, name: string): Matched | null {
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
