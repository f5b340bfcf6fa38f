// The texts' gradient-descent runs reproduced through fit(): full batch, no shuffling, the listed
// parameters only (trainable), the stepBelow rule, step by step against the oracle trajectory.
import { describe, expect, it } from 'vitest';
import { createModel } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { expectClose, networkCases, type Json } from './helpers/reference.js';

const REL = 1e-10;
const TRAINED = [
  'statquest-b3-optimization',
  'statquest-full-gradients',
  'mazur-2-2-2',
  'decola-2-3-1',
  'decola-gradient-descent-paraboloid',
  'linear-regression-mse',
  'logistic-regression-bce',
];

describe.each(ENGINES)('training through fit on the %s engine', (engine) => {
  for (const file of TRAINED) {
    for (const c of networkCases(file, engine).filter((k) => k.raw.train)) {
      const train: Json = c.raw.train;
      const oracle: Json = c.raw.oracle;
      const options = (epochs: number) => ({
        epochs,
        batchSize: c.X.length,
        learningRate: train.lr,
        shuffle: false,
        ...(train.params ? { trainable: train.params } : {}),
        ...(train.stop_step_below ? { stepBelow: train.stop_step_below } : {}),
      });

      it(`${c.name}: step by step`, async () => {
        const model = await createModel(c.spec);
        const byStep = new Map<number, Json>(oracle.trajectory.map((p: Json) => [p.step, p]));
        let step = 0;
        while (step < oracle.steps_taken) {
          // one epoch = one full-batch update; jump straight to the next recorded step
          const next = [...byStep.keys()].filter((k) => k > step).sort((a, b) => a - b)[0] ?? oracle.steps_taken;
          const point = byStep.get(step);
          if (point) expectClose(model.getParams(), point.params, REL, `params at step ${step}`);
          const history = model.fit(c.X, c.Y, options(next - step));
          if (point) expectClose(history.loss[0], point.loss, REL, `loss at step ${step}`);
          step += history.steps;
          if (history.stopReason === 'stepBelow') break;
        }
        expect(step).toBe(oracle.steps_taken);
        expectClose(model.getParams(), oracle.final_params, REL, 'final params');
      });

      it(`${c.name}: in one fit call`, async () => {
        const model = await createModel(c.spec);
        const before = model.getParamsFlat();
        const history = model.fit(c.X, c.Y, options(train.steps));
        expect(history.steps).toBe(oracle.steps_taken);
        expect(history.stopReason).toBe(train.stop_step_below && oracle.steps_taken < train.steps ? 'stepBelow' : 'epochs');
        expectClose(model.getParams(), oracle.final_params, REL, 'final params');
        if (train.params) {
          // parameters outside the trainable list stay bit-identical
          const after = model.getParamsFlat();
          const finalFlat = oracle.final_params.flatMap((p: Json) => [...p.W.flat(), ...p.b]);
          const initialFlat = c.raw.params.flatMap((p: Json) => [...p.W.flat(), ...p.b]);
          after.forEach((v, i) => {
            if (finalFlat[i] === initialFlat[i]) expect(Object.is(v, before[i]), `parameter ${i} untouched`).toBe(true);
          });
        }
      });
    }
  }

  it('the StatQuest b3 run reports its step sizes: the last one is the first below 0.001', async () => {
    const [c] = networkCases('statquest-b3-optimization', engine);
    const model = await createModel(c.spec);
    const history = model.fit(c.X, c.Y, { epochs: 1000, batchSize: 3, learningRate: 0.1, shuffle: false, trainable: ['1.b'], stepBelow: 0.001 });
    const steps: number[] = c.raw.derived.step_size;
    expect(history.stopReason).toBe('stepBelow');
    expect(history.lastStep).toBeCloseTo(Math.abs(steps[steps.length - 1]), 15);
    expect(Math.abs(steps[steps.length - 2])).toBeGreaterThanOrEqual(0.001);
    expect(history.loss.length).toBe(10);
  });
});
