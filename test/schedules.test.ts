// Learning-rate schedules against PyTorch (test/fixtures/schedules, made by the script beside it):
// the rate of every epoch, and float64 trajectories of SGD and Adam with weight decay under each
// schedule; then the same bits on both engines, and N + N epochs equal to 2N, through toJSON too.
/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { createModel, loadModel, OptionsError, type FitOptions, type LayerParams, type ModelSpec } from '../src/index.js';
import { cosPi, nextState, startState, validateSchedule, type ScheduleSpec } from '../src/train/schedule.js';
import { ENGINES } from './helpers/engines.js';
import { expectTypedError } from './helpers/errors.js';

interface RateCase { schedule: ScheduleSpec; learningRate: number; rates: number[]; losses?: number[] }
interface Trajectory {
  name: string; schedule: ScheduleSpec; optimizer: 'sgd' | 'adam'; learningRate: number; weightDecay: number; epochs: number;
  X: number[][]; Y: number[][]; Xv: number[][]; Yv: number[][]; params: LayerParams[]; final: LayerParams[]; rates: number[];
}
const fixtures = Object.values(import.meta.glob('./fixtures/schedules/schedules.json', { eager: true, import: 'default' }))[0] as { rates: RateCase[]; trajectories: Trajectory[] };

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const SPEC: ModelSpec = { inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse' };
const bytes = (a: Float64Array): string => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).join(',');

describe("each schedule's rate per epoch agrees with PyTorch's lr_scheduler", () => {
  for (const c of fixtures.rates) {
    it(c.schedule.name, () => {
      const schedule = validateSchedule(c.schedule);
      let s = startState(schedule, c.learningRate, null);
      c.rates.forEach((rate, e) => {
        expect(relative(s.lr, rate), `epoch ${e}: ${s.lr} vs ${rate}`).toBeLessThanOrEqual(1e-13);
        s = nextState(schedule, c.learningRate, s, c.losses?.[e] ?? 0);
      });
    });
  }

  it('cos(πf) is within an ulp or two of Math.cos, exact at 0, 1/2 and 1', () => {
    expect(cosPi(0)).toBe(1);
    expect(cosPi(0.5)).toBe(0);
    expect(cosPi(1)).toBe(-1);
    for (let k = 0; k <= 1000; k++) {
      const f = k / 1000;
      expect(Math.abs(cosPi(f) - Math.cos(Math.PI * f)), `f = ${f}`).toBeLessThanOrEqual(4e-16);
    }
  });
});

describe.each(ENGINES)('training with a schedule on the %s engine', (engine) => {
  for (const t of fixtures.trajectories) {
    it(`agrees with PyTorch float64 to 1e-9: ${t.name}`, async () => {
      const model = await createModel({ ...SPEC, engine, params: t.params });
      const history = model.fit(t.X, t.Y, {
        epochs: t.epochs, batchSize: 4, shuffle: false, learningRate: t.learningRate, weightDecay: t.weightDecay,
        optimizer: t.optimizer, schedule: t.schedule, validationData: [t.Xv, t.Yv],
      });
      expect(history.learningRate).toHaveLength(t.epochs);
      history.learningRate!.forEach((rate, e) => expect(relative(rate, t.rates[e]), `rate of epoch ${e}`).toBeLessThanOrEqual(1e-13));
      model.getParams().forEach((layer, l) => {
        layer.W.flat().forEach((w, i) => expect(relative(w, t.final[l].W.flat()[i]), `layers[${l}].W (${i})`).toBeLessThanOrEqual(1e-9));
        layer.b.forEach((b, i) => expect(relative(b, t.final[l].b[i]), `layers[${l}].b[${i}]`).toBeLessThanOrEqual(1e-9));
      });
    });
  }

  it('N + N epochs are 2N, bit for bit, for every schedule, directly and through toJSON', async () => {
    for (const t of fixtures.trajectories) {
      const options: FitOptions = { batchSize: 4, shuffle: true, learningRate: t.learningRate, weightDecay: t.weightDecay, optimizer: t.optimizer, schedule: t.schedule, validationData: [t.Xv, t.Yv] };
      const half = Math.floor(t.epochs / 2);
      const whole = await createModel({ ...SPEC, engine, params: t.params, seed: 9 });
      const h = whole.fit(t.X, t.Y, { ...options, epochs: 2 * half });
      const split = await createModel({ ...SPEC, engine, params: t.params, seed: 9 });
      const h1 = split.fit(t.X, t.Y, { ...options, epochs: half });
      const resumed = await loadModel(JSON.stringify(split.toJSON()), { engine });
      const h2 = split.fit(t.X, t.Y, { ...options, epochs: half });
      const h3 = resumed.fit(t.X, t.Y, { ...options, epochs: half });
      expect([...h1.learningRate!, ...h2.learningRate!], t.name).toEqual(h.learningRate);
      expect(bytes(split.getParamsFlat()), t.name).toBe(bytes(whole.getParamsFlat()));
      expect(bytes(resumed.getParamsFlat()), `${t.name}, resumed from toJSON`).toBe(bytes(whole.getParamsFlat()));
      expect(h3.learningRate).toEqual(h2.learningRate);
    }
  });

  it('a fit with another schedule, or none, starts the schedule afresh', async () => {
    const t = fixtures.trajectories[0];
    const model = await createModel({ ...SPEC, engine, params: t.params });
    const base = { batchSize: 4, learningRate: 0.2, epochs: 4 };
    model.fit(t.X, t.Y, { ...base, schedule: { name: 'step', every: 2, gamma: 0.5 } });
    expect(model.fit(t.X, t.Y, { ...base, schedule: { name: 'step', every: 2, gamma: 0.5 } }).learningRate).toEqual([0.05, 0.05, 0.025, 0.025]);
    expect(model.fit(t.X, t.Y, { ...base, schedule: { name: 'step', every: 2, gamma: 0.25 } }).learningRate).toEqual([0.2, 0.2, 0.05, 0.05]);
    model.fit(t.X, t.Y, base);
    expect(model.toJSON().training?.schedule).toBeUndefined();
    expect(model.fit(t.X, t.Y, { ...base, schedule: { name: 'step', every: 2, gamma: 0.25 } }).learningRate).toEqual([0.2, 0.2, 0.05, 0.05]);
  });

  it('refuses a schedule that is unknown, misspelled or whose rate would leave (0, ∞), before training', async () => {
    const t = fixtures.trajectories[0];
    const model = await createModel({ ...SPEC, engine, params: t.params });
    const before = bytes(model.getParamsFlat());
    const fit = (schedule: unknown, epochs = 5) => () => model.fit(t.X, t.Y, { epochs, schedule: schedule as ScheduleSpec });
    expectTypedError(fit({ name: 'stepp', every: 2 }), OptionsError, 'options.schedule.name', /did you mean "step"/);
    expectTypedError(fit({ name: 'step', evry: 2 }), OptionsError, 'options.schedule.evry', /did you mean "every"/);
    expectTypedError(fit({ name: 'step' }), OptionsError, 'options.schedule.every', /a positive integer/);
    expectTypedError(fit({ name: 'plateau', factor: 1 }), OptionsError, 'options.schedule.factor', /\(0, 1\)/);
    expectTypedError(fit({ name: 'exponential', gamma: 1e-10 }, 40), OptionsError, 'options.schedule', /not a positive finite number by epoch 39/);
    expectTypedError(fit({ name: 'exponential', gamma: 1e10 }, 40), OptionsError, 'options.schedule', /not a positive finite number/);
    expectTypedError(fit({ name: 'cosine', epochs: 3 }, 4), OptionsError, 'options.schedule', /by epoch 3/);
    expect(bytes(model.getParamsFlat())).toBe(before); // nothing changed
    expect(() => fit({ name: 'cosine', epochs: 3 }, 3)()).not.toThrow(); // epochs 0, 1, 2: the rate reaches 0 only at 3
  });
});
