// The model file the CLI writes: `model.toJSON()`, whose checksummed `names` hold the CSV's column
// names and labels (the inputs; a regression's targets; a classification's classes, in output order),
// so a model trained here is used by name from code and a model named in code (setNames, or the
// spec's inputNames/targetNames/classes) is used by column name here; and one extra top-level field,
// `cli`, with what the library does not know: the task, the column of labels of a classification (the
// model's `names.targets` name its output units, not that column) and how the model was trained.
// loadModel keeps `cli` as metadata, so the file is also a plain wasmlp model for the library.
//
// Files of the previous CLI (cli.version 1) kept the names in the cli block (inputs, targets, labels)
// and no `names`: those lists are read as the names, with the same checks as before.
import { readFile } from 'node:fs/promises';
import { loadModel, FormatError, WasmlpError, type EngineKind, type Model, type ModelJSON } from '../index.js';
import { classCount } from '../spec/labels.js';
import { CliError, fsReason } from './errors.js';

/** The version of the cli block written; version 1 (names in the cli block) is still read. */
export const CLI_FORMAT_VERSION = 2;
const LEGACY_VERSION = 1;

export type Task = 'classification' | 'regression';

export interface TrainingRecord {
  engine: EngineKind;
  optimizer: string;
  learningRate: number;
  /** The learning-rate schedule as --schedule gives it (`step:10:0.5`), null for none (absent in older files: none). */
  schedule?: string | null;
  batchSize: number;
  /** L2 weight decay (absent in files written before it was recorded: 0). */
  weightDecay?: number;
  /** L1 penalty (absent: 0). */
  l1?: number;
  epochsRequested: number;
  validationSplit: number;
  /** Epochs without improvement of the monitored loss before stopping; null: never stops early. */
  patience: number | null;
  /** Without validation rows: the least fall of the training loss that counts as an improvement (absent in older files). */
  tol?: number | null;
  normalize: { inputs: string; targets: string };
  rows: number;
  trainRows: number;
  validationRows: number;
  data: string;
  epochs: number;
  stopReason: string;
  bestEpoch: number | null;
  loss: number[];
  valLoss: number[] | null;
  /** Files of earlier versions only: times and dates made two identical runs write different files. */
  timeMs?: number;
  samplesPerSecond?: number;
  trainedAt?: string;
  /** How many `train` runs made this model (2 or more after --resume; absent: 1). */
  runs?: number;
  /** Trained with --stream: the rows of the shuffle buffer (0: in the file's order). */
  shuffleBuffer?: number;
  /** Trained with --stream --validation-file: that file's name. */
  validationData?: string;
}

/** The cli block as written: what the library does not know about the model. */
export interface CliMeta {
  version: number;
  task: Task;
  /** A classification's column of labels (null: not named); null for a regression (its target columns are the model's names.targets). */
  target: string | null;
  training: TrainingRecord | null;
}

/**
 * What a model's inputs, targets and labels are called, as the commands use them: from the model's
 * names (and the task and label column of its cli block), or from the cli block of an older file.
 * A list is null where the model does not name it (a model saved by the library without names): the
 * CSV's columns are then taken in order (model-data.ts).
 */
export interface Columns {
  task: Task;
  /** Input column names, in the model's input order. */
  inputs: string[] | null;
  /** Target column names: a regression's, one per output; a classification's one column of labels. */
  targets: string[] | null;
  /** Classification: the label of each class, in the order of the model's classes (strings, as in a CSV). */
  labels: string[] | null;
}

export type CliModelJSON = ModelJSON & { cli?: unknown };

export interface LoadedModel {
  model: Model;
  columns: Columns;
  /** Whether the file names anything (a model saved by the library without names: false). */
  named: boolean;
  training: TrainingRecord | null;
  json: CliModelJSON;
}

/** How a stored value is shown in a message: its JSON, cut if long, or its kind. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function badMeta(file: string, field: string, expected: string, received: unknown): CliError {
  return new CliError('BAD_MODEL_FILE', `${file}: ${field}: expected ${expected}, got ${shown(received)}`, { file });
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** A list of names that must be unique: the error names the first repeated one. */
function uniqueNames(file: string, field: string, value: unknown, expected: string, count?: number): string[] {
  if (!strings(value) || (count !== undefined && value.length !== count) || value.length === 0) throw badMeta(file, field, expected, value);
  // a map of first positions, not indexOf per name: a model of 100,000 inputs is checked in linear time
  const first = new Map<string, number>();
  for (let i = 0; i < value.length; i++) {
    const before = first.get(value[i]);
    if (before !== undefined) {
      throw new CliError('BAD_MODEL_FILE', `${file}: ${field}: names ${JSON.stringify(value[i])} twice (entries ${before + 1} and ${i + 1}); each must be unique`, { file });
    }
    first.set(value[i], i);
  }
  return value;
}

function onlyKeys(file: string, field: string, value: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(value).find((k) => !known.includes(k));
  if (unknown !== undefined) {
    throw new CliError('BAD_MODEL_FILE', `${file}: ${field}.${unknown}: unknown field; ${field} holds ${known.join(', ')}`, { file });
  }
}

const META_KEYS = ['version', 'task', 'target', 'training'] as const;
const LEGACY_KEYS = ['version', 'inputs', 'targets', 'task', 'labels', 'training'] as const;

type Check = (v: unknown) => boolean;
const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isLoss: Check = (v) => Array.isArray(v) && v.every((x) => x === null || typeof x === 'number');
const SCALINGS = ['standard', 'standardize', 'minmax', 'minMax', 'none'];
/** Each field of the training record: a check and what it expects. Optional ones may be absent. */
const TRAINING_FIELDS: Record<keyof TrainingRecord, [Check, string, 'optional'?]> = {
  engine: [(v) => v === 'wasm' || v === 'ts', '"wasm" or "ts"'],
  optimizer: [(v) => v === 'sgd' || v === 'momentum' || v === 'adam', '"sgd", "momentum" or "adam"'],
  learningRate: [(v) => isNumber(v) && (v as number) > 0, 'a positive number'],
  schedule: [(v) => v === null || typeof v === 'string', 'null or a schedule (as --schedule takes it)', 'optional'],
  batchSize: [(v) => isCount(v) && (v as number) >= 1, 'a positive integer'],
  weightDecay: [(v) => isNumber(v) && (v as number) >= 0, 'a non-negative number', 'optional'],
  l1: [(v) => isNumber(v) && (v as number) > 0, 'a positive number (absent for none)', 'optional'],
  epochsRequested: [isCount, 'a non-negative integer'],
  validationSplit: [(v) => isNumber(v) && (v as number) >= 0 && (v as number) < 1, 'a number from 0 up to, not including, 1'],
  patience: [(v) => v === null || (isCount(v) && (v as number) >= 1), 'null or a positive integer'],
  tol: [(v) => v === null || (isNumber(v) && (v as number) >= 0), 'null or a non-negative number', 'optional'],
  normalize: [
    (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).every((k) => k === 'inputs' || k === 'targets') &&
      SCALINGS.includes((v as Record<string, string>).inputs) && SCALINGS.includes((v as Record<string, string>).targets),
    `{ inputs, targets }, each one of ${SCALINGS.join(', ')}`,
  ],
  rows: [isCount, 'a non-negative integer'],
  trainRows: [isCount, 'a non-negative integer'],
  validationRows: [isCount, 'a non-negative integer'],
  data: [(v) => typeof v === 'string', 'a file name'],
  epochs: [isCount, 'a non-negative integer'],
  stopReason: [(v) => typeof v === 'string', 'a stop reason'],
  bestEpoch: [(v) => v === null || isCount(v), 'null or an epoch index'],
  loss: [isLoss, 'an array of numbers'],
  valLoss: [(v) => v === null || isLoss(v), 'null or an array of numbers'],
  timeMs: [(v) => isNumber(v) && (v as number) >= 0, 'a non-negative number', 'optional'],
  samplesPerSecond: [(v) => isNumber(v) && (v as number) >= 0, 'a non-negative number', 'optional'],
  trainedAt: [(v) => typeof v === 'string', 'a date (ISO 8601 text)', 'optional'],
  runs: [(v) => isCount(v) && (v as number) >= 1, 'a positive integer', 'optional'],
  shuffleBuffer: [isCount, 'a non-negative integer', 'optional'],
  validationData: [(v) => typeof v === 'string', 'a file name', 'optional'],
};

function checkTraining(file: string, value: unknown): TrainingRecord | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw badMeta(file, 'cli.training', 'null or an object (how the model was trained)', value);
  const t = value as Record<string, unknown>;
  onlyKeys(file, 'cli.training', t, Object.keys(TRAINING_FIELDS));
  for (const [key, [check, expected, optional]] of Object.entries(TRAINING_FIELDS)) {
    if (optional && t[key] === undefined) continue;
    if (!check(t[key])) throw badMeta(file, `cli.training.${key}`, expected, t[key]);
  }
  const r = value as TrainingRecord;
  if (r.valLoss !== null && r.valLoss.length !== r.loss.length) throw badMeta(file, 'cli.training.valLoss', `one value per epoch of cli.training.loss (${r.loss.length})`, r.valLoss);
  if (r.bestEpoch !== null && r.bestEpoch >= r.loss.length) throw badMeta(file, 'cli.training.bestEpoch', `an epoch index below ${r.loss.length}`, r.bestEpoch);
  if (r.trainRows + r.validationRows !== r.rows) throw badMeta(file, 'cli.training.rows', `trainRows + validationRows (${r.trainRows + r.validationRows})`, r.rows);
  return r;
}

/** A class label as the CSV shows it: numbers in their shortest form (the model's classes may be numbers). */
export function labelText(label: string | number): string {
  return typeof label === 'number' ? String(label) : label;
}

/**
 * The model's classes for the CLI's labels (in their order): numbers when every label is one written
 * in its shortest form ("0", "2.5"), so code gets 0, 1, 2 back as numbers for a column of digits; the
 * strings otherwise ("01", "1e3" and "setosa" stay as they are written).
 */
export function classesOf(labels: readonly string[]): (string | number)[] {
  const numbers = labels.map(Number);
  return numbers.every((v, i) => Number.isFinite(v) && String(v) === labels[i]) ? numbers : [...labels];
}

/** A column that is both an input and a target is refused: the error names both lists. */
function disjoint(file: string, inputs: readonly string[] | null, targets: readonly string[] | null, where: { inputs: string; targets: string }): void {
  if (inputs === null || targets === null) return;
  const inputSet = new Set(inputs);
  const both = targets.find((t) => inputSet.has(t));
  if (both !== undefined) throw new CliError('BAD_MODEL_FILE', `${file}: ${where.targets}: ${JSON.stringify(both)} is also in ${where.inputs}; a column is an input or a target, not both`, { file });
}

/** A version 1 cli block (the names in it), checked as strictly as before, and against the model it describes. */
function checkLegacy(file: string, m: Record<string, unknown>, model: Model): { columns: Columns; training: TrainingRecord | null } {
  onlyKeys(file, 'cli', m, LEGACY_KEYS);
  const inputs = uniqueNames(file, 'cli.inputs', m.inputs, `${model.inputs} column names`, model.inputs);
  if (m.task !== 'classification' && m.task !== 'regression') throw badMeta(file, 'cli.task', '"classification" or "regression"', m.task);
  const targets = uniqueNames(file, 'cli.targets', m.targets, m.task === 'classification' ? 'one column name for a classification' : `${model.outputs} column names`, m.task === 'classification' ? 1 : model.outputs);
  disjoint(file, inputs, targets, { inputs: 'cli.inputs', targets: 'cli.targets' });
  let labels: string[] | null = null;
  if (m.task === 'classification') labels = uniqueNames(file, 'cli.labels', m.labels, `${model.outputs} labels`, model.outputs);
  else if (m.labels !== null) throw badMeta(file, 'cli.labels', 'null for a regression', m.labels);
  return { columns: { task: m.task, inputs, targets, labels }, training: checkTraining(file, m.training) };
}

/** The cli block as read: version 2 (task, label column, training) or version 1 (the names too). */
function checkCli(file: string, meta: unknown, model: Model): { task: Task | null; target: string | null; legacy: Columns | null; training: TrainingRecord | null } {
  if (meta === undefined) return { task: null, target: null, legacy: null, training: null };
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw badMeta(file, 'cli', 'an object (the task and training record `wasmlp train` saves), or no cli field at all', meta);
  }
  const m = meta as Record<string, unknown>;
  if (m.version === LEGACY_VERSION) {
    const { columns, training } = checkLegacy(file, m, model);
    return { task: columns.task, target: columns.task === 'classification' ? columns.targets![0] : null, legacy: columns, training };
  }
  if (m.version !== CLI_FORMAT_VERSION) throw badMeta(file, 'cli.version', `${CLI_FORMAT_VERSION} (or ${LEGACY_VERSION}, written by earlier versions)`, m.version);
  onlyKeys(file, 'cli', m, META_KEYS);
  if (m.task !== 'classification' && m.task !== 'regression') throw badMeta(file, 'cli.task', '"classification" or "regression"', m.task);
  let target: string | null = null;
  if (m.task === 'classification') {
    // null: not named (the CSV's one column besides the inputs)
    if (m.target !== null && (typeof m.target !== 'string' || m.target === '')) throw badMeta(file, 'cli.target', 'the column name of the labels (a classification), or null', m.target);
    target = m.target;
  } else if (m.target !== null && m.target !== undefined) {
    throw badMeta(file, 'cli.target', 'null for a regression (its target columns are names.targets)', m.target);
  }
  return { task: m.task, target, legacy: null, training: checkTraining(file, m.training) };
}

/**
 * The columns of a model: its names (inputs; a regression's targets; a classifier's classes), the task
 * and label column of its cli block, and for an older file the names its cli block holds. A model
 * without a cli block is a classification when it is a classifier that knows its classes.
 */
export function columnsOf(file: string, model: Model, cli: unknown): { columns: Columns; named: boolean; training: TrainingRecord | null } {
  const c = checkCli(file, cli, model);
  const names = model.names;
  const classifier = classCount(model.spec) > 0;
  const task: Task = c.task ?? (classifier && names.classes !== null ? 'classification' : 'regression');
  const inputs = names.inputs !== null ? [...names.inputs] : (c.legacy?.inputs ?? null);
  let targets: string[] | null;
  let labels: string[] | null = null;
  if (task === 'classification') {
    // a classifier's classes; a classification the library does not call one (bce over one
    // sigmoid output per class) names each output by its label
    const own = classifier ? names.classes?.map(labelText) : names.targets;
    labels = own !== undefined && own !== null ? [...own] : (c.legacy?.labels ?? null);
    if (labels === null) throw new CliError('BAD_MODEL_FILE', `${file}: cli.task: the file says "classification", and the model has no class labels (names.${classifier ? 'classes' : 'targets'})`, { file });
    if (labels.length !== model.outputs && !(classifier && labels.length === 2 && model.outputs === 1)) {
      throw badMeta(file, `names.${classifier ? 'classes' : 'targets'}`, `${model.outputs} labels`, labels);
    }
    uniqueNames(file, classifier ? 'names.classes' : 'names.targets', labels, `${labels.length} labels`);
    targets = c.target === null ? null : [c.target];
  } else {
    targets = names.targets !== null ? [...names.targets] : (c.legacy?.targets ?? null);
  }
  const legacy = c.legacy !== null && names.inputs === null;
  disjoint(file, inputs, targets, legacy ? { inputs: 'cli.inputs', targets: 'cli.targets' } : { inputs: 'names.inputs', targets: task === 'classification' ? 'cli.target' : 'names.targets' });
  return { columns: { task, inputs, targets, labels }, named: inputs !== null || targets !== null || labels !== null, training: c.training };
}

/** Reads and loads a model file; any fault is a CliError (exit 1) naming the file. */
export async function readModelFile(file: string, engine?: EngineKind, threads?: number | 'auto'): Promise<LoadedModel> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError('CANNOT_READ', `${file}: cannot read the model (${fsReason(error)})`, { file });
  }
  let json: CliModelJSON;
  try {
    json = JSON.parse(text) as CliModelJSON;
  } catch (error) {
    throw new CliError('BAD_MODEL_FILE', `${file}: not a model file (the text is not JSON: ${(error as Error).message})`, { file });
  }
  let model: Model;
  try {
    model = await loadModel(json, { ...(engine === undefined ? {} : { engine }), ...(threads === undefined ? {} : { threads }) });
  } catch (error) {
    if (error instanceof FormatError) throw new CliError('BAD_MODEL_FILE', `${file}: not a valid wasmlp model (${error.message})`, { file });
    throw error;
  }
  try {
    const found = columnsOf(file, model, json.cli);
    // an older file's names become the model's (in memory), so the library's classifier methods see them
    if (found.named) {
      try {
        nameModel(model, found.columns);
      } catch (error) {
        if (error instanceof WasmlpError) throw new CliError('BAD_MODEL_FILE', `${file}: the names do not fit the model (${error.message})`, { file });
        throw error;
      }
    }
    return { model, ...found, json };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Gives the model the names of `columns` (inputs; a regression's targets; a classifier's classes, or
 * the labels as the output names of a classification the library does not call one), where they differ.
 */
export function nameModel(model: Model, columns: Columns): void {
  const names: { inputs?: string[]; targets?: string[]; classes?: (string | number)[] } = {};
  if (columns.inputs !== null) names.inputs = columns.inputs;
  if (columns.task === 'regression') {
    if (columns.targets !== null) names.targets = columns.targets;
  } else if (classCount(model.spec) > 0) {
    // the model's own classes are kept (numbers stay numbers); an older file's labels are converted
    if (model.names.classes === null) names.classes = classesOf(columns.labels!);
  } else {
    names.targets = columns.labels!;
  }
  model.setNames(names);
}

/** The text of a model file: the model (with its names) and the cli block. */
export function modelFileText(model: Model, meta: CliMeta): string {
  const json: CliModelJSON = { ...model.toJSON(), cli: meta };
  return `${JSON.stringify(json, null, 2)}\n`;
}
