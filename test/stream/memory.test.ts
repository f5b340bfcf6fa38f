// More rows than the engine memory holds: the limit is lowered (setEngineMemoryLimit) so the test stays
// small. fit on those rows is refused with OUT_OF_MEMORY; fitStream trains on them in blocks that fit,
// and the plan never holds more than a block, whatever the total.
import { afterEach, describe, expect, it } from 'vitest';
import { createModel, EngineError, type Model, type ModelSpec } from '../../src/index.js';
import { setEngineMemoryLimit } from '../../src/layout/budget.js';
import { computePlan, type Plan } from '../../src/layout/plan.js';
import { DEFAULT_BLOCK_ROWS } from '../../src/stream/arena.js';
import { ENGINES } from '../helpers/engines.js';
import { bytes, rowsOf, source } from './helpers.js';

afterEach(() => setEngineMemoryLimit(null));

const planOf = (model: Model): Plan => (model as unknown as { plan: Plan }).plan;
const baseOf = (model: Model): number => (model as unknown as { engine: { base: number } }).engine.base;

const SPEC: ModelSpec = { inputs: 40, layers: [{ units: 8, activation: 'relu' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 6 };
const ROWS = 30_000;
const { X, Y } = rowsOf(ROWS, 40, 1, 21);

describe.each(ENGINES)('data larger than the engine memory, on the %s engine', (engine) => {
  it('fit is refused with OUT_OF_MEMORY; fitStream completes within the limit, with the bits of a run in larger blocks', async () => {
    const options = { epochs: 2, batchSize: 32 };
    const unlimited = await createModel({ ...SPEC, engine });
    const large = await unlimited.fitStream(source(X, Y, 40, 1, [1234]), options);
    expect(planOf(unlimited).rowCapacity).toBe(DEFAULT_BLOCK_ROWS + 1);

    const model = await createModel({ ...SPEC, engine });
    // room for a block of 2048 rows (a quarter of the default block), about 15 times fewer rows than the data
    const limit = computePlan(model.spec, { batch: 32, rows: 2049 }, baseOf(model)).end;
    setEngineMemoryLimit(limit);
    const before = bytes(model.getParamsFlat());
    const refused = (() => {
      try {
        model.fit(X, Y, { ...options, shuffle: false });
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refused).toBeInstanceOf(EngineError);
    expect((refused as EngineError).code).toBe('OUT_OF_MEMORY');
    expect(bytes(model.getParamsFlat())).toBe(before);

    const history = await model.fitStream(source(X, Y, 40, 1, [1234]), options);
    expect(history.rows).toBe(ROWS);
    expect(history.epochs).toBe(2);
    const plan = planOf(model);
    expect(plan.end).toBeLessThanOrEqual(limit);
    expect(plan.rowCapacity).toBe(2049); // the block (and its unused row 0), not the data
    expect(bytes(model.getParamsFlat())).toBe(bytes(unlimited.getParamsFlat()));
    expect(bytes(history.loss)).toBe(bytes(large.loss));
  });
});
