// Reads a CSV for an already trained model: its input columns by name (in any order, other columns
// ignored) and, when asked, its target columns: numbers for a regression, labels the model knows
// for a classification (an unknown label is an error naming the line and column).
import { readCsv, type LabelColumn, type NumberColumns } from './csv.js';
import { findColumns, oneHot } from './encode.js';
import type { CliMeta } from './model-file.js';

export interface ModelData {
  rows: number;
  /** Inputs, rows × meta.inputs.length, in the model's input order. */
  X: Float64Array;
  /** Targets as the model's outputs: numbers, or one-hot rows for a classification. */
  Y: Float64Array | null;
  /** Classification: the true class index of each row. */
  codes: Int32Array | null;
  readMs: number;
  bytes: number;
}

export async function readModelData(
  file: string,
  meta: CliMeta,
  options: { delimiter: string; targets: boolean; maxRows?: number; progress?: (read: number, total: number, rows: number) => void },
): Promise<ModelData> {
  const table = await readCsv(file, {
    delimiter: options.delimiter,
    progress: options.progress,
    maxRows: options.maxRows,
    layout: (header) => {
      const inputs = findColumns(file, header, meta.inputs, 'an input of the model');
      if (!options.targets) return [{ kind: 'number', columns: inputs }];
      const targets = findColumns(file, header, meta.targets, 'a target of the model');
      if (meta.task === 'classification') return [{ kind: 'number', columns: inputs }, { kind: 'label', column: targets[0], known: meta.labels! }];
      return [{ kind: 'number', columns: inputs }, { kind: 'number', columns: targets }];
    },
  });
  const X = (table.blocks[0] as NumberColumns).data;
  let Y: Float64Array | null = null;
  let codes: Int32Array | null = null;
  if (options.targets) {
    const target = table.blocks[1];
    if (target.kind === 'label') {
      codes = (target as LabelColumn).codes;
      Y = oneHot(codes, meta.labels!.length);
    } else {
      Y = target.data;
    }
  }
  return { rows: table.rows, X, Y, codes, readMs: table.ms, bytes: table.bytes };
}
