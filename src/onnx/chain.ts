// The MLP in a checked graph, read from the graph's output back to its input:
//   [input scaling] → layer → layer → … → [output unscaling]
// Every node must be read as part of that chain, and each piece (a layer, an activation, a scaling
// step) must feed only the next one; anything else is a FormatError naming the node, its op and why.
import type { Activation } from '../spec/types.js';
import { onnxError } from './faults.js';
import { isDefaultDomain, type Graph } from './graph.js';
import { activationOf } from './activations.js';
import { isLinear, linearOf } from './layers.js';
import { DT, dataTypeName, type NodeProto, type ValueInfoProto } from './proto.js';
import type { ReadStep } from './scaling.js';
import { atMostScalerSteps, scalingStep } from './steps.js';
import { listed, shape } from './tensors.js';

export interface Layer {
  W: Float64Array; // units × inputs, row by row
  b: Float64Array;
  units: number;
  inputs: number;
  activation: Activation;
  slope?: number;
  /** The node that holds the weights, for messages. */
  node: NodeProto;
}

export interface ReadMLP {
  inputs: number;
  layers: Layer[];
  inputSteps: ReadStep[];
  outputSteps: ReadStep[];
}

const SUPPORTED_OPS = ['Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Tanh', 'Relu', 'Sigmoid', 'Softplus', 'LeakyRelu', 'Softmax', 'Identity', 'Constant', 'Exp', 'Log', 'Neg', 'Abs', 'Reciprocal', 'Where', 'Less'];

function checkOps(g: Graph): void {
  for (const n of g.model.graph.nodes) {
    if (!isDefaultDomain(n)) {
      throw g.error(n, 'UNSUPPORTED_ONNX_OP', `operator domain "${n.domain}" is not read; wasmlp reads the default ONNX domain`, 'the default domain', JSON.stringify(n.domain));
    }
    if (!SUPPORTED_OPS.includes(n.opType)) {
      throw g.error(n, 'UNSUPPORTED_ONNX_OP', `${n.opType} is not part of an MLP that wasmlp reads (layers: Gemm, MatMul + Add; activations: Tanh, Relu, Sigmoid, Softplus, LeakyRelu, Softmax and their elementwise forms; scaling: Sub, Add, Mul, Div)`, `one of ${SUPPORTED_OPS.join(', ')}`, n.opType);
    }
  }
}

/** The graph's one input and one output, float64 or float32, [batch, columns] where a shape is given. */
function endsOf(g: Graph): { input: ValueInfoProto; output: ValueInfoProto } {
  const graph = g.model.graph;
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
  return { input, output };
}

/** The output unscaling that ends at `t`, if any (steps from the last back); and the tensor it reads. */
function readOutputSteps(g: Graph, t: string): { steps: ReadStep[]; x: string } {
  const steps: ReadStep[] = [];
  while (!isLinear(g, t) && activationOf(g, t) === null) {
    const s = scalingStep(g, t, null, 'output');
    if (s === null) break;
    steps.push(s.step);
    atMostScalerSteps(g, steps, 'output');
    t = s.x;
  }
  return { steps, x: t };
}

/** The layers that end at `t` (from the last back), each with its activation; and the tensor the first reads. */
function readLayers(g: Graph, t: string, input: string): { layers: Layer[]; x: string } {
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
    if (t === input || !(isLinear(g, t) || activationOf(g, t) !== null)) return { layers, x: t };
  }
}

/** The input scaling from the graph's input to `t` (steps from the last back): the rest must be that. */
function readInputSteps(g: Graph, t: string, input: string, columns: number): ReadStep[] {
  const steps: ReadStep[] = [];
  while (t !== input) {
    const s = scalingStep(g, t, columns, 'input');
    if (s === null) {
      const n = g.produce(t);
      if (n === undefined) throw onnxError('ONNX_SHAPE', `tensor "${t}"`, 'the first layer does not read the graph input', `the input "${input}"`, `"${t}"`);
      throw g.error(n, 'UNSUPPORTED_ONNX', `this ${n.opType} before the first layer is not input scaling by constants`, 'Sub, Add, Mul or Div by a constant', n.opType);
    }
    steps.push(s.step);
    atMostScalerSteps(g, steps, 'input');
    t = s.x;
  }
  return steps;
}

export function readMLP(g: Graph): ReadMLP {
  checkOps(g);
  const { input, output } = endsOf(g);
  // backwards from the output: unscaling, then layers, then input scaling (each node is read
  // before the one it reads, so every loop ends within the graph)
  const unscaling = readOutputSteps(g, g.source(output.name));
  const { layers, x } = readLayers(g, unscaling.x, input.name);
  layers.reverse();
  const inputSteps = readInputSteps(g, x, input.name, layers[0].inputs);
  for (const s of [...inputSteps, ...unscaling.steps]) g.take([s.node]);
  const mlp = { inputs: layers[0].inputs, layers, inputSteps: inputSteps.reverse(), outputSteps: unscaling.steps.reverse() };
  checkShapes(g, input, output, mlp);
  checkChain(g);
  return mlp;
}

/** Shapes agree from layer to layer, with the declared input and output; softmax is on the output layer only. */
function checkShapes(g: Graph, input: ValueInfoProto, output: ValueInfoProto, mlp: ReadMLP): void {
  const { layers } = mlp;
  const declared = input.dims?.[1];
  if (typeof declared === 'number' && declared > 0 && declared !== layers[0].inputs) {
    throw g.error(layers[0].node, 'ONNX_SHAPE', `its weights take ${layers[0].inputs} inputs, but the graph input "${input.name}" has ${declared} columns`, `${declared} inputs`, `${layers[0].inputs} inputs`);
  }
  for (let l = 1; l < layers.length; l++) {
    if (layers[l].inputs !== layers[l - 1].units) {
      throw g.error(layers[l].node, 'ONNX_SHAPE', `its weights take ${layers[l].inputs} inputs, but the layer before it, ${g.place(layers[l - 1].node).label}, gives ${layers[l - 1].units}`, `${layers[l - 1].units} inputs`, `${layers[l].inputs} inputs`);
    }
  }
  const last = layers[layers.length - 1];
  const out = output.dims?.[1];
  if (typeof out === 'number' && out > 0 && out !== last.units) {
    throw g.error(last.node, 'ONNX_SHAPE', `the last layer gives ${last.units} outputs, but the graph output "${output.name}" has ${out} columns`, `${out} units`, `${last.units} units`);
  }
  for (const s of mlp.outputSteps) {
    if (s.values.length !== last.units && s.values.length !== 1) {
      throw g.error(s.node, 'ONNX_SHAPE', `its constant has ${s.values.length} values for ${last.units} outputs`, `${last.units} values`, `${s.values.length} values`);
    }
    if (s.values.length === 1 && last.units !== 1) s.values = new Float64Array(last.units).fill(s.values[0]);
  }
  for (const layer of layers) {
    if (layer.activation === 'softmax' && layer !== last) throw g.error(layer.node, 'UNSUPPORTED_ONNX', 'softmax on a hidden layer; wasmlp has softmax on the output layer only', 'softmax on the output layer', 'softmax on a hidden layer');
  }
}

/** Every node was read, and no piece's tensor is read by another piece (a branch). */
function checkChain(g: Graph): void {
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
}
