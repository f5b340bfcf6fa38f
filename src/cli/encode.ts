// From CSV columns to the model's numbers and back: which columns are inputs and targets, the
// order of class labels, one-hot targets, the predicted class, and a seeded shuffle of rows.
import { nextBelow, seedState } from '../layout/rng.js';
import { CliError } from './errors.js';

/** A comma-separated list of column names (`a,b`), trimmed, without empty entries. */
export function parseList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** A list of column names given to `option`: each at most once. */
export function parseColumnList(value: string, option: string): string[] {
  const names = parseList(value);
  const seen = new Set<string>();
  const twice = names.find((name) => seen.size === seen.add(name).size);
  if (twice !== undefined) {
    throw new CliError('DUPLICATE_NAME', `${option} ${value}: names the column ${JSON.stringify(twice)} twice; give each column once`);
  }
  return names;
}

/** Names, quoted, as a message lists them: the first 50 of a longer list, then how many more. */
export function listColumns(header: readonly string[], limit = 50): string {
  const shown = header.slice(0, limit).map((h) => JSON.stringify(h)).join(', ');
  return header.length <= limit ? shown : `${shown}, … (${header.length - limit} more)`;
}

/**
 * Indexes of `names` in the header; a missing one is an error that lists the available columns.
 * Looked up in a map of the header: a file of 100,000 columns is matched in linear time.
 */
export function findColumns(file: string, header: readonly string[], names: readonly string[], what: string, line = 1): number[] {
  const index = new Map<string, number>();
  // the first of two equal names, as indexOf finds it (readCsv refuses a header with one twice)
  for (let i = header.length - 1; i >= 0; i--) index.set(header[i], i);
  return names.map((name) => {
    const i = index.get(name);
    if (i === undefined) {
      throw new CliError('MISSING_COLUMN', `${file}: no column ${JSON.stringify(name)} (${what}); the header (line ${line}) has ${listColumns(header)}`, { file, line, column: name });
    }
    return i;
  });
}

/** Training columns: the targets, and every other column not ignored as an input. */
export function trainingColumns(file: string, header: readonly string[], targets: readonly string[], ignore: readonly string[], line = 1): { inputs: number[]; targets: number[] } {
  const t = findColumns(file, header, targets, 'given in --target', line);
  const ignored = findColumns(file, header, ignore, 'given in --ignore', line);
  const taken = new Set([...t, ...ignored]);
  const inputs = header.map((_, i) => i).filter((i) => !taken.has(i));
  if (inputs.length === 0) {
    throw new CliError('NO_INPUTS', `${file}: no input columns left (all of ${listColumns(header)} are targets or ignored)`, { file, line });
  }
  return { inputs, targets: t };
}

/**
 * The stable order of class labels: numerically when every label is a number ("2" before "10"),
 * otherwise by UTF-16 code units (locale-independent, so the same on every machine). The order of
 * rows in the file does not matter. Returns the labels and, for each first-appearance code, its new code.
 */
export function orderLabels(labels: readonly string[]): { labels: string[]; remap: Int32Array } {
  const numeric = labels.every((l) => l.trim() !== '' && Number.isFinite(Number(l)));
  const sorted = [...labels].sort((a, b) => (numeric ? Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0) : a < b ? -1 : a > b ? 1 : 0));
  const position = new Map(sorted.map((l, i) => [l, i]));
  return { labels: sorted, remap: Int32Array.from(labels, (l) => position.get(l)!) };
}

/** Rewrites codes in place through `remap`. */
export function remapCodes(codes: Int32Array, remap: Int32Array): void {
  for (let i = 0; i < codes.length; i++) codes[i] = remap[codes[i]];
}

/** One row of `classes` values per code: 1 at the code, 0 elsewhere. */
export function oneHot(codes: Int32Array, classes: number): Float64Array {
  const out = new Float64Array(codes.length * classes);
  for (let r = 0; r < codes.length; r++) out[r * classes + codes[r]] = 1;
  return out;
}

/** The column of the largest value of each row (the first on a tie). */
export function argmaxRows(data: Float64Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[r * cols + c] > data[r * cols + best]) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * Shuffles the rows of several row-major arrays in place with one seeded permutation (Fisher–Yates,
 * row swaps through a one-row buffer): CSV files are often sorted by class, and the validation rows
 * are the last ones, so they must be a random sample. No copy of the data is made.
 */
export function shuffleRows(seed: number, rows: number, arrays: { data: Float64Array; width: number }[]): void {
  const state = seedState(seed ^ 0x9e3779b9);
  const buffers = arrays.map((a) => new Float64Array(a.width));
  for (let i = rows - 1; i > 0; i--) {
    const j = nextBelow(state, i + 1);
    if (j === i) continue;
    arrays.forEach(({ data, width }, k) => {
      const tmp = buffers[k];
      tmp.set(data.subarray(i * width, (i + 1) * width));
      data.copyWithin(i * width, j * width, (j + 1) * width);
      data.set(tmp, j * width);
    });
  }
}
