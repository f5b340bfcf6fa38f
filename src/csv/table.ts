// The CSV reader of wasmlp: the rules every reader shares (numbers, delimiters, where a fault is)
// and TableReader, which takes one record at a time and packs the cells it keeps. readTable
// (src/csv/file.ts) reads a whole file or text with it for readCsv (src/csv/read.ts) and the `wasmlp`
// command (src/cli/csv.ts); the chunked sources (src/csv/chunks.ts) read a file or a ReadStream with
// it a chunk of rows at a time. So code, the command line and streams read a file the same way.
// Nothing here needs Node: the 'wasmlp/csv' entry loads in browsers (file access is in file.ts).
//
// Every cell goes straight into a Float64Array (numbers) or an Int32Array of label codes, so memory
// is bounded by the data, never by the text: no array of rows of strings is ever held.
//
// Line numbers in messages are the file's own (header = line 1): once the stream has shown a quote
// character, line breaks inside quoted fields are counted too.
//
// Every fault of the data is a CsvError (src/errors.ts) whose message says where (file, line,
// column), what was expected and what was found; errors thrown by the caller's layout and resolved
// callbacks pass through as they are.
import Papa from 'papaparse';
import { CsvError, type CsvLocation, type ErrorDetails } from '../errors.js';

/** Numeric columns packed side by side, one row per record. */
export interface NumberBlock {
  kind: 'number';
  columns: number[];
  /** Added to the message for a cell that is not a number. */
  hint?: string;
}

/**
 * One column of labels, stored as codes. With `known`, codes index `known` and any other label is an
 * error; without it, labels are numbered in order of first appearance.
 * `auto`: the first data row decides: a number makes it a NumberBlock of one column, anything else a label block.
 */
export interface LabelBlock {
  kind: 'label' | 'auto';
  column: number;
  known?: readonly string[];
  /** Said in the error for a non-numeric cell after `auto` chose numbers (e.g. "pass --classes"). */
  hint?: string;
}

export type Block = NumberBlock | LabelBlock;

export interface NumberColumns {
  kind: 'number';
  columns: number[];
  /** rows × columns.length, row-major. */
  data: Float64Array;
}

export interface LabelColumn {
  kind: 'label';
  column: number;
  codes: Int32Array;
  labels: string[];
}

export type BlockData = NumberColumns | LabelColumn;

/** The field delimiter a file was read with, and how it was chosen. */
export interface DelimiterChoice {
  delimiter: string;
  /** given: by the caller; tsv: the file's .tsv name; detected: counted in the header; default: nothing to detect, a comma. */
  source: 'given' | 'tsv' | 'detected' | 'default';
}

/** Where the header is (its 1-based line: blank lines may come before it) and the delimiter it was split with. */
export interface HeaderInfo {
  line: number;
  delimiter: DelimiterChoice;
}

/** What is read: a file by its path, or CSV text itself. */
export type CsvInput = { file: string } | { text: string };

export interface CsvTable {
  /** The file as given; undefined for text. */
  file: string | undefined;
  header: string[];
  headerLine: number;
  delimiter: DelimiterChoice;
  rows: number;
  blocks: BlockData[];
  bytes: number;
  ms: number;
}

export interface ReadOptions {
  /** The field delimiter; undefined: a tab for a .tsv file, otherwise detected from the header (see detectDelimiter). */
  delimiter: string | undefined;
  /** Decides which columns to read from the header (and throws for a missing one). */
  layout: (header: string[], where: HeaderInfo) => Block[];
  /** Called once the first data row has resolved every `auto` block. */
  resolved?: (blocks: readonly (NumberBlock | LabelBlock)[]) => void;
  /** Stop after this many data rows (the rest of the file is not read). */
  maxRows?: number;
  /** Bytes read so far, of `total`; called about every 64 KB (files only). */
  progress?: (bytesRead: number, total: number, rows: number) => void;
}

/** A CSV number: what Number() accepts, except empty or blank cells and ±Infinity. */
export function parseNumber(text: string): number {
  const v = +text;
  if (v - v !== 0) return NaN; // NaN and ±Infinity
  if (v === 0 && text.trim() === '') return NaN; // Number('') and Number(' ') are 0
  if (NOT_DECIMAL.test(text)) return NaN; // Number('0x10') is 16: numbers are decimal
  return v;
}
/** The letters Number() reads as a base prefix (0x, 0o, 0b): a cell that parsed with one is not decimal. */
const NOT_DECIMAL = /[xXoObB]/;

/** How a cell's text is shown in a message: quoted, and cut if long. */
function shown(text: string): string {
  if (text.trim() === '') return 'an empty cell';
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** `file: line 3, column "x"`: where a fault is, as a message starts (the parts known). */
export function placeOf(location: CsvLocation): string {
  const { file, line, column } = location;
  const within = [line === undefined ? '' : `line ${line}`, column === undefined ? '' : `column ${JSON.stringify(column)}`].filter((s) => s !== '').join(', ');
  return [file ?? '', within].filter((s) => s !== '').join(': ');
}

/** A CsvError whose message is `place: what`; `prefix: 'file'` starts it with the file only (the message says the line itself). */
export function csvError(code: string, location: CsvLocation, what: string, details: ErrorDetails = {}, prefix: 'place' | 'file' = 'place'): CsvError {
  const place = placeOf(prefix === 'file' ? { file: location.file } : location);
  return new CsvError(code, place === '' ? what : `${place}: ${what}`, location, { path: placeOf(location) || undefined, ...details });
}

/** A file-system error in a few words: `no such file or directory` from Node's `ENOENT: no such file or directory, open 'x'`. */

/** Delimiters detected in a header, in order of preference when they are equally frequent. */
const CANDIDATES = [',', '\t', ';', '|'];

/** How a delimiter is named in messages: `","`, `tab`. */
export function delimiterName(d: string): string {
  return d === '\t' ? 'tab' : JSON.stringify(d);
}

/** `delimiter ";", detected from the header`: said when a column is not found. `option` is what gives one (`--delimiter`). */
export function describeDelimiter(choice: DelimiterChoice, option: string): string {
  const how = { given: `given by ${option}`, tsv: 'a .tsv file', detected: 'detected from the header', default: 'the default' }[choice.source];
  return `delimiter ${delimiterName(choice.delimiter)}, ${how}`;
}

/**
 * The delimiter of a header line: the most frequent of comma, tab, semicolon and pipe outside
 * quotes (the first of them on a tie); a comma when none occurs (a single column).
 */
export function detectDelimiter(headerLine: string): DelimiterChoice {
  const counts = new Map(CANDIDATES.map((c) => [c, 0]));
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',', most = 0;
  for (const c of CANDIDATES) {
    if (counts.get(c)! > most) {
      best = c;
      most = counts.get(c)!;
    }
  }
  return { delimiter: best, source: most === 0 ? 'default' : 'detected' };
}

/** The first non-blank line of some text, without a byte-order mark. */
/** The first non-blank line of some text, without a byte-order mark. */
export function firstLineOf(text: string): string {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '';
}


export async function chooseDelimiter(name: string | undefined, given: string | undefined, header: () => Promise<string>): Promise<DelimiterChoice> {
  if (given !== undefined) return { delimiter: given, source: 'given' };
  if (name !== undefined && isTsv(name)) return { delimiter: '\t', source: 'tsv' };
  return detectDelimiter(await header());
}

/** A .tsv file by its name (as node:path's extname sees it: a name of only dots and `tsv` has no extension). */
function isTsv(name: string): boolean {
  return /^\.*[^.].*\.tsv$/i.test(name.split(/[\\/]/).pop() ?? '');
}


/** A delimiter as given (one character; `\t` and `tab` mean a tab), or null when it cannot be one. */
export function delimiterOf(value: string): string | null {
  const d = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
  return d.length !== 1 || (Papa.BAD_DELIMITERS as string[]).includes(d) ? null : d;
}

/** What a delimiter must be, for messages. */
export const DELIMITER_EXPECTED = 'one character other than a quote or a line break (or "tab")';

class NumberSink {
  data: Float64Array;
  constructor(readonly columns: number[], capacity: number) {
    this.data = new Float64Array(capacity * columns.length);
  }
  grow(capacity: number): void {
    const next = new Float64Array(capacity * this.columns.length);
    next.set(this.data);
    this.data = next;
  }
  /** Fresh storage for the next rows (the rows before it were handed out). */
  reset(capacity: number): void {
    this.data = new Float64Array(capacity * this.columns.length);
  }
}

class LabelSink {
  codes: Int32Array;
  readonly labels: string[];
  readonly index = new Map<string, number>();
  constructor(readonly column: number, capacity: number, readonly known: readonly string[] | undefined) {
    this.codes = new Int32Array(capacity);
    this.labels = known ? [...known] : [];
    this.labels.forEach((label, i) => this.index.set(label, i));
  }
  grow(capacity: number): void {
    const next = new Int32Array(capacity);
    next.set(this.codes);
    this.codes = next;
  }
  /** Fresh storage for the next rows; labels keep their codes. */
  reset(capacity: number): void {
    this.codes = new Int32Array(capacity);
  }
}

/** What is being read: its name in messages (undefined for text), its size in bytes, and the delimiter chosen. */
export interface SourceInfo {
  file: string | undefined;
  size: number;
  delimiter: DelimiterChoice;
}

/**
 * The state of one read: the header, the blocks the layout chose and their sinks, the rows and the
 * file's line number so far. papaparse hands it one record at a time (`record`); `finish` gives the table.
 */
export class TableReader {
  header: string[] | null = null;
  headerLine = 1;
  sinks: (NumberSink | LabelSink)[] = [];
  /** `auto` blocks not yet resolved by a first data row. */
  pending: LabelBlock[] = [];
  blocks: Block[] = [];
  rows = 0;
  /** Rows handed out by take(). */
  taken = 0;
  line = 1;

  constructor(
    readonly opened: SourceInfo,
    readonly options: ReadOptions,
    public capacity: number,
    /** From the first quote character on, quoted fields may hold line breaks that the line count must include. */
    public quoted: boolean,
  ) {}

  record(fields: string[]): void {
    if (this.header === null) {
      if (fields.every((f) => f.trim() === '')) return; // blank lines before the header
      this.startHeader(fields);
      return;
    }
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    if (fields.length !== this.header.length) {
      throw csvError('RAGGED_ROW', { file: this.opened.file, line: this.line }, `expected ${this.header.length} fields (as in the header), got ${fields.length}`, { expected: `${this.header.length} fields`, received: `${fields.length}` });
    }
    if (this.pending.length > 0) this.resolveAuto(fields);
    if (this.rows === this.capacity) this.grow();
    this.sinks.forEach((sink, s) => (sink instanceof NumberSink ? this.numbers(sink, s, fields) : this.label(sink, fields)));
    this.rows++;
  }

  private startHeader(fields: string[]): void {
    const header = fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, '') : f).trim());
    this.header = header;
    this.headerLine = this.line;
    const seen = new Map<string, number>();
    header.forEach((name, i) => {
      const before = seen.get(name);
      if (before !== undefined) {
        throw csvError('DUPLICATE_COLUMN', { file: this.opened.file, line: this.line, column: name }, `the header names this column twice (columns ${before + 1} and ${i + 1})`);
      }
      seen.set(name, i);
    });
    this.blocks = this.options.layout(header, { line: this.line, delimiter: this.opened.delimiter });
    this.pending = this.blocks.filter((b): b is LabelBlock => b.kind === 'auto');
    this.sinks = this.blocks.map((b) => (b.kind === 'number' ? new NumberSink(b.columns, this.capacity) : new LabelSink(b.column, this.capacity, b.known)));
  }

  /** Turns `auto` blocks into numbers or labels by the first data row's values. */
  private resolveAuto(fields: string[]): void {
    this.blocks = this.blocks.map((b, i) => {
      if (b.kind !== 'auto') return b;
      if (!Number.isNaN(parseNumber(fields[b.column]))) {
        this.sinks[i] = new NumberSink([b.column], this.capacity);
        return { kind: 'number', columns: [b.column], hint: b.hint } satisfies NumberBlock;
      }
      return { ...b, kind: 'label' as const };
    });
    this.pending = [];
    this.options.resolved?.(this.blocks);
  }

  private grow(): void {
    this.capacity *= 2;
    for (const sink of this.sinks) sink.grow(this.capacity);
  }

  private numbers(sink: NumberSink, s: number, fields: string[]): void {
    const cols = sink.columns, width = cols.length, data = sink.data, base = this.rows * width;
    for (let c = 0; c < width; c++) {
      const text = fields[cols[c]];
      const v = parseNumber(text);
      if (Number.isNaN(v)) {
        const hint = Number.isFinite(Number(text)) && text.trim() !== '' ? 'numbers are read in decimal only' : this.blocks[s].hint;
        throw csvError('NOT_A_NUMBER', { file: this.opened.file, line: this.line, column: this.header![cols[c]] }, `expected a number, got ${shown(text)}${hint ? ` (${hint})` : ''}`, { expected: 'a decimal number', received: shown(text) });
      }
      data[base + c] = v;
    }
  }

  private label(sink: LabelSink, fields: string[]): void {
    const label = fields[sink.column].trim();
    let code = sink.index.get(label);
    if (code === undefined) {
      const where = { file: this.opened.file, line: this.line, column: this.header![sink.column] };
      if (label === '') throw csvError('MISSING_LABEL', where, 'expected a label, got an empty cell', { expected: 'a label', received: 'an empty cell' });
      if (sink.known) {
        const known = sink.known.map((k) => JSON.stringify(k)).join(', ');
        throw csvError('UNKNOWN_LABEL', where, `unknown label ${JSON.stringify(label)}; the model knows ${known}`, { expected: `one of ${known}`, received: JSON.stringify(label) });
      }
      code = sink.labels.length;
      sink.labels.push(label);
      sink.index.set(label, code);
    }
    sink.codes[this.rows] = code;
  }

  /** Advances the line number past a record (and the line breaks inside its quoted fields). */
  countLines(fields: string[]): void {
    let breaks = 0;
    if (this.quoted) {
      for (const f of fields) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) breaks++;
    }
    this.line += 1 + breaks;
  }

  /** The rows read (since the last take), as blocks: views of the sinks' arrays. */
  private blockData(): BlockData[] {
    const rows = this.rows;
    return this.blocks.map((b, i) => {
      const sink = this.sinks[i];
      if (sink instanceof NumberSink) return { kind: 'number', columns: sink.columns, data: sink.data.subarray(0, rows * sink.columns.length) };
      return { kind: 'label', column: sink.column, codes: sink.codes.subarray(0, rows), labels: sink.labels };
    });
  }

  /** The rows read since the last take, as blocks that own their arrays; the next rows go into fresh ones (labels keep their codes). */
  take(): { rows: number; blocks: BlockData[] } {
    const rows = this.rows, blocks = this.blockData();
    this.taken += rows;
    this.rows = 0;
    for (const sink of this.sinks) sink.reset(this.capacity);
    return { rows, blocks };
  }

  /** The error of a read that found no header or no rows, at its end. */
  checkEnd(): void {
    const { file } = this.opened;
    const noData = file === undefined ? 'the text is empty' : 'the file is empty';
    if (this.header === null) throw csvError('EMPTY_FILE', { file }, `${noData} (expected a header row and data rows)`);
    if (this.rows + this.taken === 0) throw csvError('NO_ROWS', { file, line: this.headerLine }, `no data rows after the header (line ${this.headerLine})`, {}, 'file');
  }

  /** The table read, or the error of a read that found no header or no rows. */
  finish(started: number): CsvTable {
    this.checkEnd();
    const { file, size, delimiter } = this.opened;
    return { file, header: this.header!, headerLine: this.headerLine, delimiter, rows: this.rows, blocks: this.blockData(), bytes: size, ms: performance.now() - started };
  }
}
