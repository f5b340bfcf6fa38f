// `wasmlp predict model.json data.csv`: the model's outputs for every row, as CSV. Regression: one
// column per target (named as in training). Classification: the predicted label, then one
// probability column per class (`prob_<label>`): a classifier's `model.predictProba`, the predicted
// label the most probable (as `model.predictClasses`). Target columns in the data, if any, are ignored.
import { Command, Option } from 'commander';
import Papa from 'papaparse';
import { DELIMITER_DEFAULT, delimiter } from '../args.js';
import { argmaxRows } from '../encode.js';
import { count, duration } from '../format.js';
import { classCount } from '../../spec/labels.js';
import { readModelData, type Resolved } from '../model-data.js';
import { readModelFile } from '../model-file.js';
import { checkOutputs, createOutput, streamingStdout, writeStdout } from '../output.js';
import { job } from '../jobs.js';
import { action, type Context, type Result } from '../run.js';

interface PredictOptions {
  out?: string;
  delimiter?: string;
  engine?: 'wasm' | 'ts';
  json?: boolean;
}

/** Rows written per CSV piece: bounds the text held at once for large inputs. */
const PIECE_ROWS = 4096;

export function predictionColumns(columns: Resolved): string[] {
  return columns.task === 'classification' ? [columns.targets[0], ...columns.labels!.map((l) => `prob_${l}`)] : [...columns.targets];
}

/** The output row `r` as CSV cells: numbers in their shortest exact form. */
function rowCells(columns: Resolved, out: Float64Array, classes: Int32Array | null, K: number, r: number): (string | number)[] {
  const values = Array.from(out.subarray(r * K, (r + 1) * K));
  return classes ? [columns.labels![classes[r]], ...values] : values;
}

/** The computation, in a worker thread (jobs.ts): the model's outputs for every row of the data. */
const compute = job('predict', async (ctx: Context, [modelFile, dataFile]: string[], o: PredictOptions) => {
  const loaded = await readModelFile(modelFile, o.engine);
  try {
    const { model } = loaded;
    const data = await readModelData(dataFile, loaded.columns, model, { delimiter: o.delimiter, targets: false });
    if (data.note !== null) ctx.progress.note(data.note);
    const started = performance.now();
    const X = { data: data.X, rows: data.rows };
    // a classifier's probabilities in the order of its classes (one sigmoid output: both classes)
    const proba = data.columns.task === 'classification' && classCount(model.spec) > 0;
    const out = proba ? model.predictProba(X) : model.predict(X);
    return { out, rows: data.rows, K: proba ? model.classes!.length : model.outputs, columns: data.columns, ms: performance.now() - started };
  } finally {
    loaded.model.dispose();
  }
});

/** Lets a pending signal be handled between pieces of output (they are written from the main thread). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function predict(ctx: Context, [modelFile, dataFile]: string[], o: PredictOptions): Promise<Result> {
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
    await write(`${Papa.unparse([columns], { newline: '\n' })}\n`);
    for (let from = 0; from < rows; from += PIECE_ROWS) {
      const piece: (string | number)[][] = [];
      for (let r = from; r < Math.min(rows, from + PIECE_ROWS); r++) piece.push(rowCells(resolved, out, classes, K, r));
      await write(`${Papa.unparse(piece, { newline: '\n' })}\n`);
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
    .addOption(new Option('--report-memory').hideHelp())
    .action(action('predict', predict));
}
