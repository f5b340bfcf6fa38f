// A classifier's side of a model (src/spec/labels.ts says which models are classifiers): targets given
// as labels, probabilities in the order of the classes, predicted labels, and the scores of
// `model.evaluate` with scikit-learn's definitions (src/metrics).
import { checkLabels, classIndices, encodeLabels, isLabelArray, listClasses } from '../data/labels.js';
import { toMatrix, type MatrixInput } from '../data/dataset.js';
import { DataError, OptionsError, describe } from '../errors.js';
import { argmax, classOfRows, classificationReport, type ClassificationReport } from '../metrics/classification.js';
import { regressionReport, type RegressionReport } from '../metrics/regression.js';
import { classCount, sortedUnique, type Label, type ModelNames } from '../spec/labels.js';
import type { ValidSpec } from '../spec/types.js';
import type { RowClasses } from '../train/options.js';

/** Targets as labels (a 1-D array, one per row) or as the network's target rows. */
export type Targets = MatrixInput | readonly Label[];

/** What these functions need of a model. */
export interface ClassifierView {
  readonly spec: ValidSpec;
  readonly names: ModelNames;
  predict(X: MatrixInput): number[][] | Float64Array;
  loss(X: MatrixInput, Y: MatrixInput): number;
}

export interface ClassifierEvaluation extends ClassificationReport {
  task: 'classification';
  /** The model's loss on (X, Y), as `model.loss` gives it. */
  loss: number;
  /** The order of the confusion matrix's rows and columns and of the per-class lists. */
  classes: Label[];
}

export interface RegressorEvaluation extends RegressionReport {
  task: 'regression';
  /** The model's loss on (X, Y), as `model.loss` gives it (on scaled targets when a target scaler is attached). */
  loss: number;
  /** The output columns' names, when the model has them. */
  targets: string[] | null;
}

export type Evaluation = ClassifierEvaluation | RegressorEvaluation;

function needsClassifier(spec: ValidSpec, method: string, path: string): number {
  const count = classCount(spec);
  if (count > 0) return count;
  throw new OptionsError('NOT_A_CLASSIFIER', `${path}: ${method} needs a classifier (a cce loss over 2 or more outputs, or a bce loss on one output); this model has a ${spec.loss} loss on ${spec.outputs} output${spec.outputs === 1 ? '' : 's'}`, {
    path, expected: 'a classifier', received: `${spec.loss} on ${spec.outputs} outputs`,
  });
}

function knownClasses(view: ClassifierView, method: string): readonly Label[] {
  needsClassifier(view.spec, method, method);
  const classes = view.names.classes;
  if (classes !== null) return classes;
  throw new OptionsError('NO_CLASSES', `${method}: this model does not know its classes yet: fit it with labels, give classes in the spec, or set them with setNames({ classes })`, {
    path: method, expected: 'a model with classes', received: 'no classes',
  });
}

/**
 * The classes a fit on labels `Y` gives a model that has none yet: their sorted unique values, which
 * must be as many as the model's classes. Null when Y is not labels or the model has its classes.
 */
export function classesFromLabels(spec: ValidSpec, names: ModelNames, Y: unknown, name: string): Label[] | null {
  if (!isLabelArray(Y) || names.classes !== null) return null;
  const count = needsClassifier(spec, 'a fit on labels', name);
  const classes = sortedUnique(checkLabels(Y, name));
  if (classes.length !== count) {
    throw new DataError('CLASS_COUNT', `${name}: the labels have ${classes.length} distinct value${classes.length === 1 ? '' : 's'} (${listClasses(classes)}), the model chooses among ${count} classes; give classes in the spec when some are missing from the data`, {
      path: name, expected: `${count} distinct labels`, received: `${classes.length}`,
    });
  }
  return classes;
}

/** Y as the network's targets: labels are encoded with the model's classes; other forms pass as they are. */
export function targetRows(spec: ValidSpec, names: ModelNames, Y: Targets, name: string): MatrixInput {
  if (!isLabelArray(Y)) return Y as MatrixInput;
  needsClassifier(spec, 'labels as targets', name);
  if (names.classes === null) {
    throw new DataError('NO_CLASSES', `${name}: labels need the model's classes: fit it with labels first, or give classes in the spec`, { path: name, expected: 'a model with classes', received: 'no classes' });
  }
  const m = encodeLabels(checkLabels(Y, name), names.classes, spec.outputs, name);
  return { data: m.data, rows: m.rows };
}

/** The model's outputs for X, rows × outputs, row-major (predict gives nested rows for nested X). */
function flatOutputs(view: ClassifierView, X: MatrixInput): Float64Array {
  const out = view.predict(X);
  return out instanceof Float64Array ? out : Float64Array.from((out as number[][]).flat());
}

/** The probability of each of `classes` classes for each row (rows × classes, row-major). */
function probabilities(view: ClassifierView, X: MatrixInput, classes: number): { data: Float64Array; rows: number } {
  const flat = flatOutputs(view, X);
  const rows = flat.length / view.spec.outputs;
  if (view.spec.outputs !== 1) return { data: flat, rows };
  // one sigmoid output: the probability of the second class; the first is its complement
  const both = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    both[2 * r] = 1 - flat[r];
    both[2 * r + 1] = flat[r];
  }
  return { data: both, rows };
}

/** predictProba: nested rows for nested X, a flat Float64Array (rows × classes) otherwise. */
export function predictProba(view: ClassifierView, X: MatrixInput): number[][] | Float64Array {
  const classes = knownClasses(view, 'predictProba').length;
  const p = probabilities(view, X, classes);
  if (!Array.isArray(X)) return p.data;
  return Array.from({ length: p.rows }, (_, r) => Array.from(p.data.subarray(r * classes, (r + 1) * classes)));
}

/** The predicted class index of each row: the most probable (the first on a tie); one sigmoid output: p > 0.5. */
function predictedIndices(view: ClassifierView, X: MatrixInput, classes: number): Int32Array {
  const p = probabilities(view, X, classes);
  const out = new Int32Array(p.rows);
  for (let r = 0; r < p.rows; r++) out[r] = view.spec.outputs === 1 ? (p.data[2 * r + 1] > 0.5 ? 1 : 0) : argmax(p.data, r * classes, classes);
  return out;
}

export function predictClasses(view: ClassifierView, X: MatrixInput): Label[] {
  const classes = knownClasses(view, 'predictClasses');
  return Array.from(predictedIndices(view, X, classes.length), (k) => classes[k]);
}

/** The true class index of each row: labels looked up, or one-hot rows' largest entry (one output: t > 0.5). */
function trueIndices(view: ClassifierView, Y: Targets, classes: readonly Label[]): Int32Array {
  if (isLabelArray(Y)) return classIndices(checkLabels(Y, 'Y'), classes, 'Y');
  return rowIndices(view.spec, Y as MatrixInput);
}

/** The class index of each target row: its largest entry (one output: t > 0.5). */
function rowIndices(spec: ValidSpec, Y: MatrixInput): Int32Array {
  const y = toMatrix(Y, spec.outputs, 'Y');
  return classOfRows(y.data, y.rows, y.cols);
}

/**
 * fit's classWeight for the trainer: the class of each row of the targets `y` (labels already encoded
 * by targetRows) and each class's weight, from a map by label (every class, no other key) or null for
 * 'balanced' (the trainer counts the training rows).
 */
export function rowClasses(spec: ValidSpec, names: ModelNames, y: MatrixInput, classWeight: unknown): RowClasses {
  const path = 'options.classWeight';
  const count = needsClassifier(spec, 'classWeight', path);
  if (classWeight === 'balanced') return { of: rowIndices(spec, y), classes: count, weights: null };
  if (classWeight === null || typeof classWeight !== 'object' || Array.isArray(classWeight)) {
    throw new OptionsError('BAD_OPTION', `${path}: expected 'balanced' or an object { label: weight } with every class, got ${describe(classWeight)}`, {
      path, expected: "'balanced' or an object { label: weight }", received: describe(classWeight),
    });
  }
  const classes = names.classes;
  if (classes === null) {
    throw new OptionsError('NO_CLASSES', `${path}: weights by label need the model's classes: fit it with labels, give classes in the spec, or use 'balanced'`, {
      path, expected: 'a model with classes', received: 'no classes',
    });
  }
  const given = classWeight as Record<string, unknown>;
  const keys = new Set(classes.map(String));
  for (const key of Object.keys(given)) {
    if (!keys.has(key)) {
      throw new OptionsError('UNKNOWN_CLASS', `${path}: ${JSON.stringify(key)} is not one of the model's classes (${listClasses(classes)})`, {
        path, expected: `one of ${listClasses(classes)}`, received: JSON.stringify(key),
      });
    }
  }
  const weights = Float64Array.from(classes, (c) => {
    const key = String(c), value = given[key], at = `${path}[${JSON.stringify(key)}]`;
    if (value === undefined) {
      throw new OptionsError('MISSING_CLASS', `${at}: no weight for class ${JSON.stringify(c)}; give one for every class (${listClasses(classes)})`, {
        path: at, expected: 'a weight for every class', received: 'undefined',
      });
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new OptionsError('BAD_OPTION', `${at}: expected a finite number ≥ 0, got ${describe(value)}`, { path: at, expected: 'a finite number ≥ 0', received: describe(value) });
    }
    return value;
  });
  return { of: rowIndices(spec, y), classes: count, weights };
}

/** model.evaluate: the loss and the scores of a classifier or a regressor. */
export function evaluate(view: ClassifierView, X: MatrixInput, Y: Targets): Evaluation {
  const loss = view.loss(X, targetRows(view.spec, view.names, Y, 'Y'));
  if (classCount(view.spec) > 0) {
    const classes = knownClasses(view, 'evaluate');
    const report = classificationReport(trueIndices(view, Y, classes), predictedIndices(view, X, classes.length), classes.length);
    return { task: 'classification', loss, classes: [...classes], ...report };
  }
  const y = toMatrix(Y as MatrixInput, view.spec.outputs, 'Y');
  const p = flatOutputs(view, X);
  const targets = view.names.targets === null ? null : [...view.names.targets];
  return { task: 'regression', loss, targets, ...regressionReport(y.data, p, y.rows, y.cols) };
}
