// model → ONNX (opset 17, float64 throughout), so ONNX Runtime (Node, web, Python, C++, mobile) and
// PyTorch (onnx2torch) run the model with the same numbers as `model.predict`:
//   input [batch, inputs] float64 (batch is symbolic) → input scaling → Gemm (transB = 1) and an
//   activation per layer → output unscaling → output [batch, outputs] float64.
// Activations are written in forms that ONNX Runtime computes accurately in float64 (measured: its
// Softplus has no float64 kernel, its LeakyRelu takes a float32 alpha and has no float64 kernel at
// opset 19+, its float64 Sigmoid loses relative accuracy in the negative tail):
//   tanh, relu, softmax (axis −1): native;  identity: nothing
//   sigmoid(z)    = Reciprocal(1 + Exp(−z))
//   softplus(z)   = Relu(z) + log1p(Exp(−|z|)), log1p(y) = log(u) − ((u − 1) − y)/u with u = 1 + y
//   leaky_relu(z) = Where(Less(z, 0), z·slope, z), slope a float64 initializer
// The scalers are written with the same operations, in the same order, as src/data/normalize.ts
// (see scaling.ts), so the scaled values are the same bits.
import { OptionsError, describe } from '../errors.js';
import type { Model } from '../model/model.js';
import { savedNames } from '../model/serialize.js';
import { rejectUnknownKeys } from '../spec/names.js';
import { AT, DT, encodeModel, type AttributeProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto.js';
import { inputSteps, outputSteps, type Step } from './scaling.js';
import { WASMLP_VERSION } from './version.js';

export const ONNX_OPSET = 17;
/** IR version 8 is the one that goes with opset 17. */
const IR_VERSION = 8;

/** Metadata keys written by toONNX itself: options.metadata may not set them. */
export const RESERVED_METADATA = ['wasmlp.version', 'wasmlp.loss', 'wasmlp.plain_loss', 'wasmlp.seed', 'wasmlp.init', 'wasmlp.normalization', 'wasmlp.names'] as const;

export interface ToONNXOptions {
  /**
   * Extra `metadata_props` entries (string values). The names of a model loaded from a command-line
   * model file (`model.metadata.cli`) are written by themselves, as `wasmlp.columns.inputs`,
   * `wasmlp.columns.targets`, `wasmlp.task` and `wasmlp.labels`; entries given here replace them.
   */
  metadata?: Record<string, string>;
}

/** The keys of toONNX's options. (metadata's own keys are the user's names: any string but the reserved ones.) */
const TO_ONNX_OPTIONS = ['metadata'];

function float64Tensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return { name, dims, dataType: DT.DOUBLE, raw };
}

function boolTensor(name: string, values: boolean[]): TensorProto {
  return { name, dims: [values.length], dataType: DT.BOOL, raw: Uint8Array.from(values, (v) => (v ? 1 : 0)) };
}

/** A graph under construction: nodes append to a chain, initializers are named once. */
class Builder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();

  constant(name: string, value: number): string {
    if (!this.names.has(name)) {
      this.names.add(name);
      this.initializers.push(float64Tensor(name, [], [value]));
    }
    return name;
  }

  tensor(t: TensorProto): string {
    this.names.add(t.name);
    this.initializers.push(t);
    return t.name;
  }

  private readonly used = new Map<string, number>();

  /** Appends a node; its name is `/scope/Op` (then `/scope/Op_2`, …), its output `scope/Op…`. */
  node(scope: string, opType: string, inputs: string[], attributes: AttributeProto[] = [], suffix = ''): string {
    const base = `${scope}/${opType}${suffix}`;
    const count = (this.used.get(base) ?? 0) + 1;
    this.used.set(base, count);
    const output = count === 1 ? base : `${base}_${count}`;
    const name = `/${output}`;
    this.nodes.push({ name, opType, domain: '', inputs, outputs: [output], attributes });
    return output;
  }
}

/** Writes a scaler's steps (scaling.ts) as nodes after `x`. */
function scalerNodes(g: Builder, scope: string, x: string, steps: Step[]): string {
  let t = x;
  for (const step of steps) {
    if (step.op === 'Where') {
      t = g.node(scope, 'Where', [g.tensor(boolTensor(`${scope}.${step.name}`, step.mask)), g.constant(`${scope}.middle`, step.value), t]);
    } else {
      const constant = step.scalar ? g.constant(`const.${step.name}`, step.values[0]) : g.tensor(float64Tensor(`${scope}.${step.name}`, [step.values.length], step.values));
      t = g.node(scope, step.op, [t, constant]);
    }
  }
  return t;
}

function activation(g: Builder, scope: string, z: string, kind: string, slope: number): string {
  switch (kind) {
    case 'identity':
      return z;
    case 'tanh':
      return g.node(scope, 'Tanh', [z]);
    case 'relu':
      return g.node(scope, 'Relu', [z]);
    case 'softmax':
      return g.node(scope, 'Softmax', [z], [{ name: 'axis', type: AT.INT, i: -1 }]);
    case 'sigmoid': {
      const e = g.node(scope, 'Exp', [g.node(scope, 'Neg', [z])]);
      return g.node(scope, 'Reciprocal', [g.node(scope, 'Add', [g.constant('const.one', 1), e])]);
    }
    case 'softplus': {
      const one = g.constant('const.one', 1);
      const r = g.node(scope, 'Relu', [z]);
      const y = g.node(scope, 'Exp', [g.node(scope, 'Neg', [g.node(scope, 'Abs', [z])])]);
      const u = g.node(scope, 'Add', [y, one], [], '_u');
      const log = g.node(scope, 'Log', [u]);
      const err = g.node(scope, 'Sub', [g.node(scope, 'Sub', [u, one], [], '_u_minus_1'), y], [], '_rounding');
      const log1p = g.node(scope, 'Sub', [log, g.node(scope, 'Div', [err, u])], [], '_log1p');
      return g.node(scope, 'Add', [r, log1p]);
    }
    case 'leaky_relu': {
      const negative = g.node(scope, 'Less', [z, g.constant('const.zero', 0)]);
      const scaled = g.node(scope, 'Mul', [z, g.constant(`${scope}.slope`, slope)]);
      return g.node(scope, 'Where', [negative, scaled, z]);
    }
    default:
      throw new Error(`toONNX: no ONNX form for activation ${kind}`);
  }
}

function checkMetadata(metadata: unknown): [string, string][] {
  if (metadata === undefined) return [];
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new OptionsError('BAD_OPTION', `options.metadata: expected an object of string values, got ${describe(metadata)}`, {
      path: 'options.metadata', expected: 'an object of string values', received: describe(metadata),
    });
  }
  const entries = Object.entries(metadata as Record<string, unknown>);
  for (const [key, value] of entries) {
    if ((RESERVED_METADATA as readonly string[]).includes(key)) {
      throw new OptionsError('BAD_OPTION', `options.metadata.${key}: this key is written by toONNX itself; reserved keys are ${RESERVED_METADATA.join(', ')}`, {
        path: `options.metadata.${key}`, expected: `a key other than ${RESERVED_METADATA.join(', ')}`, received: JSON.stringify(key),
      });
    }
    if (typeof value !== 'string') {
      throw new OptionsError('BAD_OPTION', `options.metadata.${key}: expected a string, got ${describe(value)}`, {
        path: `options.metadata.${key}`, expected: 'a string', received: describe(value),
      });
    }
  }
  return entries as [string, string][];
}

/**
 * `metadata_props` entries for the command line's column names, task and labels (the `cli` block a
 * model file carries: see src/cli/model-file.ts), each list as a JSON array of strings.
 */
export function namesOf(cli: unknown): Record<string, string> {
  if (cli === null || typeof cli !== 'object') return {};
  const c = cli as Record<string, unknown>;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  const out: Record<string, string> = {};
  if (strings(c.inputs)) out['wasmlp.columns.inputs'] = JSON.stringify(c.inputs);
  if (strings(c.targets)) out['wasmlp.columns.targets'] = JSON.stringify(c.targets);
  // the command line's version 2 block names a classification's column of labels `target`
  else if (typeof c.target === 'string') out['wasmlp.columns.targets'] = JSON.stringify([c.target]);
  if (c.task === 'classification' || c.task === 'regression') out['wasmlp.task'] = c.task;
  if (strings(c.labels)) out['wasmlp.labels'] = JSON.stringify(c.labels);
  return out;
}

/** The model as an ONNX file (bytes of a ModelProto). See the top of this file for the graph. */
export function toONNX(model: Model, options: ToONNXOptions = {}): Uint8Array {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionsError('BAD_OPTION', `options: expected an object { metadata? }, got ${describe(options)}`, {
      path: 'options', expected: 'an object { metadata? }', received: describe(options),
    });
  }
  // a misspelled key (`metadta`) is an error, not an option left out
  rejectUnknownKeys(options, TO_ONNX_OPTIONS, 'options', OptionsError, 'UNKNOWN_OPTION', 'option');
  const extra = checkMetadata(options.metadata);
  const spec = model.spec;
  const params = model.getParamsFlat();
  const scalers = model.getNormalization();
  const g = new Builder();
  let t = 'input';
  if (scalers.inputs) t = scalerNodes(g, 'input_scaling', t, inputSteps(scalers.inputs, spec.inputs));
  let at = 0;
  for (const layer of spec.layers) {
    const scope = `layer${layer.index}`;
    const W = params.subarray(at, at + layer.units * layer.inputs);
    at += W.length;
    const b = params.subarray(at, at + layer.units);
    at += b.length;
    const w = g.tensor(float64Tensor(`${scope}.W`, [layer.units, layer.inputs], W));
    const bias = g.tensor(float64Tensor(`${scope}.b`, [layer.units], b));
    const z = g.node(scope, 'Gemm', [t, w, bias], [{ name: 'transB', type: AT.INT, i: 1 }]);
    t = activation(g, scope, z, layer.activation, layer.slope);
  }
  if (scalers.targets) t = scalerNodes(g, 'output_unscaling', t, outputSteps(scalers.targets, spec.outputs));
  // the chain's last tensor is the graph's output
  for (const n of g.nodes) n.outputs = n.outputs.map((o) => (o === t ? 'output' : o));
  for (const n of g.nodes) n.inputs = n.inputs.map((o) => (o === t ? 'output' : o));

  const io = (name: string, width: number): ValueInfoProto => ({ name, elemType: DT.DOUBLE, dims: ['batch', width] });
  const metadata: { key: string; value: string }[] = [
    { key: 'wasmlp.version', value: WASMLP_VERSION },
    { key: 'wasmlp.loss', value: spec.loss },
    { key: 'wasmlp.plain_loss', value: String(spec.plainLoss) },
    { key: 'wasmlp.seed', value: String(spec.seed) },
    { key: 'wasmlp.init', value: spec.init },
  ];
  if (scalers.inputs || scalers.targets) metadata.push({ key: 'wasmlp.normalization', value: JSON.stringify(scalers) });
  // the model's names (inputs, outputs, classes), as toJSON saves them: loadONNX reads them back
  const saved = savedNames(model.names);
  if (saved !== undefined) metadata.push({ key: 'wasmlp.names', value: JSON.stringify(saved) });
  // the command line's names, when the model was loaded with them; options.metadata may override
  const names = { ...namesOf(model.metadata.cli), ...Object.fromEntries(extra) };
  for (const [key, value] of Object.entries(names)) metadata.push({ key, value });
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'wasmlp',
    producerVersion: WASMLP_VERSION,
    graph: { name: 'wasmlp', nodes: g.nodes, initializers: g.initializers, inputs: [io('input', spec.inputs)], outputs: [io('output', spec.outputs)] },
    metadata,
  });
}
