// `wasmlp train data.csv --target COL`: reads the CSV, infers the task from the target columns,
// trains with a live progress display, and writes the model (and its loss curve) atomically.
import { basename } from 'node:path';
import { createModel, SpecError, TrainingError, WasmlpError, type Activation, type EngineKind, type FitHistory, type Init, type Model, type ModelSpec, type NormalizationSpec } from '../../index.js';
import { scheduleArg, type ParsedSchedule } from '../args.js';
import { describeDelimiter, readCsv, type DelimiterChoice, type LabelColumn, type NumberColumns, type ReadOptions } from '../csv.js';
import { oneHot, orderLabels, parseColumnList, remapCodes, shuffleRows, trainingColumns } from '../encode.js';
import { CliError, EXIT } from '../errors.js';
import { count, duration, fields, labelList, num } from '../format.js';
import { readModelData, type Resolved } from '../model-data.js';
import { CLI_FORMAT_VERSION, classesOf, modelFileText, nameModel, readModelFile, type CliMeta, type Columns, type LoadedModel, type Task, type TrainingRecord } from '../model-file.js';
import { classCount } from '../../spec/labels.js';
import { checkOutputs, outputTarget, quit, writeFilesAtomically, type Input } from '../output.js';
import { lossUnitsText } from '../units.js';
import { lossCurveSvg } from '../plot.js';
import type { TrainingState } from '../progress.js';
import { onInterrupt, peakRss, type Context, type Result } from '../run.js';
import { describeNetwork } from './info.js';

/** Input and target scaling, in the CLI's short and the library's own spellings. */
export type Scaling = 'standard' | 'standardize' | 'minmax' | 'minMax' | 'none';
export const SCALINGS: Scaling[] = ['standard', 'standardize', 'minmax', 'minMax', 'none'];

export interface TrainOptions {
  target?: string;
  ignore?: string;
  classes?: boolean;
  layers?: number[];
  /** Dropout rate of every hidden layer while training. */
  dropout?: number;
  activation?: string;
  init?: Init;
  outputActivation?: string;
  loss?: string;
  optimizer?: 'sgd' | 'momentum' | 'adam';
  lr?: number;
  epochs: number;
  batchSize?: number;
  weightDecay?: number;
  l1?: number;
  normalize?: Scaling;
  normalizeTargets?: Scaling;
  validationSplit?: number;
  patience?: number;
  tol?: number;
  schedule?: ParsedSchedule | null;
  seed?: number;
  engine?: 'wasm' | 'ts';
  threads?: number | 'auto';
  delimiter?: string;
  out?: string;
  plot: string | boolean;
  resume?: string;
  /** Train a chunk of rows at a time (train-stream.ts). */
  stream?: boolean;
  validationFile?: string;
  shuffleBuffer?: number;
}

/**
 * The CLI's defaults (--help says them, and why). They are scikit-learn's MLPClassifier and
 * MLPRegressor defaults where it has one: a hidden layer of 100 relu units, Glorot-uniform initial
 * weights, adam at the rate 0.001 (the library's default for adam too), standardized inputs (and a
 * regression's targets), and stopping when the loss stops improving. With them, `wasmlp train
 * data.csv --target y` scores within 0.02 (accuracy) or 0.03 (R²) of scikit-learn's
 * make_pipeline(StandardScaler(), MLPClassifier()) or MLPRegressor() on scikit-learn's own data sets
 * (test/cli/defaults.test.ts, against test/fixtures/sklearn/scores.json). Measured on those test
 * splits, as means over the seeds 42 and 1 to 7:
 *   - He initialization (the library's `auto` for relu: larger weights when there are few inputs)
 *     instead of Glorot, all else the same: iris 0.96 instead of 1.00, diabetes R² 0.22 instead of
 *     0.33, friedman1 R² 0.87 instead of 0.93.
 *   - A classification trains on every row and stops when the training loss has not fallen by more
 *     than `tol` (1e-4) for `patience` (10) epochs: scikit-learn's rule (tol, n_iter_no_change).
 *     Holding out 20 % to stop on their loss costs small data sets accuracy: iris (112 rows) 0.98
 *     instead of 1.00.
 *   - A regression holds out 20 % (a seeded random sample) and stops when their loss has not improved
 *     for `patience` epochs, keeping the best epoch: the training loss of a noisy regression keeps
 *     falling while the model overfits (diabetes: R² −0.01 stopped by scikit-learn's rule after
 *     ~450–500 epochs, 0.33 stopped on the held-out rows after ~25).
 *   - `epochs` is only a bound (1000): training stops long before it on these data sets (iris
 *     300–550 epochs, wine ~150, digits ~70, diabetes ~25, friedman1 ~180).
 */
export const DEFAULTS = {
  layers: [100], activation: 'relu', init: 'glorot', optimizer: 'adam', batchSize: 32, weightDecay: 0, l1: 0, normalize: 'standard', seed: 42, engine: 'wasm',
  epochs: 1000, patience: 10, tol: 1e-4, validationSplit: { regression: 0.2, classification: 0 },
} as const;

/** The default learning rate: the library's (FitOptions.learningRate): 0.001 for adam, 0.01 for sgd and momentum. */
export function defaultLearningRate(optimizer: 'sgd' | 'momentum' | 'adam'): number {
  return optimizer === 'adam' ? 0.001 : 0.01;
}

/** `data.csv` → `data.model.json`, next to the data. */
export function defaultModelPath(data: string): string {
  return `${data.replace(/\.(csv|tsv|txt)$/i, '')}.model.json`;
}

/** `model.json` → `model.loss.svg`, next to the model. */
export function defaultPlotPath(model: string): string {
  return `${model.replace(/\.json$/i, '')}.loss.svg`;
}

/** The library's name of a scaling: `standardize`, `minMax`, or undefined for none. */
export function scaler(kind: Scaling): 'standardize' | 'minMax' | undefined {
  return kind === 'standard' || kind === 'standardize' ? 'standardize' : kind === 'minmax' || kind === 'minMax' ? 'minMax' : undefined;
}

/** The canonical (library) spelling saved in the model file: standardize, minMax or none. */
export function scalingName(kind: Scaling): 'standardize' | 'minMax' | 'none' {
  return scaler(kind) ?? 'none';
}

/**
 * Updates per chunk of training (how often the progress display moves and Ctrl-C is noticed):
 * about 200 chunks over the whole run, each at most ~2·10^8 floating-point operations (tens of ms
 * in WebAssembly), never more than an epoch.
 */
export function chunkSteps(model: Model, batchSize: number, stepsPerEpoch: number, totalSteps: number): number {
  const flopsPerStep = 6 * model.spec.paramCount * batchSize;
  const byTime = Math.max(1, Math.floor(2e8 / flopsPerStep));
  return Math.max(1, Math.min(stepsPerEpoch, byTime, Math.ceil(totalSteps / 200)));
}

interface Encoded {
  task: Task;
  X: Float64Array;
  Y: Float64Array;
  outputs: number;
  labels: string[] | null;
}

/** The flag that asks for a classification, if one was given: each of these means one. */
export function classificationFlag(o: TrainOptions): string | null {
  if (o.classes) return '--classes';
  if (o.loss === 'cce' || o.loss === 'bce') return `--loss ${o.loss}`;
  if (o.outputActivation === 'softmax') return '--output-activation softmax';
  return null;
}

/** The blocks of a training CSV: inputs as numbers; targets as numbers (regression) or labels (classification); `inputs` gets the input columns' names. */
export function trainingLayout(file: string, targets: string[], ignore: string[], classify: boolean, inputs: (names: string[]) => void): Pick<ReadOptions, 'layout' | 'resolved'> {
  return {
    layout: (header, where) => {
      const cols = trainingColumns(file, header, targets, ignore, where.line);
      inputs(cols.inputs.map((i) => header[i]));
      const hint = 'the column\'s first value is a number, so it is a regression target; pass --classes to treat its values as class labels';
      return [
        { kind: 'number', columns: cols.inputs },
        ...cols.targets.map((column) => ({ kind: classify ? ('label' as const) : ('auto' as const), column, hint })),
      ];
    },
    resolved: (blocks) => {
      const labelled = blocks.slice(1).filter((b) => b.kind === 'label');
      if (labelled.length > 0 && blocks.length > 2) {
        throw new CliError('ONE_LABEL_TARGET', `${file}: a classification takes exactly one target column; ${targets.map((t) => JSON.stringify(t)).join(', ')} include labels`, { file, line: 2 });
      }
    },
  };
}

/** Reads the CSV: inputs as numbers; targets as numbers (regression) or labels (classification). */
async function readTrainingData(ctx: Context, file: string, o: TrainOptions, targets: string[], ignore: string[], classify: boolean) {
  let inputNames: string[] = [];
  let started = false;
  const table = await readCsv(file, {
    delimiter: o.delimiter,
    ...trainingLayout(file, targets, ignore, classify, (names) => (inputNames = names)),
    progress: (read, total, rows) => {
      if (!started) {
        started = true;
        ctx.progress.readStart(file, total);
      }
      ctx.progress.readUpdate(read, total, rows);
    },
  });
  ctx.progress.readEnd(file, table.rows, table.header.length, table.bytes, table.ms, delimiterNote(table.delimiter));
  return { table, inputNames };
}

/** Said after reading when the file was not read as plain comma-separated values. */
export function delimiterNote(choice: DelimiterChoice): string | undefined {
  return choice.delimiter === ',' ? undefined : describeDelimiter(choice);
}

/** The labels of a classification's column in their stable order (see orderLabels); at least two. */
export function orderedClasses(file: string, target: string, found: readonly string[]): { labels: string[]; remap: Int32Array } {
  const ordered = orderLabels(found);
  if (ordered.labels.length < 2) {
    throw new CliError('ONE_CLASS', `${file}: column ${JSON.stringify(target)} has only one label (${JSON.stringify(ordered.labels[0])}); a classification needs at least two`, { file, column: target });
  }
  return ordered;
}

function encode(file: string, table: Awaited<ReturnType<typeof readTrainingData>>['table'], targets: string[]): Encoded {
  const X = (table.blocks[0] as NumberColumns).data;
  const targetBlocks = table.blocks.slice(1);
  if (targetBlocks[0].kind === 'label') {
    const block = targetBlocks[0] as LabelColumn;
    const { labels, remap } = orderedClasses(file, targets[0], block.labels);
    remapCodes(block.codes, remap);
    return { task: 'classification', X, Y: oneHot(block.codes, labels.length), outputs: labels.length, labels };
  }
  // numeric targets, one block per column: interleave them into rows of K values
  const K = targetBlocks.length;
  const Y = new Float64Array(table.rows * K);
  targetBlocks.forEach((b, k) => {
    const data = (b as NumberColumns).data;
    for (let r = 0; r < table.rows; r++) Y[r * K + k] = data[r];
  });
  return { task: 'regression', X, Y, outputs: K, labels: null };
}

/** Most distinct integer values a numeric target may have for the hint that it may be class labels (as the playground). */
const FEW_CLASSES = 10;

/**
 * A numeric target of few distinct integers (digits 0..9, ratings 1..5) may well be class labels:
 * the hint says how to train a classification instead. null when the values do not look like that.
 */
function classesHint(column: string, Y: Float64Array): string | null {
  const distinct = new Set<number>();
  for (const v of Y) {
    if (!Number.isInteger(v)) return null;
    distinct.add(v);
    if (distinct.size > FEW_CLASSES) return null;
  }
  if (distinct.size < 2 || Y.length < 2 * distinct.size) return null;
  const values = [...distinct].sort((a, b) => a - b);
  return `${JSON.stringify(column)} holds ${values.length} distinct integers (${values.join(', ')}): training a regression, as for any numeric target; to treat them as class labels, add --classes (or --loss cce)`;
}

/** Library option names, as the flags that set them: messages speak in flags. */
const FLAG_OF: [RegExp, string][] = [
  [/\boptions\.schedule\b/g, '--schedule'],
  [/\b(?:options\.)?learningRate\b/g, '--lr'],
  [/\b(?:options\.)?batchSize\b/g, '--batch-size'],
  [/\b(?:options\.)?weightDecay\b/g, '--weight-decay'],
  [/\boptions\.l1\b/g, '--l1'],
  [/\b(?:options\.)?validationSplit\b/g, '--validation-split'],
  [/\b(?:options\.)?patience\b/g, '--patience'],
  [/\b(?:options\.)?epochs\b/g, '--epochs'],
  [/\b(?:options\.)?optimizer\b/g, '--optimizer'],
  [/\b(?:options\.)?normalize(?:\.inputs)?\b/g, '--normalize'],
  [/\bnormalize\.targets\b/g, '--normalize-targets'],
  [/\blayers\[\d+\]\.units\b/g, '--layers'],
  [/\blayers\[\d+\]\.activation\b/g, '--activation'],
  [/\blayers\[\d+\]\.dropout\b/g, '--dropout'],
  [/^loss:/, '--loss:'],
  [/; set plainLoss: true to apply the plain .* output$/, ''],
];

/** A library error caused by the options, reworded in CLI flags (exit 1). */
export function inFlags(error: WasmlpError): CliError {
  let message = error.message;
  for (const [pattern, flag] of FLAG_OF) message = message.replace(pattern, flag);
  return new CliError(error.code, message);
}

/** The output activation and loss a CLI run trains with, checked as a pair in CLI terms. */
export function outputAndLoss(o: TrainOptions, task: Task): { activation: string; loss: string } {
  const classify = task === 'classification';
  const activation = o.outputActivation ?? (!classify ? 'identity' : o.loss === 'bce' ? 'sigmoid' : 'softmax');
  const loss = o.loss ?? (!classify ? 'mse' : activation === 'sigmoid' ? 'bce' : 'cce');
  const needed = loss === 'cce' ? 'softmax' : loss === 'bce' ? 'sigmoid' : null;
  if (needed !== null && activation !== needed) {
    const given = o.outputActivation !== undefined ? `--output-activation ${activation}` : `the default output activation ${activation}`;
    const lossGiven = o.loss !== undefined ? `--loss ${loss}` : `the default loss of a classification, ${loss},`;
    throw new CliError('BAD_OPTION', `${lossGiven} needs --output-activation ${needed} (it is computed from the logit), not ${given}${classify && o.loss === undefined ? `; or pass --loss ${activation === 'sigmoid' ? 'bce' : 'cce'}` : ''}`);
  }
  if (activation === 'softmax' && !classify) {
    throw new CliError('BAD_OPTION', '--output-activation softmax: a softmax output is a classification; give one target column of labels');
  }
  return { activation, loss };
}

/** What a run trains and reports: the model, its columns and task, the data's size and how it was read. */
export interface Plan {
  model: Model;
  task: Task;
  inputNames: string[];
  targets: string[];
  labels: string[] | null;
  outputs: number;
  rows: number;
  readMs: number;
  normalize: { inputs: 'standardize' | 'minMax' | 'none'; targets: 'standardize' | 'minMax' | 'none' };
  /** Scalers to fit in this run (none when resuming: the model has its own). */
  fitNormalize: NormalizationSpec | null;
  hints: string[];
  delimiter: DelimiterChoice | null;
}

/** A plan with its data in memory: inputs and targets (one-hot rows for a classification), row-major. */
interface Prepared extends Plan {
  X: Float64Array;
  Y: Float64Array;
}

/** The names a fresh model gets in its spec; a column without a name (an empty header cell) cannot be saved. */
export function modelNames(file: string, inputs: string[], targets: string[], enc: TaskPlan, loss: string): Pick<ModelSpec, 'inputNames' | 'targetNames' | 'classes'> {
  const empty = inputs.indexOf('');
  if (empty >= 0) {
    throw new CliError('UNNAMED_COLUMN', `${file}: input column ${empty + 1} has no name in the header; the model saves its columns' names, so give it one (or remove the column)`, { file, line: 1 });
  }
  if (enc.task === 'regression') return { inputNames: inputs, targetNames: targets };
  const classifier = classCount({ loss: loss as ModelSpec['loss'], outputs: enc.outputs, inputs: inputs.length }) > 0;
  return classifier ? { inputNames: inputs, classes: classesOf(enc.labels!) } : { inputNames: inputs, targetNames: enc.labels! };
}

/** The columns --target and --ignore name, checked; `flag`: the flag that asks for a classification, if any. */
export function targetColumns(o: TrainOptions): { targets: string[]; ignore: string[]; flag: string | null } {
  if (o.target === undefined) throw new CliError('NO_TARGET', "required option '-t, --target <columns>' not specified (or --resume model.json)");
  const targets = parseColumnList(o.target, '--target');
  if (targets.length === 0) throw new CliError('NO_TARGET', '--target: expected one or more column names, e.g. --target species');
  const ignore = o.ignore === undefined ? [] : parseColumnList(o.ignore, '--ignore');
  const both = targets.find((t) => ignore.includes(t));
  if (both !== undefined) throw new CliError('BAD_OPTION', `--ignore: ${JSON.stringify(both)} is also given in --target; a column is a target or ignored, not both`);
  const flag = classificationFlag(o);
  if (flag !== null && targets.length > 1) {
    throw new CliError('ONE_LABEL_TARGET', `${flag} makes a classification, which takes exactly one target column; --target gives ${targets.length}`);
  }
  return { targets, ignore, flag };
}

/** What a fresh model is built for: the task, its outputs, a classification's labels in order. */
export type TaskPlan = Pick<Encoded, 'task' | 'outputs' | 'labels'>;

/** A fresh model as the flags describe it, for these columns and task, and the scalers it is to fit. */
export async function freshModel(data: string, o: TrainOptions, engine: EngineKind, seedValue: number, enc: TaskPlan, inputNames: string[], targets: string[]): Promise<Pick<Prepared, 'model' | 'normalize' | 'fitNormalize'>> {
  const normalizeInputs = o.normalize ?? DEFAULTS.normalize;
  if (enc.task === 'classification' && o.normalizeTargets !== undefined && scaler(o.normalizeTargets) !== undefined) {
    throw new CliError('BAD_OPTION', '--normalize-targets: a classification\'s targets are one-hot labels and are not normalized');
  }
  const normalizeTargets = enc.task === 'regression' ? (o.normalizeTargets ?? normalizeInputs) : 'none';
  const { activation, loss } = outputAndLoss(o, enc.task);
  const spec: ModelSpec = {
    inputs: inputNames.length,
    layers: [
      ...(o.layers ?? DEFAULTS.layers).map((units) => ({ units, activation: (o.activation ?? DEFAULTS.activation) as Activation, ...(o.dropout ? { dropout: o.dropout } : {}) })),
      { units: enc.outputs, activation: activation as Activation },
    ],
    loss: loss as ModelSpec['loss'],
    seed: seedValue,
    init: o.init ?? DEFAULTS.init,
    engine,
    threads: o.threads ?? 'auto',
    // the names travel with the model: its inputs; a regression's targets; a classifier's classes
    // (a classification the library does not call one, bce over a sigmoid per class, names its outputs by label)
    ...modelNames(data, inputNames, targets, enc, loss),
  };
  let model: Model;
  try {
    model = await createModel(spec);
  } catch (error) {
    // a network too large for the engine memory is a usage error of --layers (or of the data's width)
    if (error instanceof SpecError && error.code === 'MODEL_TOO_LARGE') {
      throw new CliError('BAD_OPTION', `--layers ${(o.layers ?? DEFAULTS.layers).join(',') || 'none'}: ${error.message}\n(add --help for usage)`);
    }
    if (error instanceof WasmlpError && !(error instanceof TrainingError)) throw inFlags(error);
    throw error;
  }
  const fitNormalize: NormalizationSpec = {};
  if (scaler(normalizeInputs)) fitNormalize.inputs = scaler(normalizeInputs);
  if (scaler(normalizeTargets)) fitNormalize.targets = scaler(normalizeTargets);
  return {
    model,
    normalize: { inputs: scalingName(normalizeInputs), targets: scalingName(normalizeTargets) },
    fitNormalize: Object.keys(fitNormalize).length > 0 ? fitNormalize : null,
  };
}

/** A fresh model for the CSV's columns, as the flags describe it. */
async function prepareFresh(ctx: Context, data: string, o: TrainOptions, engine: EngineKind, seedValue: number): Promise<Prepared> {
  const { targets, ignore, flag } = targetColumns(o);
  const { table, inputNames } = await readTrainingData(ctx, data, o, targets, ignore, flag !== null);
  const enc = encode(data, table, targets);
  const hints: string[] = [];
  if (enc.task === 'regression' && targets.length === 1) {
    const hint = classesHint(targets[0], enc.Y);
    if (hint !== null) hints.push(hint);
  }
  const built = await freshModel(data, o, engine, seedValue, enc, inputNames, targets);
  return { ...built, task: enc.task, inputNames, targets, labels: enc.labels, X: enc.X, Y: enc.Y, outputs: enc.outputs, rows: table.rows, readMs: table.ms, hints, delimiter: table.delimiter };
}

/** The columns the data is read by for --resume's model: its own names (--target may name targets it does not). */
export function resumedColumns(o: TrainOptions, loaded: LoadedModel): Columns {
  const file = o.resume!;
  const { columns } = loaded;
  if (columns.inputs === null) {
    throw new CliError('NO_COLUMNS', `--resume ${file}: the model has no column names (saved by the library without names: see model.setNames), so the CSV's columns cannot be matched to it`, { file });
  }
  if (o.target !== undefined && columns.targets !== null && parseColumnList(o.target, '--target').join('\n') !== columns.targets.join('\n')) {
    throw new CliError('RESUME_CONFLICT', `--target ${o.target}: the model of --resume ${file} predicts ${columns.targets.map((t) => JSON.stringify(t)).join(', ')}; leave --target out`);
  }
  // a model that names its inputs and not its targets: --target names them, else the other columns are taken
  return columns.targets === null && o.target !== undefined ? { ...columns, targets: parseColumnList(o.target, '--target') } : columns;
}

/** A plan for --resume's model and the columns the data was read by (`data`: its rows, how long the read took). */
export function resumedPlan(loaded: LoadedModel, resolved: Resolved, data: { rows: number; readMs: number }): Plan {
  const saved = loaded.training?.normalize;
  const scalers = loaded.model.getNormalization();
  return {
    model: loaded.model, task: resolved.task, inputNames: resolved.inputs, targets: resolved.targets, labels: resolved.labels,
    outputs: loaded.model.outputs, rows: data.rows, readMs: data.readMs,
    normalize: saved
      ? { inputs: scalingName(saved.inputs as Scaling), targets: scalingName(saved.targets as Scaling) }
      : { inputs: (scalers.inputs?.kind ?? 'none') as 'standardize' | 'minMax' | 'none', targets: (scalers.targets?.kind ?? 'none') as 'standardize' | 'minMax' | 'none' },
    fitNormalize: null,
    hints: [],
    delimiter: null,
  };
}

/** The model of --resume, and the CSV read by its column names. */
async function prepareResumed(ctx: Context, data: string, o: TrainOptions, loaded: LoadedModel): Promise<Prepared> {
  const given = resumedColumns(o, loaded);
  let started = false;
  const read = await readModelData(data, given, loaded.model, {
    delimiter: o.delimiter,
    targets: true,
    progress: (done, total, rows) => {
      if (!started) {
        started = true;
        ctx.progress.readStart(data, total);
      }
      ctx.progress.readUpdate(done, total, rows);
    },
  });
  if (read.note !== null) ctx.progress.note(read.note);
  const resolved = read.columns;
  ctx.progress.readEnd(data, read.rows, resolved.inputs.length + resolved.targets.length, read.bytes, read.readMs);
  return { ...resumedPlan(loaded, resolved, read), X: read.X, Y: read.Y! };
}

/** Where the model and the loss curve go; checked before any work (writable, not over an input). */
export interface Outputs {
  out: string;
  plot: string | null;
  /** --out is a FIFO or a device: no default plot beside it. */
  streamed: boolean;
}

export async function outputsOf(data: string, o: TrainOptions): Promise<Outputs> {
  const out = o.out ?? defaultModelPath(data);
  // the default plot goes beside the model file: a model sent into a FIFO or a device has none
  const streamed = typeof o.plot !== 'string' && o.plot !== false && outputTarget(out, '--out').kind === 'stream';
  const plot = o.plot === false || streamed ? null : typeof o.plot === 'string' ? o.plot : defaultPlotPath(out);
  // fail before any work when an output cannot be written, or would replace an input
  const inputs: Input[] = [{ path: data, what: 'the training data' }];
  if (o.resume !== undefined) inputs.push({ path: o.resume, what: 'the model given to --resume' });
  if (o.validationFile !== undefined) inputs.push({ path: o.validationFile, what: 'the validation data' });
  await checkOutputs([[out, '--out'], [plot, '--plot']], inputs);
  return { out, plot, streamed };
}

/** --resume's model: the network, its columns and scalers come from the file, so flags that set them are refused. */
export async function resumeFrom(o: TrainOptions): Promise<LoadedModel | null> {
  if (o.resume === undefined) return null;
  const fixed: [string, unknown][] = [['--ignore', o.ignore], ['--classes', o.classes], ['--layers', o.layers], ['--activation', o.activation], ['--dropout', o.dropout], ['--init', o.init],
    ['--output-activation', o.outputActivation], ['--loss', o.loss], ['--normalize', o.normalize], ['--normalize-targets', o.normalizeTargets]];
  for (const [flag, value] of fixed) {
    if (value !== undefined) throw new CliError('RESUME_CONFLICT', `${flag}: the network, its columns and its scalers come from --resume ${o.resume}; leave ${flag} out`);
  }
  const loaded = await readModelFile(o.resume, o.engine, o.threads);
  if (o.seed !== undefined && o.seed !== loaded.model.spec.seed) {
    loaded.model.dispose();
    throw new CliError('RESUME_CONFLICT', `--seed ${o.seed}: the model of --resume ${o.resume} has seed ${loaded.model.spec.seed} (its shuffling and validation rows follow it); leave --seed out`);
  }
  return loaded;
}

/** The training settings: the flags, else a resumed model's own, else the defaults. */
export interface Settings {
  previous: TrainingRecord | null;
  seed: number;
  engine: EngineKind;
  optimizer: NonNullable<TrainOptions['optimizer']>;
  lr: number;
  weightDecay: number;
  l1: number;
  /** null: no early stopping. */
  patience: number | null;
  tol: number;
  schedule: ParsedSchedule | null;
}

export function settingsOf(o: TrainOptions, loaded: LoadedModel | null): Settings {
  const previous = loaded?.training ?? null;
  const optimizer = o.optimizer ?? (previous?.optimizer as TrainOptions['optimizer']) ?? DEFAULTS.optimizer;
  return {
    previous,
    seed: loaded ? loaded.model.spec.seed : (o.seed ?? DEFAULTS.seed),
    engine: o.engine ?? previous?.engine ?? DEFAULTS.engine,
    optimizer: optimizer!,
    lr: o.lr ?? (previous && previous.optimizer === optimizer ? previous.learningRate : defaultLearningRate(optimizer!)),
    weightDecay: o.weightDecay ?? previous?.weightDecay ?? DEFAULTS.weightDecay,
    l1: o.l1 ?? previous?.l1 ?? DEFAULTS.l1,
    // --patience 0: no early stopping; a resumed model keeps its own setting (null in older files: none)
    patience: o.patience !== undefined ? (o.patience === 0 ? null : o.patience) : previous ? previous.patience : DEFAULTS.patience,
    tol: o.tol ?? previous?.tol ?? DEFAULTS.tol,
    // --schedule none: a constant rate; not given: the resumed model's, which then continues where it stood
    schedule: o.schedule !== undefined ? o.schedule : previous?.schedule ? scheduleArg(previous.schedule) : null,
  };
}

/** How the rows divide into training and validation rows, and into batches. */
export interface Split {
  validationSplit: number;
  validationRows: number;
  trainRows: number;
  batchSize: number;
  stepsPerEpoch: number;
  totalSteps: number;
  /** Early stopping on the training loss (no validation rows): the CLI's own rule, through onEpochEnd. */
  watchTraining: boolean;
}

function splitOf(p: Prepared, o: TrainOptions, s: Settings): Split {
  const rows = p.rows;
  const validationSplit = o.validationSplit ?? s.previous?.validationSplit ?? (rows >= 10 ? DEFAULTS.validationSplit[p.task] : 0);
  const validationRows = Math.round(rows * validationSplit);
  if (validationSplit > 0 && (validationRows < 1 || validationRows >= rows)) {
    throw new CliError('BAD_OPTION', `--validation-split ${validationSplit}: holds out ${validationRows} of ${rows} rows; it must leave at least one row for validation and one for training`);
  }
  // the validation rows are the last ones: shuffle first (seeded), as CSV files are often sorted by class
  if (validationSplit > 0) shuffleRows(s.seed, rows, [{ data: p.X, width: p.inputNames.length }, { data: p.Y, width: p.outputs }]);
  const trainRows = rows - validationRows;
  const batchSize = Math.min(o.batchSize ?? s.previous?.batchSize ?? DEFAULTS.batchSize, trainRows);
  const stepsPerEpoch = Math.ceil(trainRows / batchSize);
  // early stopping watches the validation loss (the library's patience: the best epoch is kept), or
  // without validation rows the training loss, which must fall by more than tol (scikit-learn's rule)
  const watchTraining = s.patience !== null && validationRows === 0;
  return { validationSplit, validationRows, trainRows, batchSize, stepsPerEpoch, totalSteps: stepsPerEpoch * o.epochs, watchTraining };
}

/** The fit's result, as the summary and the record report it. */
export interface Fitted {
  history: FitHistory;
  /** 'patience' when the CLI's training-loss rule stopped it. */
  stopReason: string;
  samplesPerSecond: number;
}

/** Ctrl-C once stops the fit after the current chunk of updates (the signal aborts), twice quits (see quit); until `onInterrupt(null)`. */
export function interruptible(ctx: Context): AbortController {
  const stop = new AbortController();
  onInterrupt(() => {
    if (stop.signal.aborted) quit('train');
    stop.abort();
    ctx.progress.abort();
    ctx.progress.note('stopping after the current chunk of updates (Ctrl-C again to quit without saving)');
  });
  return stop;
}

/** onEpochEnd: the losses into the progress state, and without validation rows the CLI's stop rule on the training loss (a fall of more than tol within patience epochs). */
export function epochWatcher(state: TrainingState, s: Settings, watchTraining: boolean): (epoch: number, logs: { loss: number; valLoss?: number }) => boolean {
  let best = Infinity;
  let stalled = 0;
  return (epoch, logs) => {
    state.loss = logs.loss;
    state.valLoss = logs.valLoss;
    state.lossEpoch = epoch + 1;
    if (!watchTraining) return true;
    stalled = logs.loss > best - s.tol ? stalled + 1 : 0;
    best = Math.min(best, logs.loss);
    return stalled < s.patience!;
  };
}

/** A failed fit in the command line's terms (the model disposed): divergence exits 2, a library error speaks in flags. */
export function fitFailed(ctx: Context, model: Model, error: unknown): never {
  ctx.progress.abort();
  model.dispose();
  if (error instanceof TrainingError) {
    throw new CliError('DIVERGED', `${error.message}; no model was written (try a smaller --lr)`, {}, EXIT.diverged);
  }
  if (error instanceof WasmlpError) throw inFlags(error);
  throw error;
}

/** The fit's result for the summary; the progress display's last frame. `samples`: training rows processed. */
export function fitted(ctx: Context, state: TrainingState, history: FitHistory, watchTraining: boolean, samples: number): Fitted {
  // the training loss's stall is the CLI's own rule, stopping the fit through onEpochEnd
  const stopReason = watchTraining && history.stopReason === 'callback' ? 'patience' : history.stopReason;
  const samplesPerSecond = (samples * 1000) / Math.max(history.timeMs, 1e-3);
  // the bar's last frame keeps the training rate; the summary gives the overall one
  Object.assign(state, { epoch: history.epochs, samplesPerSecond: state.samplesPerSecond ?? samplesPerSecond, etaMs: 0 });
  ctx.progress.trainEnd(state);
  return { history, stopReason, samplesPerSecond };
}

/** The fit, with the progress display; Ctrl-C once stops after the current chunk, twice quits (see quit). */
async function runFit(ctx: Context, p: Prepared, o: TrainOptions, s: Settings, split: Split): Promise<Fitted> {
  const { model } = p;
  const { batchSize, totalSteps, watchTraining } = split;
  const state: TrainingState = { epoch: 0, epochs: o.epochs, steps: 0, totalSteps, loss: undefined, valLoss: undefined, samplesPerSecond: undefined, etaMs: undefined, lossName: `${model.spec.loss} loss` };
  // the rate is measured from the first progress report on: the time before it includes one-off
  // work (fitting the scalers, copying the data into the engine) that would skew the ETA
  let origin: { steps: number; ms: number } | null = null;
  const stop = interruptible(ctx);
  let history: FitHistory;
  ctx.progress.trainStart(state);
  try {
    history = await model.fitAsync(p.X, p.Y, {
      ...fitOptions(o, s, batchSize),
      ...(split.validationSplit > 0 ? { validationSplit: split.validationSplit } : {}),
      ...(s.patience !== null && split.validationSplit > 0 ? { patience: s.patience } : {}),
      ...(p.fitNormalize !== null ? { normalize: p.fitNormalize } : {}),
      progressEvery: chunkSteps(model, batchSize, split.stepsPerEpoch, totalSteps),
      signal: stop.signal,
      onEpochEnd: epochWatcher(state, s, watchTraining),
      onProgress: (pr) => {
        let rate: number | undefined;
        if (origin === null) origin = { steps: pr.steps, ms: pr.elapsedMs };
        else if (pr.elapsedMs > origin.ms) rate = ((pr.steps - origin.steps) * batchSize * 1000) / (pr.elapsedMs - origin.ms);
        const etaMs = rate !== undefined && rate > 0 ? ((totalSteps - pr.steps) * batchSize * 1000) / rate : undefined;
        Object.assign(state, { epoch: pr.epoch, steps: pr.steps, samplesPerSecond: rate, etaMs });
        ctx.progress.trainUpdate(state);
      },
    });
  } catch (error) {
    fitFailed(ctx, model, error);
  } finally {
    onInterrupt(null);
  }
  state.steps = history.steps;
  return fitted(ctx, state, history, watchTraining, samplesOf(history, split));
}

/** Training rows processed: rows of whole epochs, plus full batches of an epoch cut short (Ctrl-C, timeout). */
export function samplesOf(history: FitHistory, split: Split): number {
  return history.epochs * split.trainRows + (history.steps - history.epochs * split.stepsPerEpoch) * split.batchSize;
}

/** The options every fit of the command line takes from the flags and settings. */
export function fitOptions(o: TrainOptions, s: Settings, batchSize: number) {
  return {
    epochs: o.epochs,
    batchSize,
    learningRate: s.lr,
    optimizer: s.optimizer,
    weightDecay: s.weightDecay,
    ...(s.l1 > 0 ? { l1: s.l1 } : {}),
    ...(s.schedule !== null ? { schedule: s.schedule.spec } : {}),
  };
}

/**
 * What the model file records of how it was trained. After --resume it covers every run: histories
 * joined, epochs counted from the first run. The same run writes the same file: no time, rate or date
 * in it (they are on the console and in --json).
 */
export function trainingRecord(data: string, o: TrainOptions, p: Plan, s: Settings, split: Split, fit: Fitted): TrainingRecord {
  const { history } = fit;
  const previous = s.previous;
  const before = previous?.loss.length ?? 0;
  const joined = (old: (number | null)[] | null | undefined, now: number[] | undefined): (number | null)[] | null => {
    if (!old && !now) return null;
    return [...(old ?? new Array<null>(before).fill(null)), ...(now ?? new Array<null>(history.loss.length).fill(null))];
  };
  return {
    engine: s.engine,
    optimizer: s.optimizer,
    learningRate: s.lr,
    schedule: s.schedule?.text ?? null,
    batchSize: split.batchSize,
    weightDecay: s.weightDecay,
    ...(s.l1 > 0 ? { l1: s.l1 } : {}),
    epochsRequested: (previous?.epochs ?? 0) + o.epochs,
    validationSplit: split.validationSplit,
    patience: s.patience,
    tol: s.patience !== null ? s.tol : null,
    normalize: p.normalize,
    rows: p.rows,
    trainRows: split.trainRows,
    validationRows: split.validationRows,
    data: basename(data),
    epochs: (previous?.epochs ?? 0) + history.epochs,
    stopReason: fit.stopReason,
    bestEpoch: history.bestEpoch !== undefined ? before + history.bestEpoch : null,
    loss: [...(previous?.loss ?? []), ...history.loss] as number[],
    valLoss: previous ? (joined(previous.valLoss, history.valLoss) as number[] | null) : (history.valLoss ?? null),
    ...(previous ? { runs: (previous.runs ?? 1) + 1 } : {}),
  };
}

/** Writes the model file and its loss curve (a chart that cannot be drawn is not worth the model); disposes the model. */
export async function writeModel(ctx: Context, p: Plan, data: string, outputs: Outputs, record: TrainingRecord, lossUnits: string): Promise<{ plotted: string | null; plotError: string | null }> {
  const { model } = p;
  const meta: CliMeta = { version: CLI_FORMAT_VERSION, task: p.task, target: p.task === 'classification' ? p.targets[0] : null, training: record };
  const files: { path: string; content: string; option: string }[] = [{ path: outputs.out, content: modelFileText(model, meta), option: '--out' }];
  let plotted: string | null = null;
  let plotError: string | null = null;
  if (outputs.plot !== null && record.loss.length > 0) {
    try {
      const curve = { loss: record.loss, valLoss: record.valLoss ?? undefined, bestEpoch: record.bestEpoch ?? undefined };
      files.push({ option: '--plot', path: outputs.plot, content: await lossCurveSvg(curve, model.spec.loss, `${basename(data)}: ${describeNetwork(model)}`, lossUnits) });
      plotted = outputs.plot;
    } catch (error) {
      plotError = error instanceof Error ? error.message : String(error);
      ctx.progress.note(`warning: the loss curve could not be drawn (${plotError}); writing the model only`);
    }
  }
  try {
    await writeFilesAtomically(files);
  } finally {
    model.dispose();
  }
  return { plotted, plotError };
}

/** Everything the summary and --json say of a run. */
export interface Report {
  data: string;
  o: TrainOptions;
  p: Plan;
  s: Settings;
  split: Split;
  fit: Fitted;
  record: TrainingRecord;
  outputs: Outputs;
  written: { plotted: string | null; plotError: string | null };
  lossUnits: string;
}

/** The summary's lines (`epochs`, `loss`, … `plot`). */
export function summaryLines(ctx: Context, r: Report): [string, string][] {
  const { o, p, s, split, fit, record, outputs, written, lossUnits } = r;
  const { history } = fit;
  const spec = p.model.spec;
  const at = history.bestEpoch ?? history.loss.length - 1;
  const unitsNote = lossUnits === '' ? '' : ` ${lossUnits}`;
  const why = fit.stopReason !== 'patience' ? '' : split.watchTraining ? `: the training loss fell by less than ${s.tol} for ${s.patience} epochs` : ' on the validation loss';
  const restored = history.bestEpoch !== undefined ? `, restored best epoch ${record.bestEpoch! + 1}` : '';
  const epochsText = s.previous
    ? `${history.epochs} of ${o.epochs} more, ${record.epochs} in all (stop: ${fit.stopReason}${why}${restored})`
    : `${history.epochs} of ${o.epochs} (stop: ${fit.stopReason}${why}${restored})`;
  const rates = history.learningRate;
  const lastRate = rates !== undefined && rates.length > 0 ? rates[rates.length - 1] : s.lr;
  const threads = p.model.threads;
  const lines: [string, string][] = [
    ['epochs', epochsText],
    ['loss', `${num(history.loss[at])} (${spec.loss}${unitsNote}${history.bestEpoch !== undefined ? ', best epoch' : ''})`],
    ['val loss', split.validationRows > 0 ? `${num(history.valLoss?.[at])}${unitsNote === '' ? '' : ` (${spec.loss}${unitsNote})`}` : '— (no validation split)'],
    ['updates', `${s.optimizer}, lr ${s.lr}${s.schedule !== null ? ` with --schedule ${s.schedule.text} (${num(lastRate)} in the last epoch)` : ''}, batches of ${split.batchSize}`],
    ['time', `${duration(history.timeMs)}, ${count(fit.samplesPerSecond)} samples/s (${s.engine}, ${threads} thread${threads === 1 ? '' : 's'})`],
    ['rows', `${count(p.rows)} (${count(split.trainRows)} training, ${count(split.validationRows)} validation)`],
    ['model', outputs.out],
    ['plot', written.plotted ?? (outputs.plot === null ? (outputs.streamed ? '— (--out is not a file; give --plot)' : '— (--no-plot)') : written.plotError !== null ? '— (could not be drawn)' : '— (no epoch completed)')],
  ];
  if (ctx.reportMemory) lines.push(['peak RSS', `${(peakRss() / 2 ** 20).toFixed(1)} MiB (${peakRss()} bytes)`]);
  return lines;
}

/** The --json document of a run. */
export function summaryJson(r: Report): Record<string, unknown> {
  const { o, p, s, split, fit, outputs, written, lossUnits } = r;
  const { history } = fit;
  const spec = p.model.spec;
  const at = history.bestEpoch ?? history.loss.length - 1;
  return {
    model: outputs.out,
    plot: written.plotted,
    plotError: written.plotError,
    resumedFrom: o.resume ?? null,
    task: p.task,
    inputs: p.inputNames,
    targets: p.targets,
    labels: p.labels,
    network: describeNetwork(p.model),
    parameters: spec.paramCount,
    lossFunction: spec.loss,
    lossUnits: lossUnits === '' ? 'target units' : 'scaled targets',
    hints: p.hints,
    delimiter: p.delimiter?.delimiter ?? null,
    optimizer: s.optimizer,
    learningRate: s.lr,
    schedule: s.schedule?.text ?? null,
    learningRateHistory: history.learningRate ?? null,
    batchSize: split.batchSize,
    patience: s.patience,
    tol: s.patience !== null ? s.tol : null,
    validationSplit: split.validationSplit,
    rows: p.rows,
    trainRows: split.trainRows,
    validationRows: split.validationRows,
    epochs: history.epochs,
    epochsRequested: o.epochs,
    steps: history.steps,
    stopReason: fit.stopReason,
    bestEpoch: history.bestEpoch ?? null,
    loss: history.loss[at] ?? null,
    valLoss: history.valLoss?.[at] ?? null,
    lossHistory: history.loss,
    valLossHistory: history.valLoss ?? null,
    timeMs: history.timeMs,
    readMs: p.readMs,
    samplesPerSecond: fit.samplesPerSecond,
    trainedAt: new Date().toISOString(),
    engine: s.engine,
    threads: p.model.threads,
  };
}

/** Says the hints and the units of the losses shown; returns those units (see lossUnitsText). */
export function announce(ctx: Context, p: Plan): string {
  for (const hint of p.hints) ctx.progress.note(`note: ${hint}`);
  const lossUnits = lossUnitsText(p.normalize.targets);
  if (lossUnits !== '') ctx.progress.note(`losses below are ${p.model.spec.loss} ${lossUnits} (evaluate reports target units too)`);
  return lossUnits;
}

/** After the fit: the training record (with `extra` fields), the files written, the summary and its JSON. */
export async function finishRun(ctx: Context, run: Omit<Report, 'record' | 'written'>, resumed: boolean, extra: Partial<TrainingRecord> = {}): Promise<Result> {
  const { data, o, p, s, split, fit, outputs, lossUnits } = run;
  const record = { ...trainingRecord(data, o, p, s, split, fit), ...extra };
  // a resumed model gets the names it was read by (an older file's, from its cli block)
  if (resumed) nameModel(p.model, { task: p.task, inputs: p.inputNames, targets: p.targets, labels: p.labels });
  const written = await writeModel(ctx, p, data, outputs, record, lossUnits);
  const report: Report = { ...run, record, written };
  const what = p.task === 'classification' ? `classification of ${JSON.stringify(p.targets[0])} (${labelList(p.labels!)})` : `regression of ${p.targets.map((t) => JSON.stringify(t)).join(', ')}`;
  const after = o.resume !== undefined ? ` (resumed from ${o.resume} after ${s.previous?.epochs ?? 0} epochs)` : '';
  const text = `trained ${describeNetwork(p.model)}${after}, ${p.model.spec.paramCount} parameters, ${what}\n${fields(summaryLines(ctx, report))}`;
  return { text, json: summaryJson(report) };
}

/** `wasmlp train`: read, build or resume, fit, write, report. */
export async function train(ctx: Context, [data]: string[], o: TrainOptions): Promise<Result> {
  if (o.validationFile !== undefined || o.shuffleBuffer !== undefined) {
    throw new CliError('NEEDS_STREAM', `${o.validationFile !== undefined ? '--validation-file' : '--shuffle-buffer'} is for --stream; without it, the rows are in memory: --validation-split holds out a random sample of them and every epoch shuffles them all`);
  }
  const outputs = await outputsOf(data, o);
  const loaded = await resumeFrom(o);
  const s = settingsOf(o, loaded);
  const p = loaded ? await prepareResumed(ctx, data, o, loaded).catch((error) => {
    loaded.model.dispose();
    throw error;
  }) : await prepareFresh(ctx, data, o, s.engine, s.seed);
  const lossUnits = announce(ctx, p);
  let split: Split;
  try {
    split = splitOf(p, o, s);
  } catch (error) {
    p.model.dispose();
    throw error;
  }
  const fit = await runFit(ctx, p, o, s, split);
  return finishRun(ctx, { data, o, p, s, split, fit, outputs, lossUnits }, loaded !== null);
}
