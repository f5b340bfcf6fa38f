// The model file the CLI writes: `model.toJSON()` with one extra top-level field, `cli`, holding what
// the library does not know: the CSV column names of the inputs and targets, the task, the class
// labels in output order, and how the model was trained. loadModel ignores fields it does not know,
// so the file is also a plain wasmlp model for the library.
import { readFile } from 'node:fs/promises';
import { loadModel, FormatError, type EngineKind, type Model, type ModelJSON } from '../index.js';
import { CliError } from './errors.js';

export const CLI_FORMAT_VERSION = 1;

export type Task = 'classification' | 'regression';

export interface TrainingRecord {
  engine: EngineKind;
  optimizer: string;
  learningRate: number;
  batchSize: number;
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

function badMeta(file: string, field: string, expected: string): CliError {
  return new CliError('BAD_MODEL_FILE', `${file}: cli.${field}: expected ${expected}`, { file });
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Checks the `cli` field against the model it describes. */
function checkMeta(file: string, meta: unknown, model: Model): CliMeta {
  if (meta === null || typeof meta !== 'object') throw badMeta(file, '', 'an object');
  const m = meta as Record<string, unknown>;
  if (m.version !== CLI_FORMAT_VERSION) throw badMeta(file, 'version', String(CLI_FORMAT_VERSION));
  if (!strings(m.inputs) || m.inputs.length !== model.inputs) throw badMeta(file, 'inputs', `${model.inputs} column names`);
  if (m.task !== 'classification' && m.task !== 'regression') throw badMeta(file, 'task', '"classification" or "regression"');
  if (!strings(m.targets) || m.targets.length === 0) throw badMeta(file, 'targets', 'target column names');
  if (m.task === 'classification') {
    if (m.targets.length !== 1) throw badMeta(file, 'targets', 'one column for a classification');
    if (!strings(m.labels) || m.labels.length !== model.outputs) throw badMeta(file, 'labels', `${model.outputs} labels`);
  } else if (m.targets.length !== model.outputs) {
    throw badMeta(file, 'targets', `${model.outputs} column names`);
  }
  return meta as CliMeta;
}

/** Reads and loads a model file; any fault is a CliError (exit 1) naming the file. */
export async function readModelFile(file: string, engine?: EngineKind): Promise<LoadedModel> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError('CANNOT_READ', `${file}: cannot read the model (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file });
  }
  let json: CliModelJSON;
  try {
    json = JSON.parse(text) as CliModelJSON;
  } catch (error) {
    throw new CliError('BAD_MODEL_FILE', `${file}: not a model file (the text is not JSON: ${(error as Error).message})`, { file });
  }
  let model: Model;
  try {
    model = await loadModel(json, engine === undefined ? {} : { engine });
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

/** The CLI's metadata, or an error saying the model lacks the column names a CSV command needs. */
export function requireMeta(file: string, loaded: LoadedModel): CliMeta {
  if (loaded.meta === null) {
    throw new CliError('NO_COLUMNS', `${file}: the model has no column names (it was not saved by \`wasmlp train\`), so CSV columns cannot be matched to its inputs`, { file });
  }
  return loaded.meta;
}

/** The text of a model file. */
export function modelFileText(model: Model, meta: CliMeta): string {
  const json: CliModelJSON = { ...model.toJSON(), cli: meta };
  return `${JSON.stringify(json, null, 2)}\n`;
}
