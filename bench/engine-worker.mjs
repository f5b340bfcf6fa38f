// One engine per worker thread: each engine trains in an isolate of its own, so neither pays for the
// other's side effects (growing a WebAssembly memory detaches its old buffer, after which V8's
// optimized typed-array code carries detach checks and plain-JS loops run ~10-20 % slower).
import { parentPort, workerData } from 'node:worker_threads';
import { createModel } from '../dist/index.js';
import { WORKLOADS } from '../dist/cli/bench-workloads.js';

// task 'fit': one run trains the workload's fit from the same start; task 'predict': one run predicts
// the first PREDICT_ROWS rows of its data one call per row, as an app answering requests would.
const PREDICT_ROWS = 256;
const { id, engine, quick, task = 'fit' } = workerData;
const workload = WORKLOADS.find((w) => w.id === id);
const data = workload.data(quick);
const fit = workload.fit(quick);
const X = { data: data.X, rows: data.rows };
const Y = { data: data.Y, rows: data.rows };
const model = await createModel({ ...workload.spec, engine });
const start = model.getParamsFlat();
const inputs = workload.spec.inputs;
const predictRows = Array.from({ length: Math.min(PREDICT_ROWS, data.rows) }, (_, r) => ({ data: data.X.subarray(r * inputs, (r + 1) * inputs), rows: 1 }));

/** One run of the task: its wall time, and a value that depends on every result (so none is skipped). */
function runTask() {
  if (task === 'predict') {
    const t0 = performance.now();
    let check = 0;
    for (const row of predictRows) check += model.predict(row)[0];
    return { ms: performance.now() - t0, loss: check };
  }
  model.setParams(start); // every sample trains the same steps from the same start
  const t0 = performance.now();
  const history = model.fit(X, Y, fit);
  return { ms: performance.now() - t0, loss: history.loss[history.loss.length - 1] };
}

parentPort.on('message', (message) => {
  if (message === 'stop') {
    model.dispose();
    parentPort.close();
    return;
  }
  parentPort.postMessage(runTask());
});
// ready: tells the host how many rows one run handles, so it need not build the data itself
parentPort.postMessage({ rowsPerRun: task === 'predict' ? predictRows.length : data.rows * fit.epochs });
