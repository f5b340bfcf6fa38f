// The command line reads CSV files with the library's reader (src/csv/table.ts), the same code as
// `readCsv` of 'wasmlp/csv'. This file only puts its errors in the command line's terms: a CsvError
// becomes a CliError (exit code 1) with the same message and its file, line and column as the
// location `--json` prints, and messages about the delimiter speak of --delimiter.
import { CsvError } from '../errors.js';
import { DELIMITER_EXPECTED, delimiterOf, describeDelimiter as describeChoice, type CsvTable, type DelimiterChoice, type ReadOptions } from '../csv/table.js';
import { tableChunks, type ChunkOptions, type TableChunk } from '../csv/chunks.js';
import { fileBytes, readTable } from '../csv/file.js';
import { CliError, fsReason } from './errors.js';

export { delimiterName, detectDelimiter, parseNumber } from '../csv/table.js';
export type { Block, BlockData, DelimiterChoice, HeaderInfo, LabelBlock, LabelColumn, NumberBlock, NumberColumns, ReadOptions } from '../csv/table.js';

/** `delimiter ";", detected from the header`: said when a column is not found and after reading. */
export function describeDelimiter(choice: DelimiterChoice): string {
  return describeChoice(choice, '--delimiter');
}

/** Validates a --delimiter value: one character (`\t` and `tab` mean a tab). */
export function parseDelimiter(value: string): string {
  const d = delimiterOf(value);
  if (d === null) throw new CliError('BAD_DELIMITER', `--delimiter: expected ${DELIMITER_EXPECTED}, got ${JSON.stringify(value)}`);
  return d;
}

/** A CsvError as the command line reports it; anything else as it is. */
function inCliTerms(error: unknown): unknown {
  if (!(error instanceof CsvError)) return error;
  const location = { file: error.file, line: error.line, column: error.column };
  for (const key of ['file', 'line', 'column'] as const) if (location[key] === undefined) delete location[key];
  // file-system errors in the command line's words ("no such file")
  const message = error.code === 'CANNOT_READ' && error.cause !== undefined ? `${error.file}: cannot read (${fsReason(error.cause)})` : error.message;
  return new CliError(error.code, message, location);
}

/** The layout, with a missing column's message saying which delimiter the file was split with. */
function sayingDelimiter(layout: ReadOptions['layout']): ReadOptions['layout'] {
  return (header, where) => {
    try {
      return layout(header, where);
    } catch (error) {
      // a column that is not there may be a file split with another delimiter: say which one was used
      if (error instanceof CliError && error.code === 'MISSING_COLUMN') {
        throw new CliError(error.code, `${error.message} (read with ${describeDelimiter(where.delimiter)}; choose another with --delimiter)`, error.location, error.exitCode);
      }
      throw error;
    }
  };
}

/** Reads `file` as a header row and data rows, keeping only the columns the layout asks for; faults are CliErrors. */
export async function readCsv(file: string, options: ReadOptions): Promise<CsvTable & { file: string }> {
  try {
    return { ...(await readTable({ file }, { ...options, layout: sayingDelimiter(options.layout) })), file };
  } catch (error) {
    throw inCliTerms(error);
  }
}

/** Bytes read from a file at a time by readCsvChunks. */
const BLOCK_BYTES = 1 << 16;

/**
 * Reads `file` a chunk of rows at a time (readCsv's rules, src/csv/chunks.ts), with the file's size
 * for progress; faults are CliErrors. Leaving the loop early closes the file.
 */
export async function* readCsvChunks(file: string, options: ChunkOptions): AsyncGenerator<TableChunk & { size: number }> {
  try {
    const { size, bytes } = await fileBytes(file, BLOCK_BYTES);
    for await (const chunk of tableChunks(file, size, bytes, { ...options, layout: sayingDelimiter(options.layout) })) yield { ...chunk, size };
  } catch (error) {
    throw inCliTerms(error);
  }
}
