// The playground's configuration (examples/playground/config.ts): the learning-rate schedule and the
// dropout rate in the form's checks, the link's hash (old links without them still load), what needs
// a new model, and where the library's errors about them are shown. Then the presets against the
// library: the worker's one-epoch fits follow a schedule, with dropout, as one long fit does.
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS, SCHEDULES, fieldOfPath, fromHash, needsRebuild, scheduleFor, toHash, toRaw, validateForm, type Config, type RawForm,
} from '../../examples/playground/config.js';
import { OptionsError, SpecError, createModel, createModelSync, init, type FitOptions } from '../../src/index.js';
import { expectTypedError } from '../helpers/errors.js';

const form = (changes: Partial<RawForm>): RawForm => ({ ...toRaw(DEFAULTS), ...changes });

describe('the form checks the schedule and the dropout rate', () => {
  it('accepts every preset and a rate from 0 up to, not including, 1', () => {
    for (const { name } of SCHEDULES) expect(validateForm(form({ schedule: name })).config?.schedule).toBe(name);
    for (const dropout of ['0', '0.1', ' 0.5 ', '0.99', '1e-3']) {
      const { config, errors } = validateForm(form({ dropout }));
      expect(errors, dropout).toEqual(new Map());
      expect(config?.dropout).toBe(Number(dropout));
    }
  });

  it('puts a message on the field, quoting what was entered', () => {
    const dropout = (text: string): string | undefined => validateForm(form({ dropout: text })).errors.get('dropout');
    expect(dropout('1')).toBe('Dropout must be a number from 0 up to, not including, 1, like 0.1 (got “1”).');
    expect(dropout('-0.1')).toContain('(got “-0.1”)');
    expect(dropout('half')).toContain('(got “half”)');
    expect(dropout('')).toContain('(it is empty)');
    expect(dropout('Infinity')).toContain('from 0 up to');
    const bad = validateForm(form({ schedule: 'sometimes' }));
    expect(bad.config).toBeNull();
    expect([...bad.errors]).toEqual([['schedule', 'Choose a learning-rate schedule (got “sometimes”).']]);
  });
});

describe('the presets', () => {
  it('are the library schedules, relative to the learning rate where they have a floor', () => {
    expect(scheduleFor('none', 0.03)).toBeUndefined();
    expect(scheduleFor('step', 0.03)).toEqual({ name: 'step', every: 100, gamma: 0.5 });
    expect(scheduleFor('exponential', 0.03)).toEqual({ name: 'exponential', gamma: 0.99 });
    expect(scheduleFor('cosine', 0.2)).toEqual({ name: 'cosine', epochs: 500, min: 0.2 / 100 });
    expect(scheduleFor('plateau', 0.2)).toEqual({ name: 'plateau', factor: 0.5, patience: 20, min: 0.2 / 1000 });
  });
});

describe('the link', () => {
  const config: Config = { ...DEFAULTS, dataset: 'xor', schedule: 'cosine', dropout: 0.25, learningRate: 0.05, seed: 7 };

  it('carries the schedule and the dropout rate under short keys, and gives them back', () => {
    const hash = toHash(config);
    expect(hash).toContain('&sch=cosine&');
    expect(hash).toContain('&dr=0.25&');
    expect(validateForm(fromHash(hash)).config).toEqual(config);
    for (const { name } of SCHEDULES) {
      for (const dropout of [0, 0.1, 0.5]) {
        const each = { ...config, schedule: name, dropout };
        expect(validateForm(fromHash(toHash(each))).config).toEqual(each);
      }
    }
  });

  it('from before the schedule and dropout keeps their defaults: the same run as then', () => {
    // the link of the reproducibility scenario in playground.test.ts, as the playground wrote it then
    const old = '#d=xor&n=0.15&p=300&v=0.2&h=5-tanh.3-relu&o=sigmoid&l=bce&opt=momentum&lr=0.05&b=8&s=2024';
    const { config: loaded, errors } = validateForm(fromHash(old));
    expect(errors).toEqual(new Map());
    expect(loaded).toEqual({
      ...DEFAULTS, dataset: 'xor', noise: 0.15, points: 300, validation: 0.2,
      hidden: [{ units: 5, activation: 'tanh' }, { units: 3, activation: 'relu' }],
      output: 'sigmoid', loss: 'bce', optimizer: 'momentum', learningRate: 0.05, batchSize: 8, seed: 2024,
      schedule: 'none', dropout: 0,
    });
    // what the form had before (not the defaults) stays when a link leaves a key out
    expect(fromHash('#d=circle', form({ schedule: 'step', dropout: '0.3' }))).toMatchObject({ schedule: 'step', dropout: '0.3' });
  });

  it('with a bad value loads it into the form, where its message shows', () => {
    const { config: loaded, errors } = validateForm(fromHash('#sch=linear&dr=1.5'));
    expect(loaded).toBeNull();
    expect([...errors.keys()].sort()).toEqual(['dropout', 'schedule']);
  });
});

describe('needsRebuild', () => {
  it('keeps the model for a new schedule (a training option), not for a new dropout rate (part of the model)', () => {
    expect(needsRebuild(DEFAULTS, { ...DEFAULTS, schedule: 'step' })).toBe(false);
    expect(needsRebuild({ ...DEFAULTS, schedule: 'plateau' }, { ...DEFAULTS, schedule: 'cosine', learningRate: 0.1 })).toBe(false);
    expect(needsRebuild(DEFAULTS, { ...DEFAULTS, dropout: 0.1 })).toBe(true);
    expect(needsRebuild({ ...DEFAULTS, dropout: 0.1 }, { ...DEFAULTS, dropout: 0.2, schedule: 'step' })).toBe(true);
    expect(needsRebuild({ ...DEFAULTS, dropout: 0.1, schedule: 'step' }, { ...DEFAULTS, dropout: 0.1, schedule: 'none' })).toBe(false);
  });
});

describe("the library's errors land on the schedule and dropout fields", () => {
  it('maps the paths', () => {
    expect(fieldOfPath('options.schedule', 2)).toBe('schedule');
    expect(fieldOfPath('options.schedule.every', 2)).toBe('schedule');
    expect(fieldOfPath('options.schedule.name', 0)).toBe('schedule');
    expect(fieldOfPath('layers[0].dropout', 2)).toBe('dropout');
    expect(fieldOfPath('layers[1].dropout', 2)).toBe('dropout');
    // the output layer's (the playground never sets it; the message still goes to the one dropout field)
    expect(fieldOfPath('layers[2].dropout', 2)).toBe('dropout');
    // the neighbours are unchanged
    expect(fieldOfPath('layers[1].units', 2)).toBe('units-1');
    expect(fieldOfPath('layers[2].activation', 2)).toBe('output');
    expect(fieldOfPath('options.learningRate', 2)).toBe('lr');
  });

  it('maps the paths the library actually gives', async () => {
    await init();
    const dropout = 'layers[0].dropout';
    expectTypedError(() => createModelSync({ inputs: 2, layers: [{ units: 3, activation: 'tanh', dropout: 1 }, { units: 1, activation: 'sigmoid' }], loss: 'bce' }), SpecError, dropout);
    expect(fieldOfPath(dropout, 1)).toBe('dropout');
    const model = createModelSync({ inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'bce' });
    const every = 'options.schedule.every';
    expectTypedError(() => model.fit([[0, 0], [1, 1]], [[0], [1]], { epochs: 1, schedule: { name: 'step', every: 0, gamma: 0.5 } }), OptionsError, every);
    expect(fieldOfPath(every, 1)).toBe('schedule');
    model.dispose();
  });
});

describe('the presets in the library, trained as the worker trains (one epoch per fit)', () => {
  // 12 rows of a small two-class problem, 4 of them held out (the plateau watches their loss)
  const X = Array.from({ length: 12 }, (_, i) => [Math.cos(i * 1.7), Math.sin(i * 2.3)]);
  const Y = X.map(([a, b]) => [a * b > 0 ? 1 : 0]);
  const [xTrain, yTrain, xVal, yVal] = [X.slice(0, 8), Y.slice(0, 8), X.slice(8), Y.slice(8)];
  const spec = (dropout: number) => ({
    inputs: 2, seed: 5, loss: 'bce' as const,
    layers: [{ units: 6, activation: 'tanh' as const, dropout }, { units: 4, activation: 'tanh' as const, dropout }, { units: 1, activation: 'sigmoid' as const }],
  });
  const EPOCHS = 130;

  for (const { name } of SCHEDULES) {
    it(`${name}: the same losses and rates as one fit of ${EPOCHS} epochs`, async () => {
      const learningRate = 0.05;
      const options: FitOptions = { batchSize: 4, learningRate, optimizer: 'adam', validationData: [xVal, yVal] };
      const schedule = scheduleFor(name, learningRate);
      if (schedule) options.schedule = schedule;
      const whole = await createModel(spec(0.2));
      const long = whole.fit(xTrain, yTrain, { ...options, epochs: EPOCHS });
      const chunked = await createModel(spec(0.2));
      chunked.fit(xTrain, yTrain, { ...options, epochs: 0 }); // the worker's check of the options
      const losses: number[] = [];
      const rates: number[] = [];
      for (let e = 0; e < EPOCHS; e++) {
        const history = chunked.fit(xTrain, yTrain, { ...options, epochs: 1 });
        losses.push(history.loss[0]);
        rates.push(history.learningRate ? history.learningRate[0] : learningRate);
      }
      expect(losses).toEqual(long.loss);
      expect(rates).toEqual(long.learningRate ?? rates.map(() => learningRate));
      expect(rates[0]).toBe(learningRate);
      if (name === 'step') {
        expect(rates[99]).toBe(learningRate);
        expect(rates[100]).toBe(learningRate / 2);
      }
      if (name !== 'none' && name !== 'plateau') expect(rates[EPOCHS - 1]).toBeLessThan(learningRate);
      // the dropout reaches training: without it the same run gives other losses
      const plain = await createModel(spec(0));
      expect(plain.fit(xTrain, yTrain, { ...options, epochs: 3 }).loss).not.toEqual(long.loss.slice(0, 3));
      for (const model of [whole, chunked, plain]) model.dispose();
    });
  }
});
