// The shuffle buffer is the algorithm docs/api.md describes: rebuilt here from that description
// (xoshiro128** from src/layout/rng.ts), it gives the row order, and fit on the rows in that order
// (shuffle: false) gives the bits of fitStream with the buffer.
import { describe, expect, it } from 'vitest';
import { createModel, type ModelSpec } from '../../src/index.js';
import { nextBelow, nextU32 } from '../../src/layout/rng.js';
import { ENGINES } from '../helpers/engines.js';
import { bytes, rowsOf, source } from './helpers.js';

const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 17 };
const ROWS = 700;
const { X, Y } = rowsOf(ROWS, 3, 2, 31);

/** The documented order of one epoch: buffer of n, the generator drawn from the model's shuffler `model`. */
function documentedOrder(model: Uint32Array, n: number, rows: number): number[] {
  const rng = Uint32Array.from({ length: 4 }, () => nextU32(model));
  const slots: number[] = [], order: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (slots.length < n) {
      slots.push(r);
      continue;
    }
    const j = nextBelow(rng, n);
    order.push(slots[j]);
    slots[j] = r;
  }
  while (slots.length > 0) {
    const j = nextBelow(rng, slots.length);
    order.push(slots[j]);
    slots[j] = slots[slots.length - 1];
    slots.pop();
  }
  return order;
}

const pick = (m: Float64Array, width: number, order: number[]): Float64Array => {
  const out = new Float64Array(order.length * width);
  order.forEach((row, i) => out.set(m.subarray(row * width, (row + 1) * width), i * width));
  return out;
};

describe.each(ENGINES)('the shuffle buffer on the %s engine', (engine) => {
  it.each([[100, false, false], [ROWS, false, false], [1, false, false], [100, true, false], [100, true, true]])('buffer %s (scalers: %s, row weights: %s): the documented order, every row once per epoch, the bits of fit on the rows in that order', async (n, scaled, weighted) => {
    const model = await createModel({ ...SPEC, engine });
    const reference = await createModel({ ...SPEC, engine });
    if (scaled) for (const m of [model, reference]) m.setNormalization(X, Y, { inputs: 'standardize', targets: 'minMax' });
    const shuffler = Uint32Array.from(model.toJSON().training!.rng);
    const options = { batchSize: 16, optimizer: 'adam' as const };
    const weights = Float64Array.from({ length: ROWS }, (_, r) => ((r * 7) % 5) / 4);
    const extra = (from: number, count: number) => (weighted ? { weights: weights.slice(from, from + count) } : {});
    const history = await model.fitStream(source(X, Y, 3, 2, [33, 1, 250], extra), { ...options, epochs: 2, shuffle: { buffer: n } });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      const order = documentedOrder(shuffler, n, ROWS);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, r) => r));
      if (n === 1) expect(order).toEqual(Array.from({ length: ROWS }, (_, r) => r)); // a buffer of one row keeps the order
      const sampleWeight = weighted ? pick(weights, 1, order) : undefined;
      losses.push(...reference.fit(pick(X, 3, order), pick(Y, 2, order), { ...options, epochs: 1, shuffle: false, ...(sampleWeight ? { sampleWeight } : {}) }).loss);
    }
    expect(bytes(model.getParamsFlat())).toBe(bytes(reference.getParamsFlat()));
    expect(bytes(history.loss)).toBe(bytes(losses));
    expect(model.toJSON().training!.rng).toEqual(Array.from(shuffler)); // 4 words drawn per epoch
  });
});
