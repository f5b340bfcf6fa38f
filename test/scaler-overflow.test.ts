// Scalers of finite data are finite, however large the data: a standardize spread beyond 1.3e154
// (its sum of squares overflows) and a minMax range from −1e308 to 1e308 (max − min overflows) give
// finite scalers that map the data to finite values, predict finite values, and save to files that
// load. Ordinary data keep the plain formulas' bits.
import { describe, expect, it } from 'vitest';
import { createModel, loadModel, type Model, type NormalizationSpec } from '../src/index.js';
import { Scaler, type ScalerKind, type ScalerRange } from '../src/data/normalize.js';
import { ENGINES } from './helpers/engines.js';
import { mulberry32 } from './helpers/random.js';

const MAX = Number.MAX_VALUE;
const KINDS: [ScalerKind, ScalerRange][] = [['standardize', [0, 1]], ['minMax', [0, 1]], ['minMax', [-1, 1]]];
const bytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The plain formulas, as normalize.ts computed them before large values were handled. */
function plainStatistics(column: number[]): { mean: number; std: number } {
  let mean = 0;
  for (const v of column) mean += v;
  mean /= column.length;
  let squares = 0;
  for (const v of column) squares += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(squares / column.length) };
}

/** A one-input, one-output identity network: predict gives the target unscaling of the scaled input. */
async function identity(engine: 'ts' | 'wasm', inputs = 1): Promise<Model> {
  const W = Array.from({ length: inputs }, (_, j) => Array.from({ length: inputs }, (_, i) => (i === j ? 1 : 0)));
  return createModel({ inputs, layers: [{ units: inputs, activation: 'identity' }], loss: 'mse', engine, params: [{ W, b: new Array(inputs).fill(0) }] });
}

describe('scalers of large finite values', () => {
  /** Columns whose plain statistics or spreads overflow. */
  const EXTREME: number[][] = [
    [2e154, -2e154, 3e154],
    [1e308, -1e308],
    [-MAX, MAX],
    [-MAX, MAX, MAX, MAX],
    [MAX, MAX, MAX],
    [-MAX, -MAX, -MAX, -MAX, -MAX],
    [MAX, -MAX, 1, 2, 3, -0],
    [1e200, 1e200, 1e200],
    [0, 1e308, 1.5e308],
    Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? -1.7e308 : 1.3e308 - i * 1e300)),
  ];

  it('every finite column gets a finite scaler that maps it into range and back', () => {
    for (const column of EXTREME) {
      for (const [kind, range] of KINDS) {
        const what = `${kind} [${range}] of ${column.slice(0, 6).join(', ')}`;
        const data = Float64Array.from(column);
        const scaler = Scaler.fit(data, column.length, 1, kind, range);
        const { a, b } = scaler.toJSON();
        expect(Number.isFinite(a[0]) && Number.isFinite(b[0]), what).toBe(true);
        const scaled = scaler.transform(data);
        for (const v of scaled) {
          if (kind === 'minMax') expect(v >= range[0] && v <= range[1], `${what}: ${v}`).toBe(true);
          else expect(Math.abs(v) <= Math.sqrt(column.length), `${what}: ${v}`).toBe(true);
        }
        const back = scaler.inverse(scaled);
        column.forEach((v, i) => expect(Math.abs(back[i] - v), `${what}: ${v} back as ${back[i]}`).toBeLessThanOrEqual(1e-14 * Math.max(Math.abs(a[0]), Math.abs(b[0]), Math.abs(v))));
        // a scaler that loads back is the same scaler
        const again = Scaler.fromJSON(JSON.parse(JSON.stringify(scaler.toJSON())));
        expect(bytes(again.transform(data))).toEqual(bytes(scaled));
      }
    }
  });

  it('standardize beyond 1.3e154: the plain formula on the values divided by a power of two', () => {
    // the std of values about 2e154: the sum of squares overflows; divided by 2^600 it does not,
    // and dividing by a power of two is exact, so the result is that formula's times 2^600
    const column = [2e154, -2e154, 3e154, 1e153];
    const scaler = Scaler.fit(Float64Array.from(column), column.length, 1, 'standardize');
    expect(Number.isFinite(plainStatistics(column).std)).toBe(false);
    const small = plainStatistics(column.map((v) => v / 2 ** 600));
    expect(scaler.toJSON().a[0]).toBe(small.mean * 2 ** 600);
    expect(scaler.toJSON().b[0]).toBe(small.std * 2 ** 600);
    // where the sum of squares does not overflow: the plain formula, as before
    const fine = [1e154, 0, 5e153];
    const plain = plainStatistics(fine);
    expect(Number.isFinite(plain.std)).toBe(true);
    expect(Scaler.fit(Float64Array.from(fine), 3, 1, 'standardize').toJSON()).toMatchObject({ a: [plain.mean], b: [plain.std] });
  });

  it('ordinary data keep the plain formulas, bit for bit', () => {
    const rand = mulberry32(8);
    for (let trial = 0; trial < 200; trial++) {
      const rows = 1 + Math.floor(rand() * 30);
      const scale = 10 ** Math.floor(rand() * 300 - 150);
      const column = Array.from({ length: rows }, () => (rand() < 0.1 ? -0 : (rand() - 0.3) * scale));
      if (trial % 10 === 0) column.fill(0.1); // a constant column whose plain mean is not exactly 0.1
      const data = Float64Array.from(column);
      const { mean, std } = plainStatistics(column);
      const lo = Math.min(...column), hi = Math.max(...column);
      const probe = Float64Array.from([...column, 0, -0, scale * 3, -scale * 7, 1e300, -1e300]);
      for (const [kind, range] of KINDS) {
        const scaler = Scaler.fit(data, rows, 1, kind, range);
        const json = scaler.toJSON();
        const [a, b] = kind === 'standardize' ? [mean, std] : [lo, hi];
        expect(Object.is(json.a[0], a) && Object.is(json.b[0], b), `${kind} ${column}`).toBe(true);
        const symmetric = kind === 'minMax' && range[0] === -1;
        const out = scaler.transform(probe), back = scaler.inverse(probe);
        probe.forEach((x, i) => {
          const expected = kind === 'standardize' ? (b === 0 ? 0 : (x - a) / b)
            : b === a ? (symmetric ? 0 : 0.5) : symmetric ? (2 * (x - a)) / (b - a) - 1 : (x - a) / (b - a);
          const inverse = kind === 'standardize' ? a + x * b : a + (symmetric ? (x + 1) / 2 : x) * (b - a);
          expect(Object.is(out[i], expected), `${kind} [${range}] transform ${x}: ${out[i]} vs ${expected}`).toBe(true);
          expect(Object.is(back[i], inverse), `${kind} [${range}] inverse ${x}: ${back[i]} vs ${inverse}`).toBe(true);
        });
      }
    }
  });

  it('a value far outside the fitted data may still scale to Infinity (not an error)', () => {
    const scaler = Scaler.fit(Float64Array.from([0, 1e-300]), 2, 1, 'minMax');
    expect(scaler.transform(Float64Array.from([1e300]))[0]).toBe(Infinity);
  });
});

describe.each(ENGINES)('models with large-valued scalers, %s engine', (engine) => {
  it('standardize of values 2e154: finite scalers and predictions, a file that loads (and no null in it)', async () => {
    const X = [[2e154], [-2e154], [3e154], [1e152]];
    const model = await identity(engine);
    model.setNormalization(X, X, { inputs: 'standardize', targets: 'standardize' });
    const { inputs, targets } = model.getNormalization();
    for (const s of [inputs!, targets!]) expect([...s.a, ...s.b].every(Number.isFinite)).toBe(true);
    // the identity network gives the targets back through scaling and unscaling
    const out = model.predict(X);
    out.forEach((row, i) => expect(Math.abs(row[0] - X[i][0])).toBeLessThanOrEqual(1e-15 * 3e154));
    const text = JSON.stringify(model.toJSON());
    expect(text).not.toContain('null');
    const again = await loadModel(text, { engine });
    expect(again.getNormalization()).toEqual(model.getNormalization());
    const flat = new Float64Array(X.flat());
    expect(bytes(again.predict(flat))).toEqual(bytes(model.predict(flat)));
    again.dispose();
    model.dispose();
  });

  it('minMax from −1e308 to 1e308, to [0, 1] and to [−1, 1]: finite predictions in range', async () => {
    const X = [[-1e308], [1e308], [0], [5e307]];
    for (const range of [[0, 1], [-1, 1]] as const) {
      const model = await identity(engine);
      model.setNormalization(X, null, { inputs: { kind: 'minMax', range } });
      // the identity network gives the scaled inputs: the ends of the range, its middle, 3/4 of it
      const out = model.predict(X).map((row) => row[0]);
      expect(out, `[${range}]`).toEqual(range[0] === 0 ? [0, 1, 0.5, 0.75] : [-1, 1, 0, 0.5]);
      const again = await loadModel(JSON.stringify(model.toJSON()), { engine });
      expect(again.predict(X).map((row) => row[0])).toEqual(out);
      again.dispose();
      model.dispose();
    }
    // as targets: the network's −1 … 1 (or 0 … 1) maps back onto the range, finite
    const model = await identity(engine);
    model.setNormalization(X, X, { targets: { kind: 'minMax', range: [-1, 1] } });
    expect(model.predict([[-1], [1], [0], [0.5]]).map((row) => row[0])).toEqual([-1e308, 1e308, 0, 5e307]);
    model.dispose();
  });

  it('fit({ normalize }) on such data trains on finite values and saves a model that loads', async () => {
    const rand = mulberry32(3);
    const X = Array.from({ length: 24 }, () => [(rand() - 0.5) * 4e154, (2 * rand() - 1) * 1.7e308]);
    const Y = X.map(([a, b]) => [a / 2 + 1e153, b / 4]);
    const model = await createModel({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 2, engine });
    const normalize: NormalizationSpec = { inputs: 'standardize', targets: 'standardize' };
    const history = model.fit(X, Y.map((row) => [row[0]]), { epochs: 5, batchSize: 8, normalize });
    expect(history.loss.every(Number.isFinite)).toBe(true);
    expect(model.predict(X).every((row) => Number.isFinite(row[0]))).toBe(true);
    const json = model.toJSON();
    expect(JSON.stringify(json)).not.toContain('null');
    const again = await loadModel(json, { engine });
    const flat = new Float64Array(X.flat());
    expect(bytes(again.predict(flat))).toEqual(bytes(model.predict(flat)));
    again.dispose();
    model.dispose();
  });
});
