// gradCheck (central differences of the loss) against backpropagation on seeded random networks:
// every activation on hidden and output layers × every loss, the logit pairings (bce + sigmoid,
// cce + softmax) and the plain formulas (plainLoss) on outputs in (0, 1), depth 1–4, widths 1–7.
// Each network is also checked against an independent forward/backward pass written in this file,
// which picks the draws that float64 central differences can resolve (see `wellConditioned`).
// Then what a failing check reports, and that a check leaves the parameters bit for bit as they were.
import { describe, expect, it } from 'vitest';
import { createModel, type Activation, type LayerParams, type LayerSpec, type Loss, type Model, type ModelSpec } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { expectClose } from './helpers/reference.js';
import { mulberry32 } from './helpers/random.js';

type Rng = () => number;
const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();
const intIn = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/** A hidden/output activation with its slope: leaky_relu both with the default and with 0.2. */
interface Act {
  label: string;
  activation: Activation;
  slope?: number;
}
const ELEMENTWISE: Act[] = [
  { label: 'sigmoid', activation: 'sigmoid' },
  { label: 'tanh', activation: 'tanh' },
  { label: 'relu', activation: 'relu' },
  { label: 'leaky_relu', activation: 'leaky_relu' },
  { label: 'leaky_relu(0.2)', activation: 'leaky_relu', slope: 0.2 },
  { label: 'softplus', activation: 'softplus' },
  { label: 'identity', activation: 'identity' },
];
const SOFTMAX: Act = { label: 'softmax', activation: 'softmax' };

/** How the targets of an output are drawn. */
type Targets = 'real' | 'unit' | 'cce';

interface Head {
  label: string;
  output: Act;
  loss: Loss;
  plainLoss?: boolean;
  targets: Targets;
}

const HEADS: Head[] = [
  // regression losses on every output activation (softmax included)
  ...(['ssr', 'half_se', 'mse'] as const).flatMap((loss) =>
    [...ELEMENTWISE, SOFTMAX].map((output): Head => ({ label: `${output.label} + ${loss}`, output, loss, targets: output.activation === 'softmax' ? 'unit' : 'real' })),
  ),
  // from the logit
  { label: 'sigmoid + bce (logit)', output: { label: 'sigmoid', activation: 'sigmoid' }, loss: 'bce', targets: 'unit' },
  { label: 'softmax + cce (logit)', output: SOFTMAX, loss: 'cce', targets: 'cce' },
  // plain formulas on outputs that stay in (0, 1)
  { label: 'softmax + bce (plain)', output: SOFTMAX, loss: 'bce', plainLoss: true, targets: 'unit' },
  { label: 'sigmoid + cce (plain)', output: { label: 'sigmoid', activation: 'sigmoid' }, loss: 'cce', plainLoss: true, targets: 'cce' },
];

function layerSpec(act: Act, units: number): LayerSpec {
  return act.slope === undefined ? { units, activation: act.activation } : { units, activation: act.activation, slope: act.slope };
}

interface Net {
  spec: ModelSpec;
  layers: LayerSpec[];
  params: LayerParams[];
  X: number[][];
  Y: number[][];
  paramCount: number;
  /** [inputs, units] per layer, for naming parameters. */
  shapes: [number, number][];
}

/** A seeded random network, data and targets. `hidden` gives the activation of each hidden layer. */
function randomNet(seed: number, hidden: Act[], head: Head, engine: ModelSpec['engine']): Net {
  const rng = mulberry32(seed);
  const inputs = intIn(rng, 1, 7);
  const widths = hidden.map(() => intIn(rng, 1, 7));
  const outputs = head.output.activation === 'softmax' ? intIn(rng, 2, 7) : intIn(rng, 1, 7);
  const layers = [...hidden.map((act, l) => layerSpec(act, widths[l])), layerSpec(head.output, outputs)];
  const shapes: [number, number][] = [];
  let fanIn = inputs;
  const params: LayerParams[] = layers.map((layer) => {
    shapes.push([fanIn, layer.units]);
    const limit = Math.sqrt(3 / fanIn);
    const W = Array.from({ length: layer.units }, () => Array.from({ length: fanIn }, () => uniform(rng, -limit, limit)));
    // Rectifiers get positive-leaning biases, so most units are active and few sit near the kink.
    const rectifier = layer.activation === 'relu' || layer.activation === 'leaky_relu';
    const b = Array.from({ length: layer.units }, () => (rectifier ? uniform(rng, 0.1, 0.6) : uniform(rng, -0.5, 0.5)));
    fanIn = layer.units;
    return { W, b };
  });
  const rows = intIn(rng, 1, 3);
  // inputs away from 0 (|x| in [0.3, 1.5], either sign): no weight gradient is tiny because its input is
  const X = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => (rng() < 0.5 ? -1 : 1) * uniform(rng, 0.3, 1.5)));
  const Y = Array.from({ length: rows }, (_, r) => {
    switch (head.targets) {
      case 'real':
        return Array.from({ length: outputs }, () => uniform(rng, -1, 1));
      case 'unit':
        return Array.from({ length: outputs }, () => uniform(rng, 0.05, 0.95));
      case 'cce': {
        if (r % 2 === 0) {
          // one-hot
          const hot = intIn(rng, 0, outputs - 1);
          return Array.from({ length: outputs }, (_, k) => (k === hot ? 1 : 0));
        }
        // a probability row
        const w = Array.from({ length: outputs }, () => uniform(rng, 0.1, 1));
        const s = w.reduce((a, v) => a + v, 0);
        return w.map((v) => v / s);
      }
    }
  });
  const paramCount = shapes.reduce((n, [i, u]) => n + u * i + u, 0);
  const spec: ModelSpec = { inputs, layers, loss: head.loss, params, engine };
  if (head.plainLoss) spec.plainLoss = true;
  return { spec, layers, params, X, Y, paramCount, shapes };
}

// ---------------------------------------------------------------------------------------------
// An independent float64 forward/backward pass, written here from the formulas of the reference
// README. It is the oracle the gradients are compared with, and it decides whether a random draw is
// a network that central differences can check to 1e-6: in float64 a central difference of an O(1)
// loss is good to about 1e-10 absolute, so a gradient component far below 1e-4 (a unit on the 0.01
// side of a leaky_relu, a cancellation over rows) cannot be confirmed to 1e-6 relative, and a
// rectifier with z within a step of 0 is differenced across its kink. Such draws are replaced by the
// next seed; the choice depends on this file's math only, never on the code under test.
// ---------------------------------------------------------------------------------------------

function act(layer: LayerSpec, z: number[]): number[] {
  const slope = layer.slope ?? 0.01;
  switch (layer.activation) {
    case 'sigmoid': return z.map((v) => 1 / (1 + Math.exp(-v)));
    case 'tanh': return z.map(Math.tanh);
    case 'relu': return z.map((v) => (v > 0 ? v : 0));
    case 'leaky_relu': return z.map((v) => (v > 0 ? v : slope * v));
    case 'softplus': return z.map((v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
    case 'identity': return z.slice();
    case 'softmax': {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((acc, v) => acc + v, 0);
      return e.map((v) => v / s);
    }
  }
}

/** dL/dz from g = dL/da: g ⊙ f'(z), or the softmax Jacobian product a ⊙ (g − g·a). */
function actBackward(layer: LayerSpec, z: number[], a: number[], g: number[]): number[] {
  const slope = layer.slope ?? 0.01;
  switch (layer.activation) {
    case 'sigmoid': return g.map((v, k) => v * a[k] * (1 - a[k]));
    case 'tanh': return g.map((v, k) => v * (1 - a[k] * a[k]));
    case 'relu': return g.map((v, k) => (z[k] > 0 ? v : 0));
    case 'leaky_relu': return g.map((v, k) => (z[k] > 0 ? v : slope * v));
    case 'softplus': return g.map((v, k) => v / (1 + Math.exp(-z[k])));
    case 'identity': return g.slice();
    case 'softmax': {
      const dot = g.reduce((acc, v, k) => acc + v * a[k], 0);
      return g.map((v, k) => a[k] * (v - dot));
    }
  }
}

interface OracleResult {
  loss: number;
  gradsFlat: number[];
  /** z of every layer, [layer][row][unit]. */
  z: number[][][];
}

function oracle(net: Net): OracleResult {
  const { layers, params, X, Y } = net;
  const N = X.length;
  const last = layers[layers.length - 1];
  const K = last.units;
  const loss = net.spec.loss;
  const fused = (loss === 'bce' && last.activation === 'sigmoid') || (loss === 'cce' && last.activation === 'softmax');
  const scale = loss === 'ssr' ? 1 : loss === 'half_se' ? 0.5 : loss === 'cce' ? 1 / N : 1 / (N * K);
  const Z: number[][][] = [], A: number[][][] = [];
  let input = X;
  layers.forEach((layer, l) => {
    const { W, b } = params[l];
    const z = input.map((row) => W.map((w, j) => w.reduce((acc, v, i) => acc + v * row[i], b[j])));
    Z.push(z);
    A.push(z.map((row) => act(layer, row)));
    input = A[l];
  });
  const out = A[A.length - 1], zOut = Z[Z.length - 1];
  let sum = 0;
  // dL/da (plain) or dL/dz (from the logit), row by row
  let delta: number[][] = out.map((row, n) => {
    const t = Y[n];
    if (loss === 'ssr' || loss === 'half_se' || loss === 'mse') {
      row.forEach((a, k) => (sum += (a - t[k]) ** 2));
      return row.map((a, k) => 2 * scale * (a - t[k]));
    }
    if (loss === 'bce') {
      row.forEach((a, k) => (sum -= t[k] * Math.log(a) + (1 - t[k]) * Math.log(1 - a)));
      return row.map((a, k) => (fused ? scale * (a - t[k]) : (scale * (a - t[k])) / (a * (1 - a))));
    }
    row.forEach((a, k) => (sum -= t[k] * Math.log(a)));
    const tSum = t.reduce((acc, v) => acc + v, 0);
    return row.map((a, k) => (fused ? scale * (a * tSum - t[k]) : (-scale * t[k]) / a));
  });
  if (!fused) delta = delta.map((g, n) => actBackward(last, zOut[n], out[n], g));
  const grads: { W: number[][]; b: number[] }[] = [];
  for (let l = layers.length - 1; l >= 0; l--) {
    const aIn = l > 0 ? A[l - 1] : X;
    const { W } = params[l];
    const d = delta;
    grads[l] = {
      W: W.map((w, j) => w.map((_, i) => d.reduce((acc, row, n) => acc + row[j] * aIn[n][i], 0))),
      b: W.map((_, j) => d.reduce((acc, row) => acc + row[j], 0)),
    };
    if (l > 0) {
      delta = d.map((row, n) => {
        const g = aIn[n].map((_, i) => row.reduce((acc, v, j) => acc + v * W[j][i], 0));
        return actBackward(layers[l - 1], Z[l - 1][n], A[l - 1][n], g);
      });
    }
  }
  return { loss: sum * scale, gradsFlat: grads.flatMap((g) => [...g.W.flat(), ...g.b]), z: Z };
}

/** Epsilon of the agreement checks: balances round-off (~1e-16 · L / h) and truncation (~h² · third derivative). */
const EPSILON = 1e-5;

/** Whether central differences can confirm every gradient component of `net` to well under 1e-6. */
function wellConditioned(net: Net, o: OracleResult): boolean {
  const floor = 1e-3 * Math.max(1, Math.abs(o.loss));
  if (!o.gradsFlat.every((g) => g === 0 || Math.abs(g) >= floor)) return false;
  return net.layers.every(
    (layer, l) => !(layer.activation === 'relu' || layer.activation === 'leaky_relu') || o.z[l].every((row) => row.every((v) => Math.abs(v) >= 1e-3)),
  );
}

/** The first well-conditioned network drawn from seed, seed + 1000003, … (deterministic). */
function pickNet(seed: number, hidden: Act[], head: Head, engine: ModelSpec['engine']): { net: Net; ref: OracleResult } {
  for (let attempt = 0; attempt < 400; attempt++) {
    const net = randomNet(seed + attempt * 1_000_003, hidden, head, engine);
    const ref = oracle(net);
    if (wellConditioned(net, ref)) return { net, ref };
  }
  throw new Error(`no well-conditioned network for seed ${seed} in 400 draws`);
}

/** The name of flat parameter `index` in the layout: layer 0 W row by row, layer 0 b, layer 1 W, … */
function nameOf(shapes: [number, number][], index: number): { layer: number; tensor: 'W' | 'b'; row: number; col: number; name: string } {
  let at = 0;
  for (let l = 0; l < shapes.length; l++) {
    const [inputs, units] = shapes[l];
    if (index < at + inputs * units) {
      const k = index - at;
      const row = Math.floor(k / inputs), col = k % inputs;
      return { layer: l, tensor: 'W', row, col, name: `layers[${l}].W[${row}][${col}]` };
    }
    at += inputs * units;
    if (index < at + units) return { layer: l, tensor: 'b', row: index - at, col: 0, name: `layers[${l}].b[${index - at}]` };
    at += units;
  }
  throw new Error(`index ${index} out of range`);
}

const bytes = (a: Float64Array) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

/** Runs gradCheck on a net and checks everything the report says, and that params did not move. */
async function checkNet(net: Net, ref: OracleResult): Promise<void> {
  const model = await createModel(net.spec);
  const before = model.getParamsFlat();
  expect(before.length).toBe(net.paramCount);
  // backprop agrees with the oracle of this file
  const g = model.gradients(net.X, net.Y);
  expectClose(g.loss, ref.loss, 1e-12, 'loss');
  expectClose(Array.from(g.gradsFlat), ref.gradsFlat, 1e-9, 'gradsFlat');

  const report = model.gradCheck(net.X, net.Y, { epsilon: EPSILON });
  expect(bytes(model.getParamsFlat()), 'params bit-identical after gradCheck').toEqual(bytes(before));
  expect(report.checked).toBe(net.paramCount);
  expect(Number.isFinite(report.maxRelativeError), `maxRelativeError ${report.maxRelativeError}`).toBe(true);
  expect(report.maxRelativeError).toBeGreaterThanOrEqual(0);
  if (!(report.maxRelativeError < 1e-6)) {
    expect.fail(`max relative error ${report.maxRelativeError} at ${report.worst.name}: analytic ${report.worst.analytic}, numeric ${report.worst.numeric}`);
  }
  expect(report.passed).toBe(true);
  expectWorstConsistent(model, net, report.worst);
  // the numeric derivative of the worst parameter agrees with the oracle's gradient too
  const i = report.worst.index;
  expect(Math.abs(report.worst.numeric - ref.gradsFlat[i])).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(ref.gradsFlat[i]), 1e-8));
  model.dispose();
}

function expectWorstConsistent(model: Model, net: Net, worst: ReturnType<Model['gradCheck']>['worst']): void {
  expect(Number.isInteger(worst.index)).toBe(true);
  expect(worst.index).toBeGreaterThanOrEqual(0);
  expect(worst.index).toBeLessThan(net.paramCount);
  const want = nameOf(net.shapes, worst.index);
  expect({ name: worst.name, layer: worst.layer, tensor: worst.tensor, row: worst.row, col: worst.col }).toEqual(want);
  // the analytic value is the backprop gradient of that parameter
  const g = model.gradients(net.X, net.Y);
  expect(worst.analytic).toBe(g.gradsFlat[worst.index]);
  const tensor = g.grads[worst.layer][worst.tensor];
  expect(worst.tensor === 'W' ? (tensor as number[][])[worst.row][worst.col] : (tensor as number[])[worst.row]).toBe(worst.analytic);
  expect(Number.isFinite(worst.numeric)).toBe(true);
}

describe.each(ENGINES)('gradCheck agrees with backprop on the %s engine', (engine) => {
  let seed = 1000;
  for (const head of HEADS) {
    describe(head.label, () => {
      const s1 = seed++;
      it('depth 1', async () => {
        const { net, ref } = pickNet(s1, [], head, engine);
        await checkNet(net, ref);
      });
      ELEMENTWISE.forEach((act, k) => {
        const depth = 2 + (k % 3); // 2, 3, 4
        const s = seed++;
        it(`hidden ${act.label}, depth ${depth}`, async () => {
          const { net, ref } = pickNet(s, Array.from({ length: depth - 1 }, () => act), head, engine);
          await checkNet(net, ref);
        });
      });
    });
  }

  describe('mixed hidden activations, depth 4', () => {
    for (let k = 0; k < 12; k++) {
      const s = 5000 + k;
      const head = HEADS[(k * 7) % HEADS.length];
      it(`seed ${s}, ${head.label}`, async () => {
        const rng = mulberry32(s * 31);
        const hidden = [0, 1, 2].map(() => ELEMENTWISE[intIn(rng, 0, ELEMENTWISE.length - 1)]);
        const { net, ref } = pickNet(s, hidden, head, engine);
        await checkNet(net, ref);
      });
    }
  });

  it('with the seeded initializer (no explicit params), every init', async () => {
    const head = HEADS.find((h) => h.label === 'softmax + cce (logit)')!;
    for (const init of ['auto', 'glorot', 'he'] as const) {
      // The initializer's parameters are inputs of the oracle here; the draw (shapes, data) moves on
      // until the network is well-conditioned.
      let checked = false;
      for (let attempt = 0; attempt < 400 && !checked; attempt++) {
        const net = randomNet(77 + attempt, [ELEMENTWISE[0], ELEMENTWISE[2]], head, engine);
        delete net.spec.params;
        net.spec.init = init;
        net.spec.seed = 123;
        const model = await createModel(net.spec);
        net.params = model.getParams();
        model.dispose();
        const ref = oracle(net);
        if (!wellConditioned(net, ref)) continue;
        await checkNet(net, ref);
        checked = true;
      }
      expect(checked, `a well-conditioned draw for init ${init}`).toBe(true);
    }
  });

  it('with flat Float64Array data', async () => {
    const { net, ref } = pickNet(4242, [ELEMENTWISE[1], ELEMENTWISE[5]], HEADS[0], engine);
    const model = await createModel(net.spec);
    const X = new Float64Array(net.X.flat());
    const Y = { data: new Float64Array(net.Y.flat()), rows: net.Y.length };
    const report = model.gradCheck(X, Y, { epsilon: EPSILON });
    expect(report.passed).toBe(true);
    expect(report.maxRelativeError).toBeLessThan(1e-6);
    expect(report.checked).toBe(net.paramCount);
    expect(Math.abs(report.worst.numeric - ref.gradsFlat[report.worst.index])).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(ref.gradsFlat[report.worst.index]), 1e-8));
    model.dispose();
  });
});

describe.each(ENGINES)('a failing gradCheck on the %s engine', (engine) => {
  it('a relu kink at z = 0 exactly: names the bias crossing it, analytic 0, numeric ½ · dL/da', async () => {
    // layer 0: identity 1 → 1 (W = 1, b = 0); layer 1: relu 1 → 2, W = [[1], [0]], b = [0.5, 0];
    // layer 2: identity 2 → 1, W = [[1, 1]], b = 0. X = 0, Y = −1, half_se.
    // z1 = [0.5, 0]: unit 1 sits on the kink. relu'(0) = 0, so dL/db1[1] = 0, while the central
    // difference sees the right-hand slope only: (½(1.5 + h)² − ½ 1.5²) / 2h = 0.75 + h/4.
    // Every other parameter either has input 0 or stays off the kink: relative error ~1e-10 or 0.
    const spec: ModelSpec = {
      inputs: 1,
      layers: [{ units: 1, activation: 'identity' }, { units: 2, activation: 'relu' }, { units: 1, activation: 'identity' }],
      loss: 'half_se',
      params: [
        { W: [[1]], b: [0] },
        { W: [[1], [0]], b: [0.5, 0] },
        { W: [[1, 1]], b: [0] },
      ],
      engine,
    };
    const model = await createModel(spec);
    const before = model.getParamsFlat();
    const report = model.gradCheck([[0]], [[-1]]);
    expect(bytes(model.getParamsFlat())).toEqual(bytes(before));
    expect(report.passed).toBe(false);
    expect(report.checked).toBe(1 + 1 + 2 + 2 + 2 + 1);
    expect(report.maxRelativeError).toBeCloseTo(1, 12);
    expect(report.worst).toMatchObject({ index: 5, name: 'layers[1].b[1]', layer: 1, tensor: 'b', row: 1, col: 0, analytic: 0 });
    expect(report.worst.numeric).toBeCloseTo(0.75, 6);
    // the same check with a tolerance above the error passes, and reports the same parameter
    const loose = model.gradCheck([[0]], [[-1]], { tolerance: 2 });
    expect(loose.passed).toBe(true);
    expect(loose.worst.index).toBe(5);
    model.dispose();
  });

  it('a leaky_relu kink: analytic slope · g, numeric (1 + slope)/2 · g', async () => {
    // one leaky_relu unit (slope 0.2), X = 0, b = 0: z = 0. half_se with Y = −1, so dL/da = a + 1 = 1 at a = 0.
    // analytic dL/db = 0.2; numeric ≈ (1 + 0.2)/2 = 0.6 (+ O(h)); relative error (0.6 − 0.2)/0.6 = 2/3.
    const model = await createModel({
      inputs: 1, layers: [{ units: 1, activation: 'leaky_relu', slope: 0.2 }], loss: 'half_se', params: [{ W: [[3]], b: [0] }], engine,
    });
    const report = model.gradCheck([[0]], [[-1]]);
    expect(report.passed).toBe(false);
    expect(report.worst).toMatchObject({ index: 1, name: 'layers[0].b[0]', layer: 0, tensor: 'b', row: 0, col: 0 });
    expect(report.worst.analytic).toBeCloseTo(0.2, 14);
    expect(report.worst.numeric).toBeCloseTo(0.6, 5);
    expect(report.maxRelativeError).toBeCloseTo(2 / 3, 5);
    model.dispose();
  });

  it('a tiny tolerance fails a correct network; worst names a real parameter; params bit-identical', async () => {
    let failures = 0;
    for (let s = 0; s < 8; s++) {
      const head = HEADS[(s * 5) % HEADS.length];
      const net = randomNet(9000 + s, [ELEMENTWISE[s % ELEMENTWISE.length], ELEMENTWISE[(s + 3) % ELEMENTWISE.length]], head, engine);
      const model = await createModel(net.spec);
      const before = model.getParamsFlat();
      // epsilon 1e-3: the O(h²) truncation error of the central difference stands well above round-off
      const report = model.gradCheck(net.X, net.Y, { tolerance: 1e-300, epsilon: 1e-3, absoluteTolerance: 0 });
      expect(bytes(model.getParamsFlat()), 'params bit-identical').toEqual(bytes(before));
      expect(report.passed).toBe(report.maxRelativeError <= 1e-300);
      if (!report.passed) failures++;
      expectWorstConsistent(model, net, report.worst);
      // worst.numeric is the central difference the docs define, h = epsilon · max(1, |θ|): recompute
      // it through the public API (setParams + loss), then restore.
      const i = report.worst.index;
      const theta = before[i];
      const h = 1e-3 * Math.max(1, Math.abs(theta));
      const p = before.slice();
      p[i] = theta + h;
      model.setParams(p);
      const plus = model.loss(net.X, net.Y);
      p[i] = theta - h;
      model.setParams(p);
      const minus = model.loss(net.X, net.Y);
      model.setParams(before);
      const numeric = (plus - minus) / (2 * h);
      expect(Math.abs(numeric - report.worst.numeric)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(numeric), 1e-8));
      model.dispose();
    }
    // floating-point central differences are never exact on all of 8 random networks
    expect(failures).toBeGreaterThan(0);
  });

  it('a correct gradient near 0 (a fitted model) passes: round-off of the losses is not an error', async () => {
    // least squares through (0, 1), (1, 2), (2, 4): w = 3/2, b = 5/6, so dL/dθ = 0 up to round-off,
    // while the central difference of the mse (0.0556) carries about ε · L / h ≈ 1e-11 of noise.
    const model = await createModel({
      inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', params: [{ W: [[1.5]], b: [5 / 6] }], engine,
    });
    const X = [[0], [1], [2]], Y = [[1], [2], [4]];
    const { gradsFlat } = model.gradients(X, Y);
    expect(Math.max(...gradsFlat.map(Math.abs))).toBeLessThan(1e-14);
    const report = model.gradCheck(X, Y);
    expect(report.passed).toBe(true);
    expect(report.maxRelativeError).toBe(0);
    model.dispose();
  });

  it('parameters of a larger network are bit-identical after gradCheck, also with a large epsilon', async () => {
    const net = randomNet(31337, [ELEMENTWISE[0], ELEMENTWISE[3], ELEMENTWISE[5]], HEADS[HEADS.length - 3], engine);
    const model = await createModel(net.spec);
    const before = model.getParamsFlat();
    const out = model.forward(net.X);
    for (const epsilon of [1e-6, 1e-3, 0.1, 0.7]) {
      model.gradCheck(net.X, net.Y, { epsilon });
      expect(bytes(model.getParamsFlat()), `epsilon ${epsilon}`).toEqual(bytes(before));
      expect(model.forward(net.X)).toEqual(out);
    }
    model.dispose();
  });
});

describe.each(ENGINES)('gradCheck on a network whose loss is not finite, on the %s engine', (engine) => {
  it('fails instead of passing, and rejects options that are not an object', async () => {
    const model = await createModel({ inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'ssr', engine, params: [{ W: [[1e200]], b: [0] }] });
    const report = model.gradCheck([[1e200]], [[0]]);
    expect(report.passed).toBe(false);
    expect(report.maxRelativeError).toBe(Infinity);
    expect(() => model.gradCheck([[1]], [[0]], null as unknown as object)).toThrow(/options: expected an object/);
    expect(() => model.gradCheck([[1]], [[0]], { epsilon: null as unknown as number })).toThrow(/options\.epsilon/);
  });
});
