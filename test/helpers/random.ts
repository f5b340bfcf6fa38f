// Seeded test data (mulberry32, shared with the benchmarks and the pages run in Chromium).
import { mulberry32 } from './mulberry32.mjs';

export { mulberry32 };

export function randomMatrix(rand: () => number, rows: number, cols: number, lo = -1, hi = 1): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => lo + (hi - lo) * rand()));
}

/** Rows that are probability vectors (for cce targets). */
export function randomDistributions(rand: () => number, rows: number, cols: number): number[][] {
  return randomMatrix(rand, rows, cols, 0.05, 1).map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / s);
  });
}

/** max |a − b| / max |b| over two equally long lists. */
export function normwise(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
