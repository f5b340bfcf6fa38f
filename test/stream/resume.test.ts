// A stream training stopped inside an epoch (callback, signal, timeout) keeps its place: the next
// fitStream, on the model or on a copy loaded from toJSON, continues it with the bits of one run.
import { describe, expect, it } from 'vitest';
import { createModel, loadModel, FormatError, OptionsError, TrainingError, type FitHistory, type FitStreamOptions, type Model, type ModelSpec } from '../../src/index.js';
import { ENGINES } from '../helpers/engines.js';
import { bytes, rowsOf, source } from './helpers.js';

const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 8, activation: 'relu', dropout: 0.2 }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 8 };
const { X, Y } = rowsOf(700, 3, 2, 12);
const chunks = source(X, Y, 3, 2, [41, 3, 90]);
const OPTIONS: FitStreamOptions = { epochs: 3, batchSize: 16, progressEvery: 3, optimizer: 'adam', schedule: { name: 'step', every: 1, gamma: 0.5 } };

/** Stops the training at its `at`-th onProgress call. */
const stopAt = (at: number): FitStreamOptions => {
  let calls = 0;
  return { onProgress: () => (++calls === at ? false : undefined) };
};

async function resumed(engine: 'ts' | 'wasm', options: FitStreamOptions, stop: FitStreamOptions, viaJson: boolean): Promise<{ model: Model; first: FitHistory; second: FitHistory }> {
  const model = await createModel({ ...SPEC, engine });
  const first = await model.fitStream(chunks, { ...options, ...stop });
  const next = viaJson ? await loadModel(JSON.parse(JSON.stringify(model.toJSON())), { engine }) : model;
  const second = await next.fitStream(chunks, { ...options, epochs: options.epochs! - first.epochs });
  return { model: next, first, second };
}

describe.each(ENGINES)('resuming a stream on the %s engine', (engine) => {
  for (const shuffle of [false, { buffer: 100 }] as const) {
    it(`shuffle ${JSON.stringify(shuffle)}: stopped by a callback inside an epoch, resumed from toJSON, the bits of one run`, async () => {
      const options = { ...OPTIONS, shuffle };
      const whole = await createModel({ ...SPEC, engine });
      const one = await whole.fitStream(chunks, options);
      const { model, first, second } = await resumed(engine, options, stopAt(20), true);
      expect(first.stopReason).toBe('callback');
      expect(first.epochRows).toBeGreaterThan(0);
      expect(first.epochRows).toBeLessThan(700);
      expect(bytes(model.getParamsFlat())).toBe(bytes(whole.getParamsFlat()));
      expect(bytes([...first.loss, ...second.loss])).toBe(bytes(one.loss));
      expect([...first.learningRate!, ...second.learningRate!]).toEqual(one.learningRate);
      expect(first.steps + second.steps).toBe(one.steps);
      expect(second.epochRows).toBe(0);
    });
  }

  it('stopped by a signal, resumed on the same model; resume: false starts a fresh epoch instead', async () => {
    const whole = await createModel({ ...SPEC, engine });
    await whole.fitStream(chunks, OPTIONS);
    const controller = new AbortController();
    let calls = 0;
    const { model, first } = await resumed(engine, OPTIONS, { signal: controller.signal, onProgress: () => void (++calls === 7 && controller.abort()) }, false);
    expect(first.stopReason).toBe('aborted');
    expect(bytes(model.getParamsFlat())).toBe(bytes(whole.getParamsFlat()));
    const fresh = await createModel({ ...SPEC, engine });
    const stopped = await fresh.fitStream(chunks, { ...OPTIONS, ...stopAt(7) });
    const again = await fresh.fitStream(chunks, { ...OPTIONS, epochs: 1, resume: false });
    expect(again.rows).toBe(700); // a whole epoch
    expect(stopped.epochRows).toBeGreaterThan(0);
  });

  it('a resume with another batch size or buffer is refused (OptionsError RESUME_MISMATCH), the model unchanged', async () => {
    const model = await createModel({ ...SPEC, engine });
    await model.fitStream(chunks, { ...OPTIONS, ...stopAt(3) });
    const before = bytes(model.getParamsFlat());
    const error = await model.fitStream(chunks, { ...OPTIONS, batchSize: 8 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionsError);
    expect((error as OptionsError).code).toBe('RESUME_MISMATCH');
    expect((error as OptionsError).message).toMatch(/resume: false/);
    expect(bytes(model.getParamsFlat())).toBe(before);
  });
});

describe('the saved place', () => {
  it('is a checksummed field of training; a changed one is refused; a file without it loads', async () => {
    const model = await createModel(SPEC);
    await model.fitStream(chunks, { ...OPTIONS, shuffle: { buffer: 30 }, ...stopAt(4) });
    const json = model.toJSON();
    expect(json.training!.stream!.rows).toBeGreaterThan(0);
    expect(json.training!.stream!.shuffle!.count).toBe(30);
    expect(json.checksums!['training.stream']).toMatch(/^[0-9a-f]{8}$/);
    const changed = JSON.parse(JSON.stringify(json));
    changed.training.stream.rows += 1;
    await expect(loadModel(changed)).rejects.toThrow(FormatError);
    const removed = JSON.parse(JSON.stringify(json));
    delete removed.training.stream;
    await expect(loadModel(removed)).rejects.toThrow(/training\.stream/);
    const plain = await createModel(SPEC);
    expect(plain.toJSON().training!.stream).toBeUndefined();
    await expect(loadModel(model.toJSON({ training: false }))).resolves.toBeDefined();
  });
});

describe('while a stream trains', () => {
  it('the model is busy between blocks; dispose ends the call; a fit that trains ends the kept place', async () => {
    const model = await createModel(SPEC);
    let busy: unknown = null;
    const history = await model.fitStream(chunks, {
      ...OPTIONS,
      onProgress: (p) => {
        if (p.steps === 6) busy = (() => { try { model.predict(X.slice(0, 3)); } catch (e) { return e; } return null; })();
        if (p.steps === 9) model.dispose();
      },
    });
    expect(busy).toBeInstanceOf(TrainingError);
    expect((busy as TrainingError).code).toBe('BUSY');
    expect(history.stopReason).toBe('disposed');

    const other = await createModel(SPEC);
    await other.fitStream(chunks, { ...OPTIONS, ...stopAt(2) });
    expect(other.toJSON().training!.stream).toBeDefined();
    other.fit(X, Y, { epochs: 1 });
    expect(other.toJSON().training!.stream).toBeUndefined();
  });
});
