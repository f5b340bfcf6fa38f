// A CSV for a model read ahead in a worker thread: while the main thread trains on one chunk, the
// worker reads and parses the next ones (modelDataChunks, the rules of the in-memory read), so
// parsing and training overlap instead of taking turns. Each chunk's Float64Arrays are moved to the
// main thread (transferred, not copied); at most AHEAD chunks wait in the queue besides the one in
// use, and the worker waits for the main thread to take one before it reads further: memory stays
// bounded whatever the size of the file.
//
// The chunks, their order and their values are those of modelDataChunks read in the calling thread
// (which is what runs when the modules are imported rather than run as the command: no entry file
// to start a worker with). A fault of the file arrives as the CliError it is there (same code,
// message and location). Leaving a pass early (a stop rule, Ctrl-C, an error) ends its worker; a
// signal that quits the process ends it with the process.
import { parentPort, Worker } from 'node:worker_threads';
import { CliError, reportOf, type ErrorReport } from './errors.js';
import { jobEntry } from './jobs.js';
import { modelDataChunks } from './model-data.js';
import type { Columns } from './model-file.js';

/** Chunks read ahead of the one in use. */
export const AHEAD = 2;

/** One chunk of rows: inputs, targets as the model's outputs (null without targets), and where the reading stands. */
export interface ReadChunk {
  rows: number;
  X: Float64Array;
  Y: Float64Array | null;
  bytesRead: number;
  size: number;
}

/** What to read: modelDataChunks's arguments. */
export interface ReadRequest {
  file: string;
  columns: Columns;
  shape: { inputs: number; outputs: number };
  delimiter: string | undefined;
  targets: boolean;
  chunkRows: number;
}

/** The workerData a reading worker is started with. */
export interface PrefetchWorkerData {
  wasmlpPrefetch: ReadRequest;
}

export function isPrefetchWorkerData(data: unknown): data is PrefetchWorkerData {
  return typeof data === 'object' && data !== null && 'wasmlpPrefetch' in data;
}

type Message = { chunk: ReadChunk } | { end: true } | { error: ErrorReport };
/** The main thread's word that it took a chunk: the worker may read one more. */
const MORE = 'more';

/** One pass over the file, in the calling thread. */
export async function* readInThread(r: ReadRequest): AsyncGenerator<ReadChunk> {
  for await (const c of modelDataChunks(r.file, r.columns, r.shape, { delimiter: r.delimiter, targets: r.targets, chunkRows: r.chunkRows })) {
    yield { rows: c.rows, X: c.X, Y: c.Y, bytesRead: c.bytesRead, size: c.size };
  }
}

/** One pass over the file, read ahead in a worker thread when the command runs as `wasmlp`, else in the calling thread. */
export function readAhead(request: ReadRequest): AsyncGenerator<ReadChunk> {
  const entry = jobEntry();
  return entry === null ? readInThread(request) : readInWorker(entry, request);
}

/** The worker's messages in order, awaited one at a time; its failure or an exit before the end is an error. */
function inbox(worker: Worker): () => Promise<Message> {
  const queue: Message[] = [];
  let waiting: ((message: Message) => void) | null = null;
  const put = (message: Message) => {
    if (waiting === null) queue.push(message);
    else {
      waiting(message);
      waiting = null;
    }
  };
  worker.on('message', put);
  worker.on('error', (error) => put({ error: reportOf(error) }));
  worker.on('exit', (code) => put({ error: reportOf(new Error(`the thread reading the data ended (exit code ${code}) before the end of the file`)) }));
  return () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => (waiting = resolve)));
}

/** One pass over the file, read ahead by a worker thread running `entry` (the `wasmlp` command file). */
export async function* readInWorker(entry: URL, request: ReadRequest): AsyncGenerator<ReadChunk> {
  const worker = new Worker(entry, { workerData: { wasmlpPrefetch: request } satisfies PrefetchWorkerData });
  const next = inbox(worker);
  try {
    for (;;) {
      const message = await next();
      if ('end' in message) return;
      if ('error' in message) throw CliError.of(message.error);
      worker.postMessage(MORE);
      yield message.chunk;
    }
  } finally {
    await worker.terminate();
  }
}

/** The buffers of a chunk's arrays, moved with it. */
function buffers(chunk: ReadChunk): ArrayBuffer[] {
  const out = [chunk.X.buffer as ArrayBuffer];
  if (chunk.Y !== null && chunk.Y.buffer !== chunk.X.buffer) out.push(chunk.Y.buffer as ArrayBuffer);
  return out;
}

/** The worker's side: reads the file, keeping at most AHEAD chunks ahead of the main thread; ends with the end or the fault. */
export async function runPrefetchWorker(request: ReadRequest): Promise<void> {
  const port = parentPort!;
  let credits = AHEAD;
  let wake: (() => void) | null = null;
  port.on('message', (message: unknown) => {
    if (message !== MORE) return;
    credits++;
    wake?.();
    wake = null;
  });
  try {
    for await (const chunk of readInThread(request)) {
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      port.postMessage({ chunk } satisfies Message, buffers(chunk));
    }
    port.postMessage({ end: true } satisfies Message);
  } catch (error) {
    port.postMessage({ error: reportOf(error) } satisfies Message);
  }
}
