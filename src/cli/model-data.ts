// Reads a CSV for an already trained model: its input columns by name (in any order, other columns
// ignored) and, when asked, its target columns: numbers for a regression, labels the model knows
// for a classification (an unknown label is an error naming the line and column).
//
// A model saved by the library itself (`model.toJSON()`) has no column names: then the CSV's columns
// are taken in order, the model's inputs first and then, where targets are read, one column per
// output, and their count must match.
import { readCsv, type LabelColumn, type NumberColumns } from './csv.js';
import { findColumns, listColumns, oneHot } from './encode.js';
import { CliError } from './errors.js';
import { CLI_FORMAT_VERSION, type CliMeta } from './model-file.js';

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
  /** The model's metadata; for a model without column names, the one taken from the CSV's header. */
  meta: CliMeta;
  /** Said once for a model without column names: which columns were used as what. */
  note: string | null;
}

const names = (list: readonly string[]) => listColumns(list);

/** Column names for a model that has none, from the CSV header in order (see the file comment). */
function metaFromHeader(file: string, header: string[], line: number, shape: { inputs: number; outputs: number }, targets: boolean): { meta: CliMeta; note: string } {
  const { inputs: n, outputs: K } = shape;
  const fits = targets ? header.length === n + K : header.length === n || header.length === n + K;
  if (!fits) {
    const columns = `${K} target column${K === 1 ? '' : 's'}`;
    const expected = targets ? `${n + K} columns (the model's ${n} inputs, then ${columns})` : `${n} columns (the model's inputs), or ${n + K} (the inputs, then ${columns}, ignored)`;
    throw new CliError('COLUMN_COUNT', `${file}: the model has no column names (saved by model.toJSON()), so the CSV's columns are taken in order: expected ${expected}; the header (line ${line}) has ${header.length}: ${names(header)}`, { file, line });
  }
  const inputNames = header.slice(0, n);
  const targetNames = header.length === n + K ? header.slice(n) : Array.from({ length: K }, (_, k) => (K === 1 ? 'output' : `output_${k + 1}`));
  const meta: CliMeta = { version: CLI_FORMAT_VERSION, inputs: inputNames, targets: targetNames, task: 'regression', labels: null, training: null };
  const note = `the model has no column names: inputs are the first ${n === 1 ? 'column' : `${n} columns`} (${names(inputNames)})${targets ? `, targets the next ${K === 1 ? 'one' : K} (${names(targetNames)})` : ''}`;
  return { meta, note };
}

export async function readModelData(
  file: string,
  known: CliMeta | null,
  shape: { inputs: number; outputs: number },
  options: { delimiter: string | undefined; targets: boolean; maxRows?: number; progress?: (read: number, total: number, rows: number) => void },
): Promise<ModelData> {
  let meta = known;
  let note: string | null = null;
  const table = await readCsv(file, {
    delimiter: options.delimiter,
    progress: options.progress,
    maxRows: options.maxRows,
    layout: (header, where) => {
      if (meta === null) ({ meta, note } = metaFromHeader(file, header, where.line, shape, options.targets));
      const m = meta;
      const inputs = findColumns(file, header, m.inputs, 'an input of the model', where.line);
      if (!options.targets) return [{ kind: 'number', columns: inputs }];
      const targets = findColumns(file, header, m.targets, 'a target of the model', where.line);
      if (m.task === 'classification') return [{ kind: 'number', columns: inputs }, { kind: 'label', column: targets[0], known: m.labels! }];
      return [{ kind: 'number', columns: inputs }, { kind: 'number', columns: targets }];
    },
  });
  const resolved = meta!;
  const X = (table.blocks[0] as NumberColumns).data;
  let Y: Float64Array | null = null;
  let codes: Int32Array | null = null;
  if (options.targets) {
    const target = table.blocks[1];
    if (target.kind === 'label') {
      codes = (target as LabelColumn).codes;
      Y = oneHot(codes, resolved.labels!.length);
    } else {
      Y = target.data;
    }
  }
  return { rows: table.rows, X, Y, codes, readMs: table.ms, bytes: table.bytes, meta: resolved, note };
}
