// ONNX → model: reads MLP-shaped graphs, from wasmlp's toONNX or from other tools (PyTorch's
// torch.onnx.export among them), and rebuilds them as a wasmlp Model in float64.
//
// What is read, from the graph's input to its output (chain.ts):
//   [input scaling] → layer → layer → … → [output unscaling]
//   layer       Gemm (transA = 0, any transB, alpha, beta; C optional), or MatMul (+ Add of a bias),
//               with constant weights and bias (layers.ts), then an activation:
//   activation  none or Identity · Tanh · Relu · Sigmoid or Reciprocal(1 + Exp(−z)) · Softplus or
//               Relu(z) + log1p(Exp(−|z|)) (log1p as Log(1 + y), or toONNX's accurate form) ·
//               LeakyRelu(alpha) or Where(Less(z, 0), z·a, z) · Softmax over the last axis (activations.ts)
//   scaling     Sub/Add/Mul/Div by constants, and toONNX's Where for constant columns (steps.ts), mapped
//               to the model's scalers (scaling.ts) when they match a scaler's form exactly
// Constants are initializers or Constant nodes, float64 or float32 (widened exactly, raw_data,
// double_data or float_data; tensors.ts). Anything else is a FormatError naming the node, its op and
// why (faults.ts). The graph must first be what ONNX requires (graph.ts): each value named once, each
// node after the nodes whose outputs it reads, so every walk of it ends; a constant's shape must
// match the values the file holds before any array is made for it, so no loop or allocation is
// sized by a claim alone; no walk recurses.
import { FormatError, OptionsError, WasmlpError, describe } from '../errors.js';
import { loadModel } from '../model/factory.js';
import type { Model } from '../model/model.js';
import { NO_METADATA, encodeModel, type ModelState } from '../model/serialize.js';
import { Scaler, type ScalerJSON } from '../data/normalize.js';
import { validateSpec } from '../spec/validate.js';
import { NO_NAMES, validateNames, type ModelNames } from '../spec/labels.js';
import { ENGINES, INITS, LOSSES, type Activation, type CheckedSpec, type EngineKind, type Loss, type ModelSpec, type Threads } from '../spec/types.js';
import { oneOfNames, rejectUnknownKeys } from '../spec/names.js';
import { validateThreads } from '../engine/threads.js';
import { readMLP, type Layer, type ReadMLP } from './chain.js';
import { ONNX_OPSET } from './export.js';
import { onnxError } from './faults.js';
import { Graph, isDefaultDomain } from './graph.js';
import { decodeModel, type ModelProto } from './proto.js';
import { inputScaler, outputScaler, type ReadStep } from './scaling.js';

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

function checkOpset(m: ModelProto): number {
  const main = m.opsetImport.filter(isDefaultDomain);
  if (main.length === 0) {
    throw onnxError('UNSUPPORTED_OPSET', 'opset_import', 'the model imports no version of the default ONNX operator set', `an opset from ${MIN_OPSET} to ${MAX_OPSET}`, 'none');
  }
  const v = main[0].version;
  if (v < MIN_OPSET || v > MAX_OPSET) {
    throw onnxError('UNSUPPORTED_OPSET', `opset_import[${m.opsetImport.indexOf(main[0])}]`, `opset ${v} is not supported; wasmlp reads opsets ${MIN_OPSET} to ${MAX_OPSET} (it writes ${ONNX_OPSET})`, `an opset from ${MIN_OPSET} to ${MAX_OPSET}`, `opset ${v}`);
  }
  return v;
}

function scalerOrError(g: Graph, steps: ReadStep[], result: ScalerJSON | string, side: string): ScalerJSON | undefined {
  if (steps.length === 0) return undefined;
  if (typeof result !== 'string') return result;
  throw g.error(steps[0].node, 'UNSUPPORTED_ONNX', `the ${side} (${steps.map((s) => s.op).join(' → ')}) is not one of wasmlp's scalers: ${result}`, 'standardize or minMax arithmetic', steps.map((s) => s.op).join(' → '));
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

function checkOptions(options: LoadONNXOptions): void {
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
}

/** The layers' weights and biases, one layer after the other, as the model holds them. */
function paramsOf(layers: Layer[]): Float64Array {
  const flat = new Float64Array(layers.reduce((s, l) => s + l.W.length + l.b.length, 0));
  let at = 0;
  for (const l of layers) {
    flat.set(l.W, at);
    flat.set(l.b, at + l.W.length);
    at += l.W.length + l.b.length;
  }
  return flat;
}

/** The spec of the model read: its layers, and the loss, seed and init the options or the file's metadata give. */
function specOf(mlp: ReadMLP, meta: Record<string, string>, options: LoadONNXOptions): ModelSpec {
  const last = mlp.layers[mlp.layers.length - 1];
  const savedLoss = (LOSSES as readonly string[]).includes(meta['wasmlp.loss']) ? (meta['wasmlp.loss'] as Loss) : undefined;
  const loss = options.loss ?? savedLoss ?? defaultLoss(last.activation);
  const plainLoss = options.plainLoss ?? (options.loss === undefined && savedLoss !== undefined ? meta['wasmlp.plain_loss'] === 'true' : false);
  const seed = Number(meta['wasmlp.seed']);
  const init = meta['wasmlp.init'];
  return {
    inputs: mlp.inputs,
    layers: mlp.layers.map((l) => (l.activation === 'leaky_relu' ? { units: l.units, activation: l.activation, slope: l.slope } : { units: l.units, activation: l.activation })),
    loss,
    plainLoss,
    ...(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? { seed } : {}),
    ...((INITS as readonly string[]).includes(init) ? { init: init as (typeof INITS)[number] } : {}),
    ...(options.engine === undefined ? {} : { engine: options.engine }),
  };
}

/** The model's saved state; a spec the model refuses is the file's fault, or the loss option's. */
function stateOf(spec: ModelSpec, params: Float64Array, scalers: { inputs?: ScalerJSON; targets?: ScalerJSON }, meta: Record<string, string>, options: LoadONNXOptions): ModelState {
  let checked: CheckedSpec;
  try {
    checked = validateSpec(spec);
  } catch (error) {
    throw specError(error, options);
  }
  const names = namesOf(meta, checked);
  try {
    return {
      spec: checked,
      names,
      params,
      scalers: {
        ...(scalers.inputs ? { inputs: Scaler.fromJSON(scalers.inputs, 'input scaling') } : {}),
        ...(scalers.targets ? { targets: Scaler.fromJSON(scalers.targets, 'output unscaling') } : {}),
      },
      training: null,
      metadata: NO_METADATA,
    };
  } catch (error) {
    throw specError(error, options);
  }
}

/** A fault of the spec read from the file: the file's, or the loss option's. */
function specError(error: unknown, options: LoadONNXOptions): unknown {
  if (!(error instanceof WasmlpError)) return error;
  if (options.loss !== undefined && (error.code === 'LOSS_NEEDS_OUTPUT' || error.path === 'loss')) {
    return new OptionsError(error.code, `options.loss: ${error.message}`, { path: 'options.loss', expected: error.expected, received: error.received, cause: error });
  }
  return new FormatError(error.code, `the ONNX model: ${error.message}`, { path: error.path, expected: error.expected, received: error.received, cause: error });
}

/**
 * The model's names from the `wasmlp.names` metadata toONNX writes (a JSON object { inputs?, targets?,
 * classes? }), checked against the model read; none when the key is absent. A value that is not such
 * an object, or does not fit the model, is a FormatError naming the key: names are never silently wrong.
 */
function namesOf(meta: Record<string, string>, spec: CheckedSpec): ModelNames {
  const text = meta['wasmlp.names'];
  if (text === undefined) return NO_NAMES;
  const where = 'metadata wasmlp.names';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new FormatError('BAD_METADATA', `${where}: expected a JSON object { inputs?, targets?, classes? }, got ${describe(text)}`, { path: where, expected: 'a JSON object { inputs?, targets?, classes? }', received: describe(text) });
  }
  rejectUnknownKeys(parsed, ['inputs', 'targets', 'classes'], where, FormatError, 'UNKNOWN_FIELD', 'field');
  return validateNames(parsed, spec, { inputs: `${where}.inputs`, targets: `${where}.targets`, classes: `${where}.classes` }, FormatError);
}

/** The saved state of the MLP a decoded file holds. */
function stateOfFile(proto: ModelProto, meta: Record<string, string>, options: LoadONNXOptions): ModelState {
  const g = new Graph(proto, checkOpset(proto));
  const mlp = readMLP(g);
  const saved = savedScalers(meta);
  const last = mlp.layers[mlp.layers.length - 1];
  const inputs = scalerOrError(g, mlp.inputSteps, inputScaler(mlp.inputSteps, mlp.inputs, saved.inputs), 'input scaling');
  const targets = scalerOrError(g, mlp.outputSteps, outputScaler(mlp.outputSteps, last.units, saved.targets), 'output unscaling');
  return stateOf(specOf(mlp, meta, options), paramsOf(mlp.layers), { inputs, targets }, meta, options);
}

/**
 * loadONNX's model and readONNXMetadata's object from one decoding of the file (for a caller that
 * wants both, as `wasmlp import` does); each fault is the one loadONNX gives.
 */
export async function loadONNXWithMetadata(bytes: Uint8Array | ArrayBuffer, options: LoadONNXOptions = {}): Promise<{ model: Model; metadata: Record<string, string> }> {
  const data = bytesOf(bytes);
  checkOptions(options);
  const proto = decodeModel(data);
  const metadata = metadataOf(proto);
  const state = stateOfFile(proto, metadata, options);
  // through the saved form, so the model is built and checked exactly as loadModel builds any model
  const model = await loadModel(encodeModel(state), {
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });
  return { model, metadata };
}

/**
 * Reads an ONNX model into a wasmlp Model (float64). See the top of this file for the graphs it
 * reads. `options.loss` sets the loss for further training.
 */
export async function loadONNX(bytes: Uint8Array | ArrayBuffer, options: LoadONNXOptions = {}): Promise<Model> {
  return (await loadONNXWithMetadata(bytes, options)).model;
}
