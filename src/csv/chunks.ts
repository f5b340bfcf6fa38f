// A CSV read a chunk of rows at a time, from bytes that come in blocks (a file read piece by piece,
// or a ReadableStream): a streaming TextDecoder, the record splitter (split.ts) and a TableReader
// (table.ts) that hands out its rows every `chunkRows` rows. The rules are readTable's: the same
// delimiter choice, header checks, number parsing, line numbers and errors. Memory holds one chunk
// of rows, the block being read and the record it cut, whatever the size of the input.
import type { BlockData, DelimiterChoice, ReadOptions } from './table.js';
import { chooseDelimiter, csvError, firstLineOf, TableReader } from './table.js';
import { RecordSplitter } from './split.js';

/** Blocks of bytes: null at the end. `close` ends the reading early (and is harmless after the end). */
export interface ByteReader {
  read(): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/** Rows of one chunk, as TableReader.take gives them, and where the reading is. */
export interface TableChunk {
  rows: number;
  blocks: BlockData[];
  header: string[];
  delimiter: DelimiterChoice;
  /** Bytes read from the input so far (the chunk's rows are in them). */
  bytesRead: number;
}

export interface ChunkOptions extends Omit<ReadOptions, 'maxRows' | 'progress'> {
  chunkRows: number;
}

/** A header line is complete in `text` (a non-blank line and a character after its line break), or no more text is needed to find one. */
function headerReady(text: string, ended: boolean): boolean {
  return ended || text.length >= 1 << 20 || /\S[^\r\n]*(?:\r\n|\n|\r)[^]/.test(text);
}

/** A byte reader that counts what it gave. */
class Counted {
  bytes = 0;
  ended = false;
  constructor(private readonly input: ByteReader) {}
  async read(): Promise<Uint8Array | null> {
    const block = this.ended ? null : await this.input.read();
    if (block === null) this.ended = true;
    else this.bytes += block.byteLength;
    return block;
  }
}

/**
 * The rows of a CSV, `options.chunkRows` at a time (the last chunk may hold fewer). `file` names
 * the input in messages (undefined: none), `size` its length in bytes when known. The reader is
 * closed when the generator ends, also early (a `break`) or on an error.
 */
export async function* tableChunks(file: string | undefined, size: number, bytes: ByteReader, options: ChunkOptions): AsyncGenerator<TableChunk> {
  const input = new Counted(bytes);
  // ignoreBOM: the byte-order mark stays in the text, and is dropped below, where readTable drops it
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  try {
    let head = '';
    while (!headerReady(head, input.ended)) {
      const block = await input.read();
      head += block === null ? decoder.decode() : decoder.decode(block, { stream: true });
    }
    // a byte-order mark is not text (so a quoted first header cell is read as quoted), as readTable drops it
    head = head.replace(/^\uFEFF/, '');
    const delimiter = await chooseDelimiter(file, options.delimiter, async () => firstLineOf(head));
    const reader = new TableReader({ file, size, delimiter }, options, options.chunkRows, false);
    const ready: { rows: number; blocks: BlockData[] }[] = [];
    const splitter = new RecordSplitter(delimiter.delimiter, (fields, errors) => {
      if (errors.length > 0) throw csvError('BAD_CSV', { file, line: reader.line }, `malformed CSV: ${errors[0].message}`);
      reader.record(fields);
      reader.countLines(fields);
      if (reader.rows === options.chunkRows) ready.push(reader.take());
    });
    const chunk = (taken: { rows: number; blocks: BlockData[] }): TableChunk => ({ ...taken, header: reader.header!, delimiter, bytesRead: input.bytes });
    let text = head;
    for (;;) {
      // the quote flag is sticky, and set before the splitter sees the text (as readTable does)
      if (!reader.quoted && text.includes('"')) reader.quoted = true;
      splitter.push(text, input.ended);
      while (ready.length > 0) yield chunk(ready.shift()!);
      if (input.ended) break;
      const block = await input.read();
      text = block === null ? decoder.decode() : decoder.decode(block, { stream: true });
    }
    reader.checkEnd();
    if (reader.rows > 0) yield chunk(reader.take());
  } finally {
    await bytes.close();
  }
}

/**
 * A ReadableStream of bytes as a ByteReader, through getReader() (WebKit cannot iterate a
 * ReadableStream). A failed read is a CsvError CANNOT_READ naming `name` (when given).
 */
export function streamBytes(stream: ReadableStream<Uint8Array>, name: string | undefined): ByteReader {
  const reader = stream.getReader();
  let done = false;
  return {
    async read() {
      if (done) return null;
      const next = await reader.read().catch((error: unknown) => {
        throw csvError('CANNOT_READ', { file: name }, `cannot read the stream (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      });
      if (next.done) {
        done = true;
        return null;
      }
      return next.value;
    },
    async close() {
      if (!done) await reader.cancel().catch(() => undefined);
      done = true;
      reader.releaseLock();
    },
  };
}
