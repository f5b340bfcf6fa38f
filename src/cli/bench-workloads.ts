// The benchmark workloads W1–W6 (and W3/W4 with Adam): the one definition, used by `wasmlp bench`
// and by the repository's tinybench suite (bench/run.mjs imports the built copy of this module).
// Seeded data from the library's own generator, identical for both engines.
import type { FitOptions, ModelSpec } from '../index.js';
import { nextUniform, seedState } from '../layout/rng.js';

export interface Workload {
  id: string;
  network: string;
  spec: ModelSpec;
  data: (quick: boolean) => { X: Float64Array; Y: Float64Array; rows: number };
  fit: (quick: boolean) => FitOptions & { epochs: number };
}

/** Seeded uniform numbers in [0, 1). */
function uniform(seed: number): () => number {
  const state = seedState(seed);
  return () => nextUniform(state);
}

/** Half the points inside r < 0.5 (label 1), half in the ring 0.7 ≤ r < 1 (label 0). */
function circle(count: number, seed = 1) {
  const rand = uniform(seed);
  const X = new Float64Array(count * 2), Y = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const inside = i % 2 === 0;
    const r = inside ? 0.5 * Math.sqrt(rand()) : Math.sqrt(0.49 + 0.51 * rand());
    const angle = 2 * Math.PI * rand();
    X[2 * i] = r * Math.cos(angle);
    X[2 * i + 1] = r * Math.sin(angle);
    Y[i] = inside ? 1 : 0;
  }
  return { X, Y, rows: count };
}

/** x = 0.5 · prototype[class] + 0.5 · uniform noise, one-hot targets over `classes`. */
function prototypes(count: number, dims: number, classes: number, seed = 2) {
  const rand = uniform(seed);
  const protos = Array.from({ length: classes }, () => Float64Array.from({ length: dims }, rand));
  const X = new Float64Array(count * dims), Y = new Float64Array(count * classes);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    for (let d = 0; d < dims; d++) X[i * dims + d] = 0.5 * protos[c][d] + 0.5 * rand();
    Y[i * classes + c] = 1;
  }
  return { X, Y, rows: count };
}

const sigmoid = (units: number) => ({ units, activation: 'sigmoid' as const });

// W1 and W2 train 50,000 epochs so one fit lasts tens of milliseconds: at 10,000 a fit took 5-13 ms
// and the machine's noise decided the ratio (W2 measured 0.96x and 3.61x in two runs of one build).
export const WORKLOADS: Workload[] = [
  {
    id: 'W1', network: '1-2-1 softplus/identity',
    spec: { inputs: 1, layers: [{ units: 2, activation: 'softplus' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 1 },
    data: () => ({ X: Float64Array.of(0, 0.5, 1), Y: Float64Array.of(0, 1, 0), rows: 3 }),
    fit: (quick) => ({ epochs: quick ? 2000 : 50000, batchSize: 3, learningRate: 0.3, shuffle: false }),
  },
  {
    id: 'W2', network: '2-2-2 sigmoid/sigmoid (Mazur)',
    spec: {
      inputs: 2, layers: [sigmoid(2), sigmoid(2)], loss: 'mse',
      params: [{ W: [[0.15, 0.2], [0.25, 0.3]], b: [0.35, 0.35] }, { W: [[0.4, 0.45], [0.5, 0.55]], b: [0.6, 0.6] }],
    },
    data: () => ({ X: Float64Array.of(0.05, 0.1), Y: Float64Array.of(0.01, 0.99), rows: 1 }),
    fit: (quick) => ({ epochs: quick ? 2000 : 50000, batchSize: 1, learningRate: 0.5, shuffle: false }),
  },
  {
    id: 'W3', network: '2-8-8-1 tanh/tanh/sigmoid',
    spec: { inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }, sigmoid(1)], loss: 'mse', seed: 3 },
    data: () => circle(1000),
    fit: (quick) => ({ epochs: quick ? 10 : 50, batchSize: 32, learningRate: 2.0, shuffle: true }),
  },
  {
    id: 'W4', network: '784-128-10 sigmoid/sigmoid',
    spec: { inputs: 784, layers: [sigmoid(128), sigmoid(10)], loss: 'mse', seed: 4 },
    data: (quick) => prototypes(quick ? 1024 : 4096, 784, 10),
    fit: (quick) => ({ epochs: quick ? 1 : 2, batchSize: 64, learningRate: 5.0, shuffle: true }),
  },
  {
    id: 'W5', network: '256-512-512-10 sigmoid x3',
    spec: { inputs: 256, layers: [sigmoid(512), sigmoid(512), sigmoid(10)], loss: 'mse', seed: 5 },
    data: (quick) => prototypes(quick ? 512 : 2048, 256, 10),
    fit: () => ({ epochs: 1, batchSize: 128, learningRate: 5.0, shuffle: true }),
  },
];

// W6: the command line's typical case, a digits-shaped classifier (1,797 rows of 64 features and 10
// classes, as scikit-learn's digits; synthetic and seeded here).
WORKLOADS.push({
  id: 'W6', network: '64-32-10 relu/softmax (cce, adam)',
  spec: { inputs: 64, layers: [{ units: 32, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cce', seed: 6 },
  data: () => prototypes(1797, 64, 10, 6),
  fit: (quick) => ({ epochs: quick ? 2 : 10, batchSize: 32, learningRate: 0.01, optimizer: 'adam', shuffle: true }),
});

// The same networks and data trained with Adam (the trainer's richer update path).
for (const id of ['W3', 'W4']) {
  const base = WORKLOADS.find((w) => w.id === id)!;
  WORKLOADS.push({
    ...base,
    id: `${id}-adam`,
    network: `${base.network} (adam)`,
    fit: (quick) => ({ ...base.fit(quick), optimizer: 'adam', learningRate: 0.01 }),
  });
}

// W4 by stochastic gradient descent, one sample per update (as brain.js trains): every product of
// the step has a single row (or depth 1), the shapes the packed GEMM handles worst.
{
  const base = WORKLOADS.find((w) => w.id === 'W4')!;
  WORKLOADS.push({
    ...base,
    id: 'W4-sgd1',
    network: `${base.network} (batch 1)`,
    fit: () => ({ epochs: 1, batchSize: 1, learningRate: 0.5, shuffle: true }),
  });
}
