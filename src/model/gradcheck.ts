// gradCheck: backpropagation's gradients against central differences of the loss, parameter by
// parameter: numeric = (L(θ + h) − L(θ − h)) / 2h with h = epsilon · max(1, |θ|). Each parameter is
// restored bit for bit before the next is moved, so between two parameters the model is as it was:
// that is where gradCheckAsync yields to the event loop (and where an abort takes effect).
import { OptionsError, describe } from '../errors.js';
import { rejectUnknownKeys } from '../spec/names.js';
import type { ValidSpec } from '../spec/types.js';
import { validateGradCheckOptions, type ValidGradCheckOptions } from '../train/options.js';
import { paramName } from './params.js';

export interface GradCheckOptions {
  /** Relative step: h = epsilon · max(1, |θ|). Default 1e-6. */
  epsilon?: number;
  /** Largest relative error that passes. Default 1e-6. */
  tolerance?: number;
  /**
   * Differences |numeric − analytic| up to this pass whatever the gradient's size. Default 1e-9:
   * about what a float64 central difference at h = 1e-6 resolves on losses and logits of order 1–10.
   * The round-off floor 64 ε (|L(θ+h)| + |L(θ−h)|) / 2h applies too, when it is larger.
   */
  absoluteTolerance?: number;
}

/** gradCheckAsync's options: gradCheck's, and a way to stop it and to follow it. */
export interface GradCheckAsyncOptions extends GradCheckOptions {
  /** Stops the check between two parameters: the promise rejects with the signal's reason, the parameters as before. */
  signal?: AbortSignal;
  /** Called between parameters, at most every 100 ms or so, with how many are checked out of how many. */
  onProgress?: (checked: number, total: number) => void;
}

export interface GradCheckReport {
  passed: boolean;
  /**
   * max over parameters of |numeric − analytic| / max(|numeric|, |analytic|), where a difference
   * within the absolute floor (absoluteTolerance, or the round-off of the central difference when
   * larger) counts as 0. `passed` is maxRelativeError ≤ tolerance.
   */
  maxRelativeError: number;
  worst: { index: number; name: string; layer: number; tensor: 'W' | 'b'; row: number; col: number; analytic: number; numeric: number };
  checked: number;
}

/** What the check needs of a model, with the data already checked, scaled and bound. */
export interface GradCheckProbe {
  readonly spec: ValidSpec;
  /** dL/dθ by backpropagation at the current parameters. */
  analytic(): Float64Array;
  /** The loss at the current parameters. */
  loss(): number;
  param(index: number): number;
  setParam(index: number, value: number): void;
}

/** Rounding error of a loss, in units of its last place, that the central difference tolerates. */
const NOISE_ULPS = 64;

interface Worst {
  index: number;
  relative: number;
  analytic: number;
  numeric: number;
}

/** Checks parameter `i`; the parameter is restored bit for bit. */
function checkOne(probe: GradCheckProbe, i: number, analytic: number, epsilon: number, absoluteTolerance: number): Worst {
  const theta = probe.param(i);
  const h = epsilon * Math.max(1, Math.abs(theta));
  probe.setParam(i, theta + h);
  const plus = probe.loss();
  probe.setParam(i, theta - h);
  const minus = probe.loss();
  probe.setParam(i, theta);
  const numeric = (plus - minus) / (2 * h);
  // The central difference carries the rounding error of the two losses divided by 2h: a
  // difference below that floor is agreement, whatever the gradient's size. Without it, a
  // gradient near 0 (a trained model's) fails on round-off alone.
  const noise = (NOISE_ULPS * Number.EPSILON * (Math.abs(plus) + Math.abs(minus))) / (2 * h);
  const difference = Math.abs(numeric - analytic);
  const error = difference <= Math.max(absoluteTolerance, noise) ? 0 : difference / Math.max(Math.abs(numeric), Math.abs(analytic));
  // a non-finite loss or gradient can never pass: NaN counts as an infinite error
  return { index: i, relative: Number.isNaN(error) ? Infinity : error, analytic, numeric };
}

/** The check as steps: yields after each parameter (the count checked so far), returns the report. */
export function* gradCheckSteps(probe: GradCheckProbe, options: ValidGradCheckOptions): Generator<number, GradCheckReport> {
  const { epsilon, tolerance, absoluteTolerance } = options;
  const analytic = probe.analytic();
  const count = probe.spec.paramCount;
  let worst: Worst = { index: 0, relative: -1, analytic: 0, numeric: 0 };
  for (let i = 0; i < count; i++) {
    const one = checkOne(probe, i, analytic[i], epsilon, absoluteTolerance);
    if (one.relative > worst.relative) worst = one;
    yield i + 1;
  }
  const where = paramName(probe.spec, worst.index);
  return {
    passed: worst.relative <= tolerance,
    maxRelativeError: worst.relative,
    worst: { index: worst.index, name: where.name, layer: where.layer, tensor: where.tensor, row: where.row, col: where.col, analytic: worst.analytic, numeric: worst.numeric },
    checked: count,
  };
}

/** Runs the steps to the end. */
export function runToEnd<R>(steps: Generator<unknown, R>): R {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/** Splits gradCheckAsync's own options from gradCheck's, and checks them all. */
export function asyncOptions(options: unknown): { check: ValidGradCheckOptions; signal?: AbortSignal; onProgress?: (checked: number, total: number) => void } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return { check: validateGradCheckOptions(options) };
  rejectUnknownKeys(options, ['epsilon', 'tolerance', 'absoluteTolerance', 'signal', 'onProgress'], 'options', OptionsError, 'UNKNOWN_OPTION', 'option');
  const { signal, onProgress, ...check } = options as GradCheckAsyncOptions;
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof (signal as AbortSignal).aborted !== 'boolean')) {
    throw new OptionsError('BAD_OPTION', `options.signal: expected an AbortSignal, got ${describe(signal)}`, { path: 'options.signal', expected: 'an AbortSignal', received: describe(signal) });
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new OptionsError('BAD_OPTION', `options.onProgress: expected a function, got ${describe(onProgress)}`, { path: 'options.onProgress', expected: 'a function', received: describe(onProgress) });
  }
  return { check: validateGradCheckOptions(check), signal, onProgress };
}
