// `npm run bench`: training throughput of the WebAssembly engine against the pure-TypeScript engine
// on the workloads W1–W5, measured side by side in one run with tinybench: rounds alternate the two
// engines (interleaved) and the table reports the median over every sample; then GEMM GFLOP/s.
// `node bench/run.mjs --quick` runs fewer rounds.
import { Bench } from 'tinybench';
import { createModel } from '../dist/index.js';
import { WORKLOADS } from './fixtures.mjs';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const ROUNDS = quick ? 2 : 5;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(workload) {
  const data = workload.data();
  const X = { data: data.X, rows: data.rows };
  const Y = { data: data.Y, rows: data.rows };
  const models = {
    wasm: await createModel({ ...workload.spec, engine: 'wasm' }),
    ts: await createModel({ ...workload.spec, engine: 'ts' }),
  };
  const start = models.wasm.getParamsFlat();
  const samples = { wasm: [], ts: [] };
  let lastLoss = {};
  for (let round = 0; round < ROUNDS; round++) {
    // alternate which engine goes first, so drift of the machine hits both alike
    const order = round % 2 ? ['ts', 'wasm'] : ['wasm', 'ts'];
    const bench = new Bench({ time: 0, warmupTime: 0, retainSamples: true, warmupIterations: round === 0 ? 1 : 0, iterations: 1 });
    for (const engine of order) {
      bench.add(engine, () => {
        models[engine].setParams(start); // every sample trains the same steps from the same start
        const history = models[engine].fit(X, Y, workload.fit);
        lastLoss[engine] = history.loss[history.loss.length - 1];
      });
    }
    await bench.run();
    for (const task of bench.tasks) samples[task.name].push(...task.result.latency.samples);
  }
  const rowsTrained = data.rows * workload.fit.epochs;
  const row = {};
  for (const engine of ['wasm', 'ts']) {
    const ms = median(samples[engine]);
    row[engine] = { ms, samplesPerSecond: rowsTrained / (ms / 1000), n: samples[engine].length };
  }
  models.wasm.dispose();
  models.ts.dispose();
  return { row, lastLoss };
}

const results = [];
for (const workload of WORKLOADS) {
  if (only && !only.includes(workload.id)) continue;
  const { row, lastLoss } = await measure(workload);
  results.push({
    id: workload.id,
    network: workload.network,
    'batch': workload.fit.batchSize,
    'epochs': workload.fit.epochs,
    'wasm samples/s': Math.round(row.wasm.samplesPerSecond).toLocaleString('en-US'),
    'ts samples/s': Math.round(row.ts.samplesPerSecond).toLocaleString('en-US'),
    'wasm/ts': `${(row.wasm.samplesPerSecond / row.ts.samplesPerSecond).toFixed(2)}x`,
    'wasm ms (median)': row.wasm.ms.toFixed(1),
    'ts ms (median)': row.ts.ms.toFixed(1),
    'runs': `${row.wasm.n}+${row.ts.n}`,
    'final loss wasm / ts': `${lastLoss.wasm.toPrecision(6)} / ${lastLoss.ts.toPrecision(6)}`,
  });
}
console.log(`Training throughput, plain SGD, mse, median of ${ROUNDS} interleaved rounds (node ${process.version})`);
console.table(results);

try {
  const { runGemmBench } = await import('./gemm.mjs');
  await runGemmBench({ quick });
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
}
