// `wasmlp predict model.json data.csv --stream`: the predictions of a file of any size, in bounded
// memory. The worker thread (jobs.ts, streamJob) reads the data a chunk of rows at a time, predicts
// and formats each chunk; the main thread writes each piece before the worker goes on: into the
// temporary file of --out (renamed into place at the end, removed on a failure or Ctrl-C), into a
// FIFO or device, or on stdout as it comes. The bytes are those of `wasmlp predict` without
// --stream: rows are predicted one by one, whatever the chunk they are in.
import { argmaxRows } from '../encode.js';
import { CliError } from '../errors.js';
import { count, duration } from '../format.js';
import { streamJob } from '../jobs.js';
import { modelDataChunks } from '../model-data.js';
import { readModelFile } from '../model-file.js';
import { checkOutputs, createOutput, streamingStdout, writeStdout, type Output } from '../output.js';
import { csvLines, headerLine, outputsOf, predictionColumns } from '../predictions.js';
import type { Context, Result } from '../run.js';

export interface PredictOptions {
  out?: string;
  delimiter?: string;
  engine?: 'wasm' | 'ts';
  json?: boolean;
  stream?: boolean;
}

/** Rows read, predicted and written at a time. */
const CHUNK_ROWS = 8192;

interface Done {
  rows: number;
  columns: string[];
  ms: number;
}

/** The worker's side: each chunk's predictions as CSV lines (the first piece starts with the header line). */
const compute = streamJob('predict-stream', async (ctx: Context, [modelFile, dataFile]: string[], o: PredictOptions, emit: (text: string) => Promise<void>): Promise<Done> => {
  const loaded = await readModelFile(modelFile, o.engine);
  try {
    const { model } = loaded;
    let rows = 0, ms = 0, columns: string[] = [];
    for await (const chunk of modelDataChunks(dataFile, loaded.columns, model, { delimiter: o.delimiter, targets: false, chunkRows: CHUNK_ROWS })) {
      if (rows === 0) ctx.progress.readStart(dataFile, chunk.size);
      if (chunk.note !== null) ctx.progress.note(chunk.note);
      const started = performance.now();
      const { out, K } = outputsOf(model, chunk.columns, { data: chunk.X, rows: chunk.rows });
      ms += performance.now() - started;
      const classes = chunk.columns.task === 'classification' ? argmaxRows(out, chunk.rows, K) : null;
      const head = rows === 0 ? headerLine(chunk.columns) : '';
      columns = predictionColumns(chunk.columns);
      await emit(head + csvLines(chunk.columns, out, classes, K, 0, chunk.rows));
      rows += chunk.rows;
      ctx.progress.readUpdate(chunk.bytesRead, chunk.size, rows);
    }
    return { rows, columns, ms };
  } finally {
    loaded.model.dispose();
  }
});

/** The main thread's side: writes each piece as it comes, and commits the output at the end. */
export async function predictStreamed(ctx: Context, [modelFile, dataFile]: string[], o: PredictOptions): Promise<Result> {
  if (ctx.json && o.out === undefined) {
    throw new CliError('STREAM_NEEDS_OUT', '--stream with --json: give --out for the predictions (stdout carries the JSON document, which cannot hold the rows of a stream)');
  }
  if (o.out !== undefined) await checkOutputs([[o.out, '--out']], [{ path: modelFile, what: 'the model' }, { path: dataFile, what: 'the data' }]);
  let file: Output | null = null;
  const write = async (text: string) => {
    if (o.out === undefined) {
      streamingStdout(true);
      await writeStdout(text);
      return;
    }
    file ??= createOutput(o.out, '--out');
    await file.write(text);
  };
  let done: Done;
  try {
    done = await compute(ctx, [modelFile, dataFile], o, write);
    await (file as Output | null)?.commit();
  } catch (error) {
    await (file as Output | null)?.discard();
    throw error;
  }
  if (o.out === undefined) streamingStdout(false);
  const { rows, columns, ms } = done;
  return {
    text: o.out !== undefined ? `wrote ${count(rows)} predictions (${columns.join(', ')}) to ${o.out} in ${duration(ms)}` : '',
    json: { model: modelFile, data: dataFile, rows, columns, out: o.out ?? null, stream: true },
  };
}
