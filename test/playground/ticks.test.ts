// The playground's pure helpers for two of its views: the heat map's axis ticks, and which field is
// told when a pasted CSV is shorter than the batch size. (The page itself: playground.test.ts.)
import { describe, expect, it } from 'vitest';
import { DEFAULTS, shortData, splitRows } from '../../examples/playground/config.js';
import { axisTicks, niceStep, tickLabel } from '../../examples/playground/ui/ticks.js';

describe('heat-map ticks', () => {
  it('are round values, evenly spaced, inside the range', () => {
    // the box of a generated set is symmetric, about ±1.15
    expect(axisTicks(-1.144, 1.144)).toEqual([-1, -0.5, 0, 0.5, 1]);
    // a CSV's box: the data's range [10, 20] padded by 6 % of its span on each side
    expect(axisTicks(9.4, 20.6)).toEqual([10, 12.5, 15, 17.5, 20]);
    expect(axisTicks(-3.24, 1.24)).toEqual([-3, -2, -1, 0, 1]);
    // no binary noise: 0.1 + 0.2 is 0.30000000000000004
    expect(axisTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(axisTicks(-0.35, 0.05)).toEqual([-0.3, -0.2, -0.1, 0]);
    expect(Object.is(axisTicks(-0.35, 0.05)[3], 0)).toBe(true);
    expect(axisTicks(1, 1)).toEqual([]);
    expect(axisTicks(0, Number.NaN)).toEqual([]);
  });

  it('step by 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0.9, 1, 1.1, 2.2, 3, 6, 0.0123, 4200].map(niceStep)).toEqual([1, 1, 2, 2.5, 5, 10, 0.02, 5000]);
  });

  it('have short labels', () => {
    expect([0, -0.5, 12.5, 0.30000000000000004, 2500000, 0.0005, -1].map(tickLabel)).toEqual(['0', '-0.5', '12.5', '0.3', '2.5e+6', '5e-4', '-1']);
  });
});

describe('a pasted CSV shorter than the batch size', () => {
  const csv = { ...DEFAULTS, dataset: 'csv' as const, batchSize: 10, validation: 0.2 };

  it('is a message on the data, saying how many rows would do', () => {
    // 6 rows: round(1.2) = 1 held out, 5 to train on; 12 rows: round(2.4) = 2 held out, 10 to train on
    const short = shortData(csv, 6);
    expect(short?.field).toBe('csv');
    expect(short?.message).toBe('These data have 6 rows, 1 of them held out for validation: 5 to train on, fewer than the batch size of 10. Paste at least 12 rows, or lower the batch size to 5 or less.');
    expect(shortData(csv, 11)?.message).toContain('Paste at least 12 rows');
    expect(shortData(csv, 12)).toBeNull();
    expect(shortData({ ...csv, validation: 0 }, 9)?.message).toBe('These data have 9 rows: 9 to train on, fewer than the batch size of 10. Paste at least 10 rows, or lower the batch size to 9 or less.');
  });

  it('does not concern generated data sets (their size is a setting too: the batch field keeps the library\'s message)', () => {
    expect(shortData({ ...csv, dataset: 'circle' }, 6)).toBeNull();
  });

  it('splits rows as the page does: the last round(rows × fraction) are held out', () => {
    expect(splitRows(6, 0.2)).toEqual({ trainRows: 5, held: 1 });
    expect(splitRows(320, 0.2)).toEqual({ trainRows: 256, held: 64 });
  });
});
