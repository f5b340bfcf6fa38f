// fitAsync waits for a promise that onEpochEnd or onProgress returns: a promise of false stops the fit
// where false stops it, a rejected one fails the call (the model as it was); fit does not wait.
import { describe, expect, it } from 'vitest';
import { createModel } from '../src/index.js';

const spec = { inputs: 2, layers: [{ units: 6, activation: 'tanh' as const }, { units: 1, activation: 'identity' as const }], loss: 'mse' as const, seed: 4 };
const X = [[0, 1], [1, 0], [0.5, 0.5], [1, 1], [0, 0], [0.2, 0.9]];
const Y = [[1], [0], [0.5], [2], [0], [0.8]];
const options = { epochs: 30, batchSize: 2, optimizer: 'adam' as const, learningRate: 0.05 };
const later = <T>(value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), 1));

describe('fitAsync and callbacks that return promises', () => {
  it('a promise of false from onEpochEnd stops after that epoch, with the bits of a plain false', async () => {
    const a = await createModel(spec), b = await createModel(spec);
    const expected = await a.fitAsync(X, Y, { ...options, onEpochEnd: (epoch) => epoch !== 9 });
    const order: string[] = [];
    const history = await b.fitAsync(X, Y, { ...options, onEpochEnd: async (epoch) => {
      order.push(`start ${epoch}`);
      const answer = await later(epoch !== 9);
      order.push(`end ${epoch}`);
      return answer;
    } });
    expect(history.stopReason).toBe('callback');
    expect(history.epochs).toBe(10);
    expect(history.loss).toEqual(expected.loss);
    expect(b.getParamsFlat()).toEqual(a.getParamsFlat());
    // each epoch's promise settles before the next epoch begins
    expect(order.slice(0, 4)).toEqual(['start 0', 'end 0', 'start 1', 'end 1']);
  });

  it('a promise of false from onProgress stops too', async () => {
    const model = await createModel(spec);
    const history = await model.fitAsync(X, Y, { ...options, progressEvery: 1, onProgress: ({ steps }) => later(steps < 5) });
    expect(history.stopReason).toBe('callback');
    expect(history.steps).toBe(5);
  });

  it('a rejected promise fails the call with its reason, the model as it was', async () => {
    const model = await createModel(spec);
    const before = model.getParamsFlat();
    const reason = new Error('no');
    await expect(model.fitAsync(X, Y, { ...options, onEpochEnd: (epoch) => (epoch === 4 ? Promise.reject(reason) : undefined) })).rejects.toBe(reason);
    expect(model.getParamsFlat()).toEqual(before);
    expect(model.fit(X, Y, { epochs: 1 }).epochs).toBe(1);
  });

  it('fit does not wait: a promise is not false, so the fit goes on', async () => {
    const model = await createModel(spec);
    const history = model.fit(X, Y, { ...options, onEpochEnd: async () => false });
    expect(history.stopReason).toBe('epochs');
    expect(history.epochs).toBe(30);
  });
});
