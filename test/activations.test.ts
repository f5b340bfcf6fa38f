// The activation table of test/fixtures/reference/activations.json (values and derivatives at 0, ±0.5, ±1,
// ±20, ±40, ±1000, computed by an independent float64 oracle): the scalar TypeScript functions, and every
// engine through a 1-input 1-unit layer (W = [[1]], b = [0]). Then softmax, cce and bce at |z| = 1000.
import { describe, expect, it } from 'vitest';
import { createModel, type Activation, type LayerSpec } from '../src/index.js';
import { sigmoid, sigmoid_derivative, softplus, tanh_derivative } from '../src/engine/ts/activations.js';
import { ENGINES } from './helpers/engines.js';
import { loadReference } from './helpers/reference.js';

const REL = 1e-12;
const ZERO_TOL = 1e-300;

const ref = loadReference('activations');
const XS: number[] = ref.x;
const TABLE: Record<string, { value: number[]; derivative: number[] }> = ref.table;
const NAMES = Object.keys(TABLE) as Activation[];

/** |got − ref| ≤ 1e-12 · |ref|; an exact 0 of the table must be 0 within 1e-300. Never NaN or ±Infinity. */
function expectAgrees(got: number, want: number, what: string): void {
  expect(Number.isFinite(got), `${what}: ${got} is finite`).toBe(true);
  const tol = want === 0 ? ZERO_TOL : REL * Math.abs(want);
  const err = Math.abs(got - want);
  if (!(err <= tol)) expect.fail(`${what}: got ${got}, reference ${want}, |error| ${err} > ${tol}`);
}

function expectRowsAgree(got: number[], want: number[], what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  want.forEach((w, i) => expectAgrees(got[i], w, `${what} at x = ${XS[i]}`));
}

describe('the reference table', () => {
  it('covers every elementwise activation at ±1000', () => {
    expect([...NAMES].sort()).toEqual(['identity', 'leaky_relu', 'relu', 'sigmoid', 'softplus', 'tanh']);
    expect(XS).toContain(1000);
    expect(XS).toContain(-1000);
    for (const name of NAMES) {
      expect(TABLE[name].value.length).toBe(XS.length);
      expect(TABLE[name].derivative.length).toBe(XS.length);
    }
  });
});

describe('scalar TypeScript activations against the table', () => {
  const cases: [string, (x: number) => number, number[]][] = [
    ['sigmoid', sigmoid, TABLE.sigmoid.value],
    ['sigmoid_derivative', sigmoid_derivative, TABLE.sigmoid.derivative],
    ['Math.tanh', Math.tanh, TABLE.tanh.value],
    ['tanh_derivative', tanh_derivative, TABLE.tanh.derivative],
    ['softplus', softplus, TABLE.softplus.value],
    ['sigmoid as softplus_derivative', sigmoid, TABLE.softplus.derivative],
  ];
  it.each(cases)('%s', (name, f, want) => {
    expectRowsAgree(XS.map(f), want, name);
  });

  it('derivatives in the tails are not flushed to 0 (|x| = 20, 40)', () => {
    for (const x of [-40, -20, 20, 40]) {
      expect(sigmoid_derivative(x), `sigmoid'(${x})`).toBeGreaterThan(0);
      expect(tanh_derivative(x), `tanh'(${x})`).toBeGreaterThan(0);
    }
  });
});

function layerFor(activation: Activation): LayerSpec {
  return activation === 'leaky_relu' ? { units: 1, activation, slope: 0.01 } : { units: 1, activation };
}

describe.each(ENGINES)('activations on the %s engine against the table', (engine) => {
  const X = XS.map((x) => [x]);

  it.each(NAMES)('%s: forward gives the value', async (activation) => {
    const model = await createModel({
      inputs: 1, layers: [layerFor(activation)], loss: 'half_se', params: [{ W: [[1]], b: [0] }], engine,
    });
    const out = model.forward(X);
    expect(out.length).toBe(XS.length);
    expectRowsAgree(out.map((row) => row[0]), TABLE[activation].value, `${activation} value`);
    model.dispose();
  });

  it.each(NAMES)('%s: delta with half_se and Y = output − 1 gives the derivative', async (activation) => {
    const model = await createModel({
      inputs: 1, layers: [layerFor(activation)], loss: 'half_se', params: [{ W: [[1]], b: [0] }], engine,
    });
    // half_se = ½ Σ (a − t)²: dL/da = a − t = 1, so dL/dz = f'(z) · 1, and z = x.
    const Y = TABLE[activation].value.map((v) => [v - 1]);
    const g = model.gradients(X, Y, { traces: true });
    expectRowsAgree(g.layers[0].z.map((row) => row[0]), XS, `${activation} z`);
    expectRowsAgree(g.layers[0].delta.map((row) => row[0]), TABLE[activation].derivative, `${activation} derivative`);
    // dL/dW = Σ x f'(x) (the ±1000 terms cancel or vanish; every addend is finite), dL/db = Σ f'(x).
    for (const v of g.gradsFlat) expect(Number.isFinite(v), `gradient ${v} is finite`).toBe(true);
    expect(Number.isFinite(g.loss)).toBe(true);
    model.dispose();
  });
});

describe.each(ENGINES)('softmax, cce and bce at |z| = 1000 on the %s engine', (engine) => {
  // sigmoid(±1) and softplus(1) from the reference table.
  const sig1 = TABLE.sigmoid.value[XS.indexOf(1)];
  const sigm1 = TABLE.sigmoid.value[XS.indexOf(-1)];
  const softplus1 = TABLE.softplus.value[XS.indexOf(1)];
  const I3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const X = [
    [1000, 0, -1000],
    [-1000, -1000, -1000],
    [1000, 999, -1000],
  ];
  // softmax([1000, 0, -1000]) = [1, e^-1000, e^-2000] / (1 + …) = [1, 0, 0] in float64;
  // a constant row gives 1/3 each; [1000, 999, -1000] gives [σ(1), σ(−1), 0].
  const P = [
    [1, 0, 0],
    [1 / 3, 1 / 3, 1 / 3],
    [sig1, sigm1, 0],
  ];
  const T = [
    [0, 0, 1],
    [1, 0, 0],
    [0, 1, 0],
  ];

  const softmaxModel = () =>
    createModel({ inputs: 3, layers: [{ units: 3, activation: 'softmax' }], loss: 'cce', params: [{ W: I3, b: [0, 0, 0] }], engine });

  it('softmax gives finite probabilities that sum to 1', async () => {
    const model = await softmaxModel();
    const out = model.forward(X);
    out.forEach((row, r) => {
      let sum = 0;
      row.forEach((p, k) => {
        expect(Number.isFinite(p), `row ${r} unit ${k}: ${p}`).toBe(true);
        expect(p).toBeGreaterThanOrEqual(0);
        sum += p;
        const want = P[r][k];
        if (want === 0) expect(p, `row ${r} unit ${k}`).toBeLessThanOrEqual(ZERO_TOL);
        else expect(Math.abs(p - want), `row ${r} unit ${k}: ${p} vs ${want}`).toBeLessThanOrEqual(1e-15 * want);
      });
      expect(Math.abs(sum - 1), `row ${r} sums to ${sum}`).toBeLessThanOrEqual(4e-16);
    });
    model.dispose();
  });

  it('cce from the logit: finite loss and gradient', async () => {
    const model = await softmaxModel();
    // −log softmax_k = logsumexp(z) − z_k: 1000 − (−1000) = 2000; log 3; softplus(1) = −log σ(−1).
    const wantLoss = (2000 + Math.log(3) + softplus1) / 3;
    const g = model.gradients(X, T, { traces: true });
    expect(Number.isFinite(g.loss)).toBe(true);
    expect(Math.abs(g.loss - wantLoss)).toBeLessThanOrEqual(1e-13 * wantLoss);
    expect(Math.abs(model.loss(X, T) - wantLoss)).toBeLessThanOrEqual(1e-13 * wantLoss);
    // dL/dz = (softmax − t) / N
    const delta = P.map((row, r) => row.map((p, k) => (p - T[r][k]) / 3));
    g.layers[0].delta.forEach((row, r) =>
      row.forEach((d, k) => {
        expect(Number.isFinite(d)).toBe(true);
        expect(Math.abs(d - delta[r][k]), `delta[${r}][${k}]: ${d} vs ${delta[r][k]}`).toBeLessThanOrEqual(1e-15);
      }),
    );
    // dL/dW[j][i] = Σ_n delta[n][j] X[n][i], dL/db[j] = Σ_n delta[n][j]
    const gW = [0, 1, 2].map((j) => [0, 1, 2].map((i) => delta.reduce((s, row, n) => s + row[j] * X[n][i], 0)));
    const gb = [0, 1, 2].map((j) => delta.reduce((s, row) => s + row[j], 0));
    const want = [...gW.flat(), ...gb];
    expect(g.gradsFlat.length).toBe(12);
    g.gradsFlat.forEach((v, i) => {
      expect(Number.isFinite(v), `grad ${i}: ${v}`).toBe(true);
      expect(Math.abs(v - want[i]), `grad ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(1e-12 * 1000);
    });
    model.dispose();
  });

  it('bce from the logit at z = ±1000: loss 2000 / (N K) and gradients (a − t) / (N K)', async () => {
    const model = await createModel({
      inputs: 1, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'bce', params: [{ W: [[1]], b: [0] }], engine,
    });
    const Xb = [[1000], [-1000], [1000], [-1000]];
    const Yb = [[0], [1], [1], [0]];
    // t softplus(−z) + (1 − t) softplus(z): softplus(1000) = 1000 twice (wrong side), softplus(−1000) = 0 twice.
    const g = model.gradients(Xb, Yb, { traces: true });
    expect(g.loss).toBe(500);
    expect(model.loss(Xb, Yb)).toBe(500);
    expect(g.output.map((r) => r[0])).toEqual([1, 0, 1, 0]);
    // dL/dz = (σ(z) − t) / 4: [1/4, −1/4, 0, 0]; dL/dW = Σ dL/dz · x = 250 + 250; dL/db = 0.
    expect(g.layers[0].delta.map((r) => r[0])).toEqual([0.25, -0.25, 0, 0]);
    expect(Array.from(g.gradsFlat)).toEqual([500, 0]);
    model.dispose();
  });

  it('bce from the logit with targets on the right side at z = ±1000: loss 0, gradients 0', async () => {
    const model = await createModel({
      inputs: 1, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'bce', params: [{ W: [[1]], b: [0] }], engine,
    });
    const g = model.gradients([[1000], [-1000]], [[1], [0]]);
    expect(g.loss).toBe(0);
    for (const v of g.gradsFlat) expect(Math.abs(v)).toBeLessThanOrEqual(ZERO_TOL);
    model.dispose();
  });
});
