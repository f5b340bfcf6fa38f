// Parsers for option values: commander calls them while parsing, and an InvalidArgumentError becomes
// `error: option '--lr <rate>' argument 'x' is invalid. expected …` with exit code 1.
import { InvalidArgumentError } from 'commander';
import { OptionsError } from '../errors.js';
import { validateSchedule, type ScheduleSpec } from '../train/schedule.js';
import { parseDelimiter, parseNumber } from './csv.js';
import { CliError } from './errors.js';

/** An option's number, read as a CSV cell is: decimal only (`0x10`, `0b1`, `Infinity` and blanks are NaN). */
const number = parseNumber;

export function positiveInt(value: string): number {
  const v = number(value);
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError('expected a positive integer');
  return v;
}

/** --threads: "auto" or a count 1 … 64 (the library's `threads`). */
export function threadsArg(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const v = number(value);
  if (!Number.isInteger(v) || v < 1 || v > 64) throw new InvalidArgumentError('expected "auto" or an integer from 1 to 64');
  return v;
}

export function nonNegativeInt(value: string): number {
  const v = number(value);
  if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return v;
}

export function positiveNumber(value: string): number {
  const v = number(value);
  if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError('expected a positive number');
  return v;
}

export function nonNegativeNumber(value: string): number {
  const v = number(value);
  if (!Number.isFinite(v) || v < 0) throw new InvalidArgumentError('expected a non-negative number');
  return v;
}

/** A fraction in [0, 1): 0 turns the feature off. */
export function fraction(value: string): number {
  const v = number(value);
  if (!Number.isFinite(v) || v < 0 || v >= 1) throw new InvalidArgumentError('expected a number from 0 (none) up to, not including, 1');
  return v;
}

/** An integer seed in [0, 2^32). */
export function seed(value: string): number {
  const v = number(value);
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  return v;
}

/** Hidden layer sizes: `16,8`; `none` (or an empty string) for no hidden layer. */
export function layerList(value: string): number[] {
  if (value.trim() === '' || value.trim().toLowerCase() === 'none') return [];
  return value.split(',').map((part) => {
    const v = number(part);
    if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError('expected comma-separated positive integers, e.g. 16,8 (or "none")');
    return v;
  });
}

export function delimiter(value: string): string {
  try {
    return parseDelimiter(value);
  } catch (error) {
    if (error instanceof CliError) throw new InvalidArgumentError('expected one character other than a quote or a line break (or "tab")');
    throw error;
  }
}

/** How the default delimiter is described in --help. */
export const DELIMITER_DEFAULT = 'a tab for .tsv files, otherwise detected from the header: comma, tab, semicolon or pipe';

/** A --schedule value: its text as given (saved in the training record) and the library's `schedule` option. */
export interface ParsedSchedule {
  text: string;
  spec: ScheduleSpec;
}

const SCHEDULE_FORMS = 'step:EVERY[:GAMMA], exponential:GAMMA, cosine:T[:MIN] or plateau[:FACTOR[:PATIENCE]] (e.g. step:10:0.5), or none';

/**
 * --schedule: `step:every[:gamma]`, `exponential:gamma`, `cosine:T[:min]`, `plateau[:factor[:patience]]`
 * as the library's schedules (src/train/schedule.ts, whose checks and defaults apply), or `none`.
 */
export function scheduleArg(value: string): ParsedSchedule | null {
  const text = value.trim();
  if (text === 'none') return null;
  const [name, ...rest] = text.split(':');
  const fields: Record<string, readonly string[]> = { step: ['every', 'gamma'], exponential: ['gamma'], cosine: ['epochs', 'min'], plateau: ['factor', 'patience'] };
  const keys = fields[name];
  if (keys === undefined) throw new InvalidArgumentError(`expected ${SCHEDULE_FORMS}`);
  const required = name === 'plateau' ? 0 : 1;
  if (rest.length < required || rest.length > keys.length) throw new InvalidArgumentError(`${name} takes ${name === 'plateau' ? 'up to 2 values' : required === keys.length ? '1 value' : `1 or ${keys.length} values`}; expected ${SCHEDULE_FORMS}`);
  const spec: Record<string, unknown> = { name };
  rest.forEach((part, i) => {
    const v = number(part);
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`${name}: ${keys[i]}: expected a number, got ${JSON.stringify(part)}`);
    spec[keys[i]] = v;
  });
  try {
    validateSchedule(spec);
  } catch (error) {
    // the library's message names options.schedule.<field>: here the field is a part of the value
    if (error instanceof OptionsError) throw new InvalidArgumentError(`${name}: ${error.message.replace(/^options\.schedule\.?/, '')}`);
    throw error;
  }
  return { text, spec: spec as unknown as ScheduleSpec };
}
