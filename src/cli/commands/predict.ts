// `wasmlp predict model.json data.csv`: the model's outputs for every row, as CSV. Regression: one
// column per target (named as in training). Classification: the predicted label, then one
// probability column per class (`prob_<label>`): a classifier's `model.predictProba`, the predicted
// label the most probable (as `model.predictClasses`). Target columns in the data, if any, are ignored.
import { Command, Option } from 'commander';
import { DELIMITER_DEFAULT, delimiter } from '../args.js';
import { argmaxRows } from '../encode.js';
import { count, duration } from '../format.js';
import { readModelData } from '../model-data.js';
import { readModelFile } from '../model-file.js';
import { checkOutputs, createOutput, streamingStdout, writeStdout } from '../output.js';
import { job } from '../jobs.js';
import { predictStreamed, type PredictOptions } from './predict-stream.js';
import { csvLines, headerLine, outputsOf, predictionColumns, rowCells } from '../predictions.js';
import { action, type Context, type Result } from '../run.js';

/** Rows written per CSV piece: bounds the text held at once for large inputs. */
const PIECE_ROWS = 4096;

/** The computation, in a worker thread (jobs.ts): the model's outputs for every row of the data. */
const compute = job('predict', async (ctx: Context, [modelFile, dataFile]: string[], o: PredictOptions) => {
  const loaded = await readModelFile(modelFile, o.engine);
  try {
    const { model } = loaded;
    const data = await readModelData(dataFile, loaded.columns, model, { delimiter: o.delimiter, targets: false });
    if (data.note !== null) ctx.progress.note(data.note);
    const started = performance.now();
    const { out, K } = outputsOf(model, data.columns, { data: data.X, rows: data.rows });
    return { out, rows: data.rows, K, columns: data.columns, ms: performance.now() - started };
  } finally {
    loaded.model.dispose();
  }
});

/** Lets a pending signal be handled between pieces of output (they are written from the main thread). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function predict(ctx: Context, [modelFile, dataFile]: string[], o: PredictOptions): Promise<Result> {
  if (o.stream) return predictStreamed(ctx, [modelFile, dataFile], o);
  if (o.out !== undefined) await checkOutputs([[o.out, '--out']], [{ path: modelFile, what: 'the model' }, { path: dataFile, what: 'the data' }]);
  const { out, rows, K, columns: resolved, ms } = await compute(ctx, [modelFile, dataFile], o);
  const classes = resolved.task === 'classification' ? argmaxRows(out, rows, K) : null;
  const columns = predictionColumns(resolved);

  if (ctx.json && o.out === undefined) {
    const predictions = Array.from({ length: rows }, (_, r) => rowCells(resolved, out, classes, K, r));
    return { text: '', json: { model: modelFile, data: dataFile, rows, columns, predictions, out: null } };
  }
  const file = o.out === undefined ? null : createOutput(o.out, '--out');
  const write = (text: string) => (file ? file.write(text) : writeStdout(text));
  if (file === null) streamingStdout(true);
  try {
    await write(headerLine(resolved));
    for (let from = 0; from < rows; from += PIECE_ROWS) {
      await write(csvLines(resolved, out, classes, K, from, Math.min(rows, from + PIECE_ROWS)));
      await turn();
    }
    await file?.commit();
  } catch (error) {
    await file?.discard();
    throw error;
  }
  if (file === null) streamingStdout(false);
  return {
    text: file ? `wrote ${count(rows)} predictions (${columns.join(', ')}) to ${o.out} in ${duration(ms)}` : '',
    json: { model: modelFile, data: dataFile, rows, columns, out: o.out ?? null },
  };
}

export function predictCommand(): Command {
  return new Command('predict')
    .description('predict the targets of every row of a CSV file (columns matched by name); CSV on stdout or --out')
    .argument('<model>', 'model file written by `wasmlp train` or by model.toJSON() (a model without column names takes the CSV\'s columns in order)')
    .argument('<data>', 'CSV file with the model\'s input columns (a header row; other columns are ignored)')
    .option('-o, --out <file>', 'write the predictions here instead of stdout (never over the model or the data)')
    .option('--delimiter <char>', `field delimiter of the data ("tab" for tabs; default: ${DELIMITER_DEFAULT})`, delimiter)
    .addOption(new Option('--engine <name>', 'compute engine').choices(['wasm', 'ts']))
    .option('--json', 'print one JSON document on stdout (with the predictions when there is no --out)')
    .option('--stream', 'read the data a chunk of rows at a time and write predictions as they come: memory stays bounded whatever the size of the file (with --json, give --out)')
    .addOption(new Option('--report-memory').hideHelp())
    .action(action('predict', predict));
}
