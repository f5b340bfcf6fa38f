// `wasmlp train data.csv --target COL`: reads the CSV, infers the task from the target columns,
// trains with a live progress display, and writes the model (and its loss curve) atomically.
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { createModel, SpecError, TrainingError, WasmlpError, ACTIVATIONS, LOSSES, type Activation, type EngineKind, type FitHistory, type Model, type ModelSpec, type NormalizationSpec } from '../../index.js';
import { DELIMITER_DEFAULT, delimiter, fraction, layerList, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, seed, threadsArg } from '../args.js';
import { describeDelimiter, readCsv, type DelimiterChoice, type LabelColumn, type NumberColumns } from '../csv.js';
import { oneHot, orderLabels, parseColumnList, remapCodes, shuffleRows, trainingColumns } from '../encode.js';
import { CliError, EXIT } from '../errors.js';
import { count, duration, fields, labelList, num } from '../format.js';
import { readModelData } from '../model-data.js';
import { CLI_FORMAT_VERSION, modelFileText, readModelFile, type CliMeta, type LoadedModel, type Task, type TrainingRecord } from '../model-file.js';
import { checkOutputs, outputTarget, quit, writeFilesAtomically, type Input } from '../output.js';
import { lossUnitsText } from '../units.js';
import { lossCurveSvg } from '../plot.js';
import type { TrainingState } from '../progress.js';
import { action, onInterrupt, peakRss, type Context, type Result } from '../run.js';
import { describeNetwork } from './info.js';

/** Input and target scaling, in the CLI's short and the library's own spellings. */
export type Scaling = 'standard' | 'standardize' | 'minmax' | 'minMax' | 'none';
const SCALINGS: Scaling[] = ['standard', 'standardize', 'minmax', 'minMax', 'none'];

export interface TrainOptions {
  target?: string;
  ignore?: string;
  classes?: boolean;
  layers?: number[];
  activation?: string;
  outputActivation?: string;
  loss?: string;
  optimizer?: 'sgd' | 'momentum' | 'adam';
  lr?: number;
  epochs: number;
  batchSize?: number;
  weightDecay?: number;
  normalize?: Scaling;
  normalizeTargets?: Scaling;
  validationSplit?: number;
  patience?: number;
  seed?: number;
  engine?: 'wasm' | 'ts';
  threads?: number | 'auto';
  delimiter?: string;
  out?: string;
  plot: string | boolean;
  resume?: string;
}

/** The defaults of the options that --resume takes from the model file instead. */
const DEFAULTS = { layers: [16], activation: 'relu', optimizer: 'adam', batchSize: 32, weightDecay: 0, normalize: 'standard', seed: 42, engine: 'wasm' } as const;

/**
 * The CLI's default learning rate: 0.01 for every optimizer. The library's default for adam is 0.001
 * (FitOptions.learningRate), but the CLI trains whole CSV files for a fixed 100 epochs by default, and
 * small files get few updates in that: iris (120 training rows, batch 32) reaches 98% accuracy at 0.01
 * and 86% at 0.001. A library user sets epochs and the rate together; a CLI user should get a model
 * that has converged on a small CSV without tuning.
 */
export const DEFAULT_LEARNING_RATE = 0.01;

/** `data.csv` → `data.model.json`, next to the data. */
export function defaultModelPath(data: string): string {
  return `${data.replace(/\.(csv|tsv|txt)$/i, '')}.model.json`;
}

/** `model.json` → `model.loss.svg`, next to the model. */
export function defaultPlotPath(model: string): string {
  return `${model.replace(/\.json$/i, '')}.loss.svg`;
}

/** The library's name of a scaling: `standardize`, `minMax`, or undefined for none. */
function scaler(kind: Scaling): 'standardize' | 'minMax' | undefined {
  return kind === 'standard' || kind === 'standardize' ? 'standardize' : kind === 'minmax' || kind === 'minMax' ? 'minMax' : undefined;
}

/** The canonical (library) spelling saved in the model file: standardize, minMax or none. */
function scalingName(kind: Scaling): 'standardize' | 'minMax' | 'none' {
  return scaler(kind) ?? 'none';
}

/**
 * Updates per chunk of training (how often the progress display moves and Ctrl-C is noticed):
 * about 200 chunks over the whole run, each at most ~2·10^8 floating-point operations (tens of ms
 * in WebAssembly), never more than an epoch.
 */
function chunkSteps(model: Model, batchSize: number, stepsPerEpoch: number, totalSteps: number): number {
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
function classificationFlag(o: TrainOptions): string | null {
  if (o.classes) return '--classes';
  if (o.loss === 'cce' || o.loss === 'bce') return `--loss ${o.loss}`;
  if (o.outputActivation === 'softmax') return '--output-activation softmax';
  return null;
}

/** Reads the CSV: inputs as numbers; targets as numbers (regression) or labels (classification). */
async function readTrainingData(ctx: Context, file: string, o: TrainOptions, targets: string[], ignore: string[], classify: boolean) {
  let inputNames: string[] = [];
  let started = false;
  const table = await readCsv(file, {
    delimiter: o.delimiter,
    layout: (header, where) => {
      const cols = trainingColumns(file, header, targets, ignore, where.line);
      inputNames = cols.inputs.map((i) => header[i]);
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
function delimiterNote(choice: DelimiterChoice): string | undefined {
  return choice.delimiter === ',' ? undefined : describeDelimiter(choice);
}

function encode(file: string, table: Awaited<ReturnType<typeof readTrainingData>>['table'], targets: string[]): Encoded {
  const X = (table.blocks[0] as NumberColumns).data;
  const targetBlocks = table.blocks.slice(1);
  if (targetBlocks[0].kind === 'label') {
    const block = targetBlocks[0] as LabelColumn;
    const { labels, remap } = orderLabels(block.labels);
    if (labels.length < 2) {
      throw new CliError('ONE_CLASS', `${file}: column ${JSON.stringify(targets[0])} has only one label (${JSON.stringify(labels[0])}); a classification needs at least two`, { file, column: targets[0] });
    }
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
  [/\b(?:options\.)?learningRate\b/g, '--lr'],
  [/\b(?:options\.)?batchSize\b/g, '--batch-size'],
  [/\b(?:options\.)?weightDecay\b/g, '--weight-decay'],
  [/\b(?:options\.)?validationSplit\b/g, '--validation-split'],
  [/\b(?:options\.)?patience\b/g, '--patience'],
  [/\b(?:options\.)?epochs\b/g, '--epochs'],
  [/\b(?:options\.)?optimizer\b/g, '--optimizer'],
  [/\b(?:options\.)?normalize(?:\.inputs)?\b/g, '--normalize'],
  [/\bnormalize\.targets\b/g, '--normalize-targets'],
  [/\blayers\[\d+\]\.units\b/g, '--layers'],
  [/\blayers\[\d+\]\.activation\b/g, '--activation'],
  [/^loss:/, '--loss:'],
  [/; set plainLoss: true to apply the plain .* output$/, ''],
];

/** A library error caused by the options, reworded in CLI flags (exit 1). */
function inFlags(error: WasmlpError): CliError {
  let message = error.message;
  for (const [pattern, flag] of FLAG_OF) message = message.replace(pattern, flag);
  return new CliError(error.code, message);
}

/** The output activation and loss a CLI run trains with, checked as a pair in CLI terms. */
function outputAndLoss(o: TrainOptions, task: Task): { activation: string; loss: string } {
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

interface Prepared {
  model: Model;
  task: Task;
  inputNames: string[];
  targets: string[];
  labels: string[] | null;
  X: Float64Array;
  Y: Float64Array;
  outputs: number;
  rows: number;
  readMs: number;
  normalize: { inputs: 'standardize' | 'minMax' | 'none'; targets: 'standardize' | 'minMax' | 'none' };
  /** Scalers to fit in this run (none when resuming: the model has its own). */
  fitNormalize: NormalizationSpec | null;
  hints: string[];
  delimiter: DelimiterChoice | null;
}

/** A fresh model for the CSV's columns, as the flags describe it. */
async function prepareFresh(ctx: Context, data: string, o: TrainOptions, engine: EngineKind, seedValue: number): Promise<Prepared> {
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
  const { table, inputNames } = await readTrainingData(ctx, data, o, targets, ignore, flag !== null);
  const enc = encode(data, table, targets);
  const hints: string[] = [];
  if (enc.task === 'regression' && targets.length === 1) {
    const hint = classesHint(targets[0], enc.Y);
    if (hint !== null) hints.push(hint);
  }
  const normalizeInputs = o.normalize ?? DEFAULTS.normalize;
  if (enc.task === 'classification' && o.normalizeTargets !== undefined && scaler(o.normalizeTargets) !== undefined) {
    throw new CliError('BAD_OPTION', '--normalize-targets: a classification\'s targets are one-hot labels and are not normalized');
  }
  const normalizeTargets = enc.task === 'regression' ? (o.normalizeTargets ?? normalizeInputs) : 'none';
  const { activation, loss } = outputAndLoss(o, enc.task);
  const spec: ModelSpec = {
    inputs: inputNames.length,
    layers: [
      ...(o.layers ?? DEFAULTS.layers).map((units) => ({ units, activation: (o.activation ?? DEFAULTS.activation) as Activation })),
      { units: enc.outputs, activation: activation as Activation },
    ],
    loss: loss as ModelSpec['loss'],
    seed: seedValue,
    engine,
    threads: o.threads ?? 'auto',
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
    model, task: enc.task, inputNames, targets, labels: enc.labels, X: enc.X, Y: enc.Y, outputs: enc.outputs, rows: table.rows, readMs: table.ms,
    normalize: { inputs: scalingName(normalizeInputs), targets: scalingName(normalizeTargets) },
    fitNormalize: Object.keys(fitNormalize).length > 0 ? fitNormalize : null,
    hints, delimiter: table.delimiter,
  };
}

/** The model of --resume, and the CSV read by its column names. */
async function prepareResumed(ctx: Context, data: string, o: TrainOptions, loaded: LoadedModel): Promise<Prepared> {
  const file = o.resume!;
  if (loaded.meta === null) {
    throw new CliError('NO_COLUMNS', `--resume ${file}: the model has no column names (it was not saved by \`wasmlp train\`), so the CSV's columns cannot be matched to it`, { file });
  }
  const meta = loaded.meta;
  if (o.target !== undefined && parseColumnList(o.target, '--target').join('\n') !== meta.targets.join('\n')) {
    throw new CliError('RESUME_CONFLICT', `--target ${o.target}: the model of --resume ${file} predicts ${meta.targets.map((t) => JSON.stringify(t)).join(', ')}; leave --target out`);
  }
  let started = false;
  const read = await readModelData(data, meta, loaded.model, {
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
  ctx.progress.readEnd(data, read.rows, meta.inputs.length + meta.targets.length, read.bytes, read.readMs);
  const saved = meta.training?.normalize;
  const scalers = loaded.model.getNormalization();
  return {
    model: loaded.model, task: meta.task, inputNames: meta.inputs, targets: meta.targets, labels: meta.labels,
    X: read.X, Y: read.Y!, outputs: loaded.model.outputs, rows: read.rows, readMs: read.readMs,
    normalize: saved
      ? { inputs: scalingName(saved.inputs as Scaling), targets: scalingName(saved.targets as Scaling) }
      : { inputs: (scalers.inputs?.kind ?? 'none') as 'standardize' | 'minMax' | 'none', targets: (scalers.targets?.kind ?? 'none') as 'standardize' | 'minMax' | 'none' },
    fitNormalize: null,
    hints: [],
    delimiter: null,
  };
}

async function train(ctx: Context, [data]: string[], o: TrainOptions): Promise<Result> {
  const out = o.out ?? defaultModelPath(data);
  // the default plot goes beside the model file: a model sent into a FIFO or a device has none
  const streamed = typeof o.plot !== 'string' && o.plot !== false && outputTarget(out, '--out').kind === 'stream';
  const plot = o.plot === false || streamed ? null : typeof o.plot === 'string' ? o.plot : defaultPlotPath(out);
  // fail before any work when an output cannot be written, or would replace an input
  const inputs: Input[] = [{ path: data, what: 'the training data' }];
  if (o.resume !== undefined) inputs.push({ path: o.resume, what: 'the model given to --resume' });
  await checkOutputs([[out, '--out'], [plot, '--plot']], inputs);

  // --resume: the network, its columns and scalers come from the file; training settings default to the saved ones
  let loaded: LoadedModel | null = null;
  if (o.resume !== undefined) {
    const fixed: [string, unknown][] = [['--ignore', o.ignore], ['--classes', o.classes], ['--layers', o.layers], ['--activation', o.activation],
      ['--output-activation', o.outputActivation], ['--loss', o.loss], ['--normalize', o.normalize], ['--normalize-targets', o.normalizeTargets]];
    for (const [flag, value] of fixed) {
      if (value !== undefined) throw new CliError('RESUME_CONFLICT', `${flag}: the network, its columns and its scalers come from --resume ${o.resume}; leave ${flag} out`);
    }
    loaded = await readModelFile(o.resume, o.engine, o.threads);
    if (o.seed !== undefined && o.seed !== loaded.model.spec.seed) {
      loaded.model.dispose();
      throw new CliError('RESUME_CONFLICT', `--seed ${o.seed}: the model of --resume ${o.resume} has seed ${loaded.model.spec.seed} (its shuffling and validation rows follow it); leave --seed out`);
    }
  }
  const previous = loaded?.meta?.training ?? null;
  const seedValue = loaded ? loaded.model.spec.seed : (o.seed ?? DEFAULTS.seed);
  const engine: EngineKind = o.engine ?? previous?.engine ?? DEFAULTS.engine;
  const optimizer = o.optimizer ?? (previous?.optimizer as TrainOptions['optimizer']) ?? DEFAULTS.optimizer;
  const lr = o.lr ?? (previous && previous.optimizer === optimizer ? previous.learningRate : DEFAULT_LEARNING_RATE);
  const weightDecay = o.weightDecay ?? previous?.weightDecay ?? DEFAULTS.weightDecay;
  const patience = o.patience ?? previous?.patience ?? undefined;

  const p = loaded ? await prepareResumed(ctx, data, o, loaded).catch((error) => {
    loaded!.model.dispose();
    throw error;
  }) : await prepareFresh(ctx, data, o, engine, seedValue);
  for (const hint of p.hints) ctx.progress.note(`note: ${hint}`);
  const { model, rows } = p;
  const spec = model.spec;
  const lossUnits = lossUnitsText(p.normalize.targets);
  if (lossUnits !== '') ctx.progress.note(`losses below are ${spec.loss} ${lossUnits} (evaluate reports target units too)`);

  const validationSplit = o.validationSplit ?? previous?.validationSplit ?? (rows >= 10 ? 0.2 : 0);
  const validationRows = Math.round(rows * validationSplit);
  if (validationSplit > 0 && (validationRows < 1 || validationRows >= rows)) {
    model.dispose();
    throw new CliError('BAD_OPTION', `--validation-split ${validationSplit}: holds out ${validationRows} of ${rows} rows; it must leave at least one row for validation and one for training`);
  }
  if (o.patience !== undefined && validationRows === 0) {
    model.dispose();
    throw new CliError('BAD_OPTION', `--patience ${o.patience}: watches the validation loss, and there are no validation rows; add --validation-split (the default holds none out below 10 rows)`);
  }
  // the validation rows are the last ones: shuffle first (seeded), as CSV files are often sorted by class
  if (validationSplit > 0) shuffleRows(seedValue, rows, [{ data: p.X, width: p.inputNames.length }, { data: p.Y, width: p.outputs }]);
  const trainRows = rows - validationRows;

  const batchSize = Math.min(o.batchSize ?? previous?.batchSize ?? DEFAULTS.batchSize, trainRows);
  const stepsPerEpoch = Math.ceil(trainRows / batchSize);
  const totalSteps = stepsPerEpoch * o.epochs;
  const state: TrainingState = { epoch: 0, epochs: o.epochs, steps: 0, totalSteps, loss: undefined, valLoss: undefined, samplesPerSecond: undefined, etaMs: undefined, lossName: `${spec.loss} loss` };
  // the rate is measured from the first progress report on: the time before it includes one-off
  // work (fitting the scalers, copying the data into the engine) that would skew the ETA
  let origin: { steps: number; ms: number } | null = null;

  // Ctrl-C once: stop after the current chunk and save what was learned; twice: quit at once,
  // removing temporary files and saying what was written (see quit)
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) quit('train');
    stop.abort();
    ctx.progress.abort();
    ctx.progress.note('stopping after the current chunk of updates (Ctrl-C again to quit without saving)');
  };
  onInterrupt(onSigint);
  let history: FitHistory;
  ctx.progress.trainStart(state);
  try {
    history = await model.fitAsync(p.X, p.Y, {
      epochs: o.epochs,
      batchSize,
      learningRate: lr,
      optimizer,
      weightDecay,
      ...(validationSplit > 0 ? { validationSplit } : {}),
      ...(patience !== undefined && validationSplit > 0 ? { patience } : {}),
      ...(p.fitNormalize !== null ? { normalize: p.fitNormalize } : {}),
      progressEvery: chunkSteps(model, batchSize, stepsPerEpoch, totalSteps),
      signal: stop.signal,
      onEpochEnd: (epoch, logs) => {
        state.loss = logs.loss;
        state.valLoss = logs.valLoss;
        state.lossEpoch = epoch + 1;
      },
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
    ctx.progress.abort();
    model.dispose();
    if (error instanceof TrainingError) {
      throw new CliError('DIVERGED', `${error.message}; no model was written (try a smaller --lr)`, {}, EXIT.diverged);
    }
    if (error instanceof WasmlpError) throw inFlags(error);
    throw error;
  } finally {
    onInterrupt(null);
  }
  // rows of whole epochs, plus full batches of an epoch cut short (Ctrl-C, timeout)
  const samples = history.epochs * trainRows + (history.steps - history.epochs * stepsPerEpoch) * batchSize;
  const samplesPerSecond = (samples * 1000) / Math.max(history.timeMs, 1e-3);
  // the bar's last frame keeps the training rate; the summary below gives the overall one
  Object.assign(state, { epoch: history.epochs, steps: history.steps, samplesPerSecond: state.samplesPerSecond ?? samplesPerSecond, etaMs: 0 });
  ctx.progress.trainEnd(state);

  // the loss of the parameters that are saved: the best epoch's when patience put them back
  const at = history.bestEpoch ?? history.loss.length - 1;
  const finalLoss = history.loss[at];
  const finalValLoss = history.valLoss?.[at];
  // after --resume the record covers every run: histories joined, epochs counted from the first run
  const before = previous?.loss.length ?? 0;
  const joined = (old: (number | null)[] | null | undefined, now: number[] | undefined): (number | null)[] | null => {
    if (!old && !now) return null;
    return [...(old ?? new Array<null>(before).fill(null)), ...(now ?? new Array<null>(history.loss.length).fill(null))];
  };
  const record: TrainingRecord = {
    engine,
    optimizer,
    learningRate: lr,
    batchSize,
    weightDecay,
    epochsRequested: (previous?.epochs ?? 0) + o.epochs,
    validationSplit,
    patience: patience ?? null,
    normalize: p.normalize,
    rows,
    trainRows,
    validationRows,
    data: basename(data),
    epochs: (previous?.epochs ?? 0) + history.epochs,
    stopReason: history.stopReason,
    bestEpoch: history.bestEpoch !== undefined ? before + history.bestEpoch : null,
    loss: [...(previous?.loss ?? []), ...history.loss] as number[],
    valLoss: previous ? (joined(previous.valLoss, history.valLoss) as number[] | null) : (history.valLoss ?? null),
    timeMs: (previous?.timeMs ?? 0) + history.timeMs,
    samplesPerSecond,
    trainedAt: new Date().toISOString(),
    ...(previous ? { runs: (previous.runs ?? 1) + 1 } : {}),
  };
  const meta: CliMeta = { version: CLI_FORMAT_VERSION, inputs: p.inputNames, targets: p.targets, task: p.task, labels: p.labels, training: record };
  const files: { path: string; content: string; option: string }[] = [{ path: out, content: modelFileText(model, meta), option: '--out' }];
  let plotted: string | null = null;
  let plotError: string | null = null;
  if (plot !== null && record.loss.length > 0) {
    try {
      const curve = { loss: record.loss, valLoss: record.valLoss ?? undefined, bestEpoch: record.bestEpoch ?? undefined };
      files.push({ option: '--plot', path: plot, content: await lossCurveSvg(curve, spec.loss, `${basename(data)}: ${describeNetwork(model)}`, lossUnits) });
      plotted = plot;
    } catch (error) {
      // a chart is not worth losing the trained model over: the model is still written
      plotError = error instanceof Error ? error.message : String(error);
      ctx.progress.note(`warning: the loss curve could not be drawn (${plotError}); writing the model only`);
    }
  }
  try {
    await writeFilesAtomically(files);
  } finally {
    model.dispose();
  }
  const network = describeNetwork(model);

  const unitsNote = lossUnits === '' ? '' : ` ${lossUnits}`;
  const epochsText = previous
    ? `${history.epochs} of ${o.epochs} more, ${record.epochs} in all (stop: ${history.stopReason}${history.bestEpoch !== undefined ? `, restored best epoch ${record.bestEpoch! + 1}` : ''})`
    : `${history.epochs} of ${o.epochs} (stop: ${history.stopReason}${history.bestEpoch !== undefined ? `, restored best epoch ${history.bestEpoch + 1}` : ''})`;
  const lines: [string, string][] = [
    ['epochs', epochsText],
    ['loss', `${num(finalLoss)} (${spec.loss}${unitsNote}${history.bestEpoch !== undefined ? ', best epoch' : ''})`],
    ['val loss', validationRows > 0 ? `${num(finalValLoss)}${unitsNote === '' ? '' : ` (${spec.loss}${unitsNote})`}` : '— (no validation split)'],
    ['time', `${duration(history.timeMs)}, ${count(samplesPerSecond)} samples/s (${engine}, ${model.threads} thread${model.threads === 1 ? '' : 's'})`],
    ['rows', `${count(rows)} (${count(trainRows)} training, ${count(validationRows)} validation)`],
    ['model', out],
    ['plot', plotted ?? (plot === null ? (streamed ? '— (--out is not a file; give --plot)' : '— (--no-plot)') : plotError !== null ? '— (could not be drawn)' : '— (no epoch completed)')],
  ];
  if (ctx.reportMemory) lines.push(['peak RSS', `${(peakRss() / 2 ** 20).toFixed(1)} MiB (${peakRss()} bytes)`]);
  const what = p.task === 'classification' ? `classification of ${JSON.stringify(p.targets[0])} (${labelList(p.labels!)})` : `regression of ${p.targets.map((t) => JSON.stringify(t)).join(', ')}`;
  const resumed = o.resume !== undefined ? ` (resumed from ${o.resume} after ${previous?.epochs ?? 0} epochs)` : '';
  const text = `trained ${network}${resumed}, ${spec.paramCount} parameters, ${what}\n${fields(lines)}`;

  return {
    text,
    json: {
      model: out,
      plot: plotted,
      plotError,
      resumedFrom: o.resume ?? null,
      task: p.task,
      inputs: p.inputNames,
      targets: p.targets,
      labels: p.labels,
      network,
      parameters: spec.paramCount,
      lossFunction: spec.loss,
      lossUnits: lossUnits === '' ? 'target units' : 'scaled targets',
      hints: p.hints,
      delimiter: p.delimiter?.delimiter ?? null,
      optimizer,
      learningRate: lr,
      rows,
      trainRows,
      validationRows,
      epochs: history.epochs,
      epochsRequested: o.epochs,
      steps: history.steps,
      stopReason: history.stopReason,
      bestEpoch: history.bestEpoch ?? null,
      loss: finalLoss ?? null,
      valLoss: finalValLoss ?? null,
      lossHistory: history.loss,
      valLossHistory: history.valLoss ?? null,
      timeMs: history.timeMs,
      readMs: p.readMs,
      samplesPerSecond,
      engine,
      threads: model.threads,
    },
  };
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train a network on a CSV file (header row; the --target columns are predicted from the others)')
    .argument('<data>', 'CSV file with a header row')
    .option('-t, --target <columns>', 'target column(s), comma-separated; a column of labels makes a classification (required unless --resume)')
    .option('--ignore <columns>', 'columns that are neither inputs nor targets (ids, free text), comma-separated')
    .option('--classes', 'treat the target column as class labels even when its values are numbers (so do --loss cce|bce and --output-activation softmax)')
    .addOption(new Option('--layers <units>', 'hidden layer sizes, comma-separated, or "none" (default: 16)').argParser(layerList))
    .addOption(new Option('--activation <name>', 'hidden layer activation (default: "relu")').choices(ACTIVATIONS.filter((a) => a !== 'softmax')))
    .addOption(new Option('--output-activation <name>', 'output activation (default: softmax for labels, sigmoid with --loss bce, identity for numbers)').choices([...ACTIVATIONS]))
    .addOption(new Option('--loss <name>', 'loss (default: cce for labels, bce with a sigmoid output, mse for numbers); cce and bce mean a classification').choices([...LOSSES]))
    .addOption(new Option('--optimizer <name>', 'update rule (default: "adam")').choices(['sgd', 'momentum', 'adam']))
    .option('--lr <rate>', 'learning rate (default: 0.01 for every optimizer; the library\'s adam default is 0.001, too slow for 100 epochs over a small CSV: iris 86% accuracy instead of 98%)', positiveNumber)
    .option('--epochs <n>', 'passes over the training rows', nonNegativeInt, 100)
    .option('--batch-size <n>', 'rows per update, capped at the number of training rows (default: 32)', positiveInt)
    .option('--weight-decay <lambda>', 'L2 weight decay (default: 0)', nonNegativeNumber)
    .addOption(new Option('--normalize <kind>', 'input scaling, fitted on the training rows and saved with the model (default: "standard"; standardize and minMax, the library\'s names, are the same)').choices(SCALINGS))
    .addOption(new Option('--normalize-targets <kind>', 'target scaling for a regression (default: as --normalize); losses are then on scaled targets').choices(SCALINGS))
    .option('--validation-split <fraction>', 'hold out this fraction of the rows, a seeded random sample, as the CSV may be sorted (the library\'s validationSplit takes the last rows) (default 0.2; 0 with fewer than 10 rows)', fraction)
    .option('--patience <epochs>', 'stop when the validation loss has not improved for this many epochs (and keep the best epoch)', positiveInt)
    .option('--seed <n>', 'seed of the initial weights, the validation sample and the shuffling (default: 42)', seed)
    .addOption(new Option('--engine <name>', 'compute engine (default: "wasm")').choices(['wasm', 'ts']))
    .option('--threads <n>', 'threads of the wasm engine: a count, or "auto" for the available cores, at most 8 (default: auto); the results are the same bits for any count', threadsArg)
    .option('--delimiter <char>', `field delimiter ("tab" for tabs; default: ${DELIMITER_DEFAULT})`, delimiter)
    .option('--resume <model>', 'continue training this model file (written by `wasmlp train`) with its saved optimizer and shuffler state; the network, columns, scalers and seed come from it, training settings default to the saved ones')
    .option('-o, --out <file>', 'where to write the model (default: <data>.model.json; never over an input)')
    .option('--plot <file>', 'where to write the loss curve (default: <model>.loss.svg)')
    .option('--no-plot', 'do not write a loss curve')
    .option('--json', 'print one JSON document on stdout (no progress display)')
    .addOption(new Option('--report-memory', 'include the peak resident memory in the summary').hideHelp())
    .action(action('train', train));
}
