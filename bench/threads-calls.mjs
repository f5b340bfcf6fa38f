// Threads on a model whose every call holds a single pass that splits: predicting batches of 100 rows
// through one 784-10 softmax layer (the 100 × 10 × 784 product splits; the 1,000-value softmax stays
// on the calling thread). The kernels' measure of whether the pool pays (assembly/pool.ts usePool)
// must count the time across such calls, or it never decides, and the model stays on the pool beside
// a busy process.
//
//   node bench/threads-calls.mjs [--loaded] [--rounds=N]
//
// Each measurement runs in a fresh worker thread: 1.5 s of warm-up, then the median over 1.5 s of
// 50 predict calls; 1 and 2 threads take turns (the order rotating each round). `--loaded`: one busy
// process beside the benchmark (started and ended here), as in bench/run.mjs --loaded. Needs the
// build (`npm run build`).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { spawn } from 'node:child_process';

const CALLS = 50;
const ROWS = 100;

if (!isMainThread) {
  const { createModel } = await import('../dist/index.js');
  const model = await createModel({ inputs: 784, layers: [{ units: 10, activation: 'softmax' }], loss: 'cce', threads: workerData.threads, seed: 1 });
  const X = Float64Array.from({ length: ROWS * 784 }, (_, i) => Math.sin(i));
  const run = () => {
    for (let i = 0; i < CALLS; i++) model.predict(X);
  };
  for (const t0 = performance.now(); performance.now() - t0 < 1500;) run();
  const times = [];
  for (const t0 = performance.now(); performance.now() - t0 < 1500;) {
    const a = performance.now();
    run();
    times.push(performance.now() - a);
  }
  times.sort((a, b) => a - b);
  parentPort.postMessage(times[times.length >> 1]);
  model.dispose();
} else {
  const loaded = process.argv.includes('--loaded');
  const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
  const rounds = roundsArg ? Number(roundsArg.slice(9)) : 5;
  const busy = loaded ? spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }) : null;
  const once = (threads) => new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { threads } });
    worker.once('message', (ms) => {
      resolve(ms);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
  const counts = [1, 2];
  const ms = { 1: [], 2: [] };
  try {
    for (let r = 0; r < rounds; r++) for (let i = 0; i < counts.length; i++) {
      const threads = counts[(i + r) % counts.length];
      ms[threads].push(await once(threads));
    }
  } finally {
    busy?.kill('SIGKILL');
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const ratios = ms[1].map((one, r) => one / ms[2][r]).sort((a, b) => a - b);
  console.log(`${CALLS} predict calls of ${ROWS} rows, 784-10 softmax${loaded ? ', one busy process beside the benchmark' : ''}, median of ${rounds} rounds`);
  console.table([{
    '1T ms': median(ms[1]).toFixed(1),
    '2T ms': median(ms[2]).toFixed(1),
    '2T/1T': `${median(ratios).toFixed(2)}x (${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)}x)`,
  }]);
}
