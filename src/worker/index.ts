// wasmlp/worker: models that live in a dedicated worker, so training never blocks the page's thread.
// A separate entry point from 'wasmlp' (whose bundle then needs no worker chunk); the errors are the
// same classes as the ones 'wasmlp' exports.
import { validateSpec } from '../spec/validate.js';
import type { ModelSpec } from '../spec/types.js';
import { validateLoadOptions, type LoadOptions, type ModelJSON } from '../model/serialize.js';
import { isModelLocation, namingSource, readModelText, type ModelSource } from '../model/storage.js';
import { WorkerModel } from './client.js';

export { WorkerModel } from './client.js';

/**
 * createModel in a dedicated worker (a module Web Worker in browsers, a worker_threads Worker in
 * Node): the spec is checked here first (SpecError), then the model is made in the worker.
 */
export async function createWorkerModel(spec: ModelSpec): Promise<WorkerModel> {
  validateSpec(spec);
  return WorkerModel.start('create', [spec]);
}

/**
 * loadModel in a dedicated worker: a saved model's JSON (object or text), or a target or source as
 * loadModel reads them ('indexeddb://name', 'localstorage://name', a File, Blob, Response or URL),
 * read on this thread and decoded, verified, in the worker. Errors as loadModel's.
 */
export async function loadWorkerModel(saved: ModelJSON | ModelSource, options: LoadOptions = {}): Promise<WorkerModel> {
  validateLoadOptions(options);
  if (!isModelLocation(saved)) return WorkerModel.start('load', [saved, options]);
  const { text, from } = await readModelText(saved);
  try {
    return await WorkerModel.start('load', [text, options]);
  } catch (error) {
    throw namingSource(error, from);
  }
}
