// wasmlp: multilayer perceptrons with exact float64 backpropagation, WebAssembly kernels inside.
//
// Loading: the WebAssembly kernels are embedded in this package and compiled once, asynchronously
// (browsers refuse synchronous compilation of modules over 4 KB on the main thread). `createModel`
// awaits that itself; after `await init()`, `createModelSync` works too. Everything a model does
// afterwards is synchronous.
import { createEngine, prepareEngine } from './engine/select.js';
import { Model } from './model/model.js';
import { paramsToFlat } from './model/params.js';
import { validateSpec } from './spec/validate.js';
import { initialParams } from './train/init.js';
import type { ModelSpec } from './spec/types.js';
import type { EngineKind } from './spec/types.js';
import { FormatError, WasmlpError } from './errors.js';
import { decodeFloat64, readEnvelope, specOf, type ModelJSON } from './model/serialize.js';

/** Compiles the WebAssembly kernels (once). Optional: createModel does it on first use. */
export async function init(): Promise<void> {
  await prepareEngine('wasm');
}

/** Validates the spec and builds a model on the chosen engine (WebAssembly by default). */
export async function createModel(spec: ModelSpec): Promise<Model> {
  const valid = validateSpec(spec);
  await prepareEngine(valid.engine);
  return createModelSync(spec);
}

/** Like createModel, for after `await init()` (or with `engine: 'ts'`). */
export function createModelSync(spec: ModelSpec): Model {
  const valid = validateSpec(spec);
  const params = spec.params === undefined ? initialParams(valid) : paramsToFlat(valid, spec.params);
  return new Model(valid, createEngine(valid.engine), params);
}

/**
 * Rebuilds a model saved by `model.toJSON()` (the object, or its JSON text). Everything is validated
 * before the model exists: a wrong format or version, shape or non-finite value gets a FormatError
 * naming the field, and nothing is half-loaded.
 */
export async function loadModel(saved: ModelJSON | string, options: { engine?: EngineKind } = {}): Promise<Model> {
  const json = readEnvelope(saved);
  const spec = specOf(json);
  let valid;
  try {
    valid = validateSpec({ ...spec, engine: options.engine });
  } catch (error) {
    if (!(error instanceof WasmlpError)) throw error;
    throw new FormatError(error.code, `spec.${error.message}`, { path: `spec.${error.path}`, expected: error.expected, received: error.received, cause: error });
  }
  const params = decodeFloat64(json.params, valid.paramCount, 'params');
  await prepareEngine(valid.engine);
  const model = new Model(valid, createEngine(valid.engine), params);
  try {
    model.restoreSaved(json);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

export { Model } from './model/model.js';
export type { ModelJSON } from './model/serialize.js';
export type { NormalizationSpec, ScalerSpec } from './data/normalize.js';
export type { FitHistory, StopReason, GradientsResult, GradCheckOptions, GradCheckReport, LayerTrace } from './model/model.js';
export type { MatrixInput } from './data/dataset.js';
export { ACTIVATIONS, LOSSES, INITS, ENGINES } from './spec/types.js';
export type { Activation, Loss, Init, EngineKind, LayerSpec, LayerParams, ModelSpec, ValidSpec, LayerShape } from './spec/types.js';
export { WasmlpError, SpecError, DataError, ParamsError, OptionsError, EngineError, TrainingError, FormatError } from './errors.js';
export type { FitOptions, EpochLogs, Progress, OptimizerSpec } from './train/options.js';
export { toONNX, type ToONNXOptions } from './onnx/export.js';
export { loadONNX, readONNXMetadata, type LoadONNXOptions } from './onnx/import.js';
