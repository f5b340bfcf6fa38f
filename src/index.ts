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
import { decodeModel, validateLoadOptions, type LoadOptions, type ModelJSON } from './model/serialize.js';
import { threadsSupported } from './engine/threads.js';

/**
 * Compiles the WebAssembly kernels (once): the single-threaded ones, and the threaded ones where
 * threads can run. Optional: createModel does it on first use.
 */
export async function init(): Promise<void> {
  await prepareEngine('wasm', threadsSupported() ? 2 : 1);
}

/**
 * Validates the spec and builds a model on the chosen engine (WebAssembly by default). With more
 * than one thread, it also waits until the workers have started (or failed to: the model then
 * computes on fewer, with the same results).
 */
export async function createModel(spec: ModelSpec): Promise<Model> {
  const valid = validateSpec(spec);
  await prepareEngine(valid.engine, valid.threads);
  const model = createModelSync(spec);
  await model.threadsReady();
  return model;
}

/** Like createModel, for after `await init()` (or with `engine: 'ts'`). Workers join as they start. */
export function createModelSync(spec: ModelSpec): Model {
  const valid = validateSpec(spec);
  const params = spec.params === undefined ? initialParams(valid) : paramsToFlat(valid, spec.params);
  return new Model(valid, createEngine(valid.engine, valid.threads), params);
}

/**
 * Rebuilds a model saved by `model.toJSON()` (the object, or its JSON text; format version 1 or 2).
 * Everything is validated before the model exists: an unknown field, a wrong format or version, type,
 * shape, range or non-finite value, or a checksum that does not match gets a FormatError naming the
 * field, and nothing is half-loaded. Bad options (`{ engine }`) are an OptionsError.
 */
export async function loadModel(saved: ModelJSON | string, options: LoadOptions = {}): Promise<Model> {
  const state = decodeModel(saved, validateLoadOptions(options));
  await prepareEngine(state.spec.engine, state.spec.threads);
  const model = new Model(state.spec, createEngine(state.spec.engine, state.spec.threads), state.params);
  model.restoreSaved(state);
  await model.threadsReady();
  return model;
}

export { Model } from './model/model.js';
export type { ModelJSON, ModelMetadata, JsonValue, JsonObject, LoadOptions } from './model/serialize.js';
export type { NormalizationSpec, ScalerSpec } from './data/normalize.js';
export type { FitHistory, StopReason, GradientsOptions, GradientsResult, GradientsWithTraces, GradientsWithFlatTraces, GradCheckOptions, GradCheckReport, LayerTrace } from './model/model.js';
export type { MatrixInput } from './data/dataset.js';
export type { LossOptions, LossUnits } from './model/loss-units.js';
export { ACTIVATIONS, LOSSES, INITS, ENGINES } from './spec/types.js';
export type { Activation, Loss, Init, EngineKind, Threads, LayerSpec, LayerParams, ModelSpec, ValidSpec, LayerShape } from './spec/types.js';
export { WasmlpError, SpecError, DataError, ParamsError, OptionsError, EngineError, TrainingError, FormatError } from './errors.js';
export type { FitOptions, EpochLogs, Progress, OptimizerSpec } from './train/options.js';
export { toONNX, type ToONNXOptions } from './onnx/export.js';
export { loadONNX, readONNXMetadata, type LoadONNXOptions } from './onnx/import.js';
