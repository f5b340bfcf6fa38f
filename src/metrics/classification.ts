// Classification scores with scikit-learn's definitions (sklearn.metrics: accuracy_score,
// confusion_matrix, precision_recall_fscore_support, classification_report), on class indices
// 0 … K−1 in the order of the model's classes:
//   confusion[i][j]  rows whose true class is i and predicted class is j
//   precision_k      tp / (tp + fp)        recall_k = tp / (tp + fn)
//   f1_k             2·tp / (2·tp + fp + fn) (= 2·p·r / (p + r) where both are defined)
//   support_k        tp + fn: the rows whose true class is k
// A ratio whose denominator is 0 is 0 (scikit-learn's zero_division default, without its warning).
// Averages: macro is the plain mean over the K classes; weighted weighs each class by its support.

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassificationReport {
  rows: number;
  /** Rows whose predicted class is their true class, over all rows. */
  accuracy: number;
  correct: number;
  /** confusion[i][j]: rows of true class i predicted as j. */
  confusion: number[][];
  /** Per class, in the order of the classes. */
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  macro: ClassScores;
  weighted: ClassScores;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/** The mean of `values` weighted by `weights` (0 when the weights sum to 0). */
function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let sum = 0, total = 0;
  for (let k = 0; k < values.length; k++) {
    sum += values[k] * weights[k];
    total += weights[k];
  }
  return ratio(sum, total);
}

const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/** Scores of predicted against true class indices (each an integer in [0, classes)). */
export function classificationReport(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): ClassificationReport {
  const confusion = emptyConfusion(classes);
  countInto(confusion, truth, predicted);
  return confusionReport(confusion);
}

/** A confusion matrix of `classes` classes with no rows counted. */
export function emptyConfusion(classes: number): number[][] {
  return Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
}

/** Counts rows of true and predicted class indices into a confusion matrix (rows may come in parts). */
export function countInto(confusion: number[][], truth: ArrayLike<number>, predicted: ArrayLike<number>): void {
  for (let r = 0; r < truth.length; r++) confusion[truth[r]][predicted[r]]++;
}

/** The scores of a confusion matrix (confusion[i][j]: rows of true class i predicted as j). */
export function confusionReport(confusion: number[][]): ClassificationReport {
  const classes = confusion.length;
  let correct = 0, rows = 0;
  for (let k = 0; k < classes; k++) {
    correct += confusion[k][k];
    for (let j = 0; j < classes; j++) rows += confusion[k][j];
  }
  const precision: number[] = [], recall: number[] = [], f1: number[] = [], support: number[] = [];
  for (let k = 0; k < classes; k++) {
    const tp = confusion[k][k];
    let fp = 0, fn = 0;
    for (let j = 0; j < classes; j++) {
      if (j === k) continue;
      fp += confusion[j][k];
      fn += confusion[k][j];
    }
    precision.push(ratio(tp, tp + fp));
    recall.push(ratio(tp, tp + fn));
    f1.push(ratio(2 * tp, 2 * tp + fp + fn));
    support.push(tp + fn);
  }
  return {
    rows,
    accuracy: ratio(correct, rows),
    correct,
    confusion,
    precision,
    recall,
    f1,
    support,
    macro: { precision: mean(precision), recall: mean(recall), f1: mean(f1) },
    weighted: { precision: weightedMean(precision, support), recall: weightedMean(recall, support), f1: weightedMean(f1, support) },
  };
}

/** The index of the largest of `count` values of `data` from `at` (the first one on a tie, as numpy's argmax). */
export function argmax(data: ArrayLike<number>, at: number, count: number): number {
  let best = 0;
  for (let k = 1; k < count; k++) if (data[at + k] > data[at + best]) best = k;
  return best;
}

/** The class index of each of `rows` target rows of `cols` values: its largest entry (one column: t > 0.5). */
export function classOfRows(data: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = cols === 1 ? (data[r] > 0.5 ? 1 : 0) : argmax(data, r * cols, cols);
  return out;
}
