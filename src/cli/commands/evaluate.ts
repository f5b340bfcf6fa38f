// `wasmlp evaluate model.json data.csv`: how well the model predicts the targets of a CSV file, by the
// library's own `model.evaluate` (scikit-learn's definitions, src/metrics): the model's loss; for a
// classification the accuracy, the confusion matrix (rows: true label, columns: predicted), and per
// class precision, recall, F1 and support with their macro and weighted averages; for a regression,
// in the targets' own units, MSE, MAE and R² per target and their averages.
import { Command, Option } from 'commander';
import type { Model } from '../../index.js';
import { classificationReport } from '../../metrics/classification.js';
import type { ClassifierEvaluation, Evaluation, RegressorEvaluation } from '../../model/classify.js';
import { classCount } from '../../spec/labels.js';
import { DELIMITER_DEFAULT, delimiter } from '../args.js';
import { argmaxRows } from '../encode.js';
import { count, fields, num, percent, table } from '../format.js';
import { readModelData, type ModelData } from '../model-data.js';
import { readModelFile, type LoadedModel } from '../model-file.js';
import { lossUnitsText } from '../units.js';
import { job } from '../jobs.js';
import { action, type Context, type Result } from '../run.js';
import { streamScores, type Scored } from './evaluate-stream.js';

export interface EvaluateOptions {
  delimiter?: string;
  engine?: 'wasm' | 'ts';
  stream?: boolean;
}

/**
 * The scores of the model on the data: `model.evaluate` itself, with a classifier's labels as the
 * model's classes. A classification the library does not call a classifier (bce over one sigmoid output
 * per class) is scored by the same function (classificationReport), its predicted class the largest output.
 */
export function evaluation(model: Model, data: ModelData): Evaluation {
  const X = { data: data.X, rows: data.rows };
  if (data.codes === null) return model.evaluate(X, { data: data.Y!, rows: data.rows });
  if (classCount(model.spec) > 0) {
    const classes = model.classes!;
    return model.evaluate(X, Array.from(data.codes, (k) => classes[k]));
  }
  const loss = model.loss(X, { data: data.Y!, rows: data.rows });
  const predicted = argmaxRows(model.predict(X), data.rows, model.outputs);
  return { task: 'classification', loss, classes: [...data.columns.labels!], ...classificationReport(data.codes, predicted, data.columns.labels!.length) };
}

/** A score in a table: 4 decimals, as scikit-learn's classification_report (which shows 2). */
const score = (value: number) => value.toFixed(4);

function classificationText(e: ClassifierEvaluation, labels: string[]): string {
  const matrix = table([
    ['true \\ predicted', ...labels],
    ...labels.map((label, i) => [label, ...e.confusion[i].map(String)]),
  ]);
  const perClass = table([
    ['class', 'precision', 'recall', 'F1', 'support'],
    ...labels.map((label, k) => [label, score(e.precision[k]), score(e.recall[k]), score(e.f1[k]), String(e.support[k])]),
    ['macro avg', score(e.macro.precision), score(e.macro.recall), score(e.macro.f1), String(e.rows)],
    ['weighted avg', score(e.weighted.precision), score(e.weighted.recall), score(e.weighted.f1), String(e.rows)],
  ]);
  return `${fields([['accuracy', `${percent(e.accuracy)} (${e.correct} of ${e.rows})`]])}\n\nconfusion matrix (rows: true label, columns: predicted)\n${matrix}\n\nper class (scikit-learn's definitions)\n${perClass}`;
}

function regressionText(e: RegressorEvaluation, columns: string[]): string {
  const rows = [['target', 'R²', 'MSE', 'MAE'], ...columns.map((column, k) => [column, num(e.r2[k]), num(e.mse[k]), num(e.mae[k])])];
  if (columns.length > 1) rows.push(['(mean)', num(e.average.r2), num(e.average.mse), num(e.average.mae)]);
  return `per target, in the targets' own units:\n${table(rows)}`;
}

/** The loss in target units is shown for a regression with a target scaler and a squared loss. */
export function showsTargetLoss(model: Model): boolean {
  const squared = model.spec.loss === 'ssr' || model.spec.loss === 'half_se' || model.spec.loss === 'mse';
  return model.getNormalization().targets !== undefined && squared;
}

async function evaluate(ctx: Context, [modelFile, dataFile]: string[], o: EvaluateOptions): Promise<Result> {
  const loaded = await readModelFile(modelFile, o.engine);
  const { model } = loaded;
  const about: About = { loss: model.spec.loss, scaled: model.getNormalization().targets?.kind };
  let scored: Scored;
  try {
    scored = o.stream ? await streamScores(ctx, loaded, dataFile, o.delimiter, showsTargetLoss(model)) : await inMemory(ctx, loaded, dataFile, o.delimiter);
  } finally {
    model.dispose();
  }
  return evaluationResult(about, modelFile, dataFile, scored);
}

async function inMemory(ctx: Context, { model, columns }: LoadedModel, dataFile: string, delimiter: string | undefined): Promise<Scored> {
  const data = await readModelData(dataFile, columns, model, { delimiter, targets: true });
  if (data.note !== null) ctx.progress.note(data.note);
  // a regression's loss in target units too, where a target scaler makes it differ (squared losses only)
  const targetLoss = showsTargetLoss(model) ? model.loss({ data: data.X, rows: data.rows }, { data: data.Y!, rows: data.rows }, { units: 'target' }) : null;
  return { e: evaluation(model, data), rows: data.rows, columns: data.columns, targetLoss };
}

/** What the output says of the model: its loss function, and its target scaler's kind (undefined: none). */
interface About {
  loss: Model['spec']['loss'];
  scaled: string | undefined;
}

/** The command's result: the scores as text and as JSON (with or without --stream). */
function evaluationResult({ loss, scaled }: About, modelFile: string, dataFile: string, { e, rows, columns, targetLoss }: Scored): Result {
  const lossUnits = lossUnitsText(scaled);
  const head = `${dataFile}: ${count(rows)} rows, ${loss} loss ${num(e.loss)}${lossUnits === '' ? '' : ` (${lossUnits}${targetLoss === null ? '' : `; ${num(targetLoss)} in target units`})`}`;
  const common = { model: modelFile, data: dataFile, task: e.task, rows, loss: e.loss, lossFunction: loss, lossUnits: scaled ? 'scaled targets' : 'target units', lossInTargetUnits: scaled ? targetLoss : e.loss };

  if (e.task === 'classification') {
    const labels = columns.labels!;
    const { accuracy, correct, confusion, precision, recall, f1, support, macro, weighted } = e;
    return {
      text: `${head}\n${classificationText(e, labels)}`,
      json: { ...common, accuracy, correct, labels, confusion, precision, recall, f1, support, macro, weighted, evaluation: e },
    };
  }
  const targets = columns.targets.map((column, k) => ({ column, mse: e.mse[k], mae: e.mae[k], r2: e.r2[k] }));
  return {
    text: `${head}\n\n${regressionText(e, columns.targets)}`,
    json: { ...common, targets, mse: e.average.mse, mae: e.average.mae, r2: e.average.r2, evaluation: e },
  };
}

/** Runs in a worker thread (jobs.ts): loading a large model or computing over many rows must not hold off a signal. */
const inWorker = job('evaluate', evaluate);

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('score the model on a CSV file with the target columns, as model.evaluate does (scikit-learn\'s definitions): loss; accuracy, confusion matrix, precision, recall, F1; or R², MSE and MAE')
    .argument('<model>', 'model file written by `wasmlp train` or by model.toJSON() (a model without column names takes the CSV\'s columns in order)')
    .argument('<data>', 'CSV file with the model\'s input and target columns')
    .option('--delimiter <char>', `field delimiter ("tab" for tabs; default: ${DELIMITER_DEFAULT})`, delimiter)
    .addOption(new Option('--engine <name>', 'compute engine').choices(['wasm', 'ts']))
    .option('--stream', 'read the data a chunk of rows at a time (model.evaluateStream): memory stays bounded whatever the size of the file; the same scores')
    .option('--json', 'print one JSON document on stdout (`evaluation` is what model.evaluate returns)')
    .addOption(new Option('--report-memory').hideHelp())
    .action(action('evaluate', inWorker));
}
