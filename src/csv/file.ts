// Reading a whole CSV file (or CSV text) into a table: readCsv (src/csv/read.ts) and the `wasmlp`
// command (src/cli/csv.ts) read with readTable. papaparse walks the file one record at a time into
// a TableReader (src/csv/table.ts).
//
// Row capacity comes from a first pass that counts line breaks (an upper bound on the records, even
// with quoted line breaks), so the arrays are allocated once; a growth path covers the odd file
// whose count would fall short (mixed line endings).
//
// Node's file modules are reached when a file is read (src/csv/node.ts), never on import: the
// 'wasmlp/csv' entry loads in browsers too.
import type { ReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import Papa from 'papaparse';
import { CsvError } from '../errors.js';
import type { ByteReader } from './chunks.js';
import { nodeModules } from './node.js';
import { chooseDelimiter, csvError, firstLineOf, TableReader, type CsvInput, type CsvTable, type ReadOptions, type SourceInfo } from './table.js';

/** A file-system error in a few words: `no such file or directory` from Node's `ENOENT: no such file or directory, open 'x'`. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^[A-Z][A-Z0-9_]*: ([^,]+)/.exec(message)?.[1] ?? message;
}

export function cannotRead(file: string, error: unknown): CsvError {
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
  const { fs } = await nodeModules();
  const count = new BreakCount();
  for await (const chunk of fs.createReadStream(file)) count.add(chunk as Buffer);
  return count.records;
}
/** The first non-blank line of a file (from its first MiB), without a byte-order mark. */
async function firstLine(file: string): Promise<string> {
  const handle = await (await nodeModules()).fsp.open(file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return firstLineOf(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}
interface Opened extends SourceInfo {
  records: number;
  input: string | ReadStream;
  /** Whether the text holds a quote (for a stream: found as it is read). */
  quoted: boolean;
}

/** A file's size in bytes; a CsvError when it is not a file or cannot be read. */
async function fileSize(file: string): Promise<number> {
  const { fsp } = await nodeModules();
  try {
    const info = await fsp.stat(file);
    if (!info.isFile()) throw csvError('NOT_A_FILE', { file }, 'not a file');
    return info.size;
  } catch (error) {
    if (error instanceof CsvError) throw error;
    throw cannotRead(file, error);
  }
}

async function openFile(file: string, given: string | undefined): Promise<Opened> {
  const size = await fileSize(file);
  if (size === 0) throw csvError('EMPTY_FILE', { file }, 'the file is empty (expected a header row and data rows)');
  const delimiter = await chooseDelimiter(file, given, () => firstLine(file));
  const records = await countLineBreaks(file);
  return { file, size, delimiter, records, input: (await nodeModules()).fs.createReadStream(file, { encoding: 'utf8' }), quoted: false };
}

/** A file's bytes, read `blockBytes` at a time into one buffer, and its size; faults are CsvErrors naming the file. */
export async function fileBytes(file: string, blockBytes: number): Promise<{ size: number; bytes: ByteReader }> {
  const size = await fileSize(file);
  let handle: FileHandle;
  try {
    handle = await (await nodeModules()).fsp.open(file, 'r');
  } catch (error) {
    throw cannotRead(file, error);
  }
  const buffer = new Uint8Array(blockBytes);
  let closed = false;
  const bytes: ByteReader = {
    async read() {
      if (closed) return null;
      const { bytesRead } = await handle.read(buffer, 0, blockBytes, null).catch((error: unknown) => {
        throw cannotRead(file, error);
      });
      return bytesRead === 0 ? null : buffer.subarray(0, bytesRead);
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
  return { size, bytes };
}

async function openText(text: string, given: string | undefined): Promise<Opened> {
  if (text.trim() === '') throw csvError('EMPTY_FILE', {}, 'the text is empty (expected a header row and data rows)');
  const delimiter = await chooseDelimiter(undefined, given, async () => firstLineOf(text));
  return { file: undefined, size: Buffer.byteLength(text), delimiter, records: new BreakCount().add(text).records, input: text, quoted: text.includes('"') };
}


/** Reads a file (or text) as a header row and data rows, keeping only the columns the layout asks for. */
export async function readTable(source: CsvInput, options: ReadOptions): Promise<CsvTable> {
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
      // a byte-order mark is not text: without it, a quoted first header cell is read as quoted (papaparse drops it from a string, not from a stream)
      beforeFirstChunk: (chunk) => chunk.replace(/^\uFEFF/, ''),
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
