// The 'flat' trainer's benchmark task (engine-worker.mjs): one fit of the workload with the flat-array
// plain-JS trainer (flat-js-trainer.mjs), from the engines' start parameters, the rows shuffled each
// epoch as the textbook trainer's task shuffles them (the same generator and seed, a Uint32Array order).
import { createFlatTrainer } from './flat-js-trainer.mjs';

/** A task that runs one fit and returns { ms, loss }. */
export function flatFitTask(spec, params, fit, data) {
  const order = new Uint32Array(data.rows);
  return () => {
    const t0 = performance.now();
    const trainer = createFlatTrainer(spec, params, fit);
    for (let i = 0; i < order.length; i++) order[i] = i;
    let seed = 12345, loss = NaN;
    for (let e = 0; e < fit.epochs; e++) {
      if (fit.shuffle !== false) {
        for (let i = order.length - 1; i > 0; i--) {
          seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
          const j = Math.floor((seed / 4294967296) * (i + 1));
          const swap = order[i];
          order[i] = order[j];
          order[j] = swap;
        }
      }
      loss = trainer.epoch(data.X, data.Y, order);
    }
    return { ms: performance.now() - t0, loss };
  };
}
