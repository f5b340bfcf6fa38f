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
  const sums = new RegressionSums(cols);
  sums.addErrors(y, p, rows);
  sums.centre();
  sums.addSpread(y, rows);
  return sums.report();
}

/**
 * The sums of the scores, per column, each one sequential sum in row order: Σ (y − p)², Σ |y − p| and
 * Σ y over the rows (in one pass or in parts), then Σ (y − ȳ)² (a second pass over the targets).
 */
export class RegressionSums {
  rows = 0;
  readonly se: Float64Array;
  readonly ae: Float64Array;
  readonly sum: Float64Array;
  readonly tot: Float64Array;

  constructor(readonly cols: number) {
    this.se = new Float64Array(cols);
    this.ae = new Float64Array(cols);
    this.sum = new Float64Array(cols);
    this.tot = new Float64Array(cols);
  }

  /** Targets `y` and predictions `p` of `rows` more rows. */
  addErrors(y: ArrayLike<number>, p: ArrayLike<number>, rows: number): void {
    const { cols, se, ae, sum } = this;
    for (let k = 0; k < cols; k++) {
      for (let r = 0; r < rows; r++) {
        const t = y[r * cols + k], d = t - p[r * cols + k];
        se[k] += d * d;
        ae[k] += Math.abs(d);
        sum[k] += t;
      }
    }
    this.rows += rows;
  }

  /** After every row's errors: ȳ of each column (kept in `sum`). */
  centre(): void {
    for (let k = 0; k < this.cols; k++) this.sum[k] /= this.rows;
  }

  /** Targets of rows again, in the same order: their spread about ȳ. */
  addSpread(y: ArrayLike<number>, rows: number): void {
    const { cols, sum, tot } = this;
    for (let k = 0; k < cols; k++) {
      for (let r = 0; r < rows; r++) {
        const d = y[r * cols + k] - sum[k];
        tot[k] += d * d;
      }
    }
  }

  report(): RegressionReport {
    const { rows, se, ae, tot } = this;
    const mse: number[] = [], mae: number[] = [], r2: number[] = [];
    for (let k = 0; k < this.cols; k++) {
      mse.push(se[k] / rows);
      mae.push(ae[k] / rows);
      r2.push(tot[k] === 0 ? (se[k] === 0 ? 1 : 0) : 1 - se[k] / tot[k]);
    }
    return { rows, mse, mae, r2, average: { mse: mean(mse), mae: mean(mae), r2: mean(r2) } };
  }
}
