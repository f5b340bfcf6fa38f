// The `threads` field's values: a count from 1 to MAX_THREADS, or 'auto'. How many a model then runs
// on depends on the machine and the engine: src/engine/threads.ts resolves it.
import { SpecError, describe } from '../errors.js';
import type { ErrorClass } from './names.js';
import type { Threads } from './types.js';

/** Largest explicit count. */
export const MAX_THREADS = 64;

/** Checks a `threads` value (spec field or load option at `path`); returns it. */
export function validateThreads(value: unknown, path: string, ErrorClass: ErrorClass = SpecError): Threads {
  if (value === 'auto') return 'auto';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_THREADS) return value;
  throw new ErrorClass('BAD_THREADS', `${path}: expected 'auto' or an integer in [1, ${MAX_THREADS}], got ${describe(value)}`, {
    path, expected: `'auto' or an integer in [1, ${MAX_THREADS}]`, received: describe(value),
  });
}
