// Commands whose work is long and synchronous (a prediction over many rows, a gradient check, an
// ONNX import, loading a large model) compute in a worker thread: the main thread only waits, so its
// SIGINT and SIGTERM handlers run at once (run.ts: quit, exit 130 or 143, the worker ended with the
// process). A handler on a thread busy computing would run only when the computation is over.
//
// The worker computes and hands back the result (typed arrays moved, not copied); the main thread
// writes the outputs (output.ts), so a signal during the write still leaves whole files or none.
// A streaming job (streamJob) also hands over pieces of output as it goes, one at a time: the worker
// waits until the main thread has written a piece before it computes the next, so memory holds one
// piece whatever the size of the data and however slow the reader of the output.
// The worker runs the `wasmlp` entry file itself (main.ts hands it here when it finds a job in its
// workerData), as bench's workers do: the published command is one bundled file.
import { parentPort, Worker, type MessagePort } from 'node:worker_threads';
import { CliError, reportOf, type ErrorReport } from './errors.js';
import { Progress, type ProgressMode } from './progress.js';
import type { Context } from './run.js';

type Body<O, R> = (ctx: Context, args: string[], options: O) => Promise<R>;
/** A streaming job's body: `emit` hands a piece of output to the main thread and resolves once it is written. */
type StreamBody<O, R, P> = (ctx: Context, args: string[], options: O, emit: (piece: P) => Promise<void>) => Promise<R>;
/** The main thread's side of a streaming job: `write` gets each piece, in order. */
type StreamRun<O, R, P> = (ctx: Context, args: string[], options: O, write: (piece: P) => Promise<void>) => Promise<R>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const bodies = new Map<string, StreamBody<any, unknown, any>>();

/** The entry file a job's worker runs; null (the modules imported, not run as the command): jobs run in the calling thread. */
let entry: URL | null = null;

export function setJobEntry(url: URL): void {
  entry = url;
}

/** The entry file workers run (null: in the calling thread), for other workers of the command (prefetch.ts). */
export function jobEntry(): URL | null {
  return entry;
}

interface JobRequest {
  name: string;
  args: string[];
  options: unknown;
  mode: ProgressMode;
  json: boolean;
  reportMemory: boolean;
}

/** The workerData a job's worker is started with. */
export interface JobWorkerData {
  wasmlpJob: JobRequest;
}

export function isJobWorkerData(data: unknown): data is JobWorkerData {
  return typeof data === 'object' && data !== null && 'wasmlpJob' in data;
}

type Message = { stderr: string } | { piece: unknown } | { result: unknown } | { error: ErrorReport };
/** The main thread's answer to a piece: written. */
const WRITTEN = 'written';

/**
 * Declares a command's computation: the returned function runs `body` in a worker thread (when the
 * command runs as `wasmlp`) and resolves to what it returned, or rejects with its error as reported
 * there (same code, message and exit code). `body` gets plain data and returns plain data
 * (structured-cloneable); it must not write outputs.
 */
export function job<O, R>(name: string, body: Body<O, R>): Body<O, R> {
  bodies.set(name, body);
  return (ctx, args, options) => (entry === null ? body(ctx, args, options) : inWorker<R>(entry, name, ctx, args, options, null));
}

/**
 * Declares a streaming computation: as job, and `body` may also hand pieces of output (plain data)
 * to `emit`; the returned function gives each to `write` on the main thread, which writes it
 * before the worker goes on. A `write` that fails ends the job with its error.
 */
export function streamJob<O, R, P>(name: string, body: StreamBody<O, R, P>): StreamRun<O, R, P> {
  bodies.set(name, body);
  return (ctx, args, options, write) => (entry === null ? body(ctx, args, options, write) : inWorker<R>(entry, name, ctx, args, options, write as (piece: unknown) => Promise<void>));
}

function inWorker<R>(url: URL, name: string, ctx: Context, args: string[], options: unknown, write: ((piece: unknown) => Promise<void>) | null): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const request: JobRequest = { name, args, options, mode: ctx.progress.mode, json: ctx.json, reportMemory: ctx.reportMemory };
    const worker = new Worker(url, { workerData: { wasmlpJob: request } satisfies JobWorkerData });
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      settle();
    };
    worker.on('message', (message: Message) => {
      if ('stderr' in message) process.stderr.write(message.stderr);
      else if ('piece' in message) write!(message.piece).then(() => worker.postMessage(WRITTEN), (error: unknown) => finish(() => reject(error)));
      else if ('result' in message) finish(() => resolve(message.result as R));
      else finish(() => reject(CliError.of(message.error)));
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the worker thread of ${name} ended (exit code ${code}) without a result`))));
  });
}

/** Typed arrays that own their whole buffer: moved to the main thread instead of copied. */
function transferables(result: unknown): ArrayBuffer[] {
  if (typeof result !== 'object' || result === null) return [];
  const buffers: ArrayBuffer[] = [];
  for (const value of Object.values(result)) {
    if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && !buffers.includes(value.buffer)) {
      buffers.push(value.buffer);
    }
  }
  return buffers;
}

/** Posts a message, its value's whole typed arrays moved (a buffer that cannot be moved is copied). */
function post(port: MessagePort, message: Message, value: unknown): void {
  try {
    port.postMessage(message, transferables(value));
  } catch {
    port.postMessage(message);
  }
}

/** The worker's emit: posts a piece and waits until the main thread has written it. */
function emitter(port: MessagePort): (piece: unknown) => Promise<void> {
  let written: (() => void) | null = null;
  port.on('message', (message: unknown) => {
    if (message === WRITTEN) written?.();
  });
  return (piece) => new Promise<void>((resolve) => {
    written = resolve;
    post(port, { piece }, piece);
  });
}

/** The worker's side: runs the job and posts its result or its error (classified here, by reportOf). */
export async function runJobWorker(request: JobRequest): Promise<void> {
  const port = parentPort!;
  // notes go to the main thread's stderr, in order with the result
  const relay = { isTTY: false, write: (text: string) => (port.postMessage({ stderr: text } satisfies Message), true) } as unknown as NodeJS.WriteStream;
  const ctx: Context = { json: request.json, progress: new Progress(request.mode === 'silent' ? 'silent' : 'plain', relay), reportMemory: request.reportMemory };
  const body = bodies.get(request.name);
  try {
    if (body === undefined) throw new Error(`no job named ${request.name}`);
    const result = await body(ctx, request.args, request.options, emitter(port));
    post(port, { result }, result);
  } catch (error) {
    port.postMessage({ error: reportOf(error) } satisfies Message);
  }
}
