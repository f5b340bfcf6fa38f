// CSV records from text that arrives in pieces (a file or a ReadableStream read a block at a time),
// split exactly as papaparse splits a Node stream for readTable: the same ParserHandle, fed as its
// ChunkStreamer feeds it. Each piece is parsed after the unfinished record the previous one ended
// with (a quoted field or a CRLF pair cut by a read boundary), and the line ending is guessed from
// the first piece parsed (src/csv/chunks.ts makes that piece hold the header and more).
import Papa from 'papaparse';

interface StepResult {
  data: string[];
  errors: { message: string }[];
}

/** papaparse's ParserHandle (not in its type declarations): one per file, as its streamers use it. */
interface ParserHandle {
  parse(input: string, baseIndex: number, ignoreLastRow: boolean): { meta: { cursor: number } };
}
type ParserHandleClass = new (config: Papa.ParseConfig<string[]> & { step: (results: StepResult) => void }) => ParserHandle;

export class RecordSplitter {
  private readonly handle: ParserHandle;
  /** The text of the record the last piece ended inside. */
  private partial = '';
  /** Characters before `partial` (papaparse's cursors count from the start of the text). */
  private base = 0;

  /** `record` gets each record's fields and papaparse's errors for it (a malformed quote). */
  constructor(delimiter: string, record: (fields: string[], errors: readonly { message: string }[]) => void) {
    const Handle = (Papa as unknown as { ParserHandle: ParserHandleClass }).ParserHandle;
    this.handle = new Handle({ delimiter, header: false, dynamicTyping: false, skipEmptyLines: false, step: (results) => record(results.data, results.errors) });
  }

  /** Parses the records `text` completes; `last`: the text ends the input (its last record needs no line break). */
  push(text: string, last: boolean): void {
    const aggregate = this.partial + text;
    this.partial = '';
    const results = this.handle.parse(aggregate, this.base, !last);
    if (last) return;
    const cursor = results.meta.cursor;
    this.partial = aggregate.substring(cursor - this.base);
    this.base = cursor;
  }
}
