// Sources of chunks for streamed training and prediction: a CSV file (csvSource, Node) or a
// ReadableStream of its bytes (csvStreamSource, browsers and Node), read one chunk of rows at a time
// with the rules of readCsv and the `wasmlp` command (src/csv/chunks.ts). A source is an object
// that can be iterated again: each iteration is one pass over the file, reading its header again
// (it must be the one the first pass read), and holds one chunk of rows at a time.
import { describe, OptionsError } from '../errors.js';
import type { Label } from '../spec/labels.js';
import { tableChunks, streamBytes, type ByteReader, type TableChunk } from './chunks.js';
import { fileBytes } from './file.js';
import { checkOptions, csvLayout, optionError, OPTIONS, type Checked, type ReadCsvOptions } from './read.js';
import { csvError, type NumberColumns, type ReadOptions } from './table.js';

/** Where a pass is: for progress by bytes and an estimate of the time left. */
export interface CsvProgress {
  /** The pass (1 for the first iteration of the source). */
  pass: number;
  /** Bytes read in this pass. */
  bytesRead: number;
  /** The file's size (a stream's: options.totalBytes), or null when not known. */
  totalBytes: number | null;
  /** Data rows read in this pass. */
  rows: number;
}

export interface CsvSourceOptions extends ReadCsvOptions {
  /** Rows per chunk (the last chunk of a pass may hold fewer); default 8192. */
  chunkRows?: number;
  /** Called after each chunk is read, before it is handed out. */
  onProgress?: (progress: CsvProgress) => void;
  /** Bytes read from the file at a time; default 65536. */
  highWaterMark?: number;
}

export interface CsvStreamSourceOptions extends Omit<CsvSourceOptions, 'highWaterMark'> {
  /** The stream's name in messages (a File's name); a `.tsv` name means tab-separated, as for a file. */
  name?: string;
  /** The stream's length in bytes (a File's size), for progress. */
  totalBytes?: number;
}

/** One chunk of rows: what a model's fitStream, predictStream and evaluateStream take. */
export interface CsvChunk {
  /** The inputs, rows × cols, row-major. */
  x: { data: Float64Array; rows: number; cols: number };
  /** Numeric targets as rows (rows × targetNames.length), or one class label per row; absent without a target. */
  y?: { data: Float64Array; rows: number; cols: number } | Label[];
}

/** Chunks of a CSV, one pass per iteration. The fields describe the pass under way (or the last one). */
export interface CsvSource extends AsyncIterable<CsvChunk> {
  /** The file (csvSource) or the stream's name, or null. */
  readonly file: string | null;
  /** The input columns, known once a header was read. */
  readonly inputNames: string[] | null;
  /** The target columns ([] when none was asked for). */
  readonly targetNames: string[];
  /** The field delimiter, known once a header was read. */
  readonly delimiter: string | null;
  /** Passes started. */
  readonly passes: number;
  readonly bytesRead: number;
  readonly totalBytes: number | null;
  /** Data rows read in this pass. */
  readonly rows: number;
}

const DEFAULT_CHUNK_ROWS = 8192;
const DEFAULT_BLOCK_BYTES = 65536;

function positiveInteger(options: Record<string, unknown>, key: string, fallback: number): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw optionError(`options.${key}`, 'a positive integer', value);
  return value;
}

interface Settings {
  o: Checked;
  chunkRows: number;
  onProgress: ((progress: CsvProgress) => void) | undefined;
}

function checkSettings(options: CsvSourceOptions | CsvStreamSourceOptions, keys: readonly string[]): Settings {
  const o = checkOptions(options, keys);
  const { onProgress } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw optionError('options.onProgress', 'a function', onProgress);
  return { o, chunkRows: positiveInteger(options as Record<string, unknown>, 'chunkRows', DEFAULT_CHUNK_ROWS), onProgress };
}

/** A table chunk as a source's chunk: inputs, and targets as rows of numbers or as labels. */
function chunkOf(t: TableChunk, labelNumbers: boolean): CsvChunk {
  const [inputs, ...targets] = t.blocks as [NumberColumns, ...TableChunk['blocks']];
  const x = { data: inputs.data, rows: t.rows, cols: inputs.columns.length };
  if (targets.length === 0) return { x };
  const first = targets[0];
  if (first.kind === 'label') return { x, y: Array.from(first.codes, (code) => first.labels[code]) };
  if (labelNumbers) return { x, y: Array.from(first.data) };
  const K = targets.length;
  const data = K === 1 ? first.data : new Float64Array(t.rows * K);
  if (K > 1) targets.forEach((b, k) => (b as NumberColumns).data.forEach((v, r) => (data[r * K + k] = v)));
  return { x, y: { data, rows: t.rows, cols: K } };
}

class ChunkedCsv implements CsvSource {
  inputNames: string[] | null = null;
  readonly targetNames: string[];
  delimiter: string | null = null;
  passes = 0;
  bytesRead = 0;
  totalBytes: number | null = null;
  rows = 0;
  private header: string[] | null = null;

  constructor(
    readonly file: string | null,
    private readonly settings: Settings,
    private readonly open: () => Promise<{ size: number | null; bytes: ByteReader }>,
  ) {
    this.targetNames = [...settings.o.targets];
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<CsvChunk> {
    const { o, chunkRows, onProgress } = this.settings;
    const pass = ++this.passes;
    this.bytesRead = 0;
    this.rows = 0;
    const { size, bytes } = await this.open();
    this.totalBytes = size;
    const file = this.file ?? undefined;
    // with classes: true, labels are numbers when the column's first value is one (a stream cannot look ahead to see them all)
    const hint = o.classes ? 'the column\'s first value is a number, so its labels are read as numbers; a streamed file cannot mix labels that are numbers with labels that are not' : undefined;
    const columns = csvLayout({ ...o, classes: false }, file, (names) => (this.inputNames = names), hint);
    const layout: ReadOptions['layout'] = (header, where) => {
      this.sameHeader(header, where.line);
      return columns.layout(header, where);
    };
    for await (const t of tableChunks(file, size ?? 0, bytes, { delimiter: o.delimiter, chunkRows, layout, resolved: columns.resolved })) {
      this.delimiter = t.delimiter.delimiter;
      this.bytesRead = t.bytesRead;
      this.rows += t.rows;
      onProgress?.({ pass, bytesRead: t.bytesRead, totalBytes: size, rows: this.rows });
      yield chunkOf(t, o.classes);
    }
  }

  /** Every pass reads the header the first one read: a file replaced between passes is an error, not other data. */
  private sameHeader(header: string[], line: number): void {
    if (this.header === null) {
      this.header = header;
      return;
    }
    if (header.length === this.header.length && header.every((h, i) => h === this.header![i])) return;
    const list = (names: string[]) => names.map((h) => JSON.stringify(h)).join(', ');
    throw csvError('HEADER_CHANGED', { file: this.file ?? undefined, line }, `the header changed since the first pass: expected ${list(this.header)}, got ${list(header)}`, {}, 'file');
  }
}

const SOURCE_OPTIONS = [...OPTIONS, 'chunkRows', 'onProgress', 'highWaterMark'];
const STREAM_OPTIONS = [...OPTIONS, 'chunkRows', 'onProgress', 'name', 'totalBytes'];

/**
 * A CSV file as a source of chunks `{ x, y }` for streamed training and prediction, read with the
 * rules and options of readCsv (target or targets, inputs or ignore, delimiter, classes), plus
 * chunkRows, onProgress and highWaterMark. Node only (it reads a file). Each iteration is one pass
 * over the file; memory holds one chunk. Faults in the data are CsvErrors naming file, line and
 * column, raised by the iteration that meets them.
 *
 * ```js
 * const source = csvSource('big.csv', { target: 'y', chunkRows: 4096 });
 * for await (const { x, y } of source) console.log(x.rows);
 * ```
 */
export function csvSource(path: string, options: CsvSourceOptions = {}): CsvSource {
  if (typeof path !== 'string' || path === '') {
    throw new OptionsError('BAD_SOURCE', `csvSource: expected a file path, got ${describe(path)}`, { path: 'path', expected: 'a file path', received: describe(path) });
  }
  const settings = checkSettings(options, SOURCE_OPTIONS);
  const blockBytes = positiveInteger(options as Record<string, unknown>, 'highWaterMark', DEFAULT_BLOCK_BYTES);
  return new ChunkedCsv(path, settings, () => fileBytes(path, blockBytes));
}

/**
 * The bytes of a CSV as a source of chunks, as csvSource reads a file: `open()` returns a fresh
 * ReadableStream<Uint8Array> for each pass (`() => file.stream()` for a File from a file input, a
 * fetch's `response.body`). Works in browsers and in Node. Options are csvSource's, plus `name`
 * (for messages, and a .tsv name means tabs) and `totalBytes` (for progress).
 */
export function csvStreamSource(open: () => ReadableStream<Uint8Array>, options: CsvStreamSourceOptions = {}): CsvSource {
  if (typeof open !== 'function') {
    throw new OptionsError('BAD_SOURCE', `csvStreamSource: expected a function returning a ReadableStream, got ${describe(open)}`, { path: 'open', expected: 'a function returning a ReadableStream', received: describe(open) });
  }
  const settings = checkSettings(options, STREAM_OPTIONS);
  const { name, totalBytes } = options;
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw optionError('options.name', 'a non-empty string', name);
  if (totalBytes !== undefined && (typeof totalBytes !== 'number' || !Number.isSafeInteger(totalBytes) || totalBytes < 0)) throw optionError('options.totalBytes', 'a byte count (a non-negative integer)', totalBytes);
  return new ChunkedCsv(name ?? null, settings, async () => {
    const stream = open();
    if (stream === null || typeof stream !== 'object' || typeof (stream as ReadableStream).getReader !== 'function') {
      throw new OptionsError('BAD_SOURCE', `csvStreamSource: open() must return a ReadableStream, got ${describe(stream)}`, { path: 'open()', expected: 'a ReadableStream', received: describe(stream) });
    }
    return { size: totalBytes ?? null, bytes: streamBytes(stream, name) };
  });
}
