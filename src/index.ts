// wasmlp: multilayer perceptrons with exact float64 backpropagation, WebAssembly kernels inside.
// This file only re-exports: models are made in src/model/factory.ts.
export { init, createModel, createModelSync, loadModel } from './model/factory.js';
export { listModels, deleteModel, type ModelSource, type ModelStore } from './model/storage.js';
export { Model } from './model/model.js';
export type { ModelJSON, ModelMetadata, JsonValue, JsonObject, LoadOptions } from './model/serialize.js';
export type { NormalizationSpec, ScalerSpec } from './data/normalize.js';
export type { FitHistory, StopReason, GradientsOptions, GradientsResult, GradientsWithTraces, GradientsWithFlatTraces, GradCheckOptions, GradCheckAsyncOptions, GradCheckReport, LayerTrace } from './model/model.js';
export type { MatrixInput } from './data/dataset.js';
export type { LossOptions, LossUnits } from './model/loss-units.js';
export { ACTIVATIONS, LOSSES, INITS, ENGINES } from './spec/types.js';
export type { Activation, Loss, Init, EngineKind, Threads, LayerSpec, LayerParams, ModelSpec, ValidSpec, LayerShape } from './spec/types.js';
export { WasmlpError, SpecError, DataError, StreamError, CsvError, ParamsError, OptionsError, EngineError, TrainingError, FormatError } from './errors.js';
export type { FitOptions, EpochLogs, Progress, OptimizerSpec } from './train/options.js';
export type { Chunk, ChunkSource, ChunkIterable } from './stream/source.js';
export type { FitStreamOptions } from './stream/options.js';
export type { PredictStreamOptions, PredictOutput } from './stream/score.js';
export { toONNX, type ToONNXOptions } from './onnx/export.js';
export { loadONNX, readONNXMetadata, type LoadONNXOptions } from './onnx/import.js';
