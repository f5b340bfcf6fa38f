// `npm run bench`: training throughput of the WebAssembly engine against the pure-TypeScript engine
// on the workloads W1–W5, measured side by side in one run with tinybench. Each engine trains in a
// worker thread of its own; rounds alternate the two (interleaved, never concurrent) and the table
// reports the median fit time over all rounds. Then single-row predict latency (784-128-10, one call
// per row), then GEMM GFLOP/s. `--quick`: smaller workloads, fewer rounds; `--only=W1,W3`.
import { Bench } from 'tinybench';
import { Worker } from 'node:worker_threads';
// the workloads' one definition, shared with `wasmlp bench` (built by `npm run bench`'s prebench)
import { WORKLOADS } from '../dist/cli/bench-workloads.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const ROUNDS = quick ? 2 : 5;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A worker holding one engine's model of the workload; `run()` does the task once (a fit, or the one-row predicts) and reports its time. */
async function startEngine(id, engine, task) {
  const worker = new Worker(new URL('./engine-worker.mjs', import.meta.url), { workerData: { id, engine, quick, task } });
  const { rowsPerRun } = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    rowsPerRun,
    run: () => new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage('run');
    }),
    stop: () => worker.postMessage('stop'),
  };
}

async function measure(workload, task = 'fit') {
  const engines = { wasm: await startEngine(workload.id, 'wasm', task), ts: await startEngine(workload.id, 'ts', task) };
  const samples = { wasm: [], ts: [] };
  const lastLoss = {};
  await engines.wasm.run(); // warm-up: one fit each, one after the other
  await engines.ts.run();
  for (let round = 0; round < ROUNDS; round++) {
    // rounds alternate which engine goes first, so drift of the machine hits both alike; the two
    // workers never run at the same time
    const order = round % 2 ? ['ts', 'wasm'] : ['wasm', 'ts'];
    const bench = new Bench({ time: 0, warmupTime: 0, warmupIterations: 0, iterations: 1, retainSamples: true });
    for (const engine of order) {
      bench.add(engine, async () => {
        const { ms, loss } = await engines[engine].run();
        samples[engine].push(ms); // the fit's own time, without the message round trip
        lastLoss[engine] = loss;
      });
    }
    await bench.run();
  }
  engines.wasm.stop();
  engines.ts.stop();
  const rowsPerRun = engines.wasm.rowsPerRun;
  const row = {};
  for (const engine of ['wasm', 'ts']) {
    const ms = median(samples[engine]);
    row[engine] = { ms, samplesPerSecond: rowsPerRun / (ms / 1000), n: samples[engine].length };
  }
  return { row, lastLoss };
}

const results = [];
for (const workload of WORKLOADS) {
  if (only && !only.includes(workload.id)) continue;
  const { row, lastLoss } = await measure(workload);
  const fit = workload.fit(quick);
  results.push({
    id: workload.id,
    network: workload.network,
    'batch': fit.batchSize,
    'epochs': fit.epochs,
    'wasm samples/s': Math.round(row.wasm.samplesPerSecond).toLocaleString('en-US'),
    'ts samples/s': Math.round(row.ts.samplesPerSecond).toLocaleString('en-US'),
    'wasm/ts': `${(row.wasm.samplesPerSecond / row.ts.samplesPerSecond).toFixed(2)}x`,
    'wasm ms (median)': row.wasm.ms.toFixed(1),
    'ts ms (median)': row.ts.ms.toFixed(1),
    'runs': `${row.wasm.n}+${row.ts.n}`,
    'final loss wasm / ts': `${lastLoss.wasm.toPrecision(6)} / ${lastLoss.ts.toPrecision(6)}`,
  });
}
console.log(`Training throughput, mse, plain SGD unless marked adam, median of ${ROUNDS} interleaved rounds (node ${process.version})`);
console.table(results);

if (!only || only.includes('predict')) {
  // W4's network and data; the same 256 rows, one predict call each
  const { row } = await measure(WORKLOADS.find((w) => w.id === 'W4'), 'predict');
  const perCall = (side) => 1e6 / row[side].samplesPerSecond;
  console.log(`Single-row predict, 784-128-10 sigmoid, one call per row, median of ${ROUNDS} interleaved rounds`);
  console.table([{
    'wasm µs/call': perCall('wasm').toFixed(1),
    'ts µs/call': perCall('ts').toFixed(1),
    'wasm/ts': `${(row.wasm.samplesPerSecond / row.ts.samplesPerSecond).toFixed(2)}x`,
  }]);
}

try {
  const { runGemmBench } = await import('./gemm.mjs');
  await runGemmBench({ quick, print: true });
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
}
