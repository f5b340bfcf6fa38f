// Scaling steps at either end of the network, read one at a time from the output backwards: Sub,
// Add, Mul or Div by a constant, and toONNX's Where for constant columns (before the network only).
// scaling.ts decides whether the steps read are one of the model's scalers.
import type { Graph } from './graph.js';
import type { NodeProto } from './proto.js';
import { MAX_SCALER_STEPS, type Op, type ReadStep } from './scaling.js';
import { boolValues, shape } from './tensors.js';

/** Per-column values of a scaling constant: a scalar, [1], [cols] or [1, cols]. */
function broadcast(g: Graph, node: NodeProto, v: { dims: number[]; data: Float64Array }, columns: number, role: string): Float64Array {
  const dims = v.dims.filter((d, i) => !(d === 1 && i < v.dims.length - 1));
  if (v.data.length === 1 && v.dims.length <= 2) return new Float64Array(columns).fill(v.data[0]);
  if (dims.length === 1 && dims[0] === columns) return v.data.slice(); // a scaler may change its copy
  throw g.error(node, 'ONNX_SHAPE', `its ${role} has shape ${shape(v.dims)}, which does not broadcast to the ${columns} columns here`, `a scalar, [${columns}] or [1, ${columns}]`, shape(v.dims));
}

const SCALING_OPS = new Set(['Sub', 'Add', 'Mul', 'Div']);

/** One scaling step whose output is `name`: an elementwise op with one constant operand, and the tensor it reads. */
export function scalingStep(g: Graph, name: string, columns: number | null, side: 'input' | 'output'): { step: ReadStep; x: string } | null {
  const n = g.produce(name);
  if (!n) return null;
  if (n.opType === 'Where' && side === 'input' && g.isConstant(g.source(n.inputs[0])) && g.isConstant(g.source(n.inputs[1])) && !g.isConstant(g.source(n.inputs[2]))) {
    const mask = boolValues(g.constants.get(g.source(n.inputs[0]))!, g.place(n));
    const cols = columns ?? mask.length;
    if (mask.length !== cols) throw g.error(n, 'ONNX_SHAPE', `its condition has ${mask.length} values for ${cols} columns`, `${cols} values`, `${mask.length} values`);
    const values = broadcast(g, n, g.values(n.inputs[1], n, 'value'), cols, 'value');
    return { step: { op: 'Where', mask, values, node: n }, x: g.source(n.inputs[2]) };
  }
  if (!SCALING_OPS.has(n.opType)) return null;
  const [p, q] = n.inputs.map((i) => g.isConstant(g.source(i)));
  // x − c, x / c, and either order of + and ×
  const constantAt = q && !p ? 1 : p && !q && (n.opType === 'Add' || n.opType === 'Mul') ? 0 : -1;
  if (constantAt < 0) return null;
  if (side === 'output' && n.opType === 'Add' && g.produce(n.inputs[1 - constantAt])?.opType === 'MatMul') return null; // a layer's bias
  const v = g.values(n.inputs[constantAt], n, 'constant');
  const cols = columns ?? (v.data.length === 1 ? 1 : v.dims[v.dims.length - 1]);
  return { step: { op: n.opType as Op, values: broadcast(g, n, v, cols, 'constant'), node: n }, x: g.source(n.inputs[1 - constantAt]) };
}

/** A longer chain is no scaler: refused as it is read, before its constants are spread over the columns once more. */
export function atMostScalerSteps(g: Graph, steps: ReadStep[], side: 'input' | 'output'): void {
  const max = MAX_SCALER_STEPS[side];
  if (steps.length <= max) return;
  const what = side === 'input' ? 'input scaling' : 'output unscaling';
  throw g.error(steps[steps.length - 1].node, 'UNSUPPORTED_ONNX', `the ${what} has more than ${max} steps; none of wasmlp's scalers has more than ${max}`, `at most ${max} steps`, `more than ${max} steps`);
}
