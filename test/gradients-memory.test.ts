// model.gradients on many rows costs the parameters' memory, not rows × units: a 10-512-1 network on
// 20,000 rows used to copy every layer's z, a and delta into nested arrays (about 1 GiB of heap per
// call). Node only: it reads the process's heap.
import { describe, expect, it } from 'vitest';
import { createModel } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { mulberry32 } from './helpers/random.js';

const ROWS = 20_000, INPUTS = 10;
const rand = mulberry32(17);
const X = new Float64Array(ROWS * INPUTS).map(() => rand() * 2 - 1);
const Y = new Float64Array(ROWS).map((_, r) => Math.sin(X[r * INPUTS]));
const MiB = 2 ** 20;

describe.each(ENGINES)('gradients on 20,000 rows on the %s engine', (engine) => {
  it('keeps two results without growing the JavaScript heap by the traces (under 64 MiB for both)', async () => {
    const model = await createModel({ inputs: INPUTS, layers: [{ units: 512, activation: 'tanh' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 1, engine, threads: 1 });
    model.gradients(X, Y); // the engine's memory is sized for these rows
    const before = process.memoryUsage();
    const first = model.gradients(X, Y);
    const second = model.gradients(X, Y);
    const after = process.memoryUsage();
    expect(Object.is(first.loss, second.loss)).toBe(true);
    expect(Number.isFinite(first.loss)).toBe(true);
    expect(first.gradsFlat.length).toBe(512 * (INPUTS + 1) + 513);
    // traces of this call would be 20,000 × 513 × 3 numbers: 246 MB as Float64Arrays, about 1 GiB nested
    expect((after.heapUsed - before.heapUsed) / MiB).toBeLessThan(64);
    expect((after.arrayBuffers - before.arrayBuffers) / MiB).toBeLessThan(64);
    model.dispose();
  });
});
