// Commands whose work is long and synchronous (a prediction over many rows, a gradient check, an
// ONNX import, loading a large model) compute in a worker thread: the main thread only waits, so its
// SIGINT and SIGTERM handlers run at once (run.ts: quit, exit 130 or 143, the worker ended with the
// process). A handler on a thread busy computing would run only when the computation is over.
//
// The worker computes and hands back the result (typed arrays moved, not copied); the main thread
// writes the outputs (output.ts), so a signal during the write still leaves whole files or none.
// The worker runs the `wasmlp` entry file itself (main.ts hands it here when it finds a job in its
// workerData), as bench's workers do: the published command is one bundled file.
import { parentPort, Worker } from 'node:worker_threads';
import { CliError, reportOf, type ErrorReport } from './errors.js';
import { Progress, type ProgressMode } from './progress.js';
import type { Context } from './run.js';

type Body<O, R> = (ctx: Context, args: string[], options: O) => Promise<R>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const bodies = new Map<string, Body<any, unknown>>();

/** The entry file a job's worker runs; null (the modules imported, not run as the command): jobs run in the calling thread. */
let entry: URL | null = null;

export function setJobEntry(url: URL): void {
  entry = url;
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

type Message = { stderr: string } | { result: unknown } | { error: ErrorReport };

/**
 * Declares a command's computation: the returned function runs `body` in a worker thread (when the
 * command runs as `wasmlp`) and resolves to what it returned, or rejects with its error as reported
 * there (same code, message and exit code). `body` gets plain data and returns plain data
 * (structured-cloneable); it must not write outputs.
 */
export function job<O, R>(name: string, body: Body<O, R>): Body<O, R> {
  bodies.set(name, body);
  return (ctx, args, options) => (entry === null ? body(ctx, args, options) : inWorker<R>(entry, name, ctx, args, options));
}

function inWorker<R>(url: URL, name: string, ctx: Context, args: string[], options: unknown): Promise<R> {
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

/** The worker's side: runs the job and posts its result or its error (classified here, by reportOf). */
export async function runJobWorker(request: JobRequest): Promise<void> {
  const port = parentPort!;
  // notes go to the main thread's stderr, in order with the result
  const relay = { isTTY: false, write: (text: string) => (port.postMessage({ stderr: text } satisfies Message), true) } as unknown as NodeJS.WriteStream;
  const ctx: Context = { json: request.json, progress: new Progress(request.mode === 'silent' ? 'silent' : 'plain', relay), reportMemory: request.reportMemory };
  const body = bodies.get(request.name);
  try {
    if (body === undefined) throw new Error(`no job named ${request.name}`);
    const result = await body(ctx, request.args, request.options);
    try {
      port.postMessage({ result } satisfies Message, transferables(result));
    } catch {
      port.postMessage({ result } satisfies Message); // a buffer that cannot be moved is copied
    }
  } catch (error) {
    port.postMessage({ error: reportOf(error) } satisfies Message);
  }
}
