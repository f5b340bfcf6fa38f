// Training on a CSV file larger than memory, in the training worker: the page posts the File (a
// handle, not its bytes) and the worker reads it with csvStreamSource(() => file.stream(), …), one
// chunk of rows at a time, in passes: one for the target's classes (stopped early when the target
// turns out to be a number to regress), the scalers' (setNormalizationStream), then one per epoch
// (fitStream). Nothing holds the whole file. Play trains until paused (the AbortSignal stops
// fitStream between blocks; the next play or step continues that epoch where it stopped).
import { createModel, type FitStreamOptions, type Model } from 'wasmlp';
import { csvStreamSource, type CsvSource } from 'wasmlp/csv';
import { pairingFor } from './config.js';
import type { StreamPhase, StreamRequest, TrainState, TrainOptions } from './protocol.js';

type Label = string | number;

/** Up to this many distinct integer values make a numeric target a class label (as a pasted CSV). */
const MAX_NUMBER_CLASSES = 10;
/** Epochs one play may train (it is meant to be paused). */
const PLAY_EPOCHS = 1_000_000;

export interface StreamRun {
  model: Model;
  request: StreamRequest;
  source: CsvSource;
  /** The target's classes in the model's order, or null for regression. */
  classes: Label[] | null;
  inputNames: string[];
  /** What the passes over the file are for now (shown with their progress). */
  phase: StreamPhase;
  epoch: number;
  loss: number;
  learningRate: number;
  samplesPerSecond: number;
  /** Set while fitStream runs: abort() stops it between blocks. */
  controller: AbortController | null;
}

export interface StreamHost {
  progress(phase: StreamPhase, pass: number, bytesRead: number, totalBytes: number | null, rows: number): void;
  /** Throws when the preparation was replaced (a new file or data set): the pass in progress ends. */
  checkCurrent(): void;
}

function openSource(request: StreamRequest, classes: boolean, onChunk: (pass: number, bytes: number, total: number | null, rows: number) => void): CsvSource {
  const { file, target } = request;
  return csvStreamSource(() => file.stream(), {
    name: file.name, totalBytes: file.size, target, classes,
    onProgress: ({ pass, bytesRead, totalBytes, rows }) => onChunk(pass, bytesRead, totalBytes, rows),
  });
}

function sortLabels(labels: Label[]): Label[] {
  return typeof labels[0] === 'number' ? (labels as number[]).sort((a, b) => a - b) : (labels as string[]).sort();
}

/** The classes of a label column (text, or up to 10 integers), or null for a numeric target: one pass at most. */
async function findClasses(request: StreamRequest, host: StreamHost): Promise<{ classes: Label[] | null; inputNames: string[] }> {
  const source = openSource(request, true, (pass, bytes, total, rows) => {
    host.checkCurrent();
    host.progress('classes', pass, bytes, total, rows);
  });
  const seen = new Set<Label>();
  let numeric = false;
  for await (const { y } of source) {
    for (const label of y as Label[]) {
      if (seen.has(label)) continue;
      if (typeof label === 'number' && (!Number.isInteger(label) || seen.size >= MAX_NUMBER_CLASSES)) {
        numeric = true;
        break;
      }
      seen.add(label);
    }
    if (numeric) break;
  }
  const inputNames = source.inputNames ?? [];
  if (numeric) return { classes: null, inputNames };
  if (seen.size < 2) throw new Error(`the target column "${request.target}" holds ${seen.size} class${seen.size === 1 ? '' : 'es'}: a classifier needs at least 2`);
  return { classes: sortLabels([...seen]), inputNames };
}

/** A model for the file: the form's hidden layers, the output and loss that fit the target, scalers from a pass over the file. */
export async function prepareStream(request: StreamRequest, host: StreamHost): Promise<StreamRun> {
  const { classes, inputNames } = await findClasses(request, host);
  const task = classes === null ? 'regression' : 'classification';
  const { output, loss } = pairingFor(task, classes?.length ?? 0);
  const units = classes === null || classes.length === 2 ? 1 : classes.length;
  const model = await createModel({
    inputs: inputNames.length,
    layers: [...request.layers, { units, activation: output }],
    loss,
    seed: request.seed,
    ...(classes === null ? {} : { classes }),
  });
  const run: StreamRun = {
    model, request, classes, inputNames, phase: 'scalers', epoch: 0, loss: NaN, learningRate: request.options.learningRate, samplesPerSecond: 0, controller: null,
    source: openSource(request, classes !== null, (pass, bytes, total, rows) => host.progress(run.phase, pass, bytes, total, rows)),
  };
  try {
    await model.setNormalizationStream(guarded(run.source, host), classes === null ? { inputs: 'standardize', targets: 'standardize' } : { inputs: 'standardize' });
    run.phase = 'training';
    return run;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The source, checking before each pass and chunk that the preparation is still wanted. */
function guarded<T>(source: AsyncIterable<T>, host: StreamHost): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const chunk of source) {
        host.checkCurrent();
        yield chunk;
      }
    },
  };
}

function fitOptions(options: TrainOptions): FitStreamOptions {
  const fit: FitStreamOptions = { batchSize: options.batchSize, learningRate: options.learningRate, optimizer: options.optimizer };
  if (options.schedule) fit.schedule = options.schedule;
  return fit;
}

/** The state the page shows (as the in-memory runs post it: no accuracy, no heat-map grid). */
export function streamState(r: StreamRun, runId: number, running: boolean, newLoss: number[]): TrainState {
  return {
    type: 'state', runId, epoch: r.epoch, running, loss: r.loss, valLoss: null, accuracy: null, valAccuracy: null,
    learningRate: r.learningRate, samplesPerSecond: r.samplesPerSecond, threads: r.model.threads, params: r.model.getParamsFlat(),
    grid: null, outputs: r.model.outputs, newLoss, newValLoss: [],
  };
}

/**
 * Trains `epochs` epochs (or until stopped) with fitStream over the file: onEpoch after each epoch.
 * The first epoch continues one a previous call left unfinished.
 */
export async function trainStream(r: StreamRun, epochs: number | 'play', onEpoch: () => void): Promise<void> {
  const controller = new AbortController();
  r.controller = controller;
  let started = performance.now();
  try {
    const history = await r.model.fitStream(r.source, {
      ...fitOptions(r.request.options),
      epochs: epochs === 'play' ? PLAY_EPOCHS : epochs,
      signal: controller.signal,
      onEpochEnd: (_epoch, logs) => {
        const now = performance.now();
        r.samplesPerSecond = (r.source.rows * 1000) / Math.max(now - started, 1e-3);
        started = now;
        r.epoch++;
        r.loss = logs.loss;
        onEpoch();
      },
    });
    const rates = history.learningRate;
    if (rates && rates.length > 0) r.learningRate = rates[rates.length - 1];
  } finally {
    r.controller = null;
  }
}
