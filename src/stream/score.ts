// predictStream and evaluateStream: scoring rows read a chunk at a time, for data larger than memory.
//   predictStream yields, per chunk, what predict (or predictProba, predictClasses) gives on its rows:
//   the same bits (a row's outputs do not depend on the rows around it).
//   evaluateStream gives evaluate's numbers on the concatenated rows: the loss summed per block of
//   1024 rows as model.loss does (loss.ts), the confusion matrix counted chunk by chunk, and a
//   regressor's sums in row order; R² needs ȳ first, so a regressor's targets are read a second time.
import { OptionsError, StreamError, describe } from '../errors.js';
import { toNested, type MatrixInput } from '../data/dataset.js';
import { classOfRows, confusionReport, countInto, emptyConfusion, type ClassificationReport } from '../metrics/classification.js';
import { RegressionSums, type RegressionReport } from '../metrics/regression.js';
import type { Scaler } from '../data/normalize.js';
import type { Engine } from '../engine/engine.js';
import { classCount, type Label, type ModelNames } from '../spec/labels.js';
import { rejectUnknownKeys } from '../spec/names.js';
import type { ValidSpec } from '../spec/types.js';
import { checkChunk, inChunk, type ChunkShape, type Rows } from './chunk.js';
import { GroupedLoss, type LossRegion } from './loss.js';
import { checkSource, pass, type ChunkSource } from './source.js';

/** What scoring needs of a model (its public predict methods check that it is not training). */
export interface ScoreView {
  readonly spec: ValidSpec;
  readonly names: ModelNames;
  readonly engine: Engine;
  encode(y: MatrixInput | readonly Label[], name: string): MatrixInput;
  predict(X: MatrixInput): number[][] | Float64Array;
  predictProba(X: MatrixInput): number[][] | Float64Array;
  predictClasses(X: MatrixInput): Label[];
  /** Engine memory for a loss over up to `rows` rows at once (fewer when the memory holds fewer). */
  lossRegion(rows: number): LossRegion;
  scalers(): { inputs?: Scaler; targets?: Scaler };
}

export type PredictOutput = 'values' | 'proba' | 'classes';
export interface PredictStreamOptions {
  /** 'values' (default: predict's outputs), 'proba' (predictProba) or 'classes' (predictClasses). */
  output?: PredictOutput;
}

/** Rows per loss block, as model.loss sums them. */
const LOSS_BLOCK = 1024;

const shapeOf = (view: ScoreView, targets: boolean): ChunkShape => ({ inputs: view.spec.inputs, outputs: view.spec.outputs, targets, encode: (y, name) => view.encode(y, name) });

function outputOf(options: unknown): PredictOutput {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionsError('BAD_OPTION', `options: expected an object { output? }, got ${describe(options)}`, { path: 'options', expected: 'an object { output? }', received: describe(options) });
  }
  rejectUnknownKeys(options, ['output'], 'options', OptionsError, 'UNKNOWN_OPTION', 'option');
  const output = (options as PredictStreamOptions).output ?? 'values';
  if (output !== 'values' && output !== 'proba' && output !== 'classes') {
    throw new OptionsError('BAD_OPTION', `options.output: expected "values", "proba" or "classes", got ${describe(output)}`, { path: 'options.output', expected: '"values", "proba" or "classes"', received: describe(output) });
  }
  return output;
}

/** One chunk's predictions, in the form its x came in (nested rows for nested x). */
function predictChunk(view: ScoreView, rows: Rows, output: PredictOutput): Float64Array | number[][] | Label[] {
  const flat = { data: rows.x.data, rows: rows.x.rows };
  if (output === 'classes') return rows.rows === 0 ? [] : view.predictClasses(flat);
  const width = output === 'values' ? view.spec.outputs : Math.max(2, view.spec.outputs);
  let out: Float64Array = new Float64Array(0);
  if (rows.rows > 0) out = (output === 'values' ? view.predict(flat) : view.predictProba(flat)) as Float64Array;
  return rows.x.nested ? toNested(out, rows.rows, width) : out;
}

/** model.predictStream: the predictions of each chunk, as it is read. */
export async function* predictStream(view: ScoreView, source: ChunkSource, options: PredictStreamOptions = {}): AsyncGenerator<Float64Array | number[][] | Label[], void, undefined> {
  checkSource(source, 'source');
  const output = outputOf(options);
  let index = 0;
  for await (const chunk of pass(source)) {
    const rows = checkChunk(chunk, index, shapeOf(view, false));
    try {
      yield predictChunk(view, rows, output);
    } catch (error) {
      throw inChunk(error, index);
    }
    index++;
  }
}

export type StreamEvaluation =
  | (ClassificationReport & { task: 'classification'; loss: number; classes: Label[] })
  | (RegressionReport & { task: 'regression'; loss: number; targets: string[] | null });

function noRows(): StreamError {
  return new StreamError('EMPTY_STREAM', 'source: no rows to evaluate', -1, { path: 'source', expected: 'at least one row', received: '0 rows' });
}

/** model.evaluateStream: evaluate's loss and scores over every row of the source. */
export async function evaluateStream(view: ScoreView, source: ChunkSource): Promise<StreamEvaluation> {
  checkSource(source, 'source');
  const K = classCount(view.spec);
  const classes = view.names.classes;
  if (K > 0 && classes === null) {
    throw new OptionsError('NO_CLASSES', 'evaluateStream: this model does not know its classes yet: fit it with labels, give classes in the spec, or set them with setNames({ classes })', {
      path: 'evaluateStream', expected: 'a model with classes', received: 'no classes',
    });
  }
  const loss = new GroupedLoss(view.engine, view.spec, () => view.lossRegion(LOSS_BLOCK), LOSS_BLOCK, view.scalers());
  const confusion = emptyConfusion(K);
  const sums = new RegressionSums(view.spec.outputs);
  let index = 0;
  for await (const chunk of pass(source)) {
    const rows = checkChunk(chunk, index++, shapeOf(view, true));
    if (rows.rows === 0) continue;
    loss.add(rows);
    const p = view.predict({ data: rows.x.data, rows: rows.rows }) as Float64Array;
    const { outputs } = view.spec;
    if (K > 0) countInto(confusion, classOfRows(rows.y!.data, rows.rows, outputs), classOfRows(p, rows.rows, outputs));
    else sums.addErrors(rows.y!.data, p, rows.rows);
  }
  if (loss.rows === 0) throw noRows();
  const total = loss.total();
  if (K > 0) return { task: 'classification', loss: total, classes: [...classes!], ...confusionReport(confusion) };
  sums.centre();
  index = 0;
  let again = 0;
  for await (const chunk of pass(source)) {
    const rows = checkChunk(chunk, index++, shapeOf(view, true));
    sums.addSpread(rows.y!.data, rows.rows);
    again += rows.rows;
  }
  if (again !== sums.rows) {
    throw new StreamError('SOURCE_CHANGED', `source: the second pass gave ${again} rows, the first ${sums.rows}; R² reads the targets twice`, index, { path: 'source', expected: `${sums.rows} rows`, received: `${again} rows` });
  }
  return { task: 'regression', loss: total, targets: view.names.targets === null ? null : [...view.names.targets], ...sums.report() };
}
