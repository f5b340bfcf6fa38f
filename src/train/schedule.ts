// Learning-rate schedules, stepped once per epoch with PyTorch's conventions (lr_scheduler): epoch e
// counts from 0, the base rate is the fit's learningRate, and the rate of epoch e is used for all of
// its updates.
//   step        lr · gamma^floor(e / every)                         (StepLR)
//   exponential lr · gamma^e                                        (ExponentialLR)
//   cosine      min + (lr − min)(1 + cos(π e / T)) / 2               (CosineAnnealingLR's closed form: after T
//               the rate rises again, a period of 2T, as PyTorch's does)
//   plateau     × factor when the monitored loss has not improved for `patience` epochs (ReduceLROnPlateau,
//               mode 'min', relative threshold: improved means loss < best · (1 − threshold))
// gamma^n is computed as PyTorch's chainable form does, one multiplication per step, and cos by a
// fixed polynomial (musl's kernels), so every platform gives the same bits.
//
// The schedule's state (its epoch, the current rate, and plateau's best loss and counters) belongs to
// the model: a later fit with the same schedule and learningRate continues it (and toJSON saves it,
// so a resumed fit continues exactly); a fit with another schedule, or none, starts afresh.
import { OptionsError, describe } from '../errors.js';
import { oneOfNames, rejectUnknownKeys } from '../spec/names.js';

export type ScheduleSpec =
  | { name: 'step'; every: number; gamma?: number }
  | { name: 'exponential'; gamma: number }
  | { name: 'cosine'; epochs: number; min?: number }
  | { name: 'plateau'; factor?: number; patience?: number; threshold?: number; cooldown?: number; min?: number };

export type ValidSchedule =
  | { name: 'step'; every: number; gamma: number }
  | { name: 'exponential'; gamma: number }
  | { name: 'cosine'; epochs: number; min: number }
  | { name: 'plateau'; factor: number; patience: number; threshold: number; cooldown: number; min: number };

/** Where a schedule stands before an epoch. */
export interface ScheduleState {
  /** JSON of the validated schedule and the base learning rate: a fit with the same key continues it. */
  readonly key: string;
  /** Epochs the schedule has stepped through. */
  readonly epoch: number;
  /** The rate of the next epoch. */
  readonly lr: number;
  /** plateau: the best monitored loss so far (Infinity before the first), the epochs since, and the cooldown left. */
  readonly best: number;
  readonly bad: number;
  readonly cooldown: number;
}

const NAMES = ['step', 'exponential', 'cosine', 'plateau'] as const;
const KEYS: Record<(typeof NAMES)[number], readonly string[]> = {
  step: ['name', 'every', 'gamma'],
  exponential: ['name', 'gamma'],
  cosine: ['name', 'epochs', 'min'],
  plateau: ['name', 'factor', 'patience', 'threshold', 'cooldown', 'min'],
};

function fail(path: string, expected: string, value: unknown): never {
  throw new OptionsError('BAD_SCHEDULE', `${path}: expected ${expected}, got ${describe(value)}`, { path, expected, received: describe(value) });
}

function numberIn(o: Record<string, unknown>, key: string, fallback: number | undefined, expected: string, ok: (v: number) => boolean): number {
  const v = o[key] === undefined ? fallback : o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) fail(`options.schedule.${key}`, expected, o[key]);
  return v as number;
}

const integer = (v: number): boolean => Number.isInteger(v);

/** Checks `options.schedule` (PyTorch's defaults where it has them). */
export function validateSchedule(value: unknown): ValidSchedule {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('options.schedule', "an object such as { name: 'step', every: 10, gamma: 0.5 }", value);
  const o = value as Record<string, unknown>;
  const name = oneOfNames(o.name, NAMES, 'options.schedule.name', 'schedule', OptionsError, 'UNKNOWN_SCHEDULE');
  rejectUnknownKeys(o, KEYS[name], 'options.schedule', OptionsError, 'UNKNOWN_OPTION', 'option');
  switch (name) {
    case 'step':
      return { name, every: numberIn(o, 'every', undefined, 'a positive integer (epochs)', (v) => integer(v) && v >= 1), gamma: numberIn(o, 'gamma', 0.1, 'a number > 0', (v) => v > 0) };
    case 'exponential':
      return { name, gamma: numberIn(o, 'gamma', undefined, 'a number > 0', (v) => v > 0) };
    case 'cosine':
      return { name, epochs: numberIn(o, 'epochs', undefined, 'a positive integer (T, the epochs of the half cosine)', (v) => integer(v) && v >= 1), min: numberIn(o, 'min', 0, 'a number ≥ 0', (v) => v >= 0) };
    case 'plateau':
      return {
        name,
        factor: numberIn(o, 'factor', 0.1, 'a number in (0, 1)', (v) => v > 0 && v < 1),
        patience: numberIn(o, 'patience', 10, 'an integer ≥ 0 (epochs)', (v) => integer(v) && v >= 0),
        threshold: numberIn(o, 'threshold', 1e-4, 'a number ≥ 0', (v) => v >= 0),
        cooldown: numberIn(o, 'cooldown', 0, 'an integer ≥ 0 (epochs)', (v) => integer(v) && v >= 0),
        min: numberIn(o, 'min', 0, 'a number ≥ 0', (v) => v >= 0),
      };
  }
}

/** The state a fit starts from: the model's, when it belongs to this schedule and rate; else a fresh one. */
export function startState(schedule: ValidSchedule, learningRate: number, saved: ScheduleState | null): ScheduleState {
  const key = JSON.stringify({ schedule, learningRate });
  if (saved !== null && saved.key === key) return saved;
  return { key, epoch: 0, lr: learningRate, best: Infinity, bad: 0, cooldown: 0 };
}

// cos(πf) for f in [0, 1], from musl's __cos and __sin kernels on [−π/4, π/4]: the same bits everywhere.
function kernelCos(x: number): number {
  const z = x * x, w = z * z;
  const r = z * (4.16666666666666019037e-2 + z * (-1.38888888888741095749e-3 + z * 2.48015872894767294178e-5)) +
    w * w * (-2.75573143513906633035e-7 + z * (2.08757232129817482790e-9 + z * -1.13596475577881948265e-11));
  const hz = 0.5 * z, v = 1 - hz;
  return v + ((1 - v - hz) + z * r);
}
function kernelSin(x: number): number {
  const z = x * x, w = z * z;
  const r = 8.33333333332248946124e-3 + z * (-1.98412698298579493134e-4 + z * 2.75573137070700676789e-6) + z * w * (-2.50507602534068634195e-8 + z * 1.58969099521155010221e-10);
  return x + z * x * (-1.66666666666666324348e-1 + z * r);
}
/** cos(π·f), f in [0, 1]: reduced exactly (1 − f and 0.5 − g are exact here) to arguments of at most π/4. */
export function cosPi(f: number): number {
  const sign = f > 0.5 ? -1 : 1;
  const g = f > 0.5 ? 1 - f : f;
  return sign * (g <= 0.25 ? kernelCos(Math.PI * g) : kernelSin(Math.PI * (0.5 - g)));
}

/** The state after one more epoch, whose monitored loss (validation, else training) was `loss`. */
export function nextState(schedule: ValidSchedule, base: number, s: ScheduleState, loss: number): ScheduleState {
  const epoch = s.epoch + 1;
  switch (schedule.name) {
    case 'step':
      return { ...s, epoch, lr: epoch % schedule.every === 0 ? s.lr * schedule.gamma : s.lr };
    case 'exponential':
      return { ...s, epoch, lr: s.lr * schedule.gamma };
    case 'cosine': {
      const { epochs: T, min } = schedule;
      // cos(π e / T) has period 2T and is even: e mod 2T folded into [0, T], exactly (integers)
      const m = epoch % (2 * T);
      return { ...s, epoch, lr: min + ((base - min) * (1 + cosPi((m <= T ? m : 2 * T - m) / T))) / 2 };
    }
    case 'plateau':
      return plateauStep(schedule, s, epoch, loss);
  }
}

/** ReduceLROnPlateau.step in mode 'min' with a relative threshold (its eps 1e-8 included). */
function plateauStep(p: Extract<ValidSchedule, { name: 'plateau' }>, s: ScheduleState, epoch: number, loss: number): ScheduleState {
  let { best, bad, cooldown, lr } = s;
  if (loss < best * (1 - p.threshold)) {
    best = loss;
    bad = 0;
  } else {
    bad++;
  }
  if (cooldown > 0) {
    cooldown--;
    bad = 0;
  }
  if (bad > p.patience) {
    const reduced = Math.max(lr * p.factor, p.min);
    if (lr - reduced > 1e-8) lr = reduced;
    cooldown = p.cooldown;
    bad = 0;
  }
  return { ...s, epoch, lr, best, bad, cooldown };
}

/**
 * Refuses, before training, a schedule whose rate would not stay positive and finite over the
 * `epochs` this fit may run from `s` (step and exponential by the size of gamma^n, cosine when it
 * reaches a `min` of 0); a rate that still fails at run time is the same error (checked per epoch).
 */
export function checkReach(schedule: ValidSchedule, s: ScheduleState, epochs: number): void {
  const last = s.epoch + epochs - 1;
  let log: number;
  switch (schedule.name) {
    case 'step':
      log = Math.log(s.lr) + (Math.floor(last / schedule.every) - Math.floor(s.epoch / schedule.every)) * Math.log(schedule.gamma);
      break;
    case 'exponential':
      log = Math.log(s.lr) + (last - s.epoch) * Math.log(schedule.gamma);
      break;
    case 'cosine': {
      // with min 0 the rate is 0 at every odd multiple of T
      const T = schedule.epochs, next = s.epoch + ((3 * T - (s.epoch % (2 * T))) % (2 * T));
      log = schedule.min === 0 && next <= last ? -Infinity : 0;
      break;
    }
    case 'plateau':
      return;
  }
  // a margin of a few units of the exponent keeps rounding near the limits on the safe side
  if (log < Math.log(Number.MIN_VALUE) + 2 || log > Math.log(Number.MAX_VALUE) - 2) throw unreachable(schedule, last);
}

function unreachable(schedule: ValidSchedule, epoch: number): OptionsError {
  return new OptionsError('BAD_SCHEDULE', `options.schedule: the ${schedule.name} schedule's rate is not a positive finite number by epoch ${epoch} of the schedule; fewer epochs, or a gamma or min that keeps it above 0`, {
    path: 'options.schedule', expected: 'a rate that stays positive and finite', received: `${schedule.name} at epoch ${epoch}`,
  });
}

/** The rate of the epoch `s` stands before, checked. */
export function rateOf(schedule: ValidSchedule, s: ScheduleState): number {
  if (!(s.lr > 0 && s.lr < Infinity)) throw unreachable(schedule, s.epoch);
  return s.lr;
}
