// `wasmlp train data.csv --target COL`: reads the CSV, infers the task from the target columns,
// trains with a live progress display, and writes the model (and its loss curve) atomically.
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { createModel, SpecError, TrainingError, ACTIVATIONS, LOSSES, type FitHistory, type Model, type ModelSpec, type NormalizationSpec, type ScalerSpec } from '../../index.js';
import { delimiter, fraction, layerList, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, seed } from '../args.js';
import { readCsv, type LabelColumn, type NumberColumns } from '../csv.js';
import { oneHot, orderLabels, parseList, remapCodes, shuffleRows, trainingColumns } from '../encode.js';
import { CliError, EXIT } from '../errors.js';
import { count, duration, fields, num } from '../format.js';
import { CLI_FORMAT_VERSION, modelFileText, type CliMeta, type Task } from '../model-file.js';
import { checkWritable, writeFilesAtomically } from '../output.js';
import { lossCurveSvg } from '../plot.js';
import type { TrainingState } from '../progress.js';
import { action, onInterrupt, peakRss, type Context, type Result } from '../run.js';
import { describeNetwork } from './info.js';

export interface TrainOptions {
  target: string;
  ignore?: string;
  classes?: boolean;
  layers: number[];
  activation: string;
  outputActivation?: string;
  loss?: string;
  optimizer: 'sgd' | 'momentum' | 'adam';
  lr: number;
  epochs: number;
  batchSize: number;
  weightDecay: number;
  normalize: 'standard' | 'minmax' | 'none';
  normalizeTargets?: 'standard' | 'minmax' | 'none';
  validationSplit?: number;
  patience?: number;
  seed: number;
  engine: 'wasm' | 'ts';
  delimiter: string;
  out?: string;
  plot: string | boolean;
}

/** `data.csv` → `data.model.json`, next to the data. */
export function defaultModelPath(data: string): string {
  return `${data.replace(/\.(csv|tsv|txt)$/i, '')}.model.json`;
}

/** `model.json` → `model.loss.svg`, next to the model. */
export function defaultPlotPath(model: string): string {
  return `${model.replace(/\.json$/i, '')}.loss.svg`;
}

function scaler(kind: 'standard' | 'minmax' | 'none'): ScalerSpec | undefined {
  return kind === 'standard' ? 'standardize' : kind === 'minmax' ? 'minMax' : undefined;
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

/** Reads the CSV: inputs as numbers; targets as numbers (regression) or labels (classification). */
async function readTrainingData(ctx: Context, file: string, o: TrainOptions, targets: string[], ignore: string[]) {
  let inputNames: string[] = [];
  let started = false;
  const table = await readCsv(file, {
    delimiter: o.delimiter,
    layout: (header) => {
      const cols = trainingColumns(file, header, targets, ignore);
      inputNames = cols.inputs.map((i) => header[i]);
      const hint = 'the column\'s first value is a number, so it is a regression target; pass --classes to treat its values as class labels';
      return [
        { kind: 'number', columns: cols.inputs },
        ...cols.targets.map((column) => ({ kind: o.classes ? ('label' as const) : ('auto' as const), column, hint })),
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
  ctx.progress.readEnd(file, table.rows, table.header.length, table.bytes, table.ms);
  return { table, inputNames };
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

async function train(ctx: Context, [data]: string[], o: TrainOptions): Promise<Result> {
  const targets = parseList(o.target);
  if (targets.length === 0) throw new CliError('NO_TARGET', '--target: expected one or more column names, e.g. --target species');
  const ignore = o.ignore === undefined ? [] : parseList(o.ignore);
  const out = o.out ?? defaultModelPath(data);
  const plot = o.plot === false ? null : typeof o.plot === 'string' ? o.plot : defaultPlotPath(out);
  if (plot !== null && plot === out) throw new CliError('SAME_OUTPUT', `--plot ${plot}: the same path as the model`);
  // fail before any work when an output cannot be written
  await checkWritable(out, '--out');
  if (plot !== null) await checkWritable(plot, '--plot');

  const { table, inputNames } = await readTrainingData(ctx, data, o, targets, ignore);
  const enc = encode(data, table, targets);
  const rows = table.rows;
  if (enc.task === 'classification' && o.normalizeTargets !== undefined && o.normalizeTargets !== 'none') {
    throw new CliError('BAD_OPTION', '--normalize-targets: a classification\'s targets are one-hot labels and are not normalized');
  }
  const validationSplit = o.validationSplit ?? (rows >= 10 ? 0.2 : 0);
  // the validation rows are the last ones: shuffle first (seeded), as CSV files are often sorted by class
  if (validationSplit > 0) shuffleRows(o.seed, rows, [{ data: enc.X, width: inputNames.length }, { data: enc.Y, width: enc.outputs }]);
  const validationRows = Math.round(rows * validationSplit);
  const trainRows = rows - validationRows;

  const spec: ModelSpec = {
    inputs: inputNames.length,
    layers: [
      ...o.layers.map((units) => ({ units, activation: o.activation as ModelSpec['layers'][number]['activation'] })),
      { units: enc.outputs, activation: (o.outputActivation ?? (enc.task === 'classification' ? 'softmax' : 'identity')) as ModelSpec['layers'][number]['activation'] },
    ],
    loss: (o.loss ?? (enc.task === 'classification' ? 'cce' : 'mse')) as ModelSpec['loss'],
    seed: o.seed,
    engine: o.engine,
  };
  const model = await createModel(spec).catch((error: unknown) => {
    // a network too large for the engine memory is a usage error of --layers (or of the data's width)
    if (error instanceof SpecError && error.code === 'MODEL_TOO_LARGE') throw new CliError('BAD_OPTION', `--layers ${o.layers.join(',') || 'none'}: ${error.message}\n(add --help for usage)`);
    throw error;
  });
  const normalizeTargets = enc.task === 'regression' ? (o.normalizeTargets ?? o.normalize) : 'none';
  const normalize: NormalizationSpec = {};
  if (scaler(o.normalize)) normalize.inputs = scaler(o.normalize);
  if (scaler(normalizeTargets)) normalize.targets = scaler(normalizeTargets);

  const batchSize = Math.min(o.batchSize, trainRows);
  const stepsPerEpoch = Math.ceil(trainRows / batchSize);
  const totalSteps = stepsPerEpoch * o.epochs;
  const state: TrainingState = { epoch: 0, epochs: o.epochs, steps: 0, totalSteps, loss: undefined, valLoss: undefined, samplesPerSecond: undefined, etaMs: undefined };
  // the rate is measured from the first progress report on: the time before it includes one-off
  // work (fitting the scalers, copying the data into the engine) that would skew the ETA
  let origin: { steps: number; ms: number } | null = null;

  // Ctrl-C once: stop after the current chunk and save what was learned; twice: quit, writing nothing
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    ctx.progress.abort();
    ctx.progress.note('stopping after the current chunk of updates (Ctrl-C again to quit without saving)');
  };
  onInterrupt(onSigint);
  let history: FitHistory;
  ctx.progress.trainStart(state);
  try {
    history = await model.fitAsync(enc.X, enc.Y, {
      epochs: o.epochs,
      batchSize,
      learningRate: o.lr,
      optimizer: o.optimizer,
      weightDecay: o.weightDecay,
      ...(validationSplit > 0 ? { validationSplit } : {}),
      ...(o.patience !== undefined ? { patience: o.patience } : {}),
      ...(Object.keys(normalize).length > 0 ? { normalize } : {}),
      progressEvery: chunkSteps(model, batchSize, stepsPerEpoch, totalSteps),
      signal: stop.signal,
      onEpochEnd: (_epoch, logs) => {
        state.loss = logs.loss;
        state.valLoss = logs.valLoss;
      },
      onProgress: (p) => {
        let rate: number | undefined;
        if (origin === null) origin = { steps: p.steps, ms: p.elapsedMs };
        else if (p.elapsedMs > origin.ms) rate = ((p.steps - origin.steps) * batchSize * 1000) / (p.elapsedMs - origin.ms);
        const etaMs = rate !== undefined && rate > 0 ? ((totalSteps - p.steps) * batchSize * 1000) / rate : undefined;
        Object.assign(state, { epoch: p.epoch, steps: p.steps, samplesPerSecond: rate, etaMs });
        ctx.progress.trainUpdate(state);
      },
    });
  } catch (error) {
    ctx.progress.abort();
    if (error instanceof TrainingError) {
      throw new CliError('DIVERGED', `${error.message}; no model was written (try a smaller --lr)`, {}, EXIT.diverged);
    }
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
  const meta: CliMeta = {
    version: CLI_FORMAT_VERSION,
    inputs: inputNames,
    targets,
    task: enc.task,
    labels: enc.labels,
    training: {
      engine: o.engine,
      optimizer: o.optimizer,
      learningRate: o.lr,
      batchSize,
      epochsRequested: o.epochs,
      validationSplit,
      patience: o.patience ?? null,
      normalize: { inputs: o.normalize, targets: normalizeTargets },
      rows,
      trainRows,
      validationRows,
      data: basename(data),
      epochs: history.epochs,
      stopReason: history.stopReason,
      bestEpoch: history.bestEpoch ?? null,
      loss: history.loss,
      valLoss: history.valLoss ?? null,
      timeMs: history.timeMs,
      samplesPerSecond,
      trainedAt: new Date().toISOString(),
    },
  };
  const files = [{ path: out, content: modelFileText(model, meta) }];
  let plotted: string | null = null;
  let plotError: string | null = null;
  if (plot !== null && history.loss.length > 0) {
    try {
      files.push({ path: plot, content: await lossCurveSvg(history, spec.loss, `${basename(data)}: ${describeNetwork(model)}`) });
      plotted = plot;
    } catch (error) {
      // a chart is not worth losing the trained model over: the model is still written
      plotError = error instanceof Error ? error.message : String(error);
      ctx.progress.note(`warning: the loss curve could not be drawn (${plotError}); writing the model only`);
    }
  }
  await writeFilesAtomically(files);
  const network = describeNetwork(model);
  model.dispose();

  const lines: [string, string][] = [
    ['epochs', `${history.epochs} of ${o.epochs} (stop: ${history.stopReason}${history.bestEpoch !== undefined ? `, restored best epoch ${history.bestEpoch + 1}` : ''})`],
    ['loss', `${num(finalLoss)} (${spec.loss}${normalizeTargets !== 'none' ? ', normalized targets' : ''}${history.bestEpoch !== undefined ? ', best epoch' : ''})`],
    ['val loss', validationRows > 0 ? num(finalValLoss) : '— (no validation split)'],
    ['time', `${duration(history.timeMs)}, ${count(samplesPerSecond)} samples/s (${o.engine})`],
    ['rows', `${count(rows)} (${count(trainRows)} training, ${count(validationRows)} validation)`],
    ['model', out],
    ['plot', plotted ?? (plot === null ? '— (--no-plot)' : plotError !== null ? '— (could not be drawn)' : '— (no epoch completed)')],
  ];
  if (ctx.reportMemory) lines.push(['peak RSS', `${(peakRss() / 2 ** 20).toFixed(1)} MiB (${peakRss()} bytes)`]);
  const what = enc.task === 'classification' ? `classification of ${JSON.stringify(targets[0])} (${enc.labels!.join(', ')})` : `regression of ${targets.map((t) => JSON.stringify(t)).join(', ')}`;
  const text = `trained ${network}, ${model.spec.paramCount} parameters, ${what}\n${fields(lines)}`;

  return {
    text,
    json: {
      model: out,
      plot: plotted,
      plotError,
      task: enc.task,
      inputs: inputNames,
      targets,
      labels: enc.labels,
      network,
      parameters: model.spec.paramCount,
      lossFunction: spec.loss,
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
      readMs: table.ms,
      samplesPerSecond,
      engine: o.engine,
    },
  };
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train a network on a CSV file (header row; the --target columns are predicted from the others)')
    .argument('<data>', 'CSV file with a header row')
    .requiredOption('-t, --target <columns>', 'target column(s), comma-separated; a column of labels makes a classification')
    .option('--ignore <columns>', 'columns that are neither inputs nor targets (ids, free text), comma-separated')
    .option('--classes', 'treat the target column as class labels even when its values are numbers')
    .addOption(new Option('--layers <units>', 'hidden layer sizes, comma-separated, or "none"').argParser(layerList).default([16], '16'))
    .addOption(new Option('--activation <name>', 'hidden layer activation').choices(ACTIVATIONS.filter((a) => a !== 'softmax')).default('relu'))
    .addOption(new Option('--output-activation <name>', 'output activation (default: softmax for labels, identity for numbers)').choices([...ACTIVATIONS]))
    .addOption(new Option('--loss <name>', 'loss (default: cce for labels, mse for numbers)').choices([...LOSSES]))
    .addOption(new Option('--optimizer <name>', 'update rule').choices(['sgd', 'momentum', 'adam']).default('adam'))
    .option('--lr <rate>', 'learning rate', positiveNumber, 0.01)
    .option('--epochs <n>', 'passes over the training rows', nonNegativeInt, 100)
    .option('--batch-size <n>', 'rows per update (capped at the number of training rows)', positiveInt, 32)
    .option('--weight-decay <lambda>', 'L2 weight decay', nonNegativeNumber, 0)
    .addOption(new Option('--normalize <kind>', 'input scaling, fitted on the data and saved with the model').choices(['standard', 'minmax', 'none']).default('standard'))
    .addOption(new Option('--normalize-targets <kind>', 'target scaling for a regression (default: as --normalize)').choices(['standard', 'minmax', 'none']))
    .option('--validation-split <fraction>', 'hold out this fraction of the rows, a seeded random sample (default 0.2; 0 with fewer than 10 rows)', fraction)
    .option('--patience <epochs>', 'stop when the validation loss has not improved for this many epochs (and keep the best epoch)', positiveInt)
    .option('--seed <n>', 'seed of the initial weights, the validation sample and the shuffling', seed, 42)
    .addOption(new Option('--engine <name>', 'compute engine').choices(['wasm', 'ts']).default('wasm'))
    .option('--delimiter <char>', 'field delimiter ("tab" for tabs)', delimiter, ',')
    .option('-o, --out <file>', 'where to write the model (default: <data>.model.json)')
    .option('--plot <file>', 'where to write the loss curve (default: <model>.loss.svg)')
    .option('--no-plot', 'do not write a loss curve')
    .option('--json', 'print one JSON document on stdout (no progress display)')
    .addOption(new Option('--report-memory', 'include the peak resident memory in the summary').hideHelp())
    .action(action('train', train));
}
