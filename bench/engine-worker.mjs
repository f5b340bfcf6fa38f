// One engine per worker thread: each engine trains in an isolate of its own, so neither pays for the
// other's side effects (growing a WebAssembly memory detaches its old buffer, after which V8's
// optimized typed-array code carries detach checks and plain-JS loops run ~10-20 % slower).
import { parentPort, workerData } from 'node:worker_threads';
import { createModel } from '../dist/index.js';
import { WORKLOADS } from '../dist/cli/bench-workloads.js';

const { id, engine, quick } = workerData;
const workload = WORKLOADS.find((w) => w.id === id);
const data = workload.data(quick);
const fit = workload.fit(quick);
const X = { data: data.X, rows: data.rows };
const Y = { data: data.Y, rows: data.rows };
const model = await createModel({ ...workload.spec, engine });
const start = model.getParamsFlat();

parentPort.on('message', (message) => {
  if (message === 'stop') {
    model.dispose();
    parentPort.close();
    return;
  }
  model.setParams(start); // every sample trains the same steps from the same start
  const t0 = performance.now();
  const history = model.fit(X, Y, fit);
  const ms = performance.now() - t0;
  parentPort.postMessage({ ms, loss: history.loss[history.loss.length - 1] });
});
// ready: tells the host how many rows one fit trains, so it need not build the data itself
parentPort.postMessage({ rowsPerFit: data.rows * fit.epochs });
