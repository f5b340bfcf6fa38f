// The model file the CLI writes: `model.toJSON()` with one extra top-level field, `cli`, holding what
// the library does not know: the CSV column names of the inputs and targets, the task, the class
// labels in output order, and how the model was trained. loadModel ignores fields it does not know,
// so the file is also a plain wasmlp model for the library.
import { readFile } from 'node:fs/promises';
import { loadModel, FormatError, type EngineKind, type Model, type ModelJSON } from '../index.js';
import { CliError, fsReason } from './errors.js';

export const CLI_FORMAT_VERSION = 1;

export type Task = 'classification' | 'regression';

export interface TrainingRecord {
  engine: EngineKind;
  optimizer: string;
  learningRate: number;
  batchSize: number;
  /** L2 weight decay (absent in files written before it was recorded: 0). */
  weightDecay?: number;
  epochsRequested: number;
  validationSplit: number;
  patience: number | null;
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
  timeMs: number;
  samplesPerSecond: number;
  trainedAt: string;
  /** How many `train` runs made this model (2 or more after --resume; absent: 1). */
  runs?: number;
}

export interface CliMeta {
  version: number;
  /** Input column names, in the model's input order. */
  inputs: string[];
  /** Target column names (one for classification). */
  targets: string[];
  task: Task;
  /** Classification: the label of each output unit, in order. */
  labels: string[] | null;
  training: TrainingRecord | null;
}

export type CliModelJSON = ModelJSON & { cli?: CliMeta };

export interface LoadedModel {
  model: Model;
  /** null for a model saved by the library itself (no column names). */
  meta: CliMeta | null;
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

const META_KEYS = ['version', 'inputs', 'targets', 'task', 'labels', 'training'] as const;

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
  batchSize: [(v) => isCount(v) && (v as number) >= 1, 'a positive integer'],
  weightDecay: [(v) => isNumber(v) && (v as number) >= 0, 'a non-negative number', 'optional'],
  epochsRequested: [isCount, 'a non-negative integer'],
  validationSplit: [(v) => isNumber(v) && (v as number) >= 0 && (v as number) < 1, 'a number from 0 up to, not including, 1'],
  patience: [(v) => v === null || (isCount(v) && (v as number) >= 1), 'null or a positive integer'],
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
  timeMs: [(v) => isNumber(v) && (v as number) >= 0, 'a non-negative number'],
  samplesPerSecond: [(v) => isNumber(v) && (v as number) >= 0, 'a non-negative number'],
  trainedAt: [(v) => typeof v === 'string', 'a date (ISO 8601 text)'],
  runs: [(v) => isCount(v) && (v as number) >= 1, 'a positive integer', 'optional'],
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

/** Checks the `cli` field, as strictly as the rest of the file, and against the model it describes. */
export function checkMeta(file: string, meta: unknown, model: Model): CliMeta {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw badMeta(file, 'cli', 'an object (the column names and labels `wasmlp train` saves), or no cli field at all', meta);
  }
  const m = meta as Record<string, unknown>;
  onlyKeys(file, 'cli', m, META_KEYS);
  if (m.version !== CLI_FORMAT_VERSION) throw badMeta(file, 'cli.version', String(CLI_FORMAT_VERSION), m.version);
  const inputs = uniqueNames(file, 'cli.inputs', m.inputs, `${model.inputs} column names`, model.inputs);
  if (m.task !== 'classification' && m.task !== 'regression') throw badMeta(file, 'cli.task', '"classification" or "regression"', m.task);
  const targets = uniqueNames(file, 'cli.targets', m.targets, m.task === 'classification' ? 'one column name for a classification' : `${model.outputs} column names`, m.task === 'classification' ? 1 : model.outputs);
  const inputSet = new Set(inputs);
  const both = targets.find((t) => inputSet.has(t));
  if (both !== undefined) throw new CliError('BAD_MODEL_FILE', `${file}: cli.targets: ${JSON.stringify(both)} is also in cli.inputs; a column is an input or a target, not both`, { file });
  let labels: string[] | null = null;
  if (m.task === 'classification') labels = uniqueNames(file, 'cli.labels', m.labels, `${model.outputs} labels`, model.outputs);
  else if (m.labels !== null) throw badMeta(file, 'cli.labels', 'null for a regression', m.labels);
  const training = checkTraining(file, m.training);
  return { version: CLI_FORMAT_VERSION, inputs, targets, task: m.task, labels, training };
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
    const meta = json.cli === undefined ? null : checkMeta(file, json.cli, model);
    return { model, meta, json };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The text of a model file. */
export function modelFileText(model: Model, meta: CliMeta): string {
  const json: CliModelJSON = { ...model.toJSON(), cli: meta };
  return `${JSON.stringify(json, null, 2)}\n`;
}
