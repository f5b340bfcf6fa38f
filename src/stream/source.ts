// Sources of chunks: what the model's *Stream methods read, one pass at a time.
//
// A source is one of
//   - a function returning a fresh AsyncIterable or Iterable of chunks, or a web ReadableStream of
//     chunks (called once per pass: each epoch of fitStream, each pass of setNormalizationStream);
//   - an object with [Symbol.asyncIterator] or [Symbol.iterator] that can be iterated again (an array
//     of chunks, an object whose iterator method starts over).
// A ReadableStream is read with getReader() (WebKit has no async iteration of ReadableStream); a pass
// that ends early (a stop rule, an error) cancels the reader, and an iterator's return() is called.
// A ReadableStream itself (not a function making one) can be read once only, and is refused.
import { OptionsError, StreamError, describe } from '../errors.js';
import type { MatrixInput } from '../data/dataset.js';
import type { Label } from '../spec/labels.js';

/** Rows of a source: `x` as `predict` takes it; `y` as `fit` takes it (absent for predictStream); `weights` one per row. */
export interface Chunk {
  x: MatrixInput;
  y?: MatrixInput | readonly Label[];
  weights?: readonly number[] | Float64Array;
}

export type ChunkIterable = AsyncIterable<Chunk> | Iterable<Chunk>;

/** A function called once per pass that returns the chunks afresh, or an iterable that can be iterated again. */
export type ChunkSource = (() => ChunkIterable | ReadableStream<Chunk>) | ChunkIterable;

const EXPECTED = 'a function returning an (async) iterable or a ReadableStream of chunks, or an (async) iterable that can be iterated again';

function badSource(path: string, value: unknown, why = ''): OptionsError {
  return new OptionsError('BAD_SOURCE', `${path}: expected ${EXPECTED}, got ${describe(value)}${why}`, { path, expected: EXPECTED, received: describe(value) });
}

const isReadable = (v: unknown): v is ReadableStream<Chunk> => v !== null && typeof v === 'object' && typeof (v as ReadableStream).getReader === 'function';
const isIterable = (v: unknown): v is ChunkIterable =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && (Symbol.asyncIterator in (v as object) || Symbol.iterator in (v as object));

/** Checks the form of a source before anything is read (OptionsError BAD_SOURCE naming `path`). */
export function checkSource(source: unknown, path: string): asserts source is ChunkSource {
  if (typeof source === 'function') return;
  if (isReadable(source)) throw badSource(path, source, ': a ReadableStream can be read once only; pass a function that returns a fresh one (() => file.stream().pipeThrough(…))');
  if (typeof source === 'string' || !isIterable(source)) throw badSource(path, source);
}

function sourceFailed(path: string, chunk: number, error: unknown): StreamError {
  const reason = error instanceof Error ? error.message : String(error);
  return new StreamError('SOURCE_FAILED', `${path}: reading chunk ${chunk} failed: ${reason}`, chunk, {
    path: `${path} chunk ${chunk}`, expected: 'the source to give its chunks', received: reason, cause: error,
  });
}

/** The next step of a pass: an iterator's next() or a reader's read(). */
interface Pull {
  next(): Promise<IteratorResult<Chunk>> | IteratorResult<Chunk>;
  /** Ends a pass left early (return() of an iterator, cancel() of a reader). */
  stop(): Promise<unknown> | unknown;
  /** Ends a pass read to its end. */
  done(): void;
}

function opened(made: unknown, path: string): Pull {
  if (isReadable(made)) {
    const reader = made.getReader();
    return {
      next: () => reader.read() as Promise<IteratorResult<Chunk>>,
      stop: () => reader.cancel().catch(() => undefined),
      done: () => reader.releaseLock(),
    };
  }
  if (!isIterable(made)) throw badSource(path, made, ' (from the function)');
  const iterator = Symbol.asyncIterator in made ? (made as AsyncIterable<Chunk>)[Symbol.asyncIterator]() : (made as Iterable<Chunk>)[Symbol.iterator]();
  return {
    next: () => iterator.next(),
    stop: () => iterator.return?.(),
    done: () => undefined,
  };
}

/**
 * One pass over a source: its chunks in order. An iterator that throws (or a function that does) is a
 * StreamError SOURCE_FAILED naming the chunk it was reading; leaving the pass early stops the source.
 */
export async function* pass(source: ChunkSource, path = 'source'): AsyncGenerator<Chunk, void, undefined> {
  let pull: Pull;
  try {
    pull = opened(typeof source === 'function' ? source() : source, path);
  } catch (error) {
    if (error instanceof OptionsError) throw error;
    throw sourceFailed(path, 0, error);
  }
  let finished = false;
  try {
    for (let chunk = 0; ; chunk++) {
      let step: IteratorResult<Chunk>;
      try {
        step = await pull.next();
      } catch (error) {
        finished = true; // a failed source is not asked for more
        throw sourceFailed(path, chunk, error);
      }
      if (step.done === true) break;
      yield step.value;
    }
    finished = true;
    pull.done();
  } finally {
    if (!finished) await pull.stop();
  }
}
