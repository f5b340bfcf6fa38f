// fitStream's options: fitAsync's, checked by the same validator, with what a stream changes:
//   shuffle      false (the default: rows train in the order the source gives them) or { buffer: n }
//                (shuffle-buffer.ts); true alone is an error, since a stream cannot be permuted whole
//   validationData  [X, Y] as for fit, or a source of its own
//   resume       (default true) continue the epoch a stopped fitStream left unfinished (position.ts)
// and what a stream cannot do: validationSplit (a stream has no "last rows" to hold out), sampleWeight
// (weights come with the rows: a chunk's `weights`), classWeight 'balanced' (it needs the class
// counts of every row before the first update) and normalize (setNormalizationStream does it).
import { OptionsError, describe } from '../errors.js';
import { rejectUnknownKeys } from '../spec/names.js';
import type { ValidSpec } from '../spec/types.js';
import type { MatrixInput } from '../data/dataset.js';
import type { Label } from '../spec/labels.js';
import { validateFitOptions, type FitOptions, type TrainerOptions, type ValidFitOptions } from '../train/options.js';
import { checkSource, type ChunkSource } from './source.js';

export interface FitStreamOptions extends Omit<FitOptions, 'shuffle' | 'validationData' | 'validationSplit' | 'sampleWeight' | 'classWeight' | 'normalize'> {
  /** false (default): the source's order; `{ buffer: n }`: through a seeded shuffle buffer of n rows. */
  shuffle?: false | { buffer: number };
  /** Validation rows `[X, Y]`, or a source of them (read once after every epoch). */
  validationData?: [MatrixInput, MatrixInput | readonly Label[]] | ChunkSource;
  /** A classifier's weight per class `{ label: weight }` (every class), multiplying the chunks' weights. */
  classWeight?: Readonly<Record<string, number>>;
  /** Continue the epoch a stopped fitStream left unfinished (default true); false starts a fresh epoch. */
  resume?: boolean;
}

export interface ValidStreamOptions {
  /** fit's options (shuffle false: the engine trains the rows in the order they are assembled). */
  o: ValidFitOptions;
  /** Rows of the shuffle buffer; 0: none. */
  buffer: number;
  resume: boolean;
  /** Updates per block, when progressEvery is given; null: the default block. */
  progressEvery: number | null;
  /** The validation source (validationData given as a source), or null. */
  validationSource: ChunkSource | null;
}

const STREAM_ONLY = ['resume'];
const KNOWN = [
  'epochs', 'batchSize', 'learningRate', 'shuffle', 'optimizer', 'weightDecay', 'l1', 'trainable', 'stepBelow', 'lossBelow',
  'validationData', 'patience', 'restoreBest', 'timeout', 'signal', 'onEpochEnd', 'onProgress', 'progressEvery', 'onDiverge',
  'schedule', 'classWeight', ...STREAM_ONLY,
];
const REFUSED: Record<string, string> = {
  validationSplit: 'a stream has no last rows to hold out (and its last rows are no random sample): give validationData, as arrays [X, Y] or as a source of its own',
  sampleWeight: "a stream's weights come with its rows: give each chunk its `weights`",
  normalize: 'scalers need every row before the first update: call await model.setNormalizationStream(source, spec) first',
};

function refuse(key: string, expected: string, value: unknown, code = 'BAD_OPTION', why = ''): never {
  const path = `options.${key}`;
  throw new OptionsError(code, `${path}: expected ${expected}, got ${describe(value)}${why}`, { path, expected, received: describe(value) });
}

function bufferRows(shuffle: unknown): number {
  if (shuffle === undefined || shuffle === false) return 0;
  if (shuffle === true) refuse('shuffle', 'false or { buffer: n }', shuffle, 'SHUFFLE_NEEDS_BUFFER', ': a stream cannot be permuted whole; shuffle it through a seeded buffer of n rows with { buffer: n }');
  if (shuffle === null || typeof shuffle !== 'object' || Array.isArray(shuffle)) refuse('shuffle', 'false or { buffer: n }', shuffle);
  rejectUnknownKeys(shuffle, ['buffer'], 'options.shuffle', OptionsError, 'UNKNOWN_OPTION', 'option');
  const n = (shuffle as { buffer?: unknown }).buffer;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) refuse('shuffle.buffer', 'a positive integer (rows held by the shuffle buffer)', n);
  return n as number;
}

function validationOf(v: unknown): { pair: TrainerOptions['validationData']; source: ChunkSource | null } {
  if (v === undefined) return { pair: undefined, source: null };
  if (Array.isArray(v) && v.length === 2 && !(v[0] !== null && typeof v[0] === 'object' && !Array.isArray(v[0]) && 'x' in v[0])) {
    return { pair: v as TrainerOptions['validationData'], source: null };
  }
  checkSource(v, 'options.validationData');
  return { pair: undefined, source: v };
}

/** Checks every option before anything is read; `resolved` is the options with a classifier's validation labels encoded. */
export function validateStreamOptions(options: FitStreamOptions, spec: ValidSpec): ValidStreamOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) refuse('', 'an object of options', options);
  for (const key of Object.keys(REFUSED)) {
    if (key in options) refuse(key, 'no such option for a stream', (options as Record<string, unknown>)[key], 'NOT_FOR_STREAMS', `: ${REFUSED[key]}`);
  }
  rejectUnknownKeys(options, KNOWN, 'options', OptionsError, 'UNKNOWN_OPTION', 'option');
  if ((options.classWeight as unknown) === 'balanced') {
    refuse('classWeight', '{ label: weight } for every class', 'balanced', 'NOT_FOR_STREAMS', ": 'balanced' needs the class counts of every row before the first update; give the weights by label");
  }
  const buffer = bufferRows(options.shuffle);
  const resume = options.resume ?? true;
  if (typeof resume !== 'boolean') refuse('resume', 'true or false', resume);
  const { shuffle: _s, resume: _r, validationData, classWeight: _c, ...rest } = options;
  const { pair, source } = validationOf(validationData);
  // fit's own checks, with no row count to check a batch size against (a batch larger than an epoch is one batch)
  const o = validateFitOptions({ ...rest, shuffle: false, validationData: pair } as TrainerOptions, 0x7fffffff, spec);
  return { o, buffer, resume, progressEvery: options.progressEvery === undefined ? null : o.progressEvery, validationSource: source };
}
