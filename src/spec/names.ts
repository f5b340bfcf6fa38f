// Names are data: a user's string is compared with the list of valid names, never looked up as a key
// of an object (so 'toString', 'constructor' and '__proto__' are unknown names like any other). An
// unknown name or key is an error that lists the valid ones and suggests the closest.
import { describe, type ErrorDetails, type WasmlpError } from '../errors.js';

/** True when `value` is one of `valid` (a string compared by value, not a property lookup). */
export function isName<T extends string>(value: unknown, valid: readonly T[]): value is T {
  return typeof value === 'string' && (valid as readonly string[]).includes(value);
}

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase(), t = b.toLowerCase();
  const rows = s.length + 1, cols = t.length + 1;
  const d: number[] = new Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1];
}

/**
 * The valid name closest to `name`, when it is close enough to be a likely typo: within an edit
 * distance of a third of the longer name (at least 1; case does not count), or one is a prefix of
 * the other (`lossFunction` → `loss`, `input` → `inputs`). Undefined when nothing is close.
 */
export function closestName(name: unknown, valid: readonly string[]): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return undefined;
  let best: string | undefined, bestDistance = Infinity;
  for (const candidate of valid) {
    const distance = editDistance(name, candidate);
    const lower = name.toLowerCase(), other = candidate.toLowerCase();
    const prefix = Math.min(lower.length, other.length) >= 3 && (lower.startsWith(other) || other.startsWith(lower));
    const limit = Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3));
    if ((distance <= limit || prefix) && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "units"?)`, or nothing. */
export function didYouMean(name: unknown, valid: readonly string[]): string {
  const close = closestName(name, valid);
  return close === undefined ? '' : ` (did you mean ${JSON.stringify(close)}?)`;
}

/** `sgd, momentum, adam`. */
export function listNames(valid: readonly string[]): string {
  return valid.join(', ');
}

export type ErrorClass = new (code: string, message: string, details?: ErrorDetails) => WasmlpError;

/**
 * Throws `new ErrorClass(code, …)` for the first own key of `object` that is not in `valid`, naming
 * it (`${path}.${key}`), listing the valid keys and suggesting the closest.
 */
export function rejectUnknownKeys(object: object, valid: readonly string[], path: string, ErrorClass: ErrorClass, code = 'UNKNOWN_KEY', what = 'key'): void {
  for (const key of Object.keys(object)) {
    if (valid.includes(key)) continue;
    const at = path === '' ? key : `${path}.${key}`;
    throw new ErrorClass(code, `${at}: unknown ${what} ${JSON.stringify(key)}; expected one of ${listNames(valid)}${didYouMean(key, valid)}`, {
      path: at, expected: `one of ${listNames(valid)}`, received: JSON.stringify(key),
    });
  }
}

/** Throws `new ErrorClass(code, …)` unless `value` is one of `valid`; returns it typed. */
export function oneOfNames<T extends string>(value: unknown, valid: readonly T[], path: string, what: string, ErrorClass: ErrorClass, code: string): T {
  if (isName(value, valid)) return value;
  throw new ErrorClass(code, `${path}: unknown ${what} ${describe(value)}; expected one of ${listNames(valid)}${didYouMean(value, valid)}`, {
    path, expected: `one of ${listNames(valid)}`, received: describe(value),
  });
}
