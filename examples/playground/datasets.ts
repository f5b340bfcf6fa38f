// The playground's data: four seeded 2-D generators (the same seed always gives the same points) and
// a CSV reader for pasted or dropped files (last column = label or target, header optional).

export type Generated = 'circle' | 'xor' | 'spiral' | 'gauss';

export interface Dataset {
  /** Rows × inputs, row-major, in a seeded random order (validation = the last rows). */
  X: Float64Array;
  /** Class index 0…classes−1, or the target value for regression. */
  labels: Float64Array;
  rows: number;
  inputs: number;
  task: 'classification' | 'regression';
  /** Number of classes; 0 for regression. */
  classes: number;
  /** Legend names: classes, or the target column for regression. */
  classNames: string[];
  inputNames: string[];
}

/** A small, fast, seeded generator (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm finite
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function uniform(random: () => number, a: number, b: number): number {
  return a + (b - a) * random();
}

/** Shuffles rows (and their labels) in place, seeded: validation takes the last rows, so they must be a random sample. */
export function shuffleRows(X: Float64Array, labels: Float64Array, inputs: number, random: () => number): void {
  const rows = labels.length;
  const tmp = new Float64Array(inputs);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    tmp.set(X.subarray(i * inputs, i * inputs + inputs));
    X.copyWithin(i * inputs, j * inputs, j * inputs + inputs);
    X.set(tmp, j * inputs);
    const l = labels[i];
    labels[i] = labels[j];
    labels[j] = l;
  }
}

export interface GenerateOptions {
  points: number;
  /** 0 … 0.5 */
  noise: number;
  /** Gaussian clusters only: 2 … 6. */
  clusters: number;
  seed: number;
}

/**
 * Points in about [−1, 1]², as in TensorFlow Playground (scaled from its [−6, 6]). Classes are
 * balanced; the rows come out in a seeded random order.
 */
export function generate(kind: Generated, { points, noise, clusters, seed }: GenerateOptions): Dataset {
  const random = seededRandom(seed);
  const xs: number[] = [];
  const labels: number[] = [];
  const add = (x: number, y: number, label: number): void => {
    xs.push(x, y);
    labels.push(label);
  };
  let classes = 2;
  if (kind === 'circle') {
    // class 1 inside radius 0.5, class 0 on the ring 0.7 … 1; noise shifts points by up to noise × 1
    const radius = 1;
    for (let i = 0; i < points; i++) {
      const inner = i < points / 2;
      const r = inner ? uniform(random, 0, radius * 0.5) : uniform(random, radius * 0.7, radius);
      const angle = uniform(random, 0, 2 * Math.PI);
      const x = r * Math.sin(angle) + uniform(random, -radius, radius) * noise;
      const y = r * Math.cos(angle) + uniform(random, -radius, radius) * noise;
      add(x, y, inner ? 1 : 0);
    }
  } else if (kind === 'xor') {
    // the label of the noise-free point: same signs = class 1; a small margin keeps the quadrants apart
    const padding = 0.05;
    for (let i = 0; i < points; i++) {
      let x = uniform(random, -1, 1);
      let y = uniform(random, -1, 1);
      x += x > 0 ? padding : -padding;
      y += y > 0 ? padding : -padding;
      const label = x * y >= 0 ? 1 : 0;
      add(x + uniform(random, -1, 1) * noise, y + uniform(random, -1, 1) * noise, label);
    }
  } else if (kind === 'spiral') {
    const half = Math.floor(points / 2);
    for (const [delta, label] of [[0, 1], [Math.PI, 0]] as const) {
      const n = label === 1 ? half : points - half;
      for (let i = 0; i < n; i++) {
        const r = (i / n) * 1.0;
        const t = ((1.75 * i) / n) * 2 * Math.PI + delta;
        add(r * Math.sin(t) + uniform(random, -1, 1) * noise * 0.6, r * Math.cos(t) + uniform(random, -1, 1) * noise * 0.6, label);
      }
    }
  } else {
    // `clusters` Gaussian blobs with centres evenly spaced on a circle (turned by a seeded angle)
    classes = clusters;
    const turn = uniform(random, 0, 2 * Math.PI);
    const spread = 0.12 + noise * 0.6;
    for (let i = 0; i < points; i++) {
      const label = i % clusters;
      const angle = turn + (2 * Math.PI * label) / clusters;
      const cx = 0.55 * Math.cos(angle);
      const cy = 0.55 * Math.sin(angle);
      add(cx + normal(random) * spread, cy + normal(random) * spread, label);
    }
  }
  const X = Float64Array.from(xs);
  const y = Float64Array.from(labels);
  shuffleRows(X, y, 2, random);
  const classNames = classes === 2 ? ['class 0', 'class 1'] : Array.from({ length: classes }, (_, k) => `class ${k}`);
  return { X, labels: y, rows: y.length, inputs: 2, task: 'classification', classes, classNames, inputNames: ['x₁', 'x₂'] };
}

/** A CSV problem, with where it is (1-based line of the text and column). */
export class CsvError extends Error {
  constructor(message: string, readonly line?: number, readonly column?: number) {
    super(message);
    this.name = 'CsvError';
  }
}

/** Most rows a pasted CSV may have (the page must stay quick). */
export const CSV_MAX_ROWS = 20000;
/** Up to this many distinct integer labels count as classes; more make it a regression. */
export const CSV_MAX_CLASSES = 10;

function isNumber(cell: string): boolean {
  const text = cell.trim();
  return text !== '' && Number.isFinite(Number(text));
}

function unquote(cell: string): string {
  const text = cell.trim();
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text;
}

function splitter(line: string): (line: string) => string[] {
  if (line.includes('\t')) return (l) => l.split('\t');
  if (line.includes(';') && !line.includes(',')) return (l) => l.split(';');
  if (line.includes(',')) return (l) => l.split(',');
  return (l) => l.trim().split(/\s+/);
}

/**
 * Reads CSV text: comma, semicolon, tab or space separated; `#` comment lines and blank lines are
 * skipped. The first row is a header when none of its cells is a number. The last column is the
 * label: numbers with at most 10 distinct integer values, or any text, make classes; other numbers
 * make a regression target. Every other cell must be a number: the error names its line and column.
 * Rows are shuffled with `seed` (validation takes the last rows).
 */
export function parseCsv(text: string, seed: number): Dataset {
  const lines = text.split(/\r\n|\n|\r/);
  const rows: { line: number; cells: string[] }[] = [];
  let split: ((line: string) => string[]) | null = null;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    split ??= splitter(line);
    rows.push({ line: index + 1, cells: split(line).map(unquote) });
  });
  if (rows.length === 0) throw new CsvError('Paste CSV data: one row per line, the label in the last column.');
  let names: string[] | null = null;
  if (rows[0].cells.every((cell) => !isNumber(cell))) names = rows.shift()!.cells;
  const width = names?.length ?? rows[0]?.cells.length ?? 0;
  if (width < 2) {
    throw new CsvError(`Line ${names ? 1 : rows[0].line} has ${width} column: need at least one input column and the label column.`, names ? 1 : rows[0].line);
  }
  if (rows.length < 4) throw new CsvError(`Only ${rows.length} data row${rows.length === 1 ? '' : 's'}: need at least 4.`);
  if (rows.length > CSV_MAX_ROWS) throw new CsvError(`${rows.length} rows: the playground takes at most ${CSV_MAX_ROWS}.`);
  const inputs = width - 1;
  const columnName = (c: number): string => (names ? ` (“${names[c]}”)` : '');
  const X = new Float64Array(rows.length * inputs);
  for (let r = 0; r < rows.length; r++) {
    const { line, cells } = rows[r];
    if (cells.length !== width) {
      throw new CsvError(`Row ${line} has ${cells.length} column${cells.length === 1 ? '' : 's'}; expected ${width} like ${names ? 'the header' : `row ${rows[0].line}`}.`, line);
    }
    for (let c = 0; c < inputs; c++) {
      if (!isNumber(cells[c])) {
        const shown = cells[c] === '' ? 'is empty' : `“${cells[c]}” is not a number`;
        throw new CsvError(`Row ${line}, column ${c + 1}${columnName(c)}: ${shown}.`, line, c + 1);
      }
      X[r * inputs + c] = Number(cells[c]);
    }
  }
  const labelCells = rows.map((row) => row.cells[inputs]);
  const numeric = isNumber(labelCells[0]);
  let labels: Float64Array;
  let task: Dataset['task'] = 'classification';
  let classNames: string[];
  if (numeric) {
    labels = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      if (!isNumber(labelCells[r])) {
        const shown = labelCells[r] === '' ? 'is empty' : `“${labelCells[r]}” is not a number`;
        throw new CsvError(`Row ${rows[r].line}, column ${width}${columnName(inputs)}: ${shown} (the labels above it are numbers).`, rows[r].line, width);
      }
      labels[r] = Number(labelCells[r]);
    }
    const distinct = [...new Set(labels)].sort((a, b) => a - b);
    if (distinct.length <= CSV_MAX_CLASSES && distinct.every(Number.isInteger)) {
      const index = new Map(distinct.map((value, k) => [value, k]));
      labels = labels.map((value) => index.get(value)!);
      classNames = distinct.map(String);
    } else {
      task = 'regression';
      classNames = [names?.[inputs] ?? 'target'];
    }
  } else {
    classNames = [...new Set(labelCells)];
    if (classNames.length > CSV_MAX_CLASSES) {
      throw new CsvError(`The label column (column ${width}) has ${classNames.length} different names: the playground takes at most ${CSV_MAX_CLASSES} classes.`, undefined, width);
    }
    const index = new Map(classNames.map((name, k) => [name, k]));
    labels = Float64Array.from(labelCells, (cell) => index.get(cell)!);
  }
  if (task === 'classification' && classNames.length < 2) {
    throw new CsvError(`The label column (column ${width}) has one value only (“${classNames[0]}”): need at least two classes.`, undefined, width);
  }
  shuffleRows(X, labels, inputs, seededRandom(seed ^ 0x9e3779b9));
  return {
    X,
    labels,
    rows: rows.length,
    inputs,
    task,
    classes: task === 'classification' ? classNames.length : 0,
    classNames,
    inputNames: names ? names.slice(0, inputs) : Array.from({ length: inputs }, (_, i) => `x${subscript(i + 1)}`),
  };
}

function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[Number(d)]);
}

/** A CSV to start from: two interleaved half moons with a header. */
export function sampleCsv(): string {
  const random = seededRandom(7);
  const lines = ['x1,x2,label'];
  for (let i = 0; i < 160; i++) {
    const label = i % 2;
    const t = Math.PI * random();
    const x = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const y = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    lines.push(`${(x + (random() - 0.5) * 0.2).toFixed(3)},${(y + (random() - 0.5) * 0.2).toFixed(3)},${label}`);
  }
  return lines.join('\n');
}

/** The box the heat map shows: the data's extent with a margin, at least [−1, 1]² for generated sets. */
export function extent(data: Dataset, generated: boolean): { xMin: number; xMax: number; yMin: number; yMax: number } {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (let r = 0; r < data.rows; r++) {
    const x = data.X[r * data.inputs];
    const y = data.X[r * data.inputs + 1];
    xMin = Math.min(xMin, x);
    xMax = Math.max(xMax, x);
    yMin = Math.min(yMin, y);
    yMax = Math.max(yMax, y);
  }
  if (generated) {
    const m = Math.max(1.1, Math.abs(xMin), Math.abs(xMax), Math.abs(yMin), Math.abs(yMax)) * 1.04;
    return { xMin: -m, xMax: m, yMin: -m, yMax: m };
  }
  const pad = (lo: number, hi: number): [number, number] => {
    const span = hi - lo || 1;
    return [lo - span * 0.06, hi + span * 0.06];
  };
  [xMin, xMax] = pad(xMin, xMax);
  [yMin, yMax] = pad(yMin, yMax);
  return { xMin, xMax, yMin, yMax };
}
