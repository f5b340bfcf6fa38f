// Where models are made: from a spec (createModel), from a saved model (loadModel) and from a decoded
// state (buildModel, which loadONNX uses too). The machine is consulted here and only here: whether the
// model fits in engine memory, and how many threads it runs on. src/index.ts re-exports these.
//
// Loading: the WebAssembly kernels are embedded in this package and compiled once, asynchronously
// (browsers refuse synchronous compilation of modules over 4 KB on the main thread). `createModel`
// awaits that itself; after `await init()`, `createModelSync` works too. Everything a model does
// afterwards is synchronous.
import { createEngine, prepareEngine } from '../engine/select.js';
import type { Engine } from '../engine/engine.js';
import { resolveThreads, threadsNote, threadsSupported } from '../engine/threads.js';
import { checkSpecFits } from '../layout/budget.js';
import type { CheckedSpec, ModelSpec, ValidSpec } from '../spec/types.js';
import { validateSpec } from '../spec/validate.js';
import { validateNames } from '../spec/labels.js';
import { SpecError } from '../errors.js';
import { initialParams } from '../train/init.js';
import { Model } from './model.js';
import { paramsToFlat } from './params.js';
import { decodeModel, validateLoadOptions, type LoadOptions, type ModelJSON, type ModelState } from './serialize.js';
import { isModelLocation, namingSource, readModelText, type ModelSource } from './storage.js';

/**
 * Compiles the WebAssembly kernels (once): the single-threaded ones, and the threaded ones where
 * threads can run. Optional: createModel does it on first use.
 */
export async function init(): Promise<void> {
  await prepareEngine('wasm', threadsSupported() ? 2 : 1);
}

/** A checked spec on this machine: refused when it can never fit in engine memory; its threads resolved. */
export function resolveSpec(checked: CheckedSpec): ValidSpec {
  checkSpecFits(checked);
  return { ...checked, threads: resolveThreads(checked.threads, checked.engine) };
}

/** The engine of a resolved spec; `asked`: its threads as the spec asked for them (why fewer: model.threadsNote). */
function engineFor(spec: ValidSpec, asked: CheckedSpec['threads']): Engine {
  return createEngine(spec.engine, spec.threads, spec.threads === 1 ? threadsNote(asked, spec.engine) : null);
}

/**
 * Validates the spec and builds a model on the chosen engine (WebAssembly by default). With more
 * than one thread, it also waits until the workers have started (or failed to: the model then
 * computes on fewer, with the same results).
 */
export async function createModel(spec: ModelSpec): Promise<Model> {
  const valid = resolveSpec(validateSpec(spec));
  await prepareEngine(valid.engine, valid.threads);
  const model = createModelSync(spec);
  await model.threadsReady();
  return model;
}

/** Like createModel, for after `await init()` (or with `engine: 'ts'`). Workers join as they start. */
export function createModelSync(spec: ModelSpec): Model {
  const checked = validateSpec(spec);
  const valid = resolveSpec(checked);
  const names = validateNames({ inputs: spec.inputNames, targets: spec.targetNames, classes: spec.classes }, valid, SPEC_NAME_PATHS, SpecError);
  const params = spec.params === undefined ? initialParams(valid) : paramsToFlat(valid, spec.params);
  return new Model(valid, engineFor(valid, checked.threads), params, names);
}

const SPEC_NAME_PATHS = { inputs: 'inputNames', targets: 'targetNames', classes: 'classes' };

/**
 * Rebuilds a model saved by `model.toJSON()` (the object, or its JSON text; format version 1 or 2),
 * or by `model.save(target)`: from `'indexeddb://name'` or `'localstorage://name'`, or from a File,
 * Blob, Response or URL (http(s), blob:, data:, or relative to the page) holding its JSON.
 * Everything is validated before the model exists: an unknown field, a wrong format or version, type,
 * shape, range or non-finite value, or a checksum that does not match gets a FormatError naming the
 * field (and the source it was read from), and nothing is half-loaded. Bad options (`{ engine }`), and
 * a source that is malformed, unavailable here or holds nothing, are an OptionsError.
 */
export async function loadModel(saved: ModelJSON | ModelSource, options: LoadOptions = {}): Promise<Model> {
  const valid = validateLoadOptions(options);
  if (!isModelLocation(saved)) return buildModel(decodeModel(saved, valid));
  const { text, from } = await readModelText(saved);
  let state: ModelState;
  try {
    state = decodeModel(text, valid);
  } catch (error) {
    throw namingSource(error, from);
  }
  return buildModel(state);
}

/** A model from a decoded, validated state (parameters, scalers, training state, metadata). */
export async function buildModel(state: ModelState): Promise<Model> {
  const spec = resolveSpec(state.spec);
  await prepareEngine(spec.engine, spec.threads);
  const model = new Model(spec, engineFor(spec, state.spec.threads), state.params);
  model.restoreSaved(state);
  await model.threadsReady();
  return model;
}
