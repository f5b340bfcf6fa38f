// The CSV reader of wasmlp, for Node: readCsv (src/csv/read.ts) and the `wasmlp` command
// (src/cli/csv.ts) both read files with it, so code and the command line read a file the same way.
//
// Streaming: papaparse walks the file one record at a time and every cell goes straight into a
// Float64Array (numbers) or an Int32Array of label codes, so memory is bounded by the data, never by
// the text: no array of rows of strings is ever held.
//
// Row capacity comes from a first pass that counts line breaks (an upper bound on the records, even
// with quoted line breaks), so the arrays are allocated once; a growth path covers the odd file
// whose count would fall short (mixed line endings).
//
// Line numbers in messages are the file's own (header = line 1): once the stream has shown a quote
// character, line breaks inside quoted fields are counted too.
//
// Every fault of the data is a CsvError (src/errors.ts) whose message says where (file, line,
// column), what was expected and what was found; errors thrown by the caller's layout and resolved
// callbacks pass through as they are.
import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
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
export type CsvSource = { file: string } | { text: string };

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
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^[A-Z][A-Z0-9_]*: ([^,]+)/.exec(message)?.[1] ?? message;
}

function cannotRead(file: string, error: unknown): CsvError {
  return csvError('CANNOT_READ', { file }, `cannot read (${reasonOf(error)})`, { cause: error });
}

/** Counts line breaks: one more than the larger count of LF and CR bounds the records from above (a quoted line break only overcounts). */
class BreakCount {
  private lf = 0;
  private cr = 0;
  add(chunk: Buffer | string): this {
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) this.lf++;
    for (let i = chunk.indexOf('\r'); i !== -1; i = chunk.indexOf('\r', i + 1)) this.cr++;
    return this;
  }
  get records(): number {
    return Math.max(this.lf, this.cr) + 1;
  }
}

/** Upper bound on the number of records of a file (see BreakCount). */
async function countLineBreaks(file: string): Promise<number> {
  const count = new BreakCount();
  for await (const chunk of createReadStream(file)) count.add(chunk as Buffer);
  return count.records;
}

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
function firstLineOf(text: string): string {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '';
}

/** The first non-blank line of a file (from its first MiB), without a byte-order mark. */
async function firstLine(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return firstLineOf(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

/** The delimiter to read with: the given one, else a tab for a .tsv file, else detected from the header. */
async function chooseDelimiter(file: string | undefined, given: string | undefined, header: () => Promise<string>): Promise<DelimiterChoice> {
  if (given !== undefined) return { delimiter: given, source: 'given' };
  if (file !== undefined && extname(file).toLowerCase() === '.tsv') return { delimiter: '\t', source: 'tsv' };
  return detectDelimiter(await header());
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
}

/** What a source is, before parsing: its size, delimiter, a bound on its records, and its text or stream. */
interface Opened {
  file: string | undefined;
  size: number;
  delimiter: DelimiterChoice;
  records: number;
  input: string | ReadStream;
  /** Whether the text holds a quote (for a stream: found as it is read). */
  quoted: boolean;
}

async function openFile(file: string, given: string | undefined): Promise<Opened> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw csvError('NOT_A_FILE', { file }, 'not a file');
    size = info.size;
  } catch (error) {
    if (error instanceof CsvError) throw error;
    throw cannotRead(file, error);
  }
  if (size === 0) throw csvError('EMPTY_FILE', { file }, 'the file is empty (expected a header row and data rows)');
  const delimiter = await chooseDelimiter(file, given, () => firstLine(file));
  const records = await countLineBreaks(file);
  return { file, size, delimiter, records, input: createReadStream(file, { encoding: 'utf8' }), quoted: false };
}

async function openText(text: string, given: string | undefined): Promise<Opened> {
  if (text.trim() === '') throw csvError('EMPTY_FILE', {}, 'the text is empty (expected a header row and data rows)');
  const delimiter = await chooseDelimiter(undefined, given, async () => firstLineOf(text));
  return { file: undefined, size: Buffer.byteLength(text), delimiter, records: new BreakCount().add(text).records, input: text, quoted: text.includes('"') };
}

/**
 * The state of one read: the header, the blocks the layout chose and their sinks, the rows and the
 * file's line number so far. papaparse hands it one record at a time (`record`); `finish` gives the table.
 */
class TableReader {
  header: string[] | null = null;
  headerLine = 1;
  sinks: (NumberSink | LabelSink)[] = [];
  /** `auto` blocks not yet resolved by a first data row. */
  pending: LabelBlock[] = [];
  blocks: Block[] = [];
  rows = 0;
  line = 1;

  constructor(
    readonly opened: Opened,
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

  /** The table read, or the error of a read that found no header or no rows. */
  finish(started: number): CsvTable {
    const { file, size, delimiter } = this.opened;
    const noData = file === undefined ? 'the text is empty' : 'the file is empty';
    if (this.header === null) throw csvError('EMPTY_FILE', { file }, `${noData} (expected a header row and data rows)`);
    if (this.rows === 0) throw csvError('NO_ROWS', { file, line: this.headerLine }, `no data rows after the header (line ${this.headerLine})`, {}, 'file');
    const rows = this.rows;
    const blocks: BlockData[] = this.blocks.map((b, i) => {
      const sink = this.sinks[i];
      if (sink instanceof NumberSink) return { kind: 'number', columns: sink.columns, data: sink.data.subarray(0, rows * sink.columns.length) };
      return { kind: 'label', column: sink.column, codes: sink.codes.subarray(0, rows), labels: sink.labels };
    });
    return { file, header: this.header, headerLine: this.headerLine, delimiter, rows, blocks, bytes: size, ms: performance.now() - started };
  }
}

/** Reads a file (or text) as a header row and data rows, keeping only the columns the layout asks for. */
export async function readTable(source: CsvSource, options: ReadOptions): Promise<CsvTable> {
  const started = performance.now();
  const opened = 'text' in source ? await openText(source.text, options.delimiter) : await openFile(source.file, options.delimiter);
  const { file, size, input } = opened;
  const stream = typeof input === 'string' ? null : input;
  const maxRows = options.maxRows ?? Infinity;
  const reader = new TableReader(opened, options, Math.min(Math.max(1, opened.records - 1), maxRows), opened.quoted);

  return new Promise<CsvTable>((resolve, reject) => {
    let settled = false;
    let lastReport = 0;
    const fail = (error: unknown, parser?: Papa.Parser) => {
      if (settled) return;
      settled = true;
      stream?.destroy();
      parser?.abort();
      reject(error);
    };
    // the quote flag is sticky (papaparse sees each chunk after this listener does)
    stream?.on('data', (chunk) => {
      if (!reader.quoted && (chunk as string).includes('"')) reader.quoted = true;
      if (options.progress && stream.bytesRead - lastReport >= 65536) {
        lastReport = stream.bytesRead;
        options.progress(stream.bytesRead, size, reader.rows);
      }
    });
    Papa.parse<string[]>(input as string, {
      delimiter: opened.delimiter.delimiter,
      header: false,
      dynamicTyping: false,
      skipEmptyLines: false,
      step(results, parser) {
        if (settled) return;
        try {
          if (results.errors.length > 0) throw csvError('BAD_CSV', { file, line: reader.line }, `malformed CSV: ${results.errors[0].message}`);
          reader.record(results.data);
          reader.countLines(results.data);
          if (reader.rows >= maxRows) {
            stream?.destroy();
            parser.abort(); // calls complete()
          }
        } catch (error) {
          fail(error, parser);
        }
      },
      complete() {
        if (settled) return;
        try {
          const table = reader.finish(started);
          settled = true;
          if (stream) options.progress?.(size, size, reader.rows);
          resolve(table);
        } catch (error) {
          fail(error);
        }
      },
      error(error: Error) {
        fail(cannotRead(file ?? 'the text', error));
      },
    });
  });
}
