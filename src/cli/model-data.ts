// Reads a CSV for an already trained model: its input columns by name (in any order, other columns
// ignored) and, when asked, its target columns: numbers for a regression, labels the model knows
// for a classification (an unknown label is an error naming the line and column).
//
// A model that does not name its inputs (saved by the library's `model.toJSON()` without names) has
// its CSV columns taken in order: the model's inputs first and then, where targets are read, the
// targets (one column per output; one column of labels for a classifier), and their count must
// match. A model that names its inputs but not its targets takes, as targets, the columns that are
// not inputs, when they are as many as it needs.
import { readCsv, readCsvChunks, type BlockData, type NumberColumns, type ReadOptions } from './csv.js';
import { findColumns, listColumns } from './encode.js';
import { CliError } from './errors.js';
import type { Columns, Task } from './model-file.js';

/** The columns of one CSV for a model: every name known. */
export interface Resolved {
  task: Task;
  inputs: string[];
  /** A regression's target columns (or the names its outputs are written under); a classification's column of labels. */
  targets: string[];
  labels: string[] | null;
}

export interface ModelData {
  rows: number;
  /** Inputs, rows × inputs, in the model's input order. */
  X: Float64Array;
  /** Targets as the model's outputs: numbers, or for a classification one-hot rows (one output: the class index, 0 or 1). */
  Y: Float64Array | null;
  /** Classification: the true class index of each row. */
  codes: Int32Array | null;
  readMs: number;
  bytes: number;
  columns: Resolved;
  /** Said once when columns were taken without names: which columns were used as what. */
  note: string | null;
}

const names = (list: readonly string[]) => listColumns(list);

/** The names of outputs that have none: `output` or `output_1`, …; a classification's `class`. */
function outputNames(task: Task, K: number): string[] {
  if (task === 'classification') return ['class'];
  return Array.from({ length: K }, (_, k) => (K === 1 ? 'output' : `output_${k + 1}`));
}

/** Columns in order, for a model that does not name its inputs (see the file comment). */
function byPosition(file: string, header: string[], line: number, columns: Columns, shape: { inputs: number; outputs: number }, targets: boolean): { resolved: Resolved; note: string } {
  const n = shape.inputs;
  const T = columns.task === 'classification' ? 1 : shape.outputs;
  const fits = targets ? header.length === n + T : header.length === n || header.length === n + T;
  if (!fits) {
    const what = columns.task === 'classification' ? 'column of labels' : `target column${T === 1 ? '' : 's'}`;
    const those = `${T} ${what}`;
    const expected = targets ? `${n + T} columns (the model's ${n} inputs, then ${those})` : `${n} columns (the model's inputs), or ${n + T} (the inputs, then ${those}, ignored)`;
    throw new CliError('COLUMN_COUNT', `${file}: the model has no column names (saved by model.toJSON()), so the CSV's columns are taken in order: expected ${expected}; the header (line ${line}) has ${header.length}: ${names(header)}`, { file, line });
  }
  const inputs = header.slice(0, n);
  const targetNames = header.length === n + T ? header.slice(n) : (columns.targets ?? outputNames(columns.task, shape.outputs));
  const note = `the model has no column names: inputs are the first ${n === 1 ? 'column' : `${n} columns`} (${names(inputs)})${targets ? `, targets the next ${T === 1 ? 'one' : T} (${names(targetNames)})` : ''}`;
  return { resolved: { task: columns.task, inputs, targets: targetNames, labels: columns.labels }, note };
}

/** The target columns of a model that names its inputs and not its targets: the other columns, if they are as many as it needs. */
function remaining(file: string, header: string[], line: number, columns: Columns, inputs: number[], outputs: number): { targets: string[]; note: string } {
  const T = columns.task === 'classification' ? 1 : outputs;
  const taken = new Set(inputs);
  const rest = header.filter((_, i) => !taken.has(i));
  const what = columns.task === 'classification' ? 'its column of labels' : T === 1 ? 'its target column' : `its ${T} target columns`;
  if (rest.length !== T) {
    throw new CliError('NO_TARGET_NAMES', `${file}: the model names its inputs but not ${what}, so ${T === 1 ? 'it is' : 'they are'} the CSV's column${T === 1 ? '' : 's'} besides the inputs: expected ${T}, the header (line ${line}) has ${rest.length}${rest.length > 0 ? `: ${names(rest)}` : ''}`, { file, line });
  }
  return { targets: rest, note: `the model does not name ${what}: ${T === 1 ? 'it is' : 'they are'} ${names(rest)}, the column${T === 1 ? '' : 's'} besides the inputs` };
}

/** What reading a CSV for a model found in its header: the columns by name, and the note to say once (null: none). */
interface Found {
  resolved: Resolved | null;
  note: string | null;
}

/** The blocks to read from a CSV for a model (see the file comment); `found` gets the columns by name. */
function modelLayout(file: string, columns: Columns, shape: { inputs: number; outputs: number }, targets: boolean, found: Found): ReadOptions['layout'] {
  return (header, where) => {
    let inputs: number[];
    if (columns.inputs === null) {
      ({ resolved: found.resolved, note: found.note } = byPosition(file, header, where.line, columns, shape, targets));
      inputs = found.resolved.inputs.map((_, i) => i);
    } else {
      inputs = findColumns(file, header, columns.inputs, 'an input of the model', where.line);
      let names = columns.targets;
      if (names === null && targets) ({ targets: names, note: found.note } = remaining(file, header, where.line, columns, inputs, shape.outputs));
      found.resolved = { task: columns.task, inputs: columns.inputs, targets: names ?? outputNames(columns.task, shape.outputs), labels: columns.labels };
    }
    if (!targets) return [{ kind: 'number', columns: inputs }];
    const r = found.resolved;
    const at = columns.inputs === null ? r.targets.map((_, k) => inputs.length + k) : findColumns(file, header, r.targets, 'a target of the model', where.line);
    if (r.task === 'classification') return [{ kind: 'number', columns: inputs }, { kind: 'label', column: at[0], known: r.labels! }];
    return [{ kind: 'number', columns: inputs }, { kind: 'number', columns: at }];
  };
}

/** The targets of a table (or a chunk) as the model's outputs and, for a classification, the class indices. */
function targetsOf(blocks: BlockData[], outputs: number): { Y: Float64Array; codes: Int32Array | null } {
  const target = blocks[1];
  if (target.kind === 'label') return { Y: targetRows(target.codes, outputs), codes: target.codes };
  return { Y: target.data, codes: null };
}

export async function readModelData(
  file: string,
  columns: Columns,
  shape: { inputs: number; outputs: number },
  options: { delimiter: string | undefined; targets: boolean; maxRows?: number; progress?: (read: number, total: number, rows: number) => void },
): Promise<ModelData> {
  const found: Found = { resolved: null, note: null };
  const table = await readCsv(file, {
    delimiter: options.delimiter,
    progress: options.progress,
    maxRows: options.maxRows,
    layout: modelLayout(file, columns, shape, options.targets, found),
  });
  const X = (table.blocks[0] as NumberColumns).data;
  const { Y, codes } = options.targets ? targetsOf(table.blocks, shape.outputs) : { Y: null, codes: null };
  return { rows: table.rows, X, Y, codes, readMs: table.ms, bytes: table.bytes, columns: found.resolved!, note: found.note };
}

/** A chunk of a CSV read for a model: ModelData's rows, inputs and targets, and how far the file was read. */
export interface ModelChunk extends Pick<ModelData, 'rows' | 'X' | 'Y' | 'codes' | 'columns'> {
  bytesRead: number;
  size: number;
  /** The note of the first chunk (columns taken without names), else null. */
  note: string | null;
}

/** A CSV for a model, `chunkRows` rows at a time (readModelData's columns and rules); faults are CliErrors. */
export async function* modelDataChunks(
  file: string,
  columns: Columns,
  shape: { inputs: number; outputs: number },
  options: { delimiter: string | undefined; targets: boolean; chunkRows: number },
): AsyncGenerator<ModelChunk> {
  const found: Found = { resolved: null, note: null };
  let first = true;
  for await (const chunk of readCsvChunks(file, { delimiter: options.delimiter, chunkRows: options.chunkRows, layout: modelLayout(file, columns, shape, options.targets, found) })) {
    const X = (chunk.blocks[0] as NumberColumns).data;
    const { Y, codes } = options.targets ? targetsOf(chunk.blocks, shape.outputs) : { Y: null, codes: null };
    yield { rows: chunk.rows, X, Y, codes, columns: found.resolved!, bytesRead: chunk.bytesRead, size: chunk.size, note: first ? found.note : null };
    first = false;
  }
}

/** Class indices as the network's targets: one-hot rows; for one output (a sigmoid choosing between two classes), the index itself. */
export function targetRows(codes: Int32Array, outputs: number): Float64Array {
  if (outputs === 1) return Float64Array.from(codes);
  const out = new Float64Array(codes.length * outputs);
  for (let r = 0; r < codes.length; r++) out[r * outputs + codes[r]] = 1;
  return out;
}
