// The WebAssembly and TypeScript engines agree on seeded random networks of every activation × loss
// pairing: depth 1–4, widths 1–70 (odd, not divisible by 4), batch 1–100. Agreement is 1e-12 normwise
// per tensor (max |a − b| / max |b|); bit equality is not expected (WASM uses AssemblyScript's exp/log
// and SIMD summation order, the TS engine the host's Math and plain loops).
import { describe, expect, it } from 'vitest';
import { createModel, type Activation, type Loss, type ModelSpec } from '../src/index.js';
import { mulberry32, normwise, randomDistributions, randomMatrix } from './helpers/random.js';
import { flat } from './helpers/reference.js';

const HIDDEN: Activation[] = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'softplus', 'identity'];
const PAIRINGS: { loss: Loss; output: Activation; plainLoss?: boolean }[] = [
  ...(['ssr', 'half_se', 'mse'] as Loss[]).flatMap((loss) => [...HIDDEN, 'softmax' as Activation].map((output) => ({ loss, output }))),
  { loss: 'bce', output: 'sigmoid' },
  { loss: 'cce', output: 'softmax' },
  { loss: 'bce', output: 'softmax', plainLoss: true },
  { loss: 'cce', output: 'sigmoid', plainLoss: true },
];
const WIDTHS = [1, 2, 3, 5, 7, 9, 13, 17, 31, 33, 63, 70];

describe('engine agreement', () => {
  PAIRINGS.forEach((pairing, p) => {
    it(`${pairing.output} output with ${pairing.loss}${pairing.plainLoss ? ' (plain)' : ''}`, async () => {
      const rand = mulberry32(1000 + p);
      const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)];
      for (let trial = 0; trial < 3; trial++) {
        const depth = 1 + ((p + trial) % 4);
        const inputs = pick(WIDTHS);
        const layers = Array.from({ length: depth }, (_, l) =>
          l === depth - 1
            ? { units: pairing.output === 'softmax' ? Math.max(2, pick(WIDTHS)) : pick(WIDTHS), activation: pairing.output }
            : { units: pick(WIDTHS), activation: HIDDEN[(p + l + trial) % HIDDEN.length] },
        );
        const outputs = layers[depth - 1].units;
        const rows = 1 + Math.floor(rand() * 100);
        const X = randomMatrix(rand, rows, inputs, -2, 2);
        const Y = pairing.loss === 'cce' ? randomDistributions(rand, rows, outputs) : randomMatrix(rand, rows, outputs, pairing.loss === 'bce' ? 0 : -1, 1);
        const spec: ModelSpec = { inputs, layers, loss: pairing.loss, plainLoss: pairing.plainLoss, seed: 7 + trial };
        const ts = await createModel({ ...spec, engine: 'ts' });
        const wasm = await createModel({ ...spec, engine: 'wasm' });
        expect(wasm.getParamsFlat()).toEqual(ts.getParamsFlat());
        const a = wasm.gradients(X, Y, { traces: true });
        const b = ts.gradients(X, Y, { traces: true });
        const what = `depth ${depth}, inputs ${inputs}, units ${layers.map((l) => l.units)}, rows ${rows}`;
        expect(normwise([a.loss], [b.loss]), `${what}: loss`).toBeLessThanOrEqual(1e-12);
        expect(normwise(flat(a.output), flat(b.output)), `${what}: output`).toBeLessThanOrEqual(1e-12);
        a.grads.forEach((g, l) => {
          expect(normwise(flat(g.W), flat(b.grads[l].W)), `${what}: grads[${l}].W`).toBeLessThanOrEqual(1e-12);
          expect(normwise(g.b, b.grads[l].b), `${what}: grads[${l}].b`).toBeLessThanOrEqual(1e-12);
          expect(normwise(flat(a.layers[l].delta), flat(b.layers[l].delta)), `${what}: layers[${l}].delta`).toBeLessThanOrEqual(1e-12);
        });
        expect(normwise(flat(wasm.predict(X)), flat(ts.predict(X))), `${what}: predict`).toBeLessThanOrEqual(1e-12);
        expect(normwise([wasm.loss(X, Y)], [ts.loss(X, Y)]), `${what}: loss()`).toBeLessThanOrEqual(1e-12);
        ts.dispose();
        wasm.dispose();
      }
    });
  });

  it('shuffled mini-batch training follows the same trajectory on both engines', async () => {
    const rand = mulberry32(5);
    const X = randomMatrix(rand, 37, 3);
    const Y = X.map(([a, b, c]) => [Math.tanh(a - b * c)]);
    const spec: ModelSpec = { inputs: 3, layers: [{ units: 6, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 3 };
    const ts = await createModel({ ...spec, engine: 'ts' });
    const wasm = await createModel({ ...spec, engine: 'wasm' });
    const options = { epochs: 20, batchSize: 5, learningRate: 0.1, shuffle: true };
    const ha = wasm.fit(X, Y, options);
    const hb = ts.fit(X, Y, options);
    expect(normwise(ha.loss, hb.loss)).toBeLessThanOrEqual(1e-10);
    expect(normwise(wasm.getParamsFlat(), ts.getParamsFlat())).toBeLessThanOrEqual(1e-10);
    expect(ha.loss[19]).toBeLessThan(ha.loss[0]);
  });

  // Momentum and Adam keep state per parameter, updated two parameters per f64x2 step in WASM and one
  // by one in TypeScript: odd (21) and even (26) parameter counts put the last parameter in the WASM
  // loops' scalar tail. Same tolerance as the plain trajectory above.
  for (const hidden of [4, 5]) {
    for (const optimizer of [{ name: 'momentum' as const }, { name: 'momentum' as const, nesterov: true, momentum: 0.8 }, { name: 'adam' as const }, { name: 'adam' as const, beta1: 0.8, beta2: 0.99 }]) {
      it(`${JSON.stringify(optimizer)} training, ${(3 + 1) * hidden + hidden + 1} parameters, leaves the same parameters on both engines`, async () => {
        const rand = mulberry32(17 + hidden);
        const X = randomMatrix(rand, 23, 3);
        const Y = X.map(([a, b, c]) => [1 / (1 + Math.exp(-(a * b - c)))]);
        const spec: ModelSpec = { inputs: 3, layers: [{ units: hidden, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'bce', seed: 8 };
        const ts = await createModel({ ...spec, engine: 'ts' });
        const wasm = await createModel({ ...spec, engine: 'wasm' });
        const start = wasm.getParamsFlat();
        const options = { epochs: 15, batchSize: 4, learningRate: 0.05, weightDecay: 0.01, optimizer, shuffle: true };
        const ha = wasm.fit(X, Y, options);
        const hb = ts.fit(X, Y, options);
        const a = wasm.getParamsFlat(), b = ts.getParamsFlat();
        expect(a.length % 2).toBe(hidden === 4 ? 1 : 0);
        expect(normwise(ha.loss, hb.loss)).toBeLessThanOrEqual(1e-10);
        expect(normwise(a, b)).toBeLessThanOrEqual(1e-10);
        const last = a.length - 1;
        expect(Math.abs(a[last] - b[last])).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(b[last])));
        expect(a[last]).not.toBe(start[last]);
      });
    }
  }
});

describe("a row's outputs do not depend on the batch it is predicted in", () => {
  // The GEMM contract (assembly/blas.ts): one sequential sum per element, whatever path computes it —
  // the direct loop, the unpacked path of fewer than 4 rows, or packed panels with edge tiles. So a
  // row predicted alone, in twos, in threes or among 37 gets the same bits.
  for (const engine of ['wasm', 'ts'] as const) {
    it(`${engine} engine: 70-130-33-5 network, 37 rows alone, in 2s, in 3s and all at once`, async () => {
      const rand = mulberry32(4242);
      const inputs = 70, rows = 37;
      const model = await createModel({
        inputs,
        layers: [{ units: 130, activation: 'tanh' }, { units: 33, activation: 'softplus' }, { units: 5, activation: 'softmax' }],
        loss: 'cce',
        seed: 11,
        engine,
      });
      const X = Float64Array.from(randomMatrix(rand, rows, inputs, -2, 2).flat());
      const all = model.predict({ data: X, rows });
      const outputs = all.length / rows;
      for (const group of [1, 2, 3]) {
        const pieces: number[] = [];
        for (let r = 0; r < rows; r += group) {
          const n = Math.min(group, rows - r);
          pieces.push(...model.predict({ data: X.subarray(r * inputs, (r + n) * inputs), rows: n }));
        }
        const differing = pieces.findIndex((v, i) => !Object.is(v, all[i]));
        expect(differing, `groups of ${group}: row ${Math.floor(differing / outputs)} differs`).toBe(-1);
      }
      model.dispose();
    });
  }
});
