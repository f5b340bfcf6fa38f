// The scores of src/metrics against scikit-learn's on fixed predictions (test/fixtures/metrics: the
// script that made them is beside them), and hand-checked confusion matrices.
/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { argmax, classificationReport } from '../src/metrics/classification.js';
import { regressionReport } from '../src/metrics/regression.js';

interface Fixtures {
  classification: { name: string; classes: number; truth: number[]; predicted: number[]; accuracy: number; confusion: number[][]; precision: number[]; recall: number[]; f1: number[]; support: number[]; macro: Scores; weighted: Scores }[];
  regression: { name: string; rows: number; cols: number; y: number[]; p: number[]; mse: number[]; mae: number[]; r2: number[]; average: { mse: number; mae: number; r2: number } }[];
}
type Scores = { precision: number; recall: number; f1: number };
// bundled by Vite's glob import, so the same file loads in Node and in the browser suite
const fixtures = Object.values(import.meta.glob('./fixtures/metrics/metrics.json', { eager: true, import: 'default' }))[0] as Fixtures;

/** Equal to 1e-12 relative (scikit-learn's numpy sums are pairwise, ours sequential). */
function close(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}
const allClose = (actual: readonly number[], expected: readonly number[], what: string): void => {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((v, i) => close(v, expected[i], `${what}[${i}]`));
};

describe('classification scores agree with scikit-learn', () => {
  for (const c of fixtures.classification) {
    it(c.name, () => {
      const report = classificationReport(c.truth, c.predicted, c.classes);
      expect(report.confusion).toEqual(c.confusion);
      expect(report.support).toEqual(c.support);
      close(report.accuracy, c.accuracy, 'accuracy');
      allClose(report.precision, c.precision, 'precision');
      allClose(report.recall, c.recall, 'recall');
      allClose(report.f1, c.f1, 'f1');
      for (const kind of ['macro', 'weighted'] as const) {
        for (const m of ['precision', 'recall', 'f1'] as const) close(report[kind][m], c[kind][m], `${kind} ${m}`);
      }
    });
  }

  it('a hand-checked case: 3 classes', () => {
    // true 0 0 1 2 2 2, predicted 0 1 1 2 0 2
    const report = classificationReport([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3);
    expect(report.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
    expect(report.correct).toBe(4);
    expect(report.accuracy).toBe(4 / 6);
    expect(report.precision).toEqual([1 / 2, 1 / 2, 1]);
    expect(report.recall).toEqual([1 / 2, 1, 2 / 3]);
    expect(report.f1).toEqual([2 / 4, 2 / 3, 4 / 5]);
    expect(report.support).toEqual([2, 1, 3]);
  });

  it('argmax takes the first of equal largest values', () => {
    expect(argmax([0.2, 0.5, 0.5, 0.1], 0, 4)).toBe(1);
    expect(argmax([9, 9, 0.1, 0.7, 0.2], 2, 3)).toBe(1);
  });
});

describe('regression scores agree with scikit-learn', () => {
  for (const c of fixtures.regression) {
    it(c.name, () => {
      const report = regressionReport(c.y, c.p, c.rows, c.cols);
      allClose(report.mse, c.mse, 'mse');
      allClose(report.mae, c.mae, 'mae');
      allClose(report.r2, c.r2, 'r2');
      close(report.average.mse, c.average.mse, 'average mse');
      close(report.average.mae, c.average.mae, 'average mae');
      close(report.average.r2, c.average.r2, 'average r2');
    });
  }
});
