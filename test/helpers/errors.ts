// Asserts that a call throws a given typed error whose path is `path` and whose message names it
// (and matches `words`, when given).
import { expect } from 'vitest';
import type { WasmlpError } from '../../src/index.js';

export function expectTypedError(call: () => unknown, type: new (...args: never[]) => WasmlpError, path: string, words?: RegExp, label = path): void {
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error, label).toBeInstanceOf(type);
  expect((error as WasmlpError).path, label).toBe(path);
  expect((error as WasmlpError).message, label).toContain(path);
  if (words) expect((error as WasmlpError).message, label).toMatch(words);
}
