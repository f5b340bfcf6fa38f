// The rows `wasmlp predict` writes (see commands/predict.ts): a regression's outputs, or a
// classifier's predicted label and its probabilities, as CSV lines; shared by the in-memory and the
// streamed predictions (predict-stream.ts), which write the same bytes.
import Papa from 'papaparse';
import type { Model } from '../model/model.js';
import { classCount } from '../spec/labels.js';
import type { Resolved } from './model-data.js';

export function predictionColumns(columns: Resolved): string[] {
  return columns.task === 'classification' ? [columns.targets[0], ...columns.labels!.map((l) => `prob_${l}`)] : [...columns.targets];
}

/** The output row `r` as CSV cells: numbers in their shortest exact form. */
export function rowCells(columns: Resolved, out: Float64Array, classes: Int32Array | null, K: number, r: number): (string | number)[] {
  const values = Array.from(out.subarray(r * K, (r + 1) * K));
  return classes ? [columns.labels![classes[r]], ...values] : values;
}

/** Rows `from` to `to` of the outputs as CSV lines (each ended by a line break). */
export function csvLines(columns: Resolved, out: Float64Array, classes: Int32Array | null, K: number, from: number, to: number): string {
  const piece: (string | number)[][] = [];
  for (let r = from; r < to; r++) piece.push(rowCells(columns, out, classes, K, r));
  return `${Papa.unparse(piece, { newline: '\n' })}\n`;
}

/** The header line of the predictions. */
export function headerLine(columns: Resolved): string {
  return `${Papa.unparse([predictionColumns(columns)], { newline: '\n' })}\n`;
}

/** The model's outputs for rows of inputs: a classifier's probabilities in the order of its classes (one sigmoid output: both classes). */
export function outputsOf(model: Model, columns: Resolved, X: { data: Float64Array; rows: number }): { out: Float64Array; K: number } {
  const proba = columns.task === 'classification' && classCount(model.spec) > 0;
  return { out: proba ? model.predictProba(X) : model.predict(X), K: proba ? model.classes!.length : model.outputs };
}
