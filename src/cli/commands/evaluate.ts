// `wasmlp evaluate model.json data.csv`: how well the model predicts the targets of a CSV file.
// Always the model's loss. Classification: accuracy and the confusion matrix (rows: true label,
// columns: predicted). Regression, in the targets' own units: MSE, MAE and R² per target and overall.
import { Command, Option } from 'commander';
import { DELIMITER_DEFAULT, delimiter } from '../args.js';
import { argmaxRows } from '../encode.js';
import { count, fields, num, percent, table } from '../format.js';
import { readModelData } from '../model-data.js';
import { readModelFile } from '../model-file.js';
import { lossUnitsText } from '../units.js';
import { squaredLoss } from '../../model/loss-units.js';
import { job } from '../jobs.js';
import { action, type Context, type Result } from '../run.js';

interface EvaluateOptions {
  delimiter?: string;
  engine?: 'wasm' | 'ts';
}

export interface TargetMetrics {
  column: string;
  mse: number;
  mae: number;
  /** 1 − SS_res / SS_tot; null when the target is constant (SS_tot = 0). */
  r2: number | null;
}

/** Per-target MSE, MAE and R² of predictions against targets (both rows × K). */
export function regressionMetrics(columns: string[], predicted: Float64Array, actual: Float64Array, rows: number): TargetMetrics[] {
  const K = columns.length;
  return columns.map((column, k) => {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += actual[r * K + k];
    mean /= rows;
    let se = 0, ae = 0, tot = 0;
    for (let r = 0; r < rows; r++) {
      const t = actual[r * K + k], d = predicted[r * K + k] - t;
      se += d * d;
      ae += Math.abs(d);
      tot += (t - mean) * (t - mean);
    }
    return { column, mse: se / rows, mae: ae / rows, r2: tot === 0 ? null : 1 - se / tot };
  });
}

async function evaluate(ctx: Context, [modelFile, dataFile]: string[], o: EvaluateOptions): Promise<Result> {
  const loaded = await readModelFile(modelFile, o.engine);
  const data = await readModelData(dataFile, loaded.meta, loaded.model, { delimiter: o.delimiter, targets: true });
  const meta = data.meta;
  if (data.note !== null) ctx.progress.note(data.note);
  const { model } = loaded;
  const X = { data: data.X, rows: data.rows };
  const Y = { data: data.Y!, rows: data.rows };
  const loss = model.loss(X, Y);
  const scaled = model.getNormalization().targets;
  // the loss in target units too, where it differs (a regression's target scaler)
  const out = model.predict(X);
  const K = model.outputs;
  // the same sum as model.loss(X, Y, { units: 'target' }), on the predictions already made
  const squared = model.spec.loss === 'ssr' || model.spec.loss === 'half_se' || model.spec.loss === 'mse' ? model.spec.loss : null;
  const targetLoss = scaled && squared !== null ? squaredLoss(squared, out, data.Y!, data.rows, K) : null;
  model.dispose();
  const lossUnits = lossUnitsText(scaled?.kind);
  const head = `${dataFile}: ${count(data.rows)} rows, ${model.spec.loss} loss ${num(loss)}${lossUnits === '' ? '' : ` (${lossUnits}${targetLoss === null ? '' : `; ${num(targetLoss)} in target units`})`}`;
  const lossJson = { loss, lossFunction: model.spec.loss, lossUnits: scaled ? 'scaled targets' : 'target units', lossInTargetUnits: scaled ? targetLoss : loss };

  if (meta.task === 'classification') {
    const labels = meta.labels!;
    const predicted = argmaxRows(out, data.rows, K);
    const truth = data.codes!;
    const confusion = labels.map(() => new Array<number>(labels.length).fill(0));
    let correct = 0;
    for (let r = 0; r < data.rows; r++) {
      confusion[truth[r]][predicted[r]]++;
      if (truth[r] === predicted[r]) correct++;
    }
    const accuracy = correct / data.rows;
    const matrix = table([
      ['true \\ predicted', ...labels],
      ...labels.map((label, i) => [label, ...confusion[i].map(String)]),
    ]);
    return {
      text: `${head}\n${fields([['accuracy', `${percent(accuracy)} (${correct} of ${data.rows})`]])}\n\nconfusion matrix (rows: true label, columns: predicted)\n${matrix}`,
      json: { model: modelFile, data: dataFile, task: 'classification', rows: data.rows, ...lossJson, accuracy, correct, labels, confusion },
    };
  }
  const metrics = regressionMetrics(meta.targets, out, data.Y!, data.rows);
  const overall = { mse: metrics.reduce((s, m) => s + m.mse, 0) / K, mae: metrics.reduce((s, m) => s + m.mae, 0) / K };
  const rows = [['target', 'R²', 'MSE', 'MAE'], ...metrics.map((m) => [m.column, m.r2 === null ? '— (constant)' : num(m.r2), num(m.mse), num(m.mae)])];
  if (K > 1) rows.push(['(all)', '', num(overall.mse), num(overall.mae)]);
  return {
    text: `${head}\n\nper target, in the targets' own units:\n${table(rows)}`,
    json: { model: modelFile, data: dataFile, task: 'regression', rows: data.rows, ...lossJson, targets: metrics, mse: overall.mse, mae: overall.mae },
  };
}

/** Runs in a worker thread (jobs.ts): loading a large model or computing over many rows must not hold off a signal. */
const inWorker = job('evaluate', evaluate);

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('score the model on a CSV file with the target columns: loss; accuracy and confusion matrix, or R², MSE and MAE')
    .argument('<model>', 'model file written by `wasmlp train` (or by model.toJSON(): then the CSV\'s columns are taken in order)')
    .argument('<data>', 'CSV file with the model\'s input and target columns')
    .option('--delimiter <char>', `field delimiter ("tab" for tabs; default: ${DELIMITER_DEFAULT})`, delimiter)
    .addOption(new Option('--engine <name>', 'compute engine').choices(['wasm', 'ts']))
    .option('--json', 'print one JSON document on stdout')
    .addOption(new Option('--report-memory').hideHelp())
    .action(action('evaluate', inWorker));
}
