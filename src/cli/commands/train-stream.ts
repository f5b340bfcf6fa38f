// `wasmlp train data.csv --stream`: training on a file of any size, read a chunk of rows at a time
// (src/csv/chunks.ts, the rules of the in-memory read) once per epoch, in bounded memory. Before
// training, one pass over the file finds what the in-memory path finds (the task, the labels in
// their order, the rows) and every fault of the data, so hours of training do not end on line 9
// million; a --validation-file is checked the same way. The network, the scalers and every flag are
// those of `wasmlp train`; the scalers are fitted in passes over the file.
//
// A held-out split of a stream would be the file's last rows, not a random sample (a file sorted by
// class or by time would validate on one class, or on the future), so there is none: held-out rows
// come from --validation-file, and without one early stopping watches the training loss (the rule
// of the in-memory path without validation rows). Rows are shuffled through a seeded buffer of
// --shuffle-buffer rows (the library's fitStream shuffle: { buffer }).
//
// --resume continues a model (any model file of `wasmlp train`), the data's columns found by its
// names, as in memory.
//
// The library's streamed training (model.setNormalizationStream and model.fitStream) is called in
// one place, fitOnStream.
import { basename } from 'node:path';
import type { FitHistory, Model, NormalizationSpec } from '../../index.js';
import { readCsvChunks, type BlockData, type DelimiterChoice } from '../csv.js';
import { CliError } from '../errors.js';
import { modelDataChunks, type Resolved } from '../model-data.js';
import { readAhead, type ReadChunk } from '../prefetch.js';
import type { Columns, LoadedModel } from '../model-file.js';
import type { TrainingState } from '../progress.js';
import { onInterrupt, type Context, type Result } from '../run.js';
import {
  announce, DEFAULTS, delimiterNote, epochWatcher, fitFailed, fitOptions, fitted, freshModel, finishRun, interruptible, orderedClasses, outputsOf, resumedColumns,
  resumedPlan, resumeFrom, samplesOf, settingsOf, targetColumns, trainingLayout, type Fitted, type Plan, type Settings, type Split, type TrainOptions,
} from './train.js';

export const STREAM_DEFAULTS = { shuffleBuffer: 65_536 } as const;

/** Rows read at a time and handed to the library as one chunk. */
const CHUNK_ROWS = 8192;

/** One chunk as the library's streamed training takes it: inputs, and targets as the model's outputs (one-hot rows for a classification). */
export interface TrainingChunk {
  x: { data: Float64Array; rows: number };
  y: { data: Float64Array; rows: number };
}

/** Chunks of a file: each iteration is a new pass over it (what fitStream and setNormalizationStream take). */
export interface ChunkSource {
  [Symbol.asyncIterator](): AsyncIterator<TrainingChunk>;
}

/**
 * A file's chunks as the model reads them (columns by name), one pass per iteration, read ahead in a
 * worker thread (prefetch.ts) so that parsing overlaps training; `seen` is told of each chunk as it is handed out.
 */
export function chunkSource(file: string, columns: Columns, shape: { inputs: number; outputs: number }, delimiter: string | undefined, seen?: (chunk: ReadChunk, pass: number) => void): ChunkSource {
  let passes = 0;
  return {
    async *[Symbol.asyncIterator]() {
      const pass = ++passes;
      for await (const chunk of readAhead({ file, columns, shape, delimiter, targets: true, chunkRows: CHUNK_ROWS })) {
        seen?.(chunk, pass);
        yield { x: { data: chunk.X, rows: chunk.rows }, y: { data: chunk.Y!, rows: chunk.rows } };
      }
    },
  };
}

/** What the pass before training found in a file: its rows and bytes, how long it took. */
interface Scanned {
  rows: number;
  bytes: number;
  ms: number;
}

/** One pass over chunks, with the reading progress; `each` sees every chunk. */
async function scan<C extends { rows: number; bytesRead: number; size: number }>(ctx: Context, file: string, chunks: AsyncIterable<C>, each?: (chunk: C) => void): Promise<Scanned> {
  const started = performance.now();
  let rows = 0, bytes = 0;
  for await (const chunk of chunks) {
    if (rows === 0) ctx.progress.readStart(file, chunk.size);
    rows += chunk.rows;
    bytes = chunk.size;
    each?.(chunk);
    ctx.progress.readUpdate(chunk.bytesRead, chunk.size, rows);
  }
  return { rows, bytes, ms: performance.now() - started };
}

/** The columns and task of a fresh model, from a pass over the training file (the first row decides numbers or labels, as in memory). */
async function freshColumns(ctx: Context, data: string, o: TrainOptions): Promise<{ columns: Columns; scanned: Scanned; delimiter: DelimiterChoice }> {
  const { targets, ignore, flag } = targetColumns(o);
  let inputs: string[] = [];
  let target: BlockData | null = null;
  let delimiter: DelimiterChoice | null = null;
  const chunks = readCsvChunks(data, { delimiter: o.delimiter, chunkRows: CHUNK_ROWS, ...trainingLayout(data, targets, ignore, flag !== null, (names) => (inputs = names)) });
  const scanned = await scan(ctx, data, chunks, (chunk) => {
    target = chunk.blocks[1];
    delimiter = chunk.delimiter;
  });
  ctx.progress.readEnd(data, scanned.rows, inputs.length + targets.length, scanned.bytes, scanned.ms, delimiterNote(delimiter!));
  const found = target as BlockData | null;
  const labels = found?.kind === 'label' ? orderedClasses(data, targets[0], found.labels).labels : null;
  return { columns: { task: labels !== null ? 'classification' : 'regression', inputs, targets, labels }, scanned, delimiter: delimiter! };
}

/** The flags a streamed run refuses, before any work. */
function checkStreamFlags(o: TrainOptions): void {
  if (o.validationSplit !== undefined) {
    throw new CliError('STREAM_SPLIT', `--validation-split ${o.validationSplit} with --stream: the held-out rows of a stream would be the file's last rows, not a random sample (a file may be sorted by class or by time); put held-out rows in a file of their own and give --validation-file`);
  }
}

/** The split of a streamed run: every row of the file trains, the validation rows are another file's. */
function streamSplit(o: TrainOptions, s: Settings, rows: number, validationRows: number): Split {
  const batchSize = Math.min(o.batchSize ?? s.previous?.batchSize ?? DEFAULTS.batchSize, rows);
  const stepsPerEpoch = Math.ceil(rows / batchSize);
  return { validationSplit: 0, validationRows, trainRows: rows, batchSize, stepsPerEpoch, totalSteps: stepsPerEpoch * o.epochs, watchTraining: s.patience !== null && validationRows === 0 };
}

/** The sources of a run: the training file (with progress by bytes) for the scalers and the fit, and the validation file. */
interface Sources {
  scalers: ChunkSource;
  train: ChunkSource;
  validation: ChunkSource | null;
}

/** What the library's streamed training is called with, besides the sources. */
interface StreamFitOptions extends ReturnType<typeof fitOptions> {
  shuffle: false | { buffer: number };
  patience?: number;
  signal: AbortSignal;
  onEpochEnd: (epoch: number, logs: { loss: number; valLoss?: number }) => boolean;
}

/** The one call of the library's streamed training: scalers fitted over the training file's rows, then the fit. */
async function fitOnStream(model: Model, sources: Sources, normalize: NormalizationSpec | null, options: StreamFitOptions): Promise<FitHistory> {
  if (normalize !== null) await model.setNormalizationStream(sources.scalers, normalize);
  return model.fitStream(sources.train, { ...options, ...(sources.validation !== null ? { validationData: sources.validation } : {}) });
}

/** The progress display of a streamed fit, by bytes: `update` takes where the training file's pass stands. */
function byteProgress(ctx: Context, state: TrainingState, size: number, rows: number): (chunk: ReadChunk, pass: number) => void {
  let started: number | null = null; // the first chunk trained on (the scalers' pass comes before)
  return (chunk, pass) => {
    started ??= performance.now();
    const done = (pass - 1) * size + chunk.bytesRead;
    const elapsed = performance.now() - started;
    const fraction = done / Math.max(1, state.totalSteps);
    const rowsDone = (pass - 1) * rows + Math.round((rows * chunk.bytesRead) / Math.max(1, size));
    Object.assign(state, { epoch: pass - 1, steps: done, samplesPerSecond: elapsed > 0 ? (rowsDone * 1000) / elapsed : undefined, etaMs: fraction > 0 ? (elapsed * (1 - fraction)) / fraction : undefined });
    ctx.progress.trainUpdate(state);
  };
}

/** The streamed fit with the progress display by bytes; Ctrl-C as in memory (train.ts's interruptible). */
async function runStreamFit(ctx: Context, p: Plan, o: TrainOptions, s: Settings, split: Split, files: { data: string; validation: string | null; columns: Columns; size: number }): Promise<Fitted> {
  const { model } = p;
  const shape = { inputs: model.inputs, outputs: model.outputs };
  const state: TrainingState = { epoch: 0, epochs: o.epochs, steps: 0, totalSteps: o.epochs * files.size, loss: undefined, valLoss: undefined, samplesPerSecond: undefined, etaMs: undefined, lossName: `${model.spec.loss} loss` };
  const sources: Sources = {
    scalers: chunkSource(files.data, files.columns, shape, o.delimiter),
    train: chunkSource(files.data, files.columns, shape, o.delimiter, byteProgress(ctx, state, files.size, split.trainRows)),
    validation: files.validation === null ? null : chunkSource(files.validation, files.columns, shape, o.delimiter),
  };
  const buffer = o.shuffleBuffer ?? STREAM_DEFAULTS.shuffleBuffer;
  const stop = interruptible(ctx);
  let history: FitHistory;
  ctx.progress.trainStart(state);
  try {
    history = await fitOnStream(model, sources, p.fitNormalize, {
      ...fitOptions(o, s, split.batchSize),
      shuffle: buffer > 0 ? { buffer } : false,
      ...(s.patience !== null && split.validationRows > 0 ? { patience: s.patience } : {}),
      signal: stop.signal,
      onEpochEnd: epochWatcher(state, s, split.watchTraining),
    });
  } catch (error) {
    fitFailed(ctx, model, error);
  } finally {
    onInterrupt(null);
  }
  state.steps = state.totalSteps;
  return fitted(ctx, state, history, split.watchTraining, samplesOf(history, split));
}

/** What a streamed run trains: the plan (the model, its columns), the columns to read by, the rows and bytes of each file. */
interface StreamPlan {
  p: Plan;
  columns: Columns;
  scanned: Scanned;
  validationRows: number;
}

/** --resume's model and the columns of the data, found by a pass over it (the model's names, as in memory). */
async function resumedStream(ctx: Context, data: string, o: TrainOptions, loaded: LoadedModel): Promise<{ p: Plan; columns: Columns; scanned: Scanned }> {
  const given = resumedColumns(o, loaded);
  let resolved: Resolved | null = null;
  const chunks = modelDataChunks(data, given, loaded.model, { delimiter: o.delimiter, targets: true, chunkRows: CHUNK_ROWS });
  const scanned = await scan(ctx, data, chunks, (chunk) => {
    resolved = chunk.columns;
    if (chunk.note !== null) ctx.progress.note(chunk.note);
  });
  // a file without rows is an error of the pass (NO_ROWS): the first chunk has set the columns
  const r = resolved as unknown as Resolved;
  ctx.progress.readEnd(data, scanned.rows, r.inputs.length + r.targets.length, scanned.bytes, scanned.ms);
  return { p: resumedPlan(loaded, r, { rows: scanned.rows, readMs: scanned.ms }), columns: { task: r.task, inputs: r.inputs, targets: r.targets, labels: r.labels }, scanned };
}

/** The passes before training (the data, then --validation-file), and the model: --resume's, or a fresh one built last. */
async function planStream(ctx: Context, data: string, o: TrainOptions, s: Settings, loaded: LoadedModel | null): Promise<StreamPlan> {
  const resumed = loaded === null ? null : await resumedStream(ctx, data, o, loaded);
  const fresh = resumed === null ? await freshColumns(ctx, data, o) : null;
  const { columns, scanned } = resumed ?? fresh!;
  const outputs = columns.task === 'classification' ? columns.labels!.length : columns.targets!.length;
  const validation = o.validationFile;
  const checked = validation === undefined ? null : await scan(ctx, validation, modelDataChunks(validation, columns, { inputs: columns.inputs!.length, outputs }, { delimiter: o.delimiter, targets: true, chunkRows: CHUNK_ROWS }));
  if (checked !== null) ctx.progress.readEnd(validation!, checked.rows, columns.inputs!.length + columns.targets!.length, checked.bytes, checked.ms);
  const validationRows = checked?.rows ?? 0;
  if (resumed !== null) return { p: { ...resumed.p, rows: scanned.rows + validationRows }, columns, scanned, validationRows };
  const built = await freshModel(data, o, s.engine, s.seed, { task: columns.task, outputs, labels: columns.labels }, columns.inputs!, columns.targets!);
  const p: Plan = { ...built, task: columns.task, inputNames: columns.inputs!, targets: columns.targets!, labels: columns.labels, outputs, rows: scanned.rows + validationRows, readMs: scanned.ms, hints: [], delimiter: fresh!.delimiter };
  return { p, columns, scanned, validationRows };
}

/** `wasmlp train --stream`: passes to plan and check, the model, the streamed fit, the files and the summary. */
export async function trainStreamed(ctx: Context, [data]: string[], o: TrainOptions): Promise<Result> {
  checkStreamFlags(o);
  const outputs = await outputsOf(data, o);
  const loaded = await resumeFrom(o);
  const s = settingsOf(o, loaded);
  const { p, columns, scanned, validationRows } = await planStream(ctx, data, o, s, loaded).catch((error: unknown) => {
    loaded?.model.dispose();
    throw error;
  });
  const lossUnits = announce(ctx, p);
  const validation = o.validationFile ?? null;
  if (validation === null && s.patience !== null) ctx.progress.note('note: --stream holds out no rows: early stopping watches the training loss (give --validation-file for held-out rows)');
  const split = streamSplit(o, s, scanned.rows, validationRows);
  const fit = await runStreamFit(ctx, p, o, s, split, { data, validation, columns, size: scanned.bytes });
  const extra = { shuffleBuffer: o.shuffleBuffer ?? STREAM_DEFAULTS.shuffleBuffer, ...(validation !== null ? { validationData: basename(validation) } : {}) };
  return finishRun(ctx, { data, o, p, s, split, fit, outputs, lossUnits }, loaded !== null, extra);
}
