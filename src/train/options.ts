// Training options: names follow TensorFlow.js `model.fit` where one exists. Every option is checked
// before anything runs; an unknown name is an error (a typo must not silently fall back to a default).
import { OptionsError, describe } from '../errors.js';

export interface FitOptions {
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Rows per update: 1 = stochastic, N = full batch, between = mini-batch (the last batch may be smaller). Default min(32, N). */
  batchSize?: number;
  /** Step size of SGD. Default 0.01. */
  learningRate?: number;
  /** Reshuffle the rows before every epoch (seeded by the model's seed, reproducible). Default true. */
  shuffle?: boolean;
}

export interface ValidFitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  shuffle: boolean;
}

const KNOWN = ['epochs', 'batchSize', 'learningRate', 'shuffle'];

function fail(key: string, expected: string, value: unknown): never {
  throw new OptionsError('BAD_OPTION', `options.${key}: expected ${expected}, got ${describe(value)}`, {
    path: `options.${key}`, expected, received: describe(value),
  });
}

export function validateFitOptions(options: FitOptions, rows: number): ValidFitOptions {
  if (options === null || typeof options !== 'object') fail('', 'an object of options', options);
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) {
      throw new OptionsError('UNKNOWN_OPTION', `options.${key}: unknown option; expected one of ${KNOWN.join(', ')}`, {
        path: `options.${key}`, expected: `one of ${KNOWN.join(', ')}`, received: JSON.stringify(key),
      });
    }
  }
  const epochs = options.epochs ?? 1;
  if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 0) fail('epochs', 'a non-negative integer', epochs);
  const batchSize = options.batchSize ?? Math.min(32, rows);
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > rows) {
    fail('batchSize', `an integer from 1 to ${rows} (the number of rows)`, batchSize);
  }
  const learningRate = options.learningRate ?? 0.01;
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0) {
    fail('learningRate', 'a positive finite number', learningRate);
  }
  const shuffle = options.shuffle ?? true;
  if (typeof shuffle !== 'boolean') fail('shuffle', 'true or false', shuffle);
  return { epochs, batchSize, learningRate, shuffle };
}
