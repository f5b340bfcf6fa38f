// readCsv: a CSV file (or its text) as the arrays a model takes, read by the same code and rules as
// the `wasmlp` command (src/csv/table.ts): delimiter from the header (or a tab for .tsv), quotes,
// CRLF, a byte-order mark, decimal numbers only; a bad cell is a CsvError naming file, line and column.
//
// The target decides the task as `wasmlp train` does: a column whose first value is not a number
// holds class labels (y: one label per row, classes: their sorted unique values, which are the
// model's classes after model.fit(X, y)); a numeric column is a regression target (y: numbers),
// unless `classes: true` asks for labels.
import { OptionsError, describe } from '../errors.js';
import { sortedUnique } from '../spec/labels.js';
import { rejectUnknownKeys } from '../spec/names.js';
import { readTable } from './file.js';
import { nodeModules } from './node.js';
import { csvError, DELIMITER_EXPECTED, delimiterOf, describeDelimiter, parseNumber, type Block, type CsvInput, type DelimiterChoice, type LabelColumn, type NumberColumns, type ReadOptions } from './table.js';

export interface ReadCsvOptions {
  /** The target column: what a model learns to predict from the input columns. */
  target?: string;
  /** Several target columns (numbers: a regression with one output each), instead of `target`. */
  targets?: readonly string[];
  /** The input columns, in this order; default: every column that is not a target or ignored, in the file's order. */
  inputs?: readonly string[];
  /** Columns that are neither inputs nor targets (ids, free text), when `inputs` is not given. */
  ignore?: readonly string[];
  /** The field delimiter: one character, or `'tab'`; default: a tab for a .tsv file, else detected from the header (the most frequent of `,` tab `;` `|` outside quotes). */
  delimiter?: string;
  /** Read the (one) target as class labels even when its values are numbers; labels that are all numbers are then given as numbers. */
  classes?: boolean;
}

/** A CSV file as arrays for a model: `model.fit(X, y)`, `model.evaluate(X, y)`, `model.predict(X)`. */
export interface CsvData {
  /** Data rows read (blank lines are not rows). */
  rows: number;
  /** The inputs, rows × inputNames.length, row-major (what `fit`, `predict` and `evaluate` take as X). */
  X: Float64Array;
  /** The input columns, in the order of X's columns. */
  inputNames: string[];
  /** The target columns ([] when none was asked for). */
  targetNames: string[];
  /**
   * The targets: class labels, one per row (strings; numbers with `classes: true` when every label is
   * a number), or numbers as a Float64Array of rows × targetNames.length; null without a target.
   */
  y: string[] | number[] | Float64Array | null;
  /** Numeric targets as rows, `{ data: y, rows }` (the same array); null for labels or without a target. */
  Y: { data: Float64Array; rows: number } | null;
  /** The sorted unique labels (numbers ascending, strings by UTF-16 code units): `model.classes` after `model.fit(X, y)`; null for numeric targets. */
  classes: string[] | number[] | null;
  /** The field delimiter the file was read with. */
  delimiter: string;
  /** How it was chosen: given in the options, a .tsv file, detected from the header, or the default comma. */
  delimiterSource: DelimiterChoice['source'];
  /** The file as given (a path), or null for text. */
  file: string | null;
  /** The header's line (blank lines before it are skipped). */
  headerLine: number;
  /** Worth knowing about the data, e.g. a numeric target of a few integers that may be class labels. */
  notes: string[];
}

export const OPTIONS = ['target', 'targets', 'inputs', 'ignore', 'delimiter', 'classes'];

export function optionError(path: string, expected: string, value: unknown, code = 'BAD_OPTION'): OptionsError {
  return new OptionsError(code, `${path}: expected ${expected}, got ${describe(value)}`, { path, expected, received: describe(value) });
}

/** A list of column names given in an option: an array of distinct non-empty strings. */
function columnList(value: unknown, path: string): string[] | undefined {
  if (value === undefined) return undefined;
  const expected = 'an array of column names (non-empty strings)';
  if (!Array.isArray(value)) throw optionError(path, expected, value);
  value.forEach((name, i) => {
    if (typeof name !== 'string' || name === '') throw optionError(`${path}[${i}]`, 'a column name (a non-empty string)', name);
    const first = value.indexOf(name);
    if (first !== i) throw new OptionsError('DUPLICATE_NAME', `${path}[${i}]: ${JSON.stringify(name)} is also ${path}[${first}]; give each column once`, { path: `${path}[${i}]`, expected: 'distinct column names', received: JSON.stringify(name) });
  });
  return [...value] as string[];
}

export interface Checked {
  targets: string[];
  targetPath: string;
  inputs: string[] | undefined;
  ignore: string[];
  delimiter: string | undefined;
  classes: boolean;
}

/** Checks readCsv's options (and those of the chunked sources: `keys`, the valid ones). */
export function checkOptions(options: ReadCsvOptions, keys: readonly string[] = OPTIONS): Checked {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw optionError('options', `an object { ${keys.map((k) => `${k}?`).join(', ')} }`, options);
  rejectUnknownKeys(options, keys, 'options', OptionsError, 'UNKNOWN_OPTION', 'option');
  const { target, delimiter, classes } = options;
  if (target !== undefined && options.targets !== undefined) {
    throw new OptionsError('BAD_OPTION', 'options: give target (one column) or targets (a list), not both', { path: 'options.targets', expected: 'target or targets', received: 'both' });
  }
  if (target !== undefined && (typeof target !== 'string' || target === '')) throw optionError('options.target', 'a column name (a non-empty string)', target);
  const targets = target !== undefined ? [target] : (columnList(options.targets, 'options.targets') ?? []);
  const targetPath = target !== undefined ? 'options.target' : 'options.targets';
  const inputs = columnList(options.inputs, 'options.inputs');
  const ignore = columnList(options.ignore, 'options.ignore') ?? [];
  if (inputs !== undefined && ignore.length > 0) {
    throw new OptionsError('BAD_OPTION', 'options: give inputs (the columns to read) or ignore (the columns to leave out), not both', { path: 'options.ignore', expected: 'inputs or ignore', received: 'both' });
  }
  for (const [list, path] of [[inputs ?? [], 'options.inputs'], [ignore, 'options.ignore']] as const) {
    const both = list.find((name) => targets.includes(name));
    if (both !== undefined) {
      throw new OptionsError('BAD_OPTION', `${path}: ${JSON.stringify(both)} is also a target (${targetPath}); a column is an input, a target or ignored`, { path, expected: 'columns that are not targets', received: JSON.stringify(both) });
    }
  }
  if (classes !== undefined && typeof classes !== 'boolean') throw optionError('options.classes', 'true or false', classes);
  if (classes && targets.length !== 1) {
    throw new OptionsError('ONE_LABEL_TARGET', `options.classes: class labels are one target column; ${targetPath} gives ${targets.length}`, { path: 'options.classes', expected: 'one target column', received: `${targets.length}` });
  }
  let d: string | undefined;
  if (delimiter !== undefined) {
    d = typeof delimiter === 'string' ? (delimiterOf(delimiter) ?? undefined) : undefined;
    if (d === undefined) throw optionError('options.delimiter', DELIMITER_EXPECTED, delimiter);
  }
  return { targets, targetPath, inputs, ignore, delimiter: d, classes: classes === true };
}

/** What is read: text when the string holds a line break, else a file path (or a file: URL). */
async function sourceOf(source: unknown): Promise<CsvInput> {
  if (source instanceof URL) return { file: (await nodeModules()).url.fileURLToPath(source) };
  if (typeof source !== 'string' || source === '') {
    throw new OptionsError('BAD_SOURCE', `readCsv: expected a file path, a file: URL or CSV text (a string with a line break), got ${describe(source)}`, { path: 'source', expected: 'a path, a URL or CSV text', received: describe(source) });
  }
  return /[\r\n]/.test(source) ? { text: source } : { file: source };
}

/** Most distinct integers a numeric target may hold for the note that it may be class labels. */
const FEW_CLASSES = 10;

/** A note when a numeric target holds a few distinct integers (digits, ratings): they may be class labels. */
function integerLabelsNote(name: string, y: Float64Array): string | null {
  const values = new Set<number>();
  for (let r = 0; r < y.length && values.size <= FEW_CLASSES; r++) {
    if (!Number.isInteger(y[r])) return null;
    values.add(y[r]);
  }
  if (values.size < 2 || values.size > FEW_CLASSES || y.length < 2 * values.size) return null;
  const list = [...values].sort((a, b) => a - b).join(', ');
  return `${JSON.stringify(name)} holds ${values.size} distinct integers (${list}): read as numbers, a regression target; to read them as class labels, pass classes: true`;
}

/** Labels of each row from codes; numbers when `numeric` asks and every label is one. */
function labelsOf(column: LabelColumn, numeric: boolean): string[] | number[] {
  const values = numeric ? column.labels.map(parseNumber) : null;
  const table: (string | number)[] = values !== null && values.every((v) => !Number.isNaN(v)) ? values : column.labels;
  return Array.from(column.codes, (code) => table[code]) as string[] | number[];
}

/**
 * The columns the options ask for, as readTable's layout (inputs, then one block per target; a
 * target is numbers or labels by its first value, or labels with `classes: true`) and its check
 * once the first row has decided. `inputs` gets the input columns' names.
 */
export function csvLayout(o: Checked, file: string | undefined, inputs: (names: string[]) => void, hint = 'the column\'s first value is a number, so it is read as numbers; pass classes: true to read its values as class labels'): Pick<ReadOptions, 'layout' | 'resolved'> {
  return {
    layout: (header, where) => {
      const find = (names: readonly string[], given: string) => names.map((name) => {
        const i = header.indexOf(name);
        if (i !== -1) return i;
        const columns = header.map((h) => JSON.stringify(h)).join(', ');
        throw csvError('MISSING_COLUMN', { file, line: where.line, column: name }, `no column ${JSON.stringify(name)} (given in ${given}); the header (line ${where.line}) has ${columns} (read with ${describeDelimiter(where.delimiter, 'options.delimiter')}; choose another with options.delimiter)`, {}, 'file');
      });
      const targets = find(o.targets, o.targetPath);
      const ignored = find(o.ignore, 'options.ignore');
      const columns = o.inputs !== undefined ? find(o.inputs, 'options.inputs') : header.map((_, i) => i).filter((i) => !targets.includes(i) && !ignored.includes(i));
      if (columns.length === 0) {
        throw csvError('NO_INPUTS', { file, line: where.line }, `no input columns left (all of ${header.map((h) => JSON.stringify(h)).join(', ')} are targets or ignored)`, {}, 'file');
      }
      inputs(columns.map((i) => header[i]));
      return [{ kind: 'number', columns }, ...targets.map((column): Block => ({ kind: o.classes ? 'label' : 'auto', column, hint }))];
    },
    resolved: (blocks) => {
      const labelled = o.targets.filter((_, k) => blocks[k + 1].kind === 'label');
      if (labelled.length > 0 && o.targets.length > 1) {
        throw csvError('ONE_LABEL_TARGET', { file, column: labelled[0] }, `holds class labels (its first value is not a number), and a column of labels must be the only target; ${o.targetPath} gives ${o.targets.length}`);
      }
    },
  };
}

/**
 * Reads a CSV file (a path or a file: URL), or CSV text (a string with a line break), into the
 * arrays a model takes. Node only (it reads files). Faults in the data are CsvErrors (a DataError
 * with `file`, `line` and `column`); faults in the options are OptionsErrors.
 *
 * ```js
 * const { X, y, classes } = await readCsv('iris.csv', { target: 'species' });
 * ```
 */
export async function readCsv(source: string | URL, options: ReadCsvOptions = {}): Promise<CsvData> {
  const o = checkOptions(options);
  const from = await sourceOf(source);
  const file = 'file' in from ? from.file : undefined;
  let inputNames: string[] = [];
  const table = await readTable(from, { delimiter: o.delimiter, ...csvLayout(o, file, (names) => (inputNames = names)) });
  const X = (table.blocks[0] as NumberColumns).data;
  const targetBlocks = table.blocks.slice(1);
  let y: CsvData['y'] = null, Y: CsvData['Y'] = null, classes: CsvData['classes'] = null;
  const notes: string[] = [];
  if (targetBlocks[0]?.kind === 'label') {
    y = labelsOf(targetBlocks[0], o.classes);
    classes = sortedUnique(y) as string[] | number[];
  } else if (targetBlocks.length > 0) {
    // numeric targets, one block per column: interleaved into rows of K values
    const K = targetBlocks.length;
    const data = K === 1 ? (targetBlocks[0] as NumberColumns).data : new Float64Array(table.rows * K);
    if (K > 1) targetBlocks.forEach((b, k) => (b as NumberColumns).data.forEach((v, r) => (data[r * K + k] = v)));
    y = data;
    Y = { data, rows: table.rows };
    const note = K === 1 ? integerLabelsNote(o.targets[0], data) : null;
    if (note !== null) notes.push(note);
  }
  return {
    rows: table.rows, X, inputNames, targetNames: [...o.targets], y, Y, classes,
    delimiter: table.delimiter.delimiter, delimiterSource: table.delimiter.source, file: file ?? null, headerLine: table.headerLine, notes,
  };
}
