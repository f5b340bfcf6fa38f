// The CLI's exit codes and the one place that maps any thrown value to one of them.
//   0 ok · 1 bad input (arguments, CSV, model file, a library WasmlpError caused by our options) or
//   a file, device or stdout that cannot be read or written · 2 training diverged (TrainingError)
//   3 an unexpected internal error (printed with its stack) · 130 stopped by SIGINT (Ctrl-C),
//   143 by SIGTERM (see output.ts's quit)
// Scripts can tell "fix your input" (1) from "try a smaller learning rate" (2) from "a bug" (3).
import { TrainingError, WasmlpError } from '../index.js';

export const EXIT = { ok: 0, badInput: 1, diverged: 2, internal: 3, interrupted: 130, terminated: 143 } as const;

/** Where in an input file a fault is: the file, its 1-based line (header = line 1) and the column's name. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: string;
}

/** An error the user can fix; its message is shown as it is, without a stack. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string;
  readonly location: ErrorLocation;

  /** The stack of an internal error classified in a worker thread (see jobs.ts), printed with it. */
  readonly trace: string | undefined;

  constructor(code: string, message: string, location: ErrorLocation = {}, exitCode: number = EXIT.badInput, trace?: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.location = location;
    this.exitCode = exitCode;
    this.trace = trace;
  }

  /** The error a worker thread reported (reportOf there), to be reported here exactly as it was. */
  static of(report: ErrorReport): CliError {
    return new CliError(report.code, report.message, report.location, report.exitCode, report.stack);
  }
}

export interface ErrorReport {
  exitCode: number;
  code: string;
  message: string;
  location: ErrorLocation;
  /** Only for internal errors: where to look when reporting a bug. */
  stack?: string;
}

/** Classifies anything thrown by a command. */
export function reportOf(error: unknown): ErrorReport {
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, code: error.code, message: error.message, location: error.location, ...(error.trace === undefined ? {} : { stack: error.trace }) };
  }
  if (error instanceof TrainingError) return { exitCode: EXIT.diverged, code: error.code, message: error.message, location: {} };
  if (error instanceof WasmlpError) return { exitCode: EXIT.badInput, code: error.code, message: error.message, location: {} };
  const e = error instanceof Error ? error : new Error(String(error));
  return { exitCode: EXIT.internal, code: 'INTERNAL', message: `internal error: ${e.message}`, location: {}, stack: e.stack };
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'the file exists',
  EBUSY: 'the file is busy',
  EPIPE: 'nothing reads from it any more',
  ENXIO: 'no such device',
  EIO: 'input/output error',
  EFBIG: 'the file is too large',
};

/** A file-system error in words ("no such file" rather than ENOENT). */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') return FS_REASONS[code] ?? code;
  return error instanceof Error ? error.message : String(error);
}
