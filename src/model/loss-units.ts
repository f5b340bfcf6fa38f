// The loss in target units. A model with a target scaler trains, and by default reports its loss
// (`model.loss`, the fit history), on scaled targets: the units the network computes in. For the
// squared-error losses the same formula on the outputs mapped back to target units (what `predict`
// returns) against the raw targets is the loss in the targets' own units.
import { checkSameRows, toMatrix, type MatrixInput } from '../data/dataset.js';
import { OptionsError, describe } from '../errors.js';
import type { Loss } from '../spec/types.js';

/** Options of `model.loss`. */
export interface LossOptions {
  /**
   * `'scaled'` (default): on the scaled targets the network trains on (the fit history's units);
   * `'target'`: in the targets' own units (ssr, half_se and mse). The same without a target scaler.
   */
  units?: LossUnits;
}

export type LossUnits = 'scaled' | 'target';
const UNITS: readonly LossUnits[] = ['scaled', 'target'];

/** Validates `model.loss`'s options; returns the units asked for. */
export function lossUnits(options: unknown): LossUnits {
  if (options === undefined) return 'scaled';
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionsError('BAD_OPTIONS', `options: expected an object such as { units: 'target' }, got ${describe(options)}`, {
      path: 'options', expected: 'an object', received: describe(options),
    });
  }
  const unknown = Object.keys(options).find((k) => k !== 'units');
  if (unknown !== undefined) {
    throw new OptionsError('UNKNOWN_OPTION', `options.${unknown}: unknown option; expected one of units`, { path: `options.${unknown}`, expected: 'units', received: unknown });
  }
  const units = (options as { units?: unknown }).units;
  if (units === undefined) return 'scaled';
  if (typeof units !== 'string' || !(UNITS as readonly string[]).includes(units)) {
    throw new OptionsError('BAD_UNITS', `options.units: expected one of ${UNITS.map((u) => `'${u}'`).join(', ')}, got ${describe(units)}`, {
      path: 'options.units', expected: UNITS.join(', '), received: describe(units),
    });
  }
  return units as LossUnits;
}

/**
 * The loss of the outputs in target units (`predict`) against the raw targets Y, for a model with a
 * target scaler: ssr = Σ (y − t)², half_se = ssr / 2, mse = ssr / (N·K). bce and cce compare
 * probabilities with targets in [0, 1], which a target scaler would not leave as such: an error.
 */
export function lossInTargetUnits(
  model: { readonly spec: { readonly loss: Loss; readonly inputs: number; readonly outputs: number }; predict(X: { data: Float64Array; rows: number }): Float64Array },
  X: MatrixInput,
  Y: MatrixInput,
): number {
  const { loss, inputs, outputs } = model.spec;
  if (loss !== 'ssr' && loss !== 'half_se' && loss !== 'mse') {
    throw new OptionsError('BAD_UNITS', `options.units: 'target' is defined for ssr, half_se and mse; this model's loss is ${loss} on scaled targets`, {
      path: 'options.units', expected: "'scaled' for a bce or cce loss", received: "'target'",
    });
  }
  const x = toMatrix(X, inputs, 'X');
  const y = toMatrix(Y, outputs, 'Y');
  checkSameRows(x, y);
  return squaredLoss(loss, model.predict({ data: x.data, rows: x.rows }), y.data, x.rows, outputs);
}

/** ssr, half_se or mse of outputs `out` against targets `t` (rows × outputs, row-major), as one sequential sum. */
export function squaredLoss(loss: 'ssr' | 'half_se' | 'mse', out: Float64Array, t: Float64Array, rows: number, outputs: number): number {
  let ssr = 0;
  for (let i = 0; i < out.length; i++) {
    const d = out[i] - t[i];
    ssr += d * d;
  }
  return loss === 'ssr' ? ssr : loss === 'half_se' ? ssr / 2 : ssr / (rows * outputs);
}
