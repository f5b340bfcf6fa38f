// `npm run bench`: training throughput of the WebAssembly engine, the pure-TypeScript engine and two
// plain-JavaScript reference trainers (plain-js-trainer.mjs, 'js': arrays of rows, nested loops, the
// same math; flat-js-trainer.mjs, 'flat': the same bits on flat Float64Arrays, written for speed) on
// the workloads W1–W6, side by side in one run.
//
//   sanity   first, the plain-JS trainers and both engines train each workload unshuffled for a few
//            epochs from the same parameters: their losses must agree to ~1e-12 (relative)
//   steady   every measurement runs in a fresh worker thread, which trains the workload for at least
//            500 ms before it times it (median of the fits of the next 300 ms, at least one); the
//            trainers take turns (interleaved, never concurrent, the order rotating each
//            round), and the table gives the median over ROUNDS rounds and the range of the ratios
//   cold     a fresh worker's very first fit (model created, nothing run yet), median over rounds
// Then single-row predict latency (784-128-10, one call per row), threads, and GEMM GFLOP/s.
//   threads  the WebAssembly engine on 1, 2, … threads (fresh worker each, interleaved, as steady):
//            every workload's fit, and one predict of 10,000 rows on W4's network; GFLOP/s counts
//            the products (forward, weight gradient, input gradient), speed-up against 1 thread
// The main table's 'wasm' runs on one thread, so its ratios compare kernels, not core counts.
// `--quick`: smaller workloads, fewer rounds; `--rounds=N`; `--only=W1,W3` (ids, or `predict`);
// `--only=threads` (the threads table alone; `--only=threads,W4,W5`: on those workloads, and
// `predict` for the 10,000-row predict); `--no-js`, `--no-cold`; `--threads=1,2,4` (default 1, 2 and
// the machine's cores); `--loaded` (the threads table also with one busy process beside the
// benchmark, which starts and ends it), `--loaded-only` (that table alone).
import { Worker } from 'node:worker_threads';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createModel } from '../dist/index.js';
// the workloads' one definition, shared with `wasmlp bench` (built by `npm run bench`'s prebench)
import { WORKLOADS } from '../dist/cli/bench-workloads.js';
import { createTrainer } from './plain-js-trainer.mjs';
import { createFlatTrainer } from './flat-js-trainer.mjs';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const withJs = !process.argv.includes('--no-js');
const withCold = !process.argv.includes('--no-cold');
// `--loaded`: the threads table again with one busy process beside it; `--loaded-only`: that table alone
const loaded = process.argv.includes('--loaded');
const loadedOnly = process.argv.includes('--loaded-only');
const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const ROUNDS = roundsArg ? Number(roundsArg.slice(9)) : quick ? 2 : 5;
/** Workloads whose first fit is timed apart (the small ones: a user's first network). */
const COLD = ['W1', 'W2', 'W3', 'W6'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// `--only=threads` runs the threads table alone, on every workload or on the ids given beside it
const onlyThreads = only?.includes('threads') ?? false;
const ids = only?.filter((id) => id !== 'threads' && id !== 'predict') ?? [];
const selected = WORKLOADS.filter((w) => (ids.length > 0 ? ids.includes(w.id) : !only || (onlyThreads && !w.id.includes('-'))));
const threadsArg = process.argv.find((a) => a.startsWith('--threads='));
const THREADS = threadsArg ? threadsArg.slice(10).split(',').map(Number) : [...new Set([1, 2, availableParallelism()])].sort((a, b) => a - b);

/** One measurement in a fresh worker: { ms, loss, rowsPerRun }. */
function measureOnce(id, engine, task, mode) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./engine-worker.mjs', import.meta.url), { workerData: { id, engine, quick, task, mode } });
    worker.once('message', (reply) => { resolve(reply); void worker.terminate(); });
    worker.once('error', reject);
  });
}

/** ROUNDS rounds, each one fresh worker per trainer in rotating order; per trainer the samples. */
async function measure(id, engines, task, mode) {
  const samples = Object.fromEntries(engines.map((e) => [e, []]));
  const creates = Object.fromEntries(engines.map((e) => [e, []]));
  let rowsPerRun = 0;
  const lastLoss = {};
  for (let round = 0; round < ROUNDS; round++) {
    const order = engines.map((_, i) => engines[(i + round) % engines.length]);
    for (const engine of order) {
      const reply = await measureOnce(id, engine, task, mode);
      samples[engine].push(reply.ms);
      creates[engine].push(reply.createMs);
      lastLoss[engine] = reply.loss;
      rowsPerRun = reply.rowsPerRun;
    }
  }
  return { samples, rowsPerRun, lastLoss, creates };
}

const ratioRange = (a, b) => {
  const r = a.map((x, i) => b[i] / x); // per round: how many times faster a is than b
  return `${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}x`;
};

// --- sanity: the three trainers agree ---------------------------------------------------------
if (!onlyThreads) {
  const rows = [];
  for (const w of selected) {
    const data = w.data(true);
    const fit = { ...w.fit(true), shuffle: false, epochs: Math.min(3, w.fit(true).epochs) };
    const K = data.Y.length / data.rows;
    const rowsOf = (flat, width) => Array.from({ length: data.rows }, (_, r) => Array.from(flat.subarray(r * width, (r + 1) * width)));
    const losses = {};
    let params;
    for (const engine of ['wasm', 'ts']) {
      const model = await createModel({ ...w.spec, engine });
      params ??= model.getParams();
      losses[engine] = model.fit({ data: data.X, rows: data.rows }, { data: data.Y, rows: data.rows }, fit).loss;
      model.dispose();
    }
    const trainer = createTrainer(w.spec, params, fit);
    const X = rowsOf(data.X, w.spec.inputs), Y = rowsOf(data.Y, K), order = X.map((_, i) => i);
    losses.js = Array.from({ length: fit.epochs }, () => trainer.epoch(X, Y, order));
    const flat = createFlatTrainer(w.spec, params, fit), flatOrder = Uint32Array.from(order);
    const flatSame = Array.from({ length: fit.epochs }, () => flat.epoch(data.X, data.Y, flatOrder)).every((v, e) => Object.is(v, losses.js[e]));
    const rel = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.abs(b[i])));
    const worst = Math.max(rel(losses.wasm, losses.js), rel(losses.ts, losses.js));
    rows.push({
      id: w.id, epochs: fit.epochs, 'loss (js)': losses.js.at(-1).toPrecision(12), 'max rel. diff wasm/ts vs js': worst.toExponential(1),
      'flat = js (bits)': flatSame ? 'yes' : 'NO', agree: worst <= 1e-12 && flatSame ? 'yes' : 'NO',
    });
  }
  console.log('Sanity: per-epoch losses of the engines and the plain-JS trainers (unshuffled, quick data, same start)');
  console.table(rows);
}

// --- steady state and cold first fit ---------------------------------------------------------
const engines = withJs ? ['wasm', 'ts', 'js', 'flat'] : ['wasm', 'ts'];
const steady = [], cold = [];
for (const w of onlyThreads ? [] : selected) {
  const fit = w.fit(quick);
  const { samples, rowsPerRun, lastLoss } = await measure(w.id, engines, 'fit', 'steady');
  const ms = Object.fromEntries(engines.map((e) => [e, median(samples[e])]));
  const rate = (e) => Math.round(rowsPerRun / (ms[e] / 1000)).toLocaleString('en-US');
  const row = { id: w.id, network: w.network, batch: fit.batchSize, epochs: fit.epochs, 'wasm samples/s': rate('wasm'), 'ts samples/s': rate('ts') };
  if (withJs) {
    row['js samples/s'] = rate('js');
    row['flat samples/s'] = rate('flat');
    for (const base of ['js', 'flat']) {
      for (const e of ['wasm', 'ts']) row[`${e}/${base}`] = `${(ms[base] / ms[e]).toFixed(2)}x (${ratioRange(samples[e], samples[base])})`;
    }
  }
  row['wasm/ts'] = `${(ms.ts / ms.wasm).toFixed(2)}x (${ratioRange(samples.wasm, samples.ts)})`;
  row['final loss wasm / ts'] = `${lastLoss.wasm.toPrecision(6)} / ${lastLoss.ts.toPrecision(6)}`;
  steady.push(row);
  if (withCold && COLD.includes(w.id)) {
    const c = await measure(w.id, engines, 'fit', 'cold');
    const crow = { id: w.id, network: w.network };
    for (const e of engines) crow[`${e} first fit ms`] = `${median(c.samples[e]).toFixed(1)} (${Math.min(...c.samples[e]).toFixed(1)}–${Math.max(...c.samples[e]).toFixed(1)})`;
    cold.push(crow);
  }
}
if (steady.length) {
  console.log(`Steady state: training throughput, median of ${ROUNDS} rounds (a fresh worker per measurement, ≥ 500 ms warm-up), ratio (range over rounds) (node ${process.version})`);
  console.table(steady);
}
if (cold.length) {
  console.log(`Cold: the first fit in a fresh worker, median (range) of ${ROUNDS} rounds`);
  console.table(cold);
}

if (!onlyThreads && (!only || only.includes('predict'))) {
  // W4's network and data; the same 256 rows, one predict call each
  const { samples, rowsPerRun } = await measure('W4', ['wasm', 'ts'], 'predict', 'steady');
  const perCall = (e) => (median(samples[e]) * 1000) / rowsPerRun;
  console.log(`Single-row predict, 784-128-10 sigmoid, one call per row, median of ${ROUNDS} rounds`);
  console.table([{ 'wasm µs/call': perCall('wasm').toFixed(1), 'ts µs/call': perCall('ts').toFixed(1), 'wasm/ts': `${(perCall('ts') / perCall('wasm')).toFixed(2)}x` }]);
}

// --- threads ------------------------------------------------------------------------------
/** Multiply-adds per row: forward, weight gradient, and the input gradient of every layer but the first. */
const macsPerRow = (spec, training) => {
  let inputs = spec.inputs, macs = 0;
  spec.layers.forEach((layer, l) => {
    const product = inputs * layer.units;
    macs += training ? product * (l === 0 ? 2 : 3) : product;
    inputs = layer.units;
  });
  return macs;
};
/** The threads table: every selected workload's fit and the 10,000-row predict on 1, 2, … threads. */
async function threadsTable(title) {
  const variants = THREADS.map((t) => `wasm:${t}`);
  const rows = [];
  const firsts = [];
  const predictBatch = ids.length === 0 || only.includes('predict') ? [{ w: WORKLOADS.find((w) => w.id === 'W4'), task: 'predict-batch' }] : [];
  const tasks = [...selected.map((w) => ({ w, task: 'fit' })), ...predictBatch];
  for (const { w, task } of tasks) {
    const { samples, rowsPerRun } = await measure(w.id, variants, task, 'steady');
    if (task === 'fit') firsts.push(await firstFit(w, variants));
    const ms = Object.fromEntries(variants.map((v) => [v, median(samples[v])]));
    const flops = 2 * macsPerRow(w.spec, task === 'fit') * rowsPerRun;
    const row = { id: task === 'fit' ? w.id : 'predict 10k', network: w.network, batch: task === 'fit' ? w.fit(quick).batchSize : 10000 };
    for (const v of variants) {
      const t = v.slice(5);
      row[`${t}T ms`] = ms[v].toFixed(1);
      row[`${t}T GFLOP/s`] = (flops / (ms[v] / 1000) / 1e9).toFixed(2);
      if (v !== variants[0]) row[`${t}T/1T`] = `${(ms[variants[0]] / ms[v]).toFixed(2)}x (${ratioRange(samples[v], samples[variants[0]])})`;
    }
    rows.push(row);
  }
  console.log(`Threads${title}: the WebAssembly engine on ${THREADS.join(', ')} threads (${availableParallelism()} cores), median of ${ROUNDS} rounds, speed-up (range over rounds)`);
  console.table(rows);
  console.log(`The pool's cost in a first fit${title}: a fresh worker's createModel (its pool's workers start there) and first fit, median of ${ROUNDS} rounds`);
  console.table(firsts);
}

/** createModel and the first fit of a fresh worker, on each thread count. */
async function firstFit(w, variants) {
  const { samples, creates } = await measure(w.id, variants, 'fit', 'cold');
  const row = { id: w.id, network: w.network };
  for (const v of variants) {
    const t = v.slice(5);
    row[`${t}T createModel ms`] = median(creates[v]).toFixed(1);
    row[`${t}T first fit ms`] = median(samples[v]).toFixed(1);
  }
  return row;
}

/**
 * One busy process beside the benchmark (a loop that never sleeps, as `yes > /dev/null` or a
 * browser tab would be), started before the table and ended after it.
 */
async function underLoad(run) {
  const busy = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 200));
  try {
    await run();
  } finally {
    busy.kill('SIGKILL');
  }
}

if (!only || only.includes('threads')) {
  if (!loadedOnly) await threadsTable('');
  if (loaded || loadedOnly) await underLoad(() => threadsTable(', with one busy process beside the benchmark'));
}

if (!only) {
  try {
    const { runGemmBench } = await import('./gemm.mjs');
    await runGemmBench({ quick, print: true });
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
}
