// gradCheckAsync: the same report as gradCheck, yielding between parameters; a signal stops it
// between two parameters with the model as before; the model is busy while it runs.
import { describe, expect, it } from 'vitest';
import { createModel, OptionsError, TrainingError, type ModelSpec } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { expectTypedError } from './helpers/errors.js';
import { mulberry32, randomMatrix } from './helpers/random.js';

const rand = mulberry32(23);
const X = randomMatrix(rand, 40, 4);
const Y = X.map(([a, b, c, d]) => [Math.tanh(a * b - c), d > 0 ? 1 : 0]);
const SPEC: ModelSpec = { inputs: 4, layers: [{ units: 24, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }], loss: 'bce', seed: 4 };
const bytesOf = (a: Float64Array): string => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).join(',');

describe.each(ENGINES)('gradCheckAsync on the %s engine', (engine) => {
  it('gives the report of gradCheck, bit for bit, and leaves the parameters as they were', async () => {
    const model = await createModel({ ...SPEC, engine });
    const before = bytesOf(model.getParamsFlat());
    const sync = model.gradCheck(X, Y);
    const progress: number[] = [];
    const asyncReport = await model.gradCheckAsync(X, Y, { onProgress: (checked, total) => progress.push(checked / total) });
    expect(asyncReport).toEqual(sync);
    expect(Object.is(asyncReport.maxRelativeError, sync.maxRelativeError)).toBe(true);
    expect(asyncReport.passed).toBe(true);
    expect(asyncReport.checked).toBe(model.spec.paramCount);
    expect(bytesOf(model.getParamsFlat())).toBe(before);
    for (const p of progress) expect(p).toBeGreaterThan(0), expect(p).toBeLessThanOrEqual(1);
  });

  it('stops between two parameters when its signal aborts: rejects with the reason, parameters as before', async () => {
    const model = await createModel({ ...SPEC, engine });
    const before = bytesOf(model.getParamsFlat());
    const controller = new AbortController();
    let seen = 0;
    // abort from inside the check, at its first progress report (after the first parameter)
    const running = model.gradCheckAsync(X, Y, {
      signal: controller.signal,
      onProgress: (checked) => {
        seen = checked;
        controller.abort(new Error('stop here'));
      },
    });
    // while it runs, the model is busy
    expectTypedError(() => model.predict(X), TrainingError, 'predict', /gradCheckAsync is running/);
    await expect(running).rejects.toThrow('stop here');
    expect(seen).toBe(1); // the first parameter reports, then the abort takes effect
    expect(bytesOf(model.getParamsFlat())).toBe(before);
    expect(() => model.predict(X)).not.toThrow(); // idle again
  });

  it('an already aborted signal rejects before anything runs; bad options are OptionsErrors', async () => {
    const model = await createModel({ ...SPEC, engine });
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(model.gradCheckAsync(X, Y, { signal: controller.signal })).rejects.toThrow('already');
    await expect(model.gradCheckAsync(X, Y, { signl: 1 } as never)).rejects.toThrow(OptionsError);
    await expect(model.gradCheckAsync(X, Y, { signl: 1 } as never)).rejects.toThrow(/did you mean "signal"/);
    await expect(model.gradCheckAsync(X, Y, { onProgress: 3 } as never)).rejects.toThrow(/options.onProgress: expected a function/);
    await expect(model.gradCheckAsync(X, Y, { epsilon: -1 })).rejects.toThrow(OptionsError);
    expect(() => model.gradCheck(X, Y, { signal: controller.signal } as never)).toThrow(/unknown option "signal"/);
  });
});
