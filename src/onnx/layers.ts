// Layers, matched backwards from a layer's pre-activation: Gemm (transA = 0, any transB, alpha, beta;
// C optional), or MatMul (+ Add of a bias), with constant weights and bias. Gemm's alpha and beta are
// float32 attributes: alpha ≠ 1 or beta ≠ 1 is folded into the weights (one rounding each).
import type { Graph } from './graph.js';
import type { NodeProto } from './proto.js';
import { shape } from './tensors.js';

export interface Linear {
  W: Float64Array;
  b: Float64Array;
  units: number;
  inputs: number;
  /** The layer's input tensor. */
  x: string;
  node: NodeProto;
  nodes: NodeProto[];
}

export function isLinear(g: Graph, name: string): boolean {
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

export function linearOf(g: Graph, name: string): Linear | null {
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
