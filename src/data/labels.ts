// Class labels as targets: a 1-D array of labels (one per row) becomes the one-hot rows a softmax
// model trains on, or the 0/1 column of a model with one sigmoid output (the second class is 1).
import { DataError, describe } from '../errors.js';
import type { Label } from '../spec/labels.js';
import type { Matrix } from './dataset.js';

/** True when `Y` is a 1-D array of labels (a plain array whose first entry is not an array). */
export function isLabelArray(Y: unknown): Y is readonly Label[] {
  return Array.isArray(Y) && Y.length > 0 && !Array.isArray(Y[0]);
}

/** Checks labels: each a non-empty string or a finite number, all of one type; the error names the row. */
export function checkLabels(labels: readonly unknown[], name: string): readonly Label[] {
  const kind = typeof labels[0];
  labels.forEach((v, r) => {
    const ok = (typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v));
    if (!ok || typeof v !== kind) {
      const expected = ok ? `a ${kind} like ${name}[0] (labels are all strings or all numbers)` : 'a label: a non-empty string or a finite number';
      throw new DataError('BAD_LABEL', `${name}[${r}]: expected ${expected}, got ${describe(v)}`, { path: `${name}[${r}]`, expected, received: describe(v) });
    }
  });
  return labels as readonly Label[];
}

/** `classes` for a message: the first few, then how many more. */
export function listClasses(classes: readonly Label[]): string {
  const shown = classes.slice(0, 8).map((c) => JSON.stringify(c)).join(', ');
  return classes.length > 8 ? `${shown} and ${classes.length - 8} more` : shown;
}

/** The index in `classes` of each label; an unknown label is a DataError naming its row. */
export function classIndices(labels: readonly Label[], classes: readonly Label[], name: string): Int32Array {
  const index = new Map<Label, number>(classes.map((c, i) => [c, i]));
  const out = new Int32Array(labels.length);
  labels.forEach((label, r) => {
    const i = index.get(label);
    if (i === undefined) {
      throw new DataError('UNKNOWN_LABEL', `${name}[${r}]: ${describe(label)} is not one of the model's classes (${listClasses(classes)})`, {
        path: `${name}[${r}]`, expected: `one of ${listClasses(classes)}`, received: describe(label),
      });
    }
    out[r] = i;
  });
  return out;
}

/** Labels as the targets the network trains on: one-hot rows of `outputs` units, or (one output) 0/1. */
export function encodeLabels(labels: readonly Label[], classes: readonly Label[], outputs: number, name: string): Matrix {
  const indices = classIndices(labels, classes, name);
  const data = new Float64Array(labels.length * outputs);
  if (outputs === 1) indices.forEach((k, r) => (data[r] = k));
  else indices.forEach((k, r) => (data[r * outputs + k] = 1));
  return { data, rows: labels.length, cols: outputs, nested: false };
}
