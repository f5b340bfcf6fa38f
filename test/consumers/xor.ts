// What a consumer page (test/consumers/fixture: the packed package in a Vite app or a plain page)
// reports after training XOR, and what it must show: checked from Node (packed.test.ts, in Chromium)
// and in Firefox and WebKit (test/platform/browser-suite.ts).
import { expect } from 'vitest';

export interface XorResult {
  engine: string;
  stopReason: string;
  firstLoss: number;
  finalLoss: number;
  classes: number[];
  reloadedSame: boolean;
  /** The same training in a worker model ('wasmlp/worker') gave the same losses and predictions, bit for bit. */
  workerSame: boolean;
}

export function expectTrained(result: XorResult): void {
  expect(result.engine).toBe('wasm');
  expect(result.stopReason).toBe('lossBelow');
  expect(result.finalLoss).toBeLessThan(0.02);
  expect(result.firstLoss).toBeGreaterThan(0.5);
  expect(result.classes).toEqual([0, 1, 1, 0]);
  expect(result.reloadedSame).toBe(true);
  expect(result.workerSame).toBe(true);
}
