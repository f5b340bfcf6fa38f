// `wasmlp evaluate model.json big.csv --stream`: evaluate's scores on a file of any size, read a chunk
// of rows at a time (model-data.ts, the rules of the in-memory read) in bounded memory, by the
// library's model.evaluateStream: the same numbers as model.evaluate on the whole file. Two scores of
// the in-memory command are not evaluateStream's, and come from one more pass over the file, each
// chunk's predictions (a row's outputs do not depend on the rows around it, as predictStream says):
// the loss in target units (a squared loss's one sequential sum, continued from chunk to chunk, as
// model.loss's { units: 'target' } sums it) and the scores of a classification the library does not
// call a classifier (bce over one sigmoid output per class: its predicted class the largest output).
import { StreamError, type Model } from '../../index.js';
import { confusionReport, countInto, emptyConfusion } from '../../metrics/classification.js';
import type { Evaluation } from '../../model/classify.js';
import { classCount } from '../../spec/labels.js';
import { argmaxRows } from '../encode.js';
import { CliError } from '../errors.js';
import { modelDataChunks, type ModelChunk, type Resolved } from '../model-data.js';
import type { LoadedModel } from '../model-file.js';
import type { Context } from '../run.js';

/** Rows read at a time. */
const CHUNK_ROWS = 8192;

/** What a scoring found: the scores, the rows and columns scored, the loss in target units (null: not shown). */
export interface Scored {
  e: Evaluation;
  rows: number;
  columns: Resolved;
  targetLoss: number | null;
}

/** The file's chunks, one pass per iteration; `each` sees every chunk of every pass. */
function fileChunks(file: string, { model, columns }: LoadedModel, delimiter: string | undefined, each: (chunk: ModelChunk) => void): AsyncIterable<ModelChunk> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const chunk of modelDataChunks(file, columns, model, { delimiter, targets: true, chunkRows: CHUNK_ROWS })) {
        each(chunk);
        yield chunk;
      }
    },
  };
}

/** The pass of predictions: the squared loss in target units and, for a classification by sigmoids, the confusion matrix. */
async function predictionPass(model: Model, chunks: AsyncIterable<ModelChunk>, confusion: number[][] | null): Promise<{ ssr: number; rows: number }> {
  let ssr = 0, rows = 0;
  for await (const chunk of chunks) {
    const out = model.predict({ data: chunk.X, rows: chunk.rows }) as Float64Array;
    rows += chunk.rows;
    if (confusion !== null) {
      countInto(confusion, chunk.codes!, argmaxRows(out, chunk.rows, model.outputs));
      continue;
    }
    const t = chunk.Y!;
    for (let i = 0; i < out.length; i++) {
      const d = out[i] - t[i];
      ssr += d * d;
    }
  }
  return { ssr, rows };
}

/** A fault of the file as evaluate says it: the reading's own error, not the library's word that its source failed. */
function fault(error: unknown): never {
  throw error instanceof StreamError && error.code === 'SOURCE_FAILED' && error.cause instanceof CliError ? error.cause : error;
}

/** The scores of the model on a file read a chunk at a time; `targetUnits`: with the loss in target units. */
export async function streamScores(ctx: Context, loaded: LoadedModel, file: string, delimiter: string | undefined, targetUnits: boolean): Promise<Scored> {
  const { model } = loaded;
  let columns: Resolved | null = null;
  const chunks = fileChunks(file, loaded, delimiter, (chunk) => {
    if (columns === null && chunk.note !== null) ctx.progress.note(chunk.note);
    columns ??= chunk.columns;
  });
  const source = { async *[Symbol.asyncIterator]() {
    for await (const chunk of chunks) yield { x: { data: chunk.X, rows: chunk.rows }, y: { data: chunk.Y!, rows: chunk.rows } };
  } };
  const e = await model.evaluateStream(source).catch(fault);
  const found = columns as unknown as Resolved;
  const sigmoids = found.task === 'classification' && classCount(model.spec) === 0;
  const confusion = sigmoids ? emptyConfusion(found.labels!.length) : null;
  const predicted = targetUnits || sigmoids ? await predictionPass(model, chunks, confusion) : null;
  const { loss, outputs } = model.spec;
  const targetLoss = !targetUnits ? null : loss === 'ssr' ? predicted!.ssr : loss === 'half_se' ? predicted!.ssr / 2 : predicted!.ssr / (predicted!.rows * outputs);
  const scores: Evaluation = sigmoids ? { task: 'classification', loss: e.loss, classes: [...found.labels!], ...confusionReport(confusion!) } : e;
  return { e: scores, rows: scores.rows, columns: found, targetLoss };
}
