// Every network case of test/fixtures/reference on every engine: loss, outputs, z, a, delta and gradients
// against the independent oracle (1e-10 relative per element), the texts' printed numbers against
// their match rules, and the gradient-descent trajectories step by step.
import { describe, expect, it } from 'vitest';
import { createModel, type GradientsWithTraces } from '../src/index.js';
import { sigmoid_derivative } from '../src/engine/ts/activations.js';
import { ENGINES } from './helpers/engines.js';
import { descend, type TrajectoryPoint } from './helpers/descent.js';
import { expectClose, expectStated, getPath, networkCases, type Json } from './helpers/reference.js';

const REL = 1e-10;

const NETWORK_FILES = [
  'statquest-b3-optimization',
  'statquest-ssr-vs-b3',
  'statquest-full-gradients',
  'mazur-2-2-2',
  'waterloo-2-2-2',
  'decola-2-3-1',
  'decola-gradient-descent-paraboloid',
  'linear-regression-mse',
  'logistic-regression-bce',
  'loss-conventions',
];

/** Quantities the texts print that are not network outputs, computed from ours with the texts' formulas. */
function derived(raw: Json, g: GradientsWithTraces, trajectory: Map<number, TrajectoryPoint>): Json {
  const out = g.output[0][0];
  const W = raw.params;
  return {
    step_size: [...trajectory.values()].sort((a, b) => a.step - b.step).map((p) => raw.train?.lr * p.grads[1]?.b[0]),
    first_output_term: g.layers[0].a[0][0] * W[1]?.W[0][0],
    y_times_1_minus_y: out * (1 - out),
    y_minus_z: out - raw.Y[0][0],
    dE_dout_o1: 2 * (out - raw.Y[0][0]),
    sigmoid_prime_o1: sigmoid_derivative(g.layers[g.layers.length - 1].z[0][0]),
    dnet_o1_dw1: W[1]?.W[0][0] * sigmoid_derivative(g.layers[0].z[0][0]) * raw.X[0][0],
    dnet_o2_dw1: W[1]?.W[1]?.[0] * sigmoid_derivative(g.layers[0].z[0][0]) * raw.X[0][0],
  };
}

describe.each(ENGINES)('reference cases on the %s engine', (engine) => {
  for (const file of NETWORK_FILES) {
    for (const c of networkCases(file, engine)) {
      it(c.name, async () => {
        const model = await createModel(c.spec);
        const oracle = c.raw.oracle;
        const g = model.gradients(c.X, c.Y, { traces: true });
        expectClose(g.loss, oracle.loss, REL, 'loss');
        expectClose(g.output, oracle.output, REL, 'output');
        g.layers.forEach((layer, l) => {
          expectClose(layer.z, oracle.layers[l].z, REL, `layers[${l}].z`);
          expectClose(layer.a, oracle.layers[l].a, REL, `layers[${l}].a`);
          expectClose(layer.delta, oracle.layers[l].delta, REL, `layers[${l}].delta`);
        });
        expectClose(g.grads, oracle.grads, REL, 'grads');
        expectClose(Array.from(g.gradsFlat), oracle.grads_flat, REL, 'grads_flat');
        expect(model.loss(c.X, c.Y)).toBeCloseTo(g.loss, 12);

        let trajectory = new Map<number, TrajectoryPoint>();
        const ours: Json = { oracle: { ...g, grads_flat: Array.from(g.gradsFlat) } };
        if (c.raw.train) {
          const recorded = new Set<number>(oracle.trajectory.map((p: Json) => p.step));
          const run = descend(model, c.X, c.Y, c.raw.train, (step) => recorded.has(step));
          trajectory = run.points;
          expect(run.stepsTaken, 'steps taken').toBe(oracle.steps_taken);
          for (const point of oracle.trajectory) {
            const mine = trajectory.get(point.step);
            expect(mine, `trajectory step ${point.step}`).toBeDefined();
            expectClose(mine!.params, point.params, REL, `trajectory[${point.step}].params`);
            expectClose(mine!.loss, point.loss, REL, `trajectory[${point.step}].loss`);
            expectClose(mine!.grads, point.grads, REL, `trajectory[${point.step}].grads`);
          }
          expectClose(run.final, oracle.final_params, REL, 'final_params');
          ours.oracle.trajectory = oracle.trajectory.map((p: Json) => trajectory.get(p.step));
          ours.oracle.final_params = run.final;
        }
        ours.derived = derived(c.raw, g, trajectory);
        for (const entry of c.raw.stated ?? []) {
          const value = getPath(ours, entry.path);
          expect(typeof value, `${entry.path} is computed`).toBe('number');
          expectStated(value, entry, c.name);
        }
        if (c.raw.stated_table) {
          const points = [...trajectory.values()].sort((a, b) => a.step - b.step);
          for (const row of c.raw.stated_table.rows) {
            const before = points[row.step - 1], after = points[row.step];
            const values = [
              before.params[0].b[0], before.grads[0].b[0], after.params[0].b[0],
              before.params[0].b[1], before.grads[0].b[1], after.params[0].b[1], after.loss,
            ];
            values.forEach((value, k) =>
              expectStated(value, { what: `row ${row.step} ${c.raw.stated_table.columns[k]}`, stated: row.stated[k], exact: row.exact[k], match: row.match[k] }, c.name),
            );
          }
        }
        model.dispose();
      });
    }
  }
});
