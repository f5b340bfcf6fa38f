// The benchmark's plain-JavaScript reference trainer (bench/plain-js-trainer.mjs) computes what the
// engines compute: from the same parameters, unshuffled, its per-epoch losses and final parameters
// agree with both engines' to 1e-12 (relative), on each benchmark workload's network (quick data) and
// with SGD and Adam, so the benchmark compares equal work.
import { describe, expect, it } from 'vitest';
import { createModel } from '../src/index.js';
import { WORKLOADS } from '../src/cli/bench-workloads.js';
import { createTrainer } from '../bench/plain-js-trainer.mjs';
import { ENGINES } from './helpers/engines.js';
import { normwise } from './helpers/random.js';

const rowsOf = (flat: Float64Array, rows: number, width: number): number[][] =>
  Array.from({ length: rows }, (_, r) => Array.from(flat.subarray(r * width, (r + 1) * width)));

describe.each(ENGINES)('the plain-JS reference trainer against the %s engine', (engine) => {
  for (const id of ['W1', 'W2', 'W3', 'W3-adam', 'W4', 'W6']) {
    it(`${id}: the same per-epoch losses and parameters`, async () => {
      const w = WORKLOADS.find((x) => x.id === id)!;
      const data = w.data(true);
      const base = w.fit(true);
      const fit = { ...base, shuffle: false, epochs: id === 'W4' ? 1 : 3, batchSize: id === 'W4' ? 256 : base.batchSize };
      const K = data.Y.length / data.rows;
      const model = await createModel({ ...w.spec, engine });
      const start = model.getParams();
      const history = model.fit({ data: data.X, rows: data.rows }, { data: data.Y, rows: data.rows }, fit);
      const X = rowsOf(data.X, data.rows, w.spec.inputs), Y = rowsOf(data.Y, data.rows, K);
      const order = X.map((_, i) => i);
      const optimizer = typeof fit.optimizer === 'string' ? fit.optimizer : 'sgd';
      const trainer = createTrainer(w.spec as never, start, { batchSize: fit.batchSize!, learningRate: fit.learningRate!, optimizer });
      const losses = Array.from({ length: fit.epochs }, () => trainer.epoch(X, Y, order));
      expect(history.loss.length).toBe(fit.epochs);
      history.loss.forEach((loss, e) => expect(Math.abs(loss - losses[e]) / Math.abs(losses[e]), `${id} epoch ${e}`).toBeLessThanOrEqual(1e-12));
      const theirs = trainer.params().flatMap((p) => [...p.W.flat(), ...p.b]);
      expect(normwise(model.getParamsFlat(), theirs)).toBeLessThanOrEqual(1e-12);
      model.dispose();
    });
  }
});
