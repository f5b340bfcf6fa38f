// What a model's inputs, outputs and classes are called. Names travel with the model (saved, checksummed,
// carried through ONNX metadata), so a model trained in code is used by column name on the command line
// and the other way round.
//
// A classifier is a model whose output is one choice among classes: a cce loss over K ≥ 2 output units
// (K classes, one unit each), or a bce loss on one output unit (two classes: the unit is the
// probability of the second). Its classes are given in the spec, or taken at the first fit from the
// labels as their sorted unique values (as scikit-learn's `classes_`).
import { describe, type ErrorDetails, type WasmlpError } from '../errors.js';
import type { ErrorClass } from './names.js';
import type { CheckedSpec } from './types.js';

/** A class label: a string or a finite number. */
export type Label = string | number;

export interface ModelNames {
  /** One per input column, in order; null when not named. */
  readonly inputs: readonly string[] | null;
  /** One per output unit (a regressor's targets), in order; null when not named. */
  readonly targets: readonly string[] | null;
  /** A classifier's classes, in the order of its outputs; null when not known yet (or not a classifier). */
  readonly classes: readonly Label[] | null;
}

export const NO_NAMES: ModelNames = Object.freeze({ inputs: null, targets: null, classes: null });

type Shape = Pick<CheckedSpec, 'loss' | 'outputs' | 'inputs'>;

/** How many classes the model chooses among: K for cce over K units, 2 for bce on one unit; 0: not a classifier. */
export function classCount(spec: Shape): number {
  if (spec.loss === 'cce' && spec.outputs >= 2) return spec.outputs;
  if (spec.loss === 'bce' && spec.outputs === 1) return 2;
  return 0;
}

function fail(ErrorClass: ErrorClass, code: string, path: string, message: string, details: Omit<ErrorDetails, 'path'>): WasmlpError {
  return new ErrorClass(code, `${path}: ${message}`, { path, ...details });
}

/** A list of `count` unique values, each passing `ok`; the error names the first that does not. */
function uniqueList<T>(value: unknown, count: number, path: string, what: string, ok: (v: unknown) => v is T, ErrorClass: ErrorClass): T[] {
  if (!Array.isArray(value) || value.length !== count) {
    throw fail(ErrorClass, 'BAD_NAMES', path, `expected ${count} ${what}, got ${describe(value)}`, { expected: `${count} ${what}`, received: describe(value) });
  }
  const seen = new Map<unknown, number>();
  value.forEach((v, i) => {
    if (!ok(v)) throw fail(ErrorClass, 'BAD_NAMES', `${path}[${i}]`, `expected one of ${what}, got ${describe(v)}`, { expected: what, received: describe(v) });
    const first = seen.get(v);
    if (first !== undefined) {
      throw fail(ErrorClass, 'DUPLICATE_NAME', `${path}[${i}]`, `${describe(v)} is also ${path}[${first}]; each must be unique`, { expected: `unique ${what}`, received: describe(v) });
    }
    seen.set(v, i);
  });
  return value as T[];
}

const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isLabel = (v: unknown): v is Label => (typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v));

/** Checks `classes` for a model of this shape: a classifier's class count of unique labels, all strings or all numbers. */
export function validateClasses(value: unknown, spec: Shape, path: string, ErrorClass: ErrorClass): Label[] {
  const count = classCount(spec);
  if (count === 0) {
    throw fail(ErrorClass, 'NOT_A_CLASSIFIER', path, `classes need a classifier (a cce loss over 2 or more outputs, or a bce loss on one output); this model has a ${spec.loss} loss on ${spec.outputs} output${spec.outputs === 1 ? '' : 's'}`, {
      expected: 'a classifier', received: `${spec.loss} on ${spec.outputs} outputs`,
    });
  }
  const classes = uniqueList(value, count, path, count === 2 && spec.outputs === 1 ? 'labels (two: a bce model on one output chooses between two classes)' : 'labels (non-empty strings or finite numbers)', isLabel, ErrorClass);
  if (classes.some((c) => typeof c !== typeof classes[0])) {
    throw fail(ErrorClass, 'BAD_NAMES', path, 'expected labels all strings or all numbers, got a mix', { expected: 'labels of one type', received: 'strings and numbers' });
  }
  return classes;
}

/** Where each list of names is given: `{ inputs: 'inputNames', … }` for a spec, `names.inputs` in a saved model. */
export interface NamePaths {
  inputs: string;
  targets: string;
  classes: string;
}

/** Checks names given for a model of this shape (each list optional: undefined or null is none). */
export function validateNames(value: { inputs?: unknown; targets?: unknown; classes?: unknown }, spec: Shape, paths: NamePaths, ErrorClass: ErrorClass): ModelNames {
  const given = (v: unknown): boolean => v !== undefined && v !== null;
  return {
    inputs: given(value.inputs) ? uniqueList(value.inputs, spec.inputs, paths.inputs, 'input names (non-empty strings)', isName, ErrorClass) : null,
    targets: given(value.targets) ? uniqueList(value.targets, spec.outputs, paths.targets, 'output names (non-empty strings)', isName, ErrorClass) : null,
    classes: given(value.classes) ? validateClasses(value.classes, spec, paths.classes, ErrorClass) : null,
  };
}

/** The sorted unique values of `labels` (numbers ascending, strings by UTF-16 code units, as numpy's unique). */
export function sortedUnique(labels: readonly Label[]): Label[] {
  const unique = [...new Set(labels)];
  const numbers = unique.every((v) => typeof v === 'number');
  return numbers ? (unique as number[]).sort((a, b) => a - b) : (unique as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
