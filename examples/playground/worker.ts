// The training worker: owns the model, trains it in chunks of whole epochs while playing, and posts
// the state (losses, accuracy, speed, parameters, heat-map grid) after every chunk. The page never
// computes, so it never freezes.
//
// Reproducibility: every fit call trains exactly one epoch, however the epochs are grouped into
// chunks, so epoch E of a run is the same whether it was reached by play or by steps, on any machine
// speed. A configuration that fails (a SpecError, OptionsError, DataError) is reported with its
// `path` and the running model is kept as it was.
import { createModel, WasmlpError, TrainingError, type Model, type FitOptions } from 'wasmlp';
import type { DataRequest, FromWorker, GridRequest, ModelRequest, ToWorker, TrainOptions } from './protocol.js';
import { prepareStream, streamState, trainStream, type StreamHost, type StreamRun } from './stream.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

/** Milliseconds of training per chunk while playing: about 30 updates of the page per second. */
const CHUNK_MS = 32;
/** Least time between two heat-map grids while playing. */
const GRID_EVERY_MS = 60;

interface Run {
  model: Model;
  request: ModelRequest;
  data: DataRequest;
  options: TrainOptions;
  grid: GridRequest | null;
  gridX: Float64Array | null;
  xTrain: Float64Array;
  yTrain: Float64Array;
  xVal: Float64Array | null;
  yVal: Float64Array | null;
  outputs: number;
  epoch: number;
  loss: number;
  valLoss: number | null;
  newLoss: number[];
  newValLoss: number[];
  samplesPerSecond: number;
  /** The rate shown (TrainState.learningRate). */
  learningRate: number;
  /** When the heat-map grid was last computed (performance.now()). */
  gridAt: number;
}

let run: Run | null = null;
let runId = 0;
let running = false;
let looping = false;
/** Epochs a second while playing; null = as fast as the engine goes. */
let pace: number | null = null;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

/** `path`: where the page shows it; by default the error's own (a form field). */
function reportError(requestId: number | null, error: unknown, path?: string): void {
  if (error instanceof WasmlpError) {
    post({ type: 'error', requestId, path: path ?? error.path ?? '', message: error.message, kind: error.name });
  } else {
    post({ type: 'error', requestId, path: path ?? '', message: String((error as Error)?.message ?? error), kind: 'Error' });
  }
}

/** Targets for the network: the class as 0/1 (one output), one-hot (one output per class), or the value. */
function encodeTargets(labels: Float64Array, outputs: number, task: DataRequest['task']): Float64Array {
  if (task === 'regression' || outputs === 1) return Float64Array.from(labels);
  const Y = new Float64Array(labels.length * outputs);
  labels.forEach((label, r) => {
    Y[r * outputs + label] = 1;
  });
  return Y;
}

function gridInputs(grid: GridRequest): Float64Array {
  const X = new Float64Array(grid.n * grid.n * 2);
  for (let row = 0; row < grid.n; row++) {
    const y = grid.yMax - ((row + 0.5) / grid.n) * (grid.yMax - grid.yMin);
    for (let col = 0; col < grid.n; col++) {
      const x = grid.xMin + ((col + 0.5) / grid.n) * (grid.xMax - grid.xMin);
      X[(row * grid.n + col) * 2] = x;
      X[(row * grid.n + col) * 2 + 1] = y;
    }
  }
  return X;
}

function fitOptions(r: Run, epochs: number): FitOptions {
  const options: FitOptions = {
    epochs,
    batchSize: r.options.batchSize,
    learningRate: r.options.learningRate,
    optimizer: r.options.optimizer,
  };
  if (r.options.schedule) options.schedule = r.options.schedule;
  if (r.xVal && r.yVal) options.validationData = [r.xVal, r.yVal];
  return options;
}

async function build(request: ModelRequest, data: DataRequest, options: TrainOptions, grid: GridRequest | null): Promise<Run> {
  const model = await createModel({ inputs: request.inputs, layers: request.layers, loss: request.loss, seed: request.seed });
  try {
    const outputs = request.layers[request.layers.length - 1].units;
    const { inputs } = request;
    const Y = encodeTargets(data.labels, outputs, data.task);
    const xTrain = data.X.slice(0, data.trainRows * inputs);
    const yTrain = Y.slice(0, data.trainRows * outputs);
    const held = data.rows - data.trainRows;
    const xVal = held > 0 ? data.X.slice(data.trainRows * inputs) : null;
    const yVal = held > 0 ? Y.slice(data.trainRows * outputs) : null;
    // inputs standardized on the training rows (and regression targets, so any units train alike)
    model.setNormalization(xTrain, yTrain, data.task === 'regression' ? { inputs: 'standardize', targets: 'standardize' } : { inputs: 'standardize' });
    const r: Run = {
      model, request, data, options, grid, gridX: grid ? gridInputs(grid) : null, xTrain, yTrain, xVal, yVal, outputs,
      epoch: 0, loss: 0, valLoss: null, newLoss: [], newValLoss: [], samplesPerSecond: 0, learningRate: options.learningRate, gridAt: -Infinity,
    };
    // zero epochs: checks the training options against these data (OptionsError) without training
    model.fit(xTrain, yTrain, fitOptions(r, 0));
    r.loss = model.loss(xTrain, yTrain);
    r.valLoss = xVal && yVal ? model.loss(xVal, yVal) : null;
    r.newLoss = [r.loss];
    r.newValLoss = r.valLoss === null ? [] : [r.valLoss];
    return r;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function accuracy(r: Run, X: Float64Array | null, from: number, rows: number): number | null {
  if (X === null || r.data.task !== 'classification' || rows === 0) return null;
  const out = r.model.predict(X);
  const K = r.outputs;
  let right = 0;
  for (let i = 0; i < rows; i++) {
    let predicted: number;
    if (K === 1) predicted = out[i] >= 0.5 ? 1 : 0;
    else {
      predicted = 0;
      for (let k = 1; k < K; k++) if (out[i * K + k] > out[i * K + predicted]) predicted = k;
    }
    if (predicted === r.data.labels[from + i]) right++;
  }
  return right / rows;
}

function postState(r: Run, force = false): void {
  const params = r.model.getParamsFlat();
  // the heat map's grid costs a forward pass of n² rows: while playing, at most every GRID_EVERY_MS
  const now = performance.now();
  const fresh = r.gridX !== null && (!running || force || now - r.gridAt >= GRID_EVERY_MS);
  const grid = fresh ? Float32Array.from(r.model.predict(r.gridX!)) : null;
  if (fresh) r.gridAt = now;
  const held = r.data.rows - r.data.trainRows;
  const state: FromWorker = {
    type: 'state',
    runId,
    epoch: r.epoch,
    running,
    loss: r.loss,
    valLoss: r.valLoss,
    accuracy: accuracy(r, r.xTrain, 0, r.data.trainRows),
    valAccuracy: accuracy(r, r.xVal, r.data.trainRows, held),
    learningRate: r.learningRate,
    samplesPerSecond: r.samplesPerSecond,
    threads: r.model.threads,
    params,
    grid,
    outputs: r.outputs,
    newLoss: r.newLoss,
    newValLoss: r.newValLoss,
  };
  r.newLoss = [];
  r.newValLoss = [];
  post(state, grid ? [params.buffer, grid.buffer] : [params.buffer]);
}

/** Trains whole epochs, one fit call each, until `budgetMs` has passed (at least one epoch). */
function trainChunk(r: Run, budgetMs: number, maxEpochs: number): void {
  const started = performance.now();
  let epochs = 0;
  do {
    const history = r.model.fit(r.xTrain, r.yTrain, fitOptions(r, 1));
    r.epoch++;
    epochs++;
    r.loss = history.loss[0];
    r.valLoss = history.valLoss ? history.valLoss[0] : null;
    r.learningRate = history.learningRate ? history.learningRate[0] : r.options.learningRate;
    r.newLoss.push(r.loss);
    if (r.valLoss !== null) r.newValLoss.push(r.valLoss);
  } while (epochs < maxEpochs && performance.now() - started < budgetMs);
  // throughput while computing (not wall time: a paced run idles between epochs), over the current
  // and the previous window of about 250 ms of work
  speed.samples += epochs * r.data.trainRows;
  speed.ms += performance.now() - started;
  r.samplesPerSecond = ((speed.samples + speed.previousSamples) * 1000) / Math.max(speed.ms + speed.previousMs, 1e-3);
  if (speed.ms >= 250) {
    speed.previousSamples = speed.samples;
    speed.previousMs = speed.ms;
    speed.samples = 0;
    speed.ms = 0;
  }
}

const speed = { samples: 0, ms: 0, previousSamples: 0, previousMs: 0 };

function resetSpeed(): void {
  Object.assign(speed, { samples: 0, ms: 0, previousSamples: 0, previousMs: 0 });
}

function train(r: Run, budgetMs: number, maxEpochs: number): boolean {
  try {
    trainChunk(r, budgetMs, maxEpochs);
    return true;
  } catch (error) {
    // a TrainingError (divergence) has put the model back to its last finite state: stop and say so
    running = false;
    if (error instanceof TrainingError) {
      post({
        type: 'error', requestId: null, path: 'options.learningRate', kind: error.name,
        message: `Training diverged at epoch ${r.epoch + 1} (the loss or an update became NaN or ∞); the model went back to its last finite state. Try a smaller learning rate.`,
      });
    } else {
      reportError(null, error);
    }
    postState(r);
    return false;
  }
}

// A macrotask between chunks lets the messages that arrived (pause, configure, …) run. A
// MessageChannel message, not setTimeout(0): nested timeouts are clamped to 4 ms.
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();

function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Trains while playing. At full speed: chunks of CHUNK_MS. Paced (`pace` epochs a second): every
 * ~16 ms, the epochs that are due. Either way whole epochs, so the pace never changes the results.
 */
async function loop(): Promise<void> {
  if (looping) return;
  looping = true;
  let credit = 0;
  let tick = performance.now();
  try {
    while (running && run !== null) {
      const r = run;
      if (pace === null) {
        if (train(r, CHUNK_MS, Infinity) && r === run) postState(r);
        await nextTask();
        tick = performance.now();
        continue;
      }
      const now = performance.now();
      credit = Math.min(credit + ((now - tick) / 1000) * pace, Math.max(1, pace / 4));
      tick = now;
      const due = Math.floor(credit);
      if (due > 0) {
        credit -= due;
        if (train(r, Infinity, due) && r === run) postState(r);
      }
      await sleep(16);
    }
  } finally {
    looping = false;
  }
}

// --- a streamed CSV file (stream.ts): preparing and training run beside the message queue, so
// pause (the signal), a new file or new data are handled while they read the file.

let stream: StreamRun | null = null;
/**
 * A play or step asked for while a paused run was still stopping (fitStream stops between blocks):
 * it starts once that run has stopped, instead of being lost.
 */
let queued: { r: StreamRun; epochs: number | 'play' } | null = null;
/** Changes with every new file, reset or data set: a preparation no longer wanted stops at its next chunk. */
let streamGeneration = 0;

function endStream(): void {
  streamGeneration++;
  queued = null;
  stream?.controller?.abort();
  stream?.model.dispose();
  stream = null;
}

async function startStream(message: Extract<ToWorker, { type: 'stream' }>, generation: number): Promise<void> {
  const current = (): boolean => generation === streamGeneration;
  const host: StreamHost = {
    progress: (phase, pass, bytesRead, totalBytes, rows) => {
      if (current()) post({ type: 'stream-progress', phase, pass, bytesRead, totalBytes, rows });
    },
    checkCurrent: () => {
      if (!current()) throw new Error('replaced');
    },
  };
  let next: StreamRun;
  try {
    next = await prepareStream(message.stream, host);
  } catch (error) {
    if (current()) reportError(message.requestId, error, 'stream');
    return;
  }
  if (!current()) return next.model.dispose();
  run?.model.dispose();
  run = null;
  stream = next;
  runId++;
  const { inputNames, classes, model } = next;
  post({ type: 'stream-ready', requestId: message.requestId, runId, inputNames, target: message.stream.target, classes, outputs: model.outputs });
  postStream(next, []);
  if (message.play) playStream(next, 'play');
}

function postStream(r: StreamRun, newLoss: number[]): void {
  const state = streamState(r, runId, running, newLoss);
  post(state, [state.params.buffer]);
}

/** Trains the file (until paused, or `epochs` epochs) unless it is training already; after a pause that has not taken effect yet, once it has. */
function playStream(r: StreamRun, epochs: number | 'play'): void {
  if (r.controller !== null) {
    if (r.controller.signal.aborted) queued = { r, epochs };
    return;
  }
  running = epochs === 'play';
  trainStream(r, epochs, () => {
    if (r === stream) postStream(r, [r.loss]);
  }).catch((error: unknown) => {
    if (r === stream) reportError(null, error, 'stream');
  }).finally(() => {
    if (r !== stream) return;
    running = false;
    const next = queued?.r === r ? queued.epochs : null;
    queued = null;
    if (next !== null) playStream(r, next); // the state below then says whether it runs
    postStream(r, []);
  });
}

/** Messages for a streamed file's run; false: not one (the in-memory path handles it). */
function streamCommand(r: StreamRun, message: ToWorker): boolean {
  switch (message.type) {
    case 'play':
      playStream(r, 'play');
      return true;
    case 'step':
      playStream(r, 1);
      return true;
    case 'pause':
      queued = null;
      r.controller?.abort();
      return true;
    case 'reset': {
      const play = running;
      endStream();
      void startStream({ type: 'stream', requestId: 0, stream: r.request, play }, streamGeneration);
      return true;
    }
    case 'options':
      r.request = { ...r.request, options: message.options };
      post({ type: 'options-applied', requestId: message.requestId });
      return true;
    default:
      return false;
  }
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'stream') {
    endStream();
    running = false;
    void startStream(message, streamGeneration);
    return;
  }
  if (message.type === 'configure') endStream();
  if (stream !== null && streamCommand(stream, message)) return;
  switch (message.type) {
    case 'configure': {
      let next: Run;
      try {
        next = await build(message.model, message.data, message.options, message.grid);
      } catch (error) {
        reportError(message.requestId, error);
        return;
      }
      run?.model.dispose();
      run = next;
      runId++;
      resetSpeed();
      post({ type: 'configured', requestId: message.requestId, runId });
      running = message.play;
      postState(next);
      if (running) void loop();
      return;
    }
    case 'options': {
      if (run === null) return;
      const candidate = { ...run, options: message.options };
      try {
        run.model.fit(run.xTrain, run.yTrain, fitOptions(candidate, 0));
      } catch (error) {
        reportError(message.requestId, error);
        return;
      }
      // another schedule or base rate starts the schedule afresh (the library's rule): its first
      // epoch runs at the base rate, shown at once (when paused; a playing run posts its next chunk)
      const restarts = JSON.stringify([run.options.schedule, run.options.learningRate]) !==
        JSON.stringify([message.options.schedule, message.options.learningRate]);
      run.options = message.options;
      post({ type: 'options-applied', requestId: message.requestId });
      if (restarts) {
        run.learningRate = message.options.learningRate;
        if (!running) postState(run);
      }
      return;
    }
    case 'play':
      if (run === null) return;
      running = true;
      postState(run);
      void loop();
      return;
    case 'speed':
      pace = message.epochsPerSecond;
      return;
    case 'pause':
      running = false;
      if (run !== null) postState(run);
      return;
    case 'step':
      if (run === null) return;
      running = false;
      if (train(run, 0, 1)) postState(run);
      return;
    case 'reset': {
      if (run === null) return;
      let next: Run;
      try {
        next = await build(run.request, run.data, run.options, run.grid);
      } catch (error) {
        reportError(null, error);
        return;
      }
      run.model.dispose();
      run = next;
      runId++;
      resetSpeed();
      postState(next);
      if (running) void loop();
      return;
    }
  }
}

// one message at a time, in order (building a model awaits the kernels' compilation once)
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (event) => {
  queue = queue.then(() => handle(event.data)).catch((error: unknown) => reportError(null, error));
};
