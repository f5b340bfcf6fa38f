// The playground's whole configuration: the form's raw text, its validation (messages name the field),
// and the URL hash that shares a run (same hash, same seed → the same points, weights and losses).
import type { Activation, FitOptions, Loss } from 'wasmlp';

export type DatasetKind = 'circle' | 'xor' | 'spiral' | 'gauss' | 'csv';
export type OptimizerName = 'sgd' | 'momentum' | 'adam';
export type ScheduleName = 'none' | 'step' | 'exponential' | 'cosine' | 'plateau';
export type ScheduleSpec = NonNullable<FitOptions['schedule']>;

export const DATASETS: { kind: DatasetKind; label: string }[] = [
  { kind: 'circle', label: 'Circle' },
  { kind: 'xor', label: 'XOR' },
  { kind: 'spiral', label: 'Spiral' },
  { kind: 'gauss', label: 'Clusters' },
  { kind: 'csv', label: 'CSV' },
];
export const HIDDEN_ACTIVATIONS: Activation[] = ['tanh', 'relu', 'leaky_relu', 'sigmoid', 'softplus', 'identity'];
export const OUTPUT_ACTIVATIONS: Activation[] = ['sigmoid', 'softmax', 'identity', 'tanh'];
export const LOSS_NAMES: Loss[] = ['bce', 'cce', 'mse', 'half_se', 'ssr'];
export const OPTIMIZERS: OptimizerName[] = ['sgd', 'momentum', 'adam'];
/** The learning-rate schedules offered, as presets (see scheduleFor). */
export const SCHEDULES: { name: ScheduleName; label: string }[] = [
  { name: 'none', label: 'None (a constant rate)' },
  { name: 'step', label: 'Step: ×0.5 every 100 epochs' },
  { name: 'exponential', label: 'Exponential: ×0.99 per epoch' },
  { name: 'cosine', label: 'Cosine: down to lr/100 over 500 epochs' },
  { name: 'plateau', label: 'Plateau: ×0.5 after 20 epochs without a lower val. loss, down to lr/1000' },
];
export const MAX_UNITS = 256;
export const MAX_HIDDEN = 6;
export const MAX_SEED = 4294967295;

export interface LayerConfig {
  units: number;
  activation: Activation;
}

export interface Config {
  dataset: DatasetKind;
  /** 0 … 0.5 */
  noise: number;
  points: number;
  /** Gaussian clusters: number of classes. */
  clusters: number;
  /** Fraction held out for validation, 0 … 0.5. */
  validation: number;
  csv: string;
  hidden: LayerConfig[];
  output: Activation;
  loss: Loss;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  /** A preset learning-rate schedule (a training option: changing it keeps the model). */
  schedule: ScheduleName;
  /** Dropout rate of every hidden layer while training, 0 ≤ p < 1 (part of the model: changing it rebuilds). */
  dropout: number;
  seed: number;
}

export const DEFAULTS: Config = {
  dataset: 'circle',
  noise: 0.1,
  points: 400,
  clusters: 3,
  validation: 0.2,
  csv: '',
  hidden: [
    { units: 6, activation: 'tanh' },
    { units: 4, activation: 'tanh' },
  ],
  output: 'sigmoid',
  loss: 'bce',
  optimizer: 'adam',
  learningRate: 0.03,
  batchSize: 10,
  schedule: 'none',
  dropout: 0,
  seed: 42,
};

/** The form as typed: numbers are still text, so a message can quote what was entered. */
export interface RawForm {
  dataset: string;
  noise: string;
  points: string;
  clusters: string;
  validation: string;
  csv: string;
  hidden: { units: string; activation: string }[];
  output: string;
  loss: string;
  optimizer: string;
  learningRate: string;
  batchSize: string;
  schedule: string;
  dropout: string;
  seed: string;
}

export function toRaw(config: Config): RawForm {
  return {
    dataset: config.dataset,
    noise: String(config.noise),
    points: String(config.points),
    clusters: String(config.clusters),
    validation: String(config.validation),
    csv: config.csv,
    hidden: config.hidden.map((layer) => ({ units: String(layer.units), activation: layer.activation })),
    output: config.output,
    loss: config.loss,
    optimizer: config.optimizer,
    learningRate: String(config.learningRate),
    batchSize: String(config.batchSize),
    schedule: config.schedule,
    dropout: String(config.dropout),
    seed: String(config.seed),
  };
}

/** Field keys: where a message is shown (`units-0` is the first hidden layer's units). */
export type FieldErrors = Map<string, string>;

function quoted(text: string): string {
  return text.trim() === '' ? 'it is empty' : `got “${text.trim()}”`;
}

function wholeNumber(text: string): number | null {
  const t = text.trim();
  if (!/^[+-]?\d+(\.0*)?$/.test(t) && !/^[+-]?\d+(\.\d+)?e[+-]?\d+$/i.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

function number(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

function oneOf<T extends string>(text: string, allowed: readonly T[]): T | null {
  return (allowed as readonly string[]).includes(text) ? (text as T) : null;
}

/** Checks every field; returns the config, or the messages by field (the config is then null). */
export function validateForm(raw: RawForm): { config: Config | null; errors: FieldErrors } {
  const errors: FieldErrors = new Map();
  const dataset = oneOf(raw.dataset, DATASETS.map((d) => d.kind));
  if (dataset === null) errors.set('dataset', `Choose a data set (${quoted(raw.dataset)}).`);
  const noise = number(raw.noise);
  if (noise === null || noise < 0 || noise > 0.5) errors.set('noise', `Noise must be between 0 and 0.5 (${quoted(raw.noise)}).`);
  const points = wholeNumber(raw.points);
  if (points === null || points < 20 || points > 5000) errors.set('points', `Points must be a whole number from 20 to 5000 (${quoted(raw.points)}).`);
  const clusters = wholeNumber(raw.clusters);
  if (clusters === null || clusters < 2 || clusters > 6) errors.set('clusters', `Clusters must be a whole number from 2 to 6 (${quoted(raw.clusters)}).`);
  const validation = number(raw.validation);
  if (validation === null || validation < 0 || validation > 0.5) errors.set('validation', `The validation fraction must be between 0 and 0.5 (${quoted(raw.validation)}).`);
  const hidden: LayerConfig[] = [];
  if (raw.hidden.length > MAX_HIDDEN) errors.set('layers', `At most ${MAX_HIDDEN} hidden layers.`);
  raw.hidden.forEach((layer, i) => {
    const units = wholeNumber(layer.units);
    if (units === null || units < 1 || units > MAX_UNITS) {
      errors.set(`units-${i}`, `Units must be a whole number from 1 to ${MAX_UNITS} (${quoted(layer.units)}).`);
    }
    const activation = oneOf(layer.activation, HIDDEN_ACTIVATIONS);
    if (activation === null) errors.set(`activation-${i}`, `Choose an activation (${quoted(layer.activation)}).`);
    hidden.push({ units: units ?? 1, activation: activation ?? 'tanh' });
  });
  const output = oneOf(raw.output, OUTPUT_ACTIVATIONS);
  if (output === null) errors.set('output', `Choose an output activation (${quoted(raw.output)}).`);
  const loss = oneOf(raw.loss, LOSS_NAMES);
  if (loss === null) errors.set('loss', `Choose a loss (${quoted(raw.loss)}).`);
  const optimizer = oneOf(raw.optimizer, OPTIMIZERS);
  if (optimizer === null) errors.set('optimizer', `Choose an optimizer (${quoted(raw.optimizer)}).`);
  const learningRate = number(raw.learningRate);
  if (learningRate === null || learningRate <= 0) {
    errors.set('lr', `The learning rate must be a positive number, like 0.03 (${quoted(raw.learningRate)}).`);
  }
  const batchSize = wholeNumber(raw.batchSize);
  if (batchSize === null || batchSize < 1) errors.set('batch', `The batch size must be a whole number of at least 1 (${quoted(raw.batchSize)}).`);
  const schedule = oneOf(raw.schedule, SCHEDULES.map((s) => s.name));
  if (schedule === null) errors.set('schedule', `Choose a learning-rate schedule (${quoted(raw.schedule)}).`);
  const dropout = number(raw.dropout);
  if (dropout === null || dropout < 0 || dropout >= 1) {
    errors.set('dropout', `Dropout must be a number from 0 up to, not including, 1, like 0.1 (${quoted(raw.dropout)}).`);
  }
  const seed = wholeNumber(raw.seed);
  if (seed === null || seed < 0 || seed > MAX_SEED) errors.set('seed', `The seed must be a whole number from 0 to ${MAX_SEED} (${quoted(raw.seed)}).`);
  if (errors.size > 0) return { config: null, errors };
  return {
    config: {
      dataset: dataset!, noise: noise!, points: points!, clusters: clusters!, validation: validation!, csv: raw.csv, hidden,
      output: output!, loss: loss!, optimizer: optimizer!, learningRate: learningRate!, batchSize: batchSize!, schedule: schedule!,
      dropout: dropout!, seed: seed!,
    },
    errors,
  };
}

/**
 * The library's schedule for a preset, relative to the learning rate (cosine ends at lr/100, plateau
 * stops at lr/1000); undefined for none. Stepped once per epoch; the plateau watches the validation
 * loss (the training loss when nothing is held out).
 */
export function scheduleFor(name: ScheduleName, learningRate: number): ScheduleSpec | undefined {
  switch (name) {
    case 'none':
      return undefined;
    case 'step':
      return { name: 'step', every: 100, gamma: 0.5 };
    case 'exponential':
      return { name: 'exponential', gamma: 0.99 };
    case 'cosine':
      return { name: 'cosine', epochs: 500, min: learningRate / 100 };
    case 'plateau':
      return { name: 'plateau', factor: 0.5, patience: 20, min: learningRate / 1000 };
  }
}

/** Outputs of the network: one for two classes (unless softmax) and for regression, else one per class. */
export function outputsFor(task: 'classification' | 'regression', classes: number, output: Activation): number {
  if (task === 'regression') return 1;
  return classes === 2 && output !== 'softmax' ? 1 : classes;
}

/** The sensible output and loss for a task: sigmoid + bce (2 classes), softmax + cce (more), identity + mse (regression). */
export function pairingFor(task: 'classification' | 'regression', classes: number): { output: Activation; loss: Loss } {
  if (task === 'regression') return { output: 'identity', loss: 'mse' };
  return classes === 2 ? { output: 'sigmoid', loss: 'bce' } : { output: 'softmax', loss: 'cce' };
}

/** The loss that goes with an output activation when the user picks one. */
export function lossFor(output: Activation, task: 'classification' | 'regression'): Loss {
  if (task === 'regression') return 'mse';
  if (output === 'sigmoid') return 'bce';
  if (output === 'softmax') return 'cce';
  return 'mse';
}

/**
 * The link's hash: short keys, readable values (`#d=circle&h=6-tanh.4-tanh&lr=0.03&sch=step&dr=0.1&s=42`).
 * CSV only when short enough. Keys added later (sch, dr) are missing from older links, which keep
 * their defaults (no schedule, no dropout) and so replay as before.
 */
export const MAX_CSV_IN_LINK = 6000;

export function toHash(config: Config): string {
  const p = new URLSearchParams();
  p.set('d', config.dataset);
  if (config.dataset === 'csv') {
    if (config.csv.length <= MAX_CSV_IN_LINK) p.set('csv', config.csv);
  } else {
    p.set('n', String(config.noise));
    p.set('p', String(config.points));
    if (config.dataset === 'gauss') p.set('k', String(config.clusters));
  }
  p.set('v', String(config.validation));
  p.set('h', config.hidden.map((layer) => `${layer.units}-${layer.activation}`).join('.'));
  p.set('o', config.output);
  p.set('l', config.loss);
  p.set('opt', config.optimizer);
  p.set('lr', String(config.learningRate));
  p.set('b', String(config.batchSize));
  p.set('sch', config.schedule);
  p.set('dr', String(config.dropout));
  p.set('s', String(config.seed));
  return `#${p.toString()}`;
}

/** The form a hash describes: missing keys keep the defaults; values stay text and go through validateForm. */
export function fromHash(hash: string, base: RawForm = toRaw(DEFAULTS)): RawForm {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const raw: RawForm = { ...base, hidden: base.hidden.map((layer) => ({ ...layer })) };
  const text = (key: string, field: keyof RawForm): void => {
    const value = p.get(key);
    if (value !== null) (raw[field] as string) = value;
  };
  text('d', 'dataset');
  text('n', 'noise');
  text('p', 'points');
  text('k', 'clusters');
  text('v', 'validation');
  text('csv', 'csv');
  text('o', 'output');
  text('l', 'loss');
  text('opt', 'optimizer');
  text('lr', 'learningRate');
  text('b', 'batchSize');
  text('sch', 'schedule');
  text('dr', 'dropout');
  text('s', 'seed');
  const h = p.get('h');
  if (h !== null) {
    raw.hidden = h === '' ? [] : h.split('.').map((part) => {
      const at = part.indexOf('-');
      return at < 0 ? { units: part, activation: 'tanh' } : { units: part.slice(0, at), activation: part.slice(at + 1) };
    });
  }
  return raw;
}

/** Rows held out for validation from `rows` (the last ones) and rows left to train on. */
export function splitRows(rows: number, validation: number): { trainRows: number; held: number } {
  const held = Math.round(rows * validation);
  return { trainRows: rows - held, held };
}

/**
 * A pasted CSV with fewer training rows than the batch size: the data are what is short, so the
 * message goes on the CSV field (the batch size is a fine setting for most data). Null when the
 * rows suffice, and for generated sets (their size is a setting like the batch size; the library's
 * message on the batch field says which range fits).
 */
export function shortData(config: Config, rows: number): { field: string; message: string } | null {
  if (config.dataset !== 'csv') return null;
  const { trainRows, held } = splitRows(rows, config.validation);
  if (config.batchSize <= trainRows) return null;
  const rowsText = `${rows} row${rows === 1 ? '' : 's'}`;
  const split = held > 0 ? `, ${held} of them held out for validation` : '';
  let need = config.batchSize;
  while (splitRows(need, config.validation).trainRows < config.batchSize) need++;
  return {
    field: 'csv',
    message:
      `These data have ${rowsText}${split}: ${trainRows} to train on, fewer than the batch size of ${config.batchSize}. ` +
      `Paste at least ${need} rows, or lower the batch size to ${trainRows} or less.`,
  };
}

/** True when changing from `a` to `b` needs a new model (anything but the training options; dropout is the model's). */
export function needsRebuild(a: Config, b: Config): boolean {
  // only what shapes the data and the model counts (the CSV text while another data set is chosen does not)
  const strip = (c: Config) => ({
    ...c,
    optimizer: '', learningRate: 0, batchSize: 0, schedule: '',
    csv: c.dataset === 'csv' ? c.csv : '',
    noise: c.dataset === 'csv' ? 0 : c.noise,
    points: c.dataset === 'csv' ? 0 : c.points,
    clusters: c.dataset === 'gauss' ? c.clusters : 0,
  });
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}

/**
 * The form field a library error belongs to, from its `path`: `layers[1].units` → `units-1` (or the
 * output layer's field), `layers[0].dropout` → `dropout` (one field for every layer),
 * `options.learningRate` → `lr`, `options.schedule.every` → `schedule`, `X[3][1]` → the data.
 */
export function fieldOfPath(path: string, hiddenLayers: number): string {
  if (/^layers\[\d+\]\.dropout\b/.test(path)) return 'dropout';
  let m = /^layers\[(\d+)\]\.(units|activation)/.exec(path);
  if (m) {
    const layer = Number(m[1]);
    if (layer >= hiddenLayers) return 'output';
    return m[2] === 'units' ? `units-${layer}` : `activation-${layer}`;
  }
  m = /^options\.(\w+)/.exec(path);
  if (m) return ({ learningRate: 'lr', batchSize: 'batch', optimizer: 'optimizer', validationData: 'validation', schedule: 'schedule' } as Record<string, string>)[m[1]] ?? 'general';
  if (/^[XY]\b/.test(path)) return 'data';
  if (path === 'loss') return 'loss';
  if (path === 'seed') return 'seed';
  if (path.startsWith('epoch')) return 'lr';
  return 'general';
}
