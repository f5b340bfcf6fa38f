// How every subcommand runs: it gets a context (json mode, progress), returns a result, and this
// module prints it: a single JSON document on stdout with --json, text otherwise. Errors become an
// exit code (see errors.ts), a message on stderr, and with --json an `{ ok: false, error }` document.
import { isMainThread } from 'node:worker_threads';
import type { Command } from 'commander';
import { EXIT, fsReason, reportOf, type ErrorReport } from './errors.js';
import { quit, removeTemporaryFiles } from './output.js';
import { Progress, progressMode } from './progress.js';

export interface Context {
  json: boolean;
  progress: Progress;
  /** Peak resident memory goes into the result (the hidden --report-memory flag; used by tests). */
  reportMemory: boolean;
}

export interface Result {
  /** The --json document (without `ok` and `command`, which are added). */
  json: Record<string, unknown>;
  /** What a person reads on stdout; may be empty when the command already streamed its output. */
  text: string;
}

/**
 * Ctrl-C: the command's own handler while one is set (train stops gracefully), otherwise exit 130;
 * SIGTERM: exit 143. Both say what was written, and exiting runs the 'exit' hook that removes
 * temporary files, which a signal's default action would not. They run at once because the main
 * thread never computes for long: long computations run in a worker thread (jobs.ts).
 */
let interruptHandler: (() => void) | null = null;
let running = 'wasmlp';
export function onInterrupt(handler: (() => void) | null): void {
  interruptHandler = handler;
}
if (isMainThread) {
  process.on('SIGINT', () => {
    if (interruptHandler) interruptHandler();
    else quit(running, EXIT.interrupted, 'SIGINT');
  });
  process.on('SIGTERM', () => quit(running, EXIT.terminated, 'SIGTERM'));
  // stdout that fails: a reader that went away (`wasmlp predict … | head`) is not an error, as for
  // any Unix tool: exit quietly; any other failure (no space left on the device) is one line and
  // exit 1, as for a file that cannot be written
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    removeTemporaryFiles();
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    process.stderr.write(`wasmlp ${running}: cannot write to stdout (${fsReason(error)})\n`);
    process.exit(EXIT.badInput);
  });
}

/** process.resourceUsage().maxRSS is in KiB. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export function printError(command: string, report: ErrorReport, json: boolean): void {
  process.stderr.write(`wasmlp ${command}: ${report.message}\n`);
  if (report.stack) process.stderr.write(`${report.stack}\n`);
  if (json) {
    const { file, line, column } = report.location;
    const error = { code: report.code, message: report.message, exitCode: report.exitCode, file, line, column };
    process.stdout.write(`${JSON.stringify({ ok: false, command, error }, null, 2)}\n`);
  }
}

/** Wraps a command body as a commander action; the body gets the positional arguments and the options. */
export function action<O>(name: string, body: (ctx: Context, args: string[], options: O) => Promise<Result>) {
  return async (...received: unknown[]): Promise<void> => {
    const command = received[received.length - 1] as Command;
    const options = command.opts() as O & { json?: boolean; reportMemory?: boolean };
    const json = options.json === true;
    const ctx: Context = { json, progress: new Progress(progressMode(json)), reportMemory: options.reportMemory === true };
    running = name;
    try {
      // commander passes the declared arguments, then the options, then the command
      const result = await body(ctx, received.slice(0, -2) as string[], options);
      if (ctx.reportMemory) result.json.memory = { maxRssBytes: peakRss() };
      if (json) process.stdout.write(`${JSON.stringify({ ok: true, command: name, ...result.json }, null, 2)}\n`);
      else if (result.text !== '') process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
    } catch (error) {
      ctx.progress.abort();
      const report = reportOf(error);
      printError(name, report, json);
      process.exitCode = report.exitCode;
    }
  };
}
