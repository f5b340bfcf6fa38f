// One measurement in a worker thread of its own (a fresh isolate each time): each engine trains in an
// isolate of its own, so neither pays for the other's side effects (growing a WebAssembly memory
// detaches its old buffer, after which V8's optimized typed-array code carries detach checks and
// plain-JS loops run ~10-20 % slower), and every measurement starts from the same cold state.
//
// workerData: { id, engine: 'wasm' | 'wasm:N' | 'ts' | 'js' | 'flat', quick, task: 'fit' | 'predict' | 'predict-batch', mode: 'steady' | 'cold' }
//   'wasm' is the WebAssembly engine on one thread, 'wasm:N' on N threads
//   predict-batch  one predict call over PREDICT_BATCH_ROWS rows (the workload's rows, repeated)
//   cold    times the very first fit of the fresh worker (the model is created, nothing has run)
//   steady  runs the task for at least WARMUP_MS first (V8's optimizing tiers take over), then
//           times it repeatedly for at least MEASURE_MS and reports the median
// Replies once: { ms, loss, rowsPerRun }. 'js' is the plain-JavaScript reference trainer
// (plain-js-trainer.mjs), 'flat' the flat-array one (flat-js-trainer.mjs, flat-js-task.mjs), both
// started from the same parameters as the engines.
import { parentPort, workerData } from 'node:worker_threads';
import { createModel } from '../dist/index.js';
import { WORKLOADS } from '../dist/cli/bench-workloads.js';
import { createTrainer } from './plain-js-trainer.mjs';
import { flatFitTask } from './flat-js-task.mjs';

const WARMUP_MS = 500;
const MEASURE_MS = 300;
// task 'predict': the first PREDICT_ROWS rows of the data, one predict call per row, as an app
// answering requests would
const PREDICT_ROWS = 256;
const PREDICT_BATCH_ROWS = 10000;
const { id, engine, quick, task = 'fit', mode = 'steady' } = workerData;
const workload = WORKLOADS.find((w) => w.id === id);
const data = workload.data(quick);
const fit = workload.fit(quick);
const inputs = workload.spec.inputs, outputs = data.Y.length / data.rows;

const [kind, threadCount] = engine.split(':');
const threads = kind === 'wasm' ? Number(threadCount ?? 1) : 1;
const created = performance.now();
const model = await createModel({ ...workload.spec, engine: kind === 'js' || kind === 'flat' ? 'ts' : kind, ...(kind === 'wasm' ? { threads } : {}) });
// the first model of a process: with threads, its workers start here (createModel waits for them)
const createMs = performance.now() - created;
const start = model.getParamsFlat();

let runTask;
if (engine === 'js') {
  // arrays of rows, built once (a textbook program would hold its data this way from the start)
  const rowsOf = (flat, width) => Array.from({ length: data.rows }, (_, r) => Array.from(flat.subarray(r * width, (r + 1) * width)));
  const X = rowsOf(data.X, inputs), Y = rowsOf(data.Y, outputs);
  const params = model.getParams();
  runTask = () => {
    const t0 = performance.now();
    const trainer = createTrainer(workload.spec, params, fit);
    const order = Array.from({ length: data.rows }, (_, i) => i);
    let seed = 12345, loss = NaN;
    const random = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296; };
    for (let e = 0; e < fit.epochs; e++) {
      if (fit.shuffle !== false) {
        for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
      }
      loss = trainer.epoch(X, Y, order);
    }
    return { ms: performance.now() - t0, loss };
  };
} else if (engine === 'flat') {
  runTask = flatFitTask(workload.spec, model.getParams(), fit, data);
} else if (task === 'predict') {
  const predictRows = Array.from({ length: Math.min(PREDICT_ROWS, data.rows) }, (_, r) => ({ data: data.X.subarray(r * inputs, (r + 1) * inputs), rows: 1 }));
  runTask = () => {
    const t0 = performance.now();
    let check = 0;
    for (const row of predictRows) check += model.predict(row)[0];
    return { ms: performance.now() - t0, loss: check };
  };
} else if (task === 'predict-batch') {
  const batch = new Float64Array(PREDICT_BATCH_ROWS * inputs);
  for (let r = 0; r < PREDICT_BATCH_ROWS; r++) batch.set(data.X.subarray((r % data.rows) * inputs, (r % data.rows + 1) * inputs), r * inputs);
  const X = { data: batch, rows: PREDICT_BATCH_ROWS };
  runTask = () => {
    const t0 = performance.now();
    const out = model.predict(X);
    return { ms: performance.now() - t0, loss: out[out.length - 1] };
  };
} else {
  const X = { data: data.X, rows: data.rows }, Y = { data: data.Y, rows: data.rows };
  runTask = () => {
    model.setParams(start); // every run trains the same steps from the same start
    const t0 = performance.now();
    const history = model.fit(X, Y, fit);
    return { ms: performance.now() - t0, loss: history.loss[history.loss.length - 1] };
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let reply;
if (mode === 'cold') {
  reply = runTask();
} else {
  for (const t0 = performance.now(); performance.now() - t0 < WARMUP_MS;) runTask();
  const times = [];
  let last;
  for (const t0 = performance.now(); times.length === 0 || performance.now() - t0 < MEASURE_MS;) {
    last = runTask();
    times.push(last.ms);
  }
  reply = { ms: median(times), loss: last.loss };
}
const rowsPerRun = task === 'predict' ? Math.min(PREDICT_ROWS, data.rows) : task === 'predict-batch' ? PREDICT_BATCH_ROWS : data.rows * fit.epochs;
const usedThreads = model.threads;
model.dispose();
parentPort.postMessage({ ...reply, rowsPerRun, threads: usedThreads, createMs });
