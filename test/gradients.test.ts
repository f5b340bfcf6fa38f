// model.gradients: loss and gradients alone by default; the per-layer traces only when asked for, as
// nested arrays or as flat Float64Arrays with the same values, on every engine.
import { describe, expect, it } from 'vitest';
import { createModel, OptionsError, type ModelSpec } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { expectTypedError } from './helpers/errors.js';
import { mulberry32, randomMatrix } from './helpers/random.js';

const rand = mulberry32(5);
const X = randomMatrix(rand, 37, 3);
const Y = X.map(([a, b, c]) => [Math.tanh(a - b), a * c]);
const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 6, activation: 'tanh' }, { units: 4, activation: 'softplus' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 9 };
const bits = (a: ArrayLike<number>): string => Array.from(a, (v) => new Float64Array([v])).map((f) => Array.from(new Uint8Array(f.buffer)).join(',')).join(';');

describe.each(ENGINES)('gradients on the %s engine', (engine) => {
  it('returns loss and gradients alone unless traces are asked for', async () => {
    const model = await createModel({ ...SPEC, engine });
    const g = model.gradients(X, Y);
    expect(Object.keys(g).sort()).toEqual(['grads', 'gradsFlat', 'loss']);
    expect('layers' in g || 'output' in g).toBe(false);
    const off = model.gradients(X, Y, { traces: false });
    expect(Object.keys(off).sort()).toEqual(['grads', 'gradsFlat', 'loss']);
  });

  it('gives the same loss and gradients, bit for bit, with and without traces', async () => {
    const model = await createModel({ ...SPEC, engine });
    const plain = model.gradients(X, Y);
    const nested = model.gradients(X, Y, { traces: true });
    const flat = model.gradients(X, Y, { traces: 'flat' });
    expect(Object.is(nested.loss, plain.loss) && Object.is(flat.loss, plain.loss)).toBe(true);
    expect(bits(nested.gradsFlat)).toBe(bits(plain.gradsFlat));
    expect(bits(flat.gradsFlat)).toBe(bits(plain.gradsFlat));
  });

  it("gives flat traces ('flat') with the values of the nested ones (true), row-major", async () => {
    const model = await createModel({ ...SPEC, engine });
    const nested = model.gradients(X, Y, { traces: true });
    const flat = model.gradients(X, Y, { traces: 'flat' });
    expect(flat.rows).toBe(X.length);
    expect(flat.layers.length).toBe(3);
    SPEC.layers.forEach((layer, l) => {
      for (const key of ['z', 'a', 'delta'] as const) {
        const f = flat.layers[l][key];
        expect(f).toBeInstanceOf(Float64Array);
        expect(f.length).toBe(X.length * layer.units);
        expect(bits(f)).toBe(bits(nested.layers[l][key].flat()));
      }
    });
    expect(bits(flat.output)).toBe(bits(nested.output.flat()));
    // the output is the last layer's activations, and what predict returns
    expect(bits(nested.output.flat())).toBe(bits(model.predict(X).flat()));
  });

  it('refuses unknown options and bad trace modes with OptionsError, naming the option', async () => {
    const model = await createModel({ ...SPEC, engine });
    expectTypedError(() => model.gradients(X, Y, { trace: true } as never), OptionsError, 'options.trace', /did you mean "traces"/);
    expectTypedError(() => model.gradients(X, Y, { traces: 'nested' } as never), OptionsError, 'options.traces', /true, false or 'flat'/);
    expectTypedError(() => model.gradients(X, Y, 3 as never), OptionsError, 'options', /expected an object/);
  });
});
