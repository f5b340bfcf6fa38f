// Momentum (classical, Nesterov), Adam and L2 weight decay against an oracle written here from the
// published formulas: a linear model y = W x + b under mse, whose gradient the test computes by hand
// (dL/dW = 2/(N K) Σ (ŷ − t) xᵀ, dL/db = 2/(N K) Σ (ŷ − t)). 20 full-batch steps, compared after
// every step to 1e-12 normwise; each step is its own fit call, so the state must carry over. The same
// on models of odd and even parameter counts, so the SIMD update loops' scalar tails are checked too.
import { describe, expect, it } from 'vitest';
import { createModel, OptionsError, type FitOptions } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { expectTypedError } from './helpers/errors.js';
import { mulberry32, normwise, randomMatrix } from './helpers/random.js';

const N = 9, IN = 3, OUT = 2;
const rand = mulberry32(77);
const X = randomMatrix(rand, N, IN);
const Y = randomMatrix(rand, N, OUT);
const W0 = randomMatrix(rand, OUT, IN);
const B0 = [0.1, -0.2];

/** A linear model's data: N rows of `inputs` features, `outputs` targets, and its starting parameters. */
interface Linear { inputs: number; outputs: number; X: number[][]; Y: number[][]; W0: number[][]; B0: number[] }

const BASE: Linear = { inputs: IN, outputs: OUT, X, Y, W0, B0 };

/** A linear model of another shape (its parameter count (inputs + 1) · outputs decides the update loops' scalar tail). */
function linear(inputs: number, outputs: number, seed: number): Linear {
  const r = mulberry32(seed);
  return { inputs, outputs, X: randomMatrix(r, N, inputs), Y: randomMatrix(r, N, outputs), W0: randomMatrix(r, outputs, inputs), B0: randomMatrix(r, 1, outputs)[0] };
}

/** θ = [W row by row, b]; gradient of mse for the linear model. */
function gradient(theta: number[], d: Linear = BASE): number[] {
  const { inputs, outputs } = d;
  const g = new Array(theta.length).fill(0);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < outputs; k++) {
      let yhat = theta[outputs * inputs + k];
      for (let i = 0; i < inputs; i++) yhat += theta[k * inputs + i] * d.X[n][i];
      const r = (2 / (N * outputs)) * (yhat - d.Y[n][k]);
      for (let i = 0; i < inputs; i++) g[k * inputs + i] += r * d.X[n][i];
      g[outputs * inputs + k] += r;
    }
  }
  return g;
}

type Oracle = (theta: number[], g: number[], t: number) => number[];

function sgdOracle(lr: number, decay: number): Oracle {
  return (theta, grad) => theta.map((w, i) => w - lr * (grad[i] + decay * w));
}

function momentumOracle(lr: number, mu: number, nesterov: boolean, decay: number, P = OUT * IN + OUT): Oracle {
  const buf = new Array(P).fill(0);
  return (theta, grad) =>
    theta.map((w, i) => {
      const g = grad[i] + decay * w;
      buf[i] = mu * buf[i] + g;
      return w - lr * (nesterov ? g + mu * buf[i] : buf[i]);
    });
}

function adamOracle(lr: number, b1: number, b2: number, eps: number, decay: number, P = OUT * IN + OUT): Oracle {
  const m = new Array(P).fill(0), v = new Array(P).fill(0);
  return (theta, grad, t) =>
    theta.map((w, i) => {
      const g = grad[i] + decay * w;
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const mHat = m[i] / (1 - b1 ** t), vHat = v[i] / (1 - b2 ** t);
      return w - (lr * mHat) / (Math.sqrt(vHat) + eps);
    });
}

const CASES: { name: string; options: FitOptions; oracle: (P?: number) => Oracle }[] = [
  { name: 'sgd with weight decay', options: { optimizer: 'sgd', learningRate: 0.1, weightDecay: 0.05 }, oracle: () => sgdOracle(0.1, 0.05) },
  { name: 'sgd', options: { optimizer: 'sgd', learningRate: 0.2 }, oracle: () => sgdOracle(0.2, 0) },
  { name: 'momentum', options: { optimizer: 'momentum', learningRate: 0.05 }, oracle: (P) => momentumOracle(0.05, 0.9, false, 0, P) },
  { name: 'Nesterov momentum, μ 0.8, decay', options: { optimizer: { name: 'momentum', momentum: 0.8, nesterov: true }, learningRate: 0.05, weightDecay: 0.01 }, oracle: (P) => momentumOracle(0.05, 0.8, true, 0.01, P) },
  { name: 'adam', options: { optimizer: 'adam', learningRate: 0.01 }, oracle: (P) => adamOracle(0.01, 0.9, 0.999, 1e-8, 0, P) },
  { name: 'adam, own betas, decay', options: { optimizer: { name: 'adam', beta1: 0.8, beta2: 0.99, epsilon: 1e-6 }, learningRate: 0.02, weightDecay: 0.1 }, oracle: (P) => adamOracle(0.02, 0.8, 0.99, 1e-6, 0.1, P) },
];

describe.each(ENGINES)('optimizers on the %s engine', (engine) => {
  for (const { name, options, oracle } of CASES) {
    it(`${name}: 20 steps agree with the formulas`, async () => {
      const model = await createModel({ inputs: IN, layers: [{ units: OUT, activation: 'identity' }], loss: 'mse', engine, params: [{ W: W0, b: B0 }] });
      const step = oracle();
      let theta = [...W0.flat(), ...B0];
      for (let t = 1; t <= 20; t++) {
        theta = step(theta, gradient(theta), t);
        model.fit(X, Y, { ...options, epochs: 1, batchSize: N, shuffle: false });
        expect(normwise(model.getParamsFlat(), theta), `${name}, step ${t}`).toBeLessThanOrEqual(1e-12);
      }
    });
  }

  // The update loops take two parameters per f64x2 step: an odd count leaves the last one to the
  // scalar tail, which must follow the same formula. 9 and 5 parameters (odd), 10 and 4 (even).
  for (const [inputs, outputs] of [[2, 3], [4, 1], [4, 2], [1, 2]]) {
    const d = linear(inputs, outputs, 31 * inputs + outputs);
    const P = (inputs + 1) * outputs;
    for (const { name, options, oracle } of CASES) {
      it(`${name}, ${P} parameters: 12 steps agree with the formulas, the last parameter too`, async () => {
        const model = await createModel({ inputs, layers: [{ units: outputs, activation: 'identity' }], loss: 'mse', engine, params: [{ W: d.W0, b: d.B0 }] });
        const step = oracle(P);
        let theta = [...d.W0.flat(), ...d.B0];
        for (let t = 1; t <= 12; t++) {
          theta = step(theta, gradient(theta, d), t);
          model.fit(d.X, d.Y, { ...options, epochs: 1, batchSize: N, shuffle: false });
          const got = model.getParamsFlat();
          expect(normwise(got, theta), `${name}, step ${t}`).toBeLessThanOrEqual(1e-12);
          expect(Math.abs(got[P - 1] - theta[P - 1]), `${name}, step ${t}, parameter ${P - 1}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(theta[P - 1])));
        }
      });
    }
  }

  it('changing the optimizer settings starts its state afresh', async () => {
    const spec = { inputs: IN, layers: [{ units: OUT, activation: 'identity' as const }], loss: 'mse' as const, engine, params: [{ W: W0, b: B0 }] };
    const a = await createModel(spec);
    a.fit(X, Y, { optimizer: 'adam', learningRate: 0.01, epochs: 3, batchSize: N, shuffle: false });
    a.fit(X, Y, { optimizer: { name: 'adam', beta1: 0.5 }, learningRate: 0.01, epochs: 2, batchSize: N, shuffle: false });
    const b = await createModel({ ...spec, params: a.getParams() });
    const c = await createModel(spec);
    c.fit(X, Y, { optimizer: 'adam', learningRate: 0.01, epochs: 3, batchSize: N, shuffle: false });
    // b starts fresh from c's end point only if the second fit of `a` reset Adam's state: compare one fresh step
    b.setParams(c.getParamsFlat());
    b.fit(X, Y, { optimizer: { name: 'adam', beta1: 0.5 }, learningRate: 0.01, epochs: 2, batchSize: N, shuffle: false });
    expect(a.getParamsFlat()).toEqual(b.getParamsFlat());
  });

  for (const optimizer of ['adam', 'sgd'] as const) {
    it(`frozen parameters stay bit-identical under ${optimizer} with weight decay`, async () => {
      const model = await createModel({ inputs: IN, layers: [{ units: 4, activation: 'tanh' }, { units: OUT, activation: 'identity' }], loss: 'mse', engine, seed: 5 });
      const before = model.getParamsFlat();
      model.fit(X, Y, { optimizer, learningRate: 0.05, weightDecay: 0.1, epochs: 10, batchSize: 4, trainable: ['0.W', '1.b'] });
      const after = model.getParamsFlat();
      const layer0W = IN * 4, layer0b = 4, layer1W = 4 * OUT;
      const frozen = (i: number) => (i >= layer0W && i < layer0W + layer0b) || (i >= layer0W + layer0b && i < layer0W + layer0b + layer1W);
      let changed = 0;
      after.forEach((v, i) => {
        if (frozen(i)) expect(Object.is(v, before[i]), `frozen parameter ${i}`).toBe(true);
        else if (v !== before[i]) changed++;
      });
      expect(changed).toBe(layer0W + OUT);
    });
  }

  it('rejects bad optimizer, trainable and stop-rule options with typed errors naming the field', async () => {
    const model = await createModel({ inputs: IN, layers: [{ units: OUT, activation: 'identity' }], loss: 'mse', engine });
    const before = model.getParamsFlat();
    const cases: [FitOptions, string, RegExp][] = [
      [{ optimizer: 'rmsprop' as never }, 'options.optimizer', /sgd, momentum, adam/],
      [{ optimizer: { name: 'adam', beta1: 1 } }, 'options.optimizer.beta1', /\[0, 1\)/],
      [{ optimizer: { name: 'momentum', momentum: -0.1 } }, 'options.optimizer.momentum', /\[0, 1\)/],
      [{ optimizer: { name: 'momentum', nesterov: 1 as never } }, 'options.optimizer.nesterov', /true or false/],
      [{ optimizer: { name: 'sgd', momentum: 0.9 } as never }, 'options.optimizer.momentum', /unknown option/],
      [{ trainable: ['2.W'] }, 'options.trainable[0]', /0\.W, 0\.b/],
      [{ trainable: [] }, 'options.trainable', /non-empty/],
      [{ weightDecay: -1 }, 'options.weightDecay', /non-negative/],
      [{ stepBelow: 0 }, 'options.stepBelow', /positive/],
      [{ lossBelow: NaN }, 'options.lossBelow', /finite/],
    ];
    for (const [options, path, words] of cases) {
      expectTypedError(() => model.fit(X, Y, options), OptionsError, path, words, JSON.stringify(options));
    }
    expect(model.getParamsFlat()).toEqual(before);
  });
});

describe.each(ENGINES)('learning on the %s engine', (engine) => {
  it('XOR (2-4-1) reaches 100% accuracy and stops on lossBelow', async () => {
    const model = await createModel({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'bce', seed: 1, engine });
    const X = [[0, 0], [0, 1], [1, 0], [1, 1]], Y = [[0], [1], [1], [0]];
    const history = model.fit(X, Y, { optimizer: 'adam', learningRate: 0.05, epochs: 5000, batchSize: 4, lossBelow: 0.02 });
    expect(history.stopReason).toBe('lossBelow');
    expect(history.loss[history.loss.length - 1]).toBeLessThan(0.02);
    expect(model.predict(X).map(([p]) => (p > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });

  it('the circle data set (2-8-8-1) reaches > 99% accuracy', async () => {
    const rand = mulberry32(9);
    const X: number[][] = [], Y: number[][] = [];
    for (let i = 0; i < 400; i++) {
      const inside = i % 2 === 0;
      const r = inside ? 0.5 * Math.sqrt(rand()) : Math.sqrt(0.49 + 0.51 * rand());
      const angle = 2 * Math.PI * rand();
      X.push([r * Math.cos(angle), r * Math.sin(angle)]);
      Y.push([inside ? 1 : 0]);
    }
    const model = await createModel({ inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'bce', seed: 2, engine });
    model.fit(X, Y, { optimizer: 'adam', learningRate: 0.02, epochs: 300, batchSize: 16 });
    const correct = model.predict(X).filter(([p], i) => (p > 0.5 ? 1 : 0) === Y[i][0]).length;
    expect(correct / X.length).toBeGreaterThan(0.99);
  });
});
