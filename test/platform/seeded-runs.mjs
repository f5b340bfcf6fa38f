// Seeded training runs whose results must be the same bytes wherever the WebAssembly engine runs.
// Plain JavaScript, loaded unchanged by Node and by a Chromium page, each passing in the `wasmlp`
// module it imported (the built package). Data come from an integer generator, so the inputs are
// identical too; everything after that is the library's.
import { mulberry32 } from '../helpers/mulberry32.mjs';

/** Every activation appears; shuffling is on; Adam, momentum and SGD; full, mini and single-row batches; scalers; dropout. */
export const SCENARIOS = [
  {
    name: '2-8-8-1 tanh/relu, sigmoid+bce, adam, batch 16, minmax inputs',
    spec: { inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], loss: 'bce', seed: 7 },
    rows: 200, targets: 'circle',
    fit: { epochs: 40, batchSize: 16, optimizer: 'adam', learningRate: 0.01, normalize: { inputs: 'minMax' } },
  },
  {
    name: '3-7-5-3 leaky_relu/softplus, softmax+cce, nesterov momentum, batch 8, standardized inputs',
    spec: { inputs: 3, layers: [{ units: 7, activation: 'leaky_relu', slope: 0.05 }, { units: 5, activation: 'softplus' }, { units: 3, activation: 'softmax' }], loss: 'cce', seed: 11 },
    rows: 150, targets: 'classes3',
    fit: { epochs: 30, batchSize: 8, optimizer: { name: 'momentum', momentum: 0.9, nesterov: true }, learningRate: 0.05, normalize: { inputs: 'standardize' } },
  },
  {
    name: '4-6-4-2 sigmoid/identity, identity+mse, adam with weight decay, full batch, scaled targets',
    spec: { inputs: 4, layers: [{ units: 6, activation: 'sigmoid' }, { units: 4, activation: 'identity' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 3 },
    rows: 64, targets: 'regression2',
    fit: { epochs: 200, batchSize: 64, optimizer: 'adam', learningRate: 0.02, weightDecay: 1e-4, normalize: { inputs: 'minMax', targets: 'standardize' } },
  },
  {
    name: '20-33-17-1 tanh/softplus, identity+ssr, sgd, stochastic (batch 1)',
    spec: { inputs: 20, layers: [{ units: 33, activation: 'tanh' }, { units: 17, activation: 'softplus' }, { units: 1, activation: 'identity' }], loss: 'ssr', seed: 2026 },
    rows: 120, targets: 'regression1',
    fit: { epochs: 5, batchSize: 1, optimizer: 'sgd', learningRate: 0.002 },
  },
  {
    name: '64-70-10 relu, softmax+cce, adam, batch 32 (SIMD GEMM path)',
    spec: { inputs: 64, layers: [{ units: 70, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cce', seed: 99 },
    rows: 256, targets: 'classes10',
    fit: { epochs: 8, batchSize: 32, optimizer: 'adam', learningRate: 0.003 },
  },
  {
    name: '4-12-10-2 tanh/relu with dropout 0.2/0.1, identity+mse, momentum, batch 12, standardized',
    spec: { inputs: 4, layers: [{ units: 12, activation: 'tanh', dropout: 0.2 }, { units: 10, activation: 'relu', dropout: 0.1 }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 31 },
    rows: 96, targets: 'regression2',
    fit: { epochs: 40, batchSize: 12, optimizer: 'momentum', learningRate: 0.02, normalize: { inputs: 'standardize', targets: 'standardize' } },
  },
];

function dataFor(scenario, seed) {
  const rand = mulberry32(seed);
  const { inputs } = scenario.spec;
  const outputs = scenario.spec.layers[scenario.spec.layers.length - 1].units;
  const X = [];
  const Y = [];
  for (let r = 0; r < scenario.rows; r++) {
    const x = Array.from({ length: inputs }, () => 4 * rand() - 2);
    let y;
    switch (scenario.targets) {
      case 'circle':
        y = [x[0] * x[0] + x[1] * x[1] < 1.5 ? 1 : 0];
        break;
      case 'classes3':
      case 'classes10': {
        const k = Math.floor(rand() * outputs);
        x[k % inputs] += 3;
        y = Array.from({ length: outputs }, (_, j) => (j === k ? 1 : 0));
        break;
      }
      case 'regression2':
        y = [x[0] * x[1] - x[2], 10 * x[3] + x[0]];
        break;
      default:
        y = [x.reduce((s, v, i) => s + (i % 2 === 0 ? v : -v), 0) * 0.1];
    }
    X.push(x);
    Y.push(y);
  }
  return { X, Y };
}

async function sha256(typed) {
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Trains every scenario on the given engine and returns, per scenario, SHA-256 hashes of the final
 * parameter bytes, of the predictions on held-out rows and of the loss history, plus a few plain
 * numbers for messages. `threads`: the spec's threads (default: the library's default); each result
 * then also says how many the model used and how many tiles its workers ran.
 */
export async function seededRuns(wasmlp, engine = 'wasm', threads = undefined) {
  const results = [];
  for (const [i, scenario] of SCENARIOS.entries()) {
    const train = dataFor(scenario, 1000 + i);
    const test = dataFor(scenario, 2000 + i);
    const model = await wasmlp.createModel({ ...scenario.spec, engine, ...(threads === undefined ? {} : { threads }) });
    const initial = model.getParamsFlat();
    const history = model.fit(train.X, train.Y, { shuffle: true, ...scenario.fit });
    const params = model.getParamsFlat();
    const predictions = model.predict(new Float64Array(test.X.flat()));
    const pool = model.engine?.poolStats?.() ?? { workers: 0, workerTiles: 0 };
    results.push({
      threads: model.threads,
      threadsNote: model.threadsNote ?? null,
      workerTiles: pool.workerTiles,
      name: scenario.name,
      paramsHash: await sha256(params),
      predictionsHash: await sha256(predictions),
      lossHash: await sha256(Float64Array.from(history.loss)),
      initialHash: await sha256(initial),
      epochs: history.epochs,
      finalLoss: history.loss[history.loss.length - 1],
      firstLoss: history.loss[0],
      firstParam: params[0],
    });
    model.dispose();
  }
  return results;
}
