// The command line reads CSV files with the library's reader (src/csv/table.ts), the same code as
// `readCsv` of 'wasmlp/csv'. This file only puts its errors in the command line's terms: a CsvError
// becomes a CliError (exit code 1) with the same message and its file, line and column as the
// location `--json` prints, and messages about the delimiter speak of --delimiter.
import { CsvError } from '../errors.js';
import { DELIMITER_EXPECTED, delimiterOf, describeDelimiter as describeChoice, type CsvTable, type DelimiterChoice, type ReadOptions } from '../csv/table.js';
import { readTable } from '../csv/file.js';
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

/** Reads `file` as a header row and data rows, keeping only the columns the layout asks for; faults are CliErrors. */
export async function readCsv(file: string, options: ReadOptions): Promise<CsvTable & { file: string }> {
  const layout: ReadOptions['layout'] = (header, where) => {
    try {
      return options.layout(header, where);
    } catch (error) {
      // a column that is not there may be a file split with another delimiter: say which one was used
      if (error instanceof CliError && error.code === 'MISSING_COLUMN') {
        throw new CliError(error.code, `${error.message} (read with ${describeDelimiter(where.delimiter)}; choose another with --delimiter)`, error.location, error.exitCode);
      }
      throw error;
    }
  };
  try {
    return { ...(await readTable({ file }, { ...options, layout })), file };
  } catch (error) {
    throw inCliTerms(error);
  }
}
