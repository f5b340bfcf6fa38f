// Errors across the worker boundary: a WasmlpError thrown in the worker arrives on the page's thread
// as the same class (src/errors.ts) with the same code, message and fields; any other error as an
// Error with its name and message. One level of `cause` travels too.
import { CsvError, DataError, EngineError, FormatError, OptionsError, ParamsError, SpecError, TrainingError, WasmlpError, type ErrorDetails } from '../errors.js';

export interface SerializedError {
  name: string;
  message: string;
  wasmlp: boolean;
  code?: string;
  details?: { path?: string; expected?: string; received?: string };
  epoch?: number;
  step?: number;
  location?: { file?: string; line?: number; column?: string };
  cause?: SerializedError;
}

const CLASSES: Record<string, new (code: string, message: string, details?: ErrorDetails) => WasmlpError> = {
  WasmlpError, SpecError, DataError, ParamsError, OptionsError, EngineError, FormatError,
};

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), wasmlp: false };
  const out: SerializedError = { name: error.name, message: error.message, wasmlp: error instanceof WasmlpError };
  if (depth === 0 && error.cause !== undefined) out.cause = serializeError(error.cause, 1);
  if (!(error instanceof WasmlpError)) return out;
  out.code = error.code;
  out.details = { path: error.path, expected: error.expected, received: error.received };
  if (error instanceof TrainingError) Object.assign(out, { epoch: error.epoch, step: error.step });
  if (error instanceof CsvError) out.location = { file: error.file, line: error.line, column: error.column };
  return out;
}

export function reviveError(e: SerializedError): Error {
  const details: ErrorDetails = { ...e.details };
  if (e.cause !== undefined) details.cause = reviveError(e.cause);
  if (!e.wasmlp || e.code === undefined) {
    const error = new Error(e.message, e.cause === undefined ? undefined : { cause: details.cause });
    error.name = e.name;
    return error;
  }
  if (e.name === 'TrainingError') return new TrainingError(e.code, e.message, e.epoch ?? 0, e.step ?? 0, details);
  if (e.name === 'CsvError') return new CsvError(e.code, e.message, e.location, details);
  return new (CLASSES[e.name] ?? WasmlpError)(e.code, e.message, details);
}
