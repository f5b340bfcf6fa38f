// The one error hierarchy of wasmlp. Every error says what was expected, what was given and where
// (`path`: a spec field such as `layers[1].activation`, or a data cell such as `X[17][3]`).

export interface ErrorDetails {
  /** Where the fault is: `layers[2].units`, `X[4][1]`, `params[0].W[1]`, `options.batchSize`. */
  path?: string;
  /** What was expected, in words. */
  expected?: string;
  /** What was given, as text. */
  received?: string;
  cause?: unknown;
}

export class WasmlpError extends Error {
  /** A stable machine-readable code, e.g. `UNKNOWN_ACTIVATION`, `NON_FINITE`. */
  readonly code: string;
  readonly path: string | undefined;
  readonly expected: string | undefined;
  readonly received: string | undefined;

  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.path = details.path;
    this.expected = details.expected;
    this.received = details.received;
  }
}

/** The model spec is wrong: layers, activations, loss, init, seed, engine. */
export class SpecError extends WasmlpError {}

/** The data are wrong: empty, ragged, wrong width, non-finite, row counts that differ. */
export class DataError extends WasmlpError {}

/** Where in a CSV file (or text) a fault is: the file as given, the 1-based line (header = line 1 unless blank lines precede it), the column's name. */
export interface CsvLocation {
  file?: string;
  line?: number;
  column?: string;
}

/**
 * A CSV file or text is wrong (a cell that is not a number, a ragged row, a missing column, an empty
 * file, a file that cannot be read). The message starts with where: `iris.csv: line 4, column "b": …`.
 */
export class CsvError extends DataError {
  /** The file as given (undefined when text was read). */
  readonly file: string | undefined;
  /** The 1-based line in the file, where the fault is on one. */
  readonly line: number | undefined;
  /** The column's name (from the header), where the fault is in one. */
  readonly column: string | undefined;

  constructor(code: string, message: string, location: CsvLocation = {}, details: ErrorDetails = {}) {
    super(code, message, details);
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
  }
}

/**
 * A source of chunks failed (its iterator threw) or gave a chunk that is wrong (a field of the wrong
 * width, a value that is not finite, no rows at all). `chunk` is the 0-based index of the chunk within
 * its pass over the source (-1 when the fault is the source itself); `path` names the cell
 * (`chunks[3].x[4][1]`). From a training call, `history` is the training so far: the model holds its
 * `steps` updates (those of the blocks trained before the fault) and `history.epochRows` says how many
 * rows of the unfinished epoch were read.
 */
export class StreamError extends DataError {
  readonly chunk: number;
  /** The training so far, when the fault ended a training call (a FitHistory). */
  history: unknown;

  constructor(code: string, message: string, chunk: number, details: ErrorDetails = {}) {
    super(code, message, details);
    this.chunk = chunk;
    this.history = undefined;
  }
}

/** Explicit parameters are wrong: shape or non-finite values. */
export class ParamsError extends WasmlpError {}

/** Options of a call are wrong (training options, gradCheck options). */
export class OptionsError extends WasmlpError {}

/** The engine failed (it could not compile, speaks another ABI, a kernel trapped), or its memory was released (DISPOSED). */
export class EngineError extends WasmlpError {}

/** Describes a value for an error message: short, and exact for numbers. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as { length: number }).length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/**
 * Training failed: the loss or a parameter became NaN or ±Infinity (DIVERGED), or a call came while
 * the model was training (BUSY: epoch and step say how far the running training was).
 */
export class TrainingError extends WasmlpError {
  /** Epoch (0-based, within the fit call) and step (batch index within that epoch) where it happened. */
  readonly epoch: number;
  readonly step: number;

  constructor(code: string, message: string, epoch: number, step: number, details: ErrorDetails = {}) {
    super(code, message, details);
    this.epoch = epoch;
    this.step = step;
  }
}

/** A saved model is malformed: not JSON, another format or version, a wrong shape, a non-finite value. */
export class FormatError extends WasmlpError {}
