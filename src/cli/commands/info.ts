// `wasmlp info model.json`: what a model file holds, without any data.
import { Command, Option } from 'commander';
import type { Model } from '../../index.js';
import { count, duration, fields, labelList, num } from '../format.js';
import { lossUnitsText } from '../units.js';
import { readModelFile, type TrainingRecord } from '../model-file.js';
import { job } from '../jobs.js';
import { action, type Context, type Result } from '../run.js';

/** `4 → 16 relu → 3 softmax`, and a layer's dropout while training: `16 relu (dropout 0.2)`. */
export function describeNetwork(model: Model): string {
  return [String(model.spec.inputs), ...model.spec.layers.map((l) => `${l.units} ${l.activation}${l.dropout > 0 ? ` (dropout ${l.dropout})` : ''}`)].join(' → ');
}

function describeScaler(s: { kind: string; range?: number[] } | undefined): string {
  if (s === undefined) return 'none';
  return s.kind === 'minMax' ? `minMax to [${(s.range ?? [0, 1]).join(', ')}]` : s.kind;
}

async function info(ctx: Context, [file]: string[]): Promise<Result> {
  const { model, columns, named, training: t, json } = await readModelFile(file);
  const scalers = model.getNormalization();
  const spec = model.spec;
  const training = { present: json.training !== undefined, optimizer: savedOptimizer(json.training?.optimizer) };
  const layers = spec.layers.map((l) => ({ units: l.units, activation: l.activation, inputs: l.inputs, ...(l.activation === 'leaky_relu' ? { slope: l.slope } : {}) }));
  model.dispose();

  const lines: [string, string][] = [
    ['network', describeNetwork(model)],
    ['parameters', count(spec.paramCount)],
    ['loss', spec.loss + (spec.plainLoss ? ' (plain formula)' : '')],
    ['seed', `${spec.seed} (init ${spec.init})`],
    ['scalers', `inputs: ${describeScaler(scalers.inputs)}; targets: ${describeScaler(scalers.targets)}`],
    ['training state', training.present ? `saved (${training.optimizer ?? 'no optimizer used yet'}; shuffler), so training can resume: wasmlp train DATA --resume ${file}` : 'not saved'],
  ];
  if (named) {
    lines.push(['task', columns.task]);
    lines.push(['inputs', columns.inputs?.join(', ') ?? 'not named (the CSV\'s first columns, in order)']);
    lines.push(['targets', columns.targets?.join(', ') ?? 'not named']);
    if (columns.labels) lines.push(['labels', labelList(columns.labels)]);
  } else {
    lines.push(['columns', 'none saved (a model saved by the library without names)']);
  }
  if (t) {
    lines.push(['engine', `${t.engine} (used for training; any engine can load the model)`]);
    lines.push(['trained', `${t.epochs} of ${t.epochsRequested} epochs on ${t.data} (${count(t.trainRows)} training rows, ${count(t.validationRows)} validation), stop: ${t.stopReason}`]);
    lines.push(['optimizer', `${t.optimizer}, lr ${t.learningRate}, batch ${t.batchSize}${t.weightDecay ? `, weight decay ${t.weightDecay}` : ''}${t.l1 ? `, l1 ${t.l1}` : ''}`]);
    lines.push(['schedule', t.schedule ?? 'none (a constant learning rate)']);
    lines.push(['stopping', stopping(t)]);
    const units = lossUnitsText(scalers.targets?.kind);
    const last = (values: (number | null)[]) => values[values.length - 1] ?? undefined;
    lines.push(['final loss', `${num(last(t.loss))}${t.valLoss ? `, val ${num(last(t.valLoss))}` : ''} (${spec.loss}${units === '' ? '' : ` ${units}`})`]);
    // files of earlier versions recorded how long training took; files are now the same for the same run
    if (t.timeMs !== undefined) lines.push(['time', `${duration(t.timeMs)}${t.samplesPerSecond !== undefined ? `, ${count(t.samplesPerSecond)} samples/s` : ''}`]);
  }
  return {
    text: `${file}\n${fields(lines)}`,
    json: {
      file,
      network: describeNetwork(model),
      inputs: spec.inputs,
      outputs: spec.outputs,
      layers,
      parameters: spec.paramCount,
      loss: spec.loss,
      plainLoss: spec.plainLoss,
      seed: spec.seed,
      init: spec.init,
      scalers: { inputs: scalers.inputs ?? null, targets: scalers.targets ?? null },
      trainingState: training.present,
      engine: t?.engine ?? null,
      task: named ? columns.task : null,
      inputColumns: columns.inputs,
      targetColumns: columns.targets,
      labels: columns.labels,
      // the names the file gives the model (an older file has none: its cli block holds them)
      names: { inputs: json.names?.inputs ?? null, targets: json.names?.targets ?? null, classes: json.names?.classes ?? null },
      training: t,
    },
  };
}

/** How training was to stop early, as recorded. */
function stopping(t: TrainingRecord): string {
  if (t.patience === null) return `none: all ${t.epochsRequested} epochs`;
  if (t.validationRows > 0) return `patience ${t.patience} on the validation loss (best epoch kept)`;
  return `patience ${t.patience} on the training loss${t.tol !== undefined && t.tol !== null ? `, tol ${t.tol}` : ''}`;
}

/** The optimizer whose state a model file carries: its key is the validated optimizer settings as JSON. */
function savedOptimizer(key: string | undefined): string | null {
  if (key === undefined || key === '') return null;
  try {
    const id = (JSON.parse(key) as { id?: unknown }).id;
    return typeof id === 'number' ? (['sgd', 'momentum', 'adam'][id] ?? null) : null;
  } catch {
    return null;
  }
}

/** Runs in a worker thread (jobs.ts): loading a large model or computing over many rows must not hold off a signal. */
const inWorker = job('info', info);

export function infoCommand(): Command {
  return new Command('info')
    .description('describe a model file: network, parameters, loss, seed, scalers, labels, how it was trained')
    .argument('<model>', 'model file written by `wasmlp train` (or model.toJSON())')
    .option('--json', 'print one JSON document on stdout')
    .addOption(new Option('--report-memory').hideHelp())
    .action(action('info', inWorker));
}
