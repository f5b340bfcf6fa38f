// The benchmark's flat-array plain-JS trainer (bench/flat-js-trainer.mjs) computes exactly what the
// textbook one (bench/plain-js-trainer.mjs, held to the engines by test/plain-js-trainer.test.ts)
// computes: from the same parameters, in the same shuffled order, the same per-epoch losses and final
// parameters, bit for bit, on each benchmark workload's network and on the other activations and losses.
import { describe, expect, it } from 'vitest';
import { createModel } from '../src/index.js';
import { WORKLOADS } from '../src/cli/bench-workloads.js';
import { createTrainer, type PlainSpec } from '../bench/plain-js-trainer.mjs';
import { createFlatTrainer } from '../bench/flat-js-trainer.mjs';

const rowsOf = (flat: Float64Array, rows: number, width: number): number[][] =>
  Array.from({ length: rows }, (_, r) => Array.from(flat.subarray(r * width, (r + 1) * width)));

/** A fixed shuffle of 0 … n − 1 (the trainers read the rows in this order). */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = (i * 7919 + 13) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

async function compare(spec: PlainSpec & { seed?: number }, data: { X: Float64Array; Y: Float64Array; rows: number }, options: { batchSize: number; learningRate: number; optimizer: string }, epochs: number) {
  const model = await createModel({ ...spec, engine: 'ts' } as never);
  const start = model.getParams();
  model.dispose();
  const K = data.Y.length / data.rows;
  const order = shuffled(data.rows);
  const textbook = createTrainer(spec, start, options), flat = createFlatTrainer(spec, start, options);
  const X = rowsOf(data.X, data.rows, spec.inputs), Y = rowsOf(data.Y, data.rows, K);
  const flatOrder = Uint32Array.from(order);
  for (let e = 0; e < epochs; e++) {
    const expected = textbook.epoch(X, Y, order);
    expect(Object.is(flat.epoch(data.X, data.Y, flatOrder), expected), `epoch ${e}`).toBe(true);
  }
  const bits = (p: { W: number[][]; b: number[] }[]) => new BigUint64Array(Float64Array.from(p.flatMap((l) => [...l.W.flat(), ...l.b])).buffer);
  expect(bits(flat.params())).toEqual(bits(textbook.params()));
  expect(bits(flat.params()), 'the parameters moved').not.toEqual(bits(start));
}

describe('the flat-array plain-JS trainer against the textbook one', () => {
  for (const id of ['W1', 'W2', 'W3', 'W3-adam', 'W4', 'W6']) {
    it(`${id}: the same per-epoch losses and parameters, bit for bit`, async () => {
      const w = WORKLOADS.find((x) => x.id === id)!;
      const fit = w.fit(true);
      const optimizer = typeof fit.optimizer === 'string' ? fit.optimizer : 'sgd';
      await compare(w.spec as never, w.data(true), { batchSize: id === 'W4' ? 256 : fit.batchSize!, learningRate: fit.learningRate!, optimizer }, id === 'W4' ? 1 : 3);
    });
  }

  for (const loss of ['ssr', 'half_se']) {
    it(`relu, softplus and identity layers with ${loss}: the same bits`, async () => {
      const w = WORKLOADS.find((x) => x.id === 'W3')!;
      const spec = { inputs: 2, layers: [{ units: 5, activation: 'relu' }, { units: 3, activation: 'softplus' }, { units: 2, activation: 'identity' }], loss, seed: 9 };
      const data = w.data(true);
      const Y = Float64Array.from({ length: data.rows * 2 }, (_, k) => data.Y[k >> 1] * (k % 2 ? -1 : 1));
      await compare(spec, { X: data.X, Y, rows: data.rows }, { batchSize: 16, learningRate: 0.01, optimizer: 'sgd' }, 3);
    });
  }
});
