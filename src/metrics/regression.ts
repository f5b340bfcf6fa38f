// Regression scores with scikit-learn's definitions (sklearn.metrics: mean_squared_error,
// mean_absolute_error, r2_score), per output column and as their uniform average:
//   mse_k = Σ (y − p)² / N     mae_k = Σ |y − p| / N
//   r2_k  = 1 − Σ (y − p)² / Σ (y − ȳ)²; a constant column (Σ (y − ȳ)² = 0) scores 1 when every
//           prediction is exact and 0 otherwise (r2_score's force_finite default).
// Sums are sequential, in row order (scikit-learn's numpy sums are pairwise: the last bits can differ).

export interface RegressionReport {
  rows: number;
  /** Per output column. */
  mse: number[];
  mae: number[];
  r2: number[];
  /** The plain means over the columns (scikit-learn's multioutput='uniform_average'). */
  average: { mse: number; mae: number; r2: number };
}

const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/** Scores of predictions `p` against targets `y`, both rows × cols, row-major. */
export function regressionReport(y: ArrayLike<number>, p: ArrayLike<number>, rows: number, cols: number): RegressionReport {
  const mse: number[] = [], mae: number[] = [], r2: number[] = [];
  for (let k = 0; k < cols; k++) {
    let se = 0, ae = 0, sum = 0;
    for (let r = 0; r < rows; r++) {
      const t = y[r * cols + k], d = t - p[r * cols + k];
      se += d * d;
      ae += Math.abs(d);
      sum += t;
    }
    const centre = sum / rows;
    let tot = 0;
    for (let r = 0; r < rows; r++) {
      const d = y[r * cols + k] - centre;
      tot += d * d;
    }
    mse.push(se / rows);
    mae.push(ae / rows);
    r2.push(tot === 0 ? (se === 0 ? 1 : 0) : 1 - se / tot);
  }
  return { rows, mse, mae, r2, average: { mse: mean(mse), mae: mean(mae), r2: mean(r2) } };
}
