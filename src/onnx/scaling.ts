// The scalers of src/data/normalize.ts as chains of elementwise ONNX operations, both ways:
// toONNX writes a scaler as its steps, loadONNX reads steps back into a scaler. The steps repeat
// normalize.ts's arithmetic in its order, so ONNX gives the same bits as Scaler.transform/inverse:
//   inputs   standardize    (x − mean) / std                       [Sub, Div]
//            minMax [0, 1]  (x − min) / (max − min)                 [Sub, Div]
//            minMax [−1, 1] (2 (x − min)) / (max − min) − 1         [Sub, Mul 2, Div, Sub 1]
//            then, if a column is constant (std = 0, max = min):    Where(constant column, middle, ·)
//                                  (middle: 0.5 for minMax [0, 1], else 0; its divisor is written as 1)
//   targets  standardize    mean + v·std                            [Mul, Add]
//            minMax [0, 1]  min + v·(max − min)                     [Mul, Add]
//            minMax [−1, 1] min + ((v + 1) / 2)·(max − min)         [Add 1, Div 2, Mul, Add]
// A column whose differences could overflow (normalize.ts's prescale k = 1/2 or 1/4, e.g. a range from
// −1e308 to 1e308) is computed as normalize.ts computes it, on k x: the inputs then start with
// Mul k (per column, 1 for the other columns) and subtract k·a and divide by k's spread, the targets
// end with Div k, so the graph gives predict's finite values. Scalers without such a column are
// written as above, unchanged.
// Reading also accepts what other tools write for (x − a)/b and a + v·b: Add c for Sub −c, Sub c
// for Add −c, and Mul/Div by a power of two for Div/Mul by its reciprocal (each exactly the same
// operation in IEEE arithmetic), and maps them to `standardize`.
import { prescale, type ScalerJSON } from '../data/normalize.js';
import type { NodeProto } from './proto.js';

export type Op = 'Sub' | 'Add' | 'Mul' | 'Div';

export type Step =
  | { op: Op; values: number[]; /** one value for every column: written as a shared scalar */ scalar: boolean; name: string }
  | { op: 'Where'; mask: boolean[]; value: number; name: string };

/** A step as read from a graph: per-column values (broadcast), and the node that holds it. */
export type ReadStep =
  | { op: Op; values: Float64Array; node: NodeProto }
  | { op: 'Where'; mask: boolean[]; values: Float64Array; node: NodeProto };

/**
 * The most steps a scaler is written as (inputSteps, outputSteps): Mul k, Sub, Mul 2, Div, Sub 1,
 * Where before the network; Add 1, Div 2, Mul, Add, Div k after it. A longer chain is no scaler.
 */
export const MAX_SCALER_STEPS = { input: 6, output: 5 } as const;

const filled = (n: number, v: number): number[] => new Array<number>(n).fill(v);

function symmetric(s: ScalerJSON): boolean {
  return s.kind === 'minMax' && s.range !== undefined && s.range[0] === -1;
}

/** Per column: normalize.ts's prescale k, k·a and k's spread (k·std, or k·max − k·min); k = 1 gives a and its spread. */
function prescaled(s: ScalerJSON, columns: number): { k: number[]; lo: number[]; spread: number[]; constant: boolean[] } {
  const a = s.a.slice(0, columns), b = s.b.slice(0, columns);
  const k = a.map((l, c) => prescale(s.kind, s.range, l, b[c]));
  return {
    k,
    lo: a.map((l, c) => k[c] * l),
    spread: a.map((l, c) => (s.kind === 'standardize' ? k[c] * b[c] : k[c] * b[c] - k[c] * l)),
    constant: a.map((l, c) => (s.kind === 'standardize' ? b[c] === 0 : b[c] === l)),
  };
}

export function inputSteps(s: ScalerJSON, columns: number): Step[] {
  const { k, lo, spread, constant } = prescaled(s, columns);
  const divisor = spread.map((d, c) => (constant[c] ? 1 : d));
  const standard = s.kind === 'standardize';
  const steps: Step[] = [];
  if (k.some((v) => v !== 1)) steps.push({ op: 'Mul', values: k, scalar: false, name: 'prescale' });
  steps.push({ op: 'Sub', values: lo, scalar: false, name: standard ? 'mean' : 'min' });
  if (symmetric(s)) steps.push({ op: 'Mul', values: filled(columns, 2), scalar: true, name: 'two' });
  steps.push({ op: 'Div', values: divisor, scalar: false, name: standard ? 'std' : 'spread' });
  if (symmetric(s)) steps.push({ op: 'Sub', values: filled(columns, 1), scalar: true, name: 'one' });
  if (constant.includes(true)) steps.push({ op: 'Where', mask: constant, value: s.kind === 'minMax' && !symmetric(s) ? 0.5 : 0, name: 'constant_column' });
  return steps;
}

export function outputSteps(s: ScalerJSON, columns: number): Step[] {
  const { k, lo, spread } = prescaled(s, columns);
  const standard = s.kind === 'standardize';
  const steps: Step[] = [];
  if (symmetric(s)) {
    steps.push({ op: 'Add', values: filled(columns, 1), scalar: true, name: 'one' });
    steps.push({ op: 'Div', values: filled(columns, 2), scalar: true, name: 'two' });
  }
  steps.push({ op: 'Mul', values: spread, scalar: false, name: standard ? 'std' : 'spread' });
  steps.push({ op: 'Add', values: lo, scalar: false, name: standard ? 'mean' : 'min' });
  if (k.some((v) => v !== 1)) steps.push({ op: 'Div', values: k, scalar: false, name: 'prescale' });
  return steps;
}

/** Do the graph's steps compute exactly what `expected` writes (bit for bit, the divisor of a constant column aside)? */
function sameSteps(read: ReadStep[], expected: Step[]): boolean {
  if (read.length !== expected.length) return false;
  const where = expected.find((e) => e.op === 'Where');
  const masked = where?.op === 'Where' ? where.mask : null;
  return read.every((r, i) => {
    const e = expected[i];
    if (r.op !== e.op) return false;
    if (r.op === 'Where' && e.op === 'Where') return r.mask.every((m, c) => m === e.mask[c] && (!m || Object.is(r.values[c], e.value)));
    if (r.op === 'Where' || e.op === 'Where') return false;
    return Array.from(r.values).every((v, c) => (r.op === 'Div' && masked?.[c]) || Object.is(v, e.values[c]));
  });
}

/** ±2^n with 1/k a normal number too: then x·k and x/(1/k) are the same operation, bit for bit. */
function isPowerOfTwo(k: number): boolean {
  const normalPower = (x: number): boolean => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    const bits = view.getBigUint64(0);
    const exponent = (bits >> 52n) & 0x7ffn;
    return exponent !== 0n && exponent !== 0x7ffn && (bits & 0xfffffffffffffn) === 0n;
  };
  return normalPower(k) && normalPower(1 / k);
}

const nextUp = (x: number, dir: 1 | -1): number => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const bits = b.getBigUint64(0);
  if (x === 0) return dir * Number.MIN_VALUE;
  const up = (x > 0) === (dir > 0);
  b.setBigUint64(0, up ? bits + 1n : bits - 1n);
  return b.getFloat64(0);
};

/** A max with fl(max − min) = spread, so minMax divides by exactly the graph's spread; null if none is near min + spread. */
function recoverMax(lo: number, spread: number): number | null {
  const guess = lo + spread;
  const tries = [guess];
  for (let k = 0, up = guess, down = guess; k < 4; k++) {
    up = nextUp(up, 1);
    down = nextUp(down, -1);
    tries.push(up, down);
  }
  return tries.find((h) => Number.isFinite(h) && h - lo === spread) ?? null;
}

const finiteAll = (v: Float64Array): boolean => v.every(Number.isFinite);

/** A scaler whose transform computes the graph's input steps exactly, or a reason why there is none. */
export function inputScaler(read: ReadStep[], columns: number, saved: ScalerJSON | undefined): ScalerJSON | string {
  if (saved !== undefined && saved.a?.length === columns && sameSteps(read, inputSteps(saved, columns))) return saved;
  const ops = read.map((r) => r.op).join(',');
  const where = read[read.length - 1]?.op === 'Where' ? (read[read.length - 1] as Extract<ReadStep, { op: 'Where' }>) : null;
  const mask = where?.mask ?? filled(columns, 0).map(() => false);
  const middle = where ? where.values.find((_, c) => where.mask[c]) : undefined;
  if (where && !where.mask.every((m, c) => !m || Object.is(where.values[c], middle))) return 'the constant columns get different values';
  const body = where ? read.slice(0, -1) : read;
  const bodyOps = body.map((r) => r.op).join(',');
  const v = (i: number) => (body[i] as Extract<ReadStep, { op: Op }>).values;
  const all = (x: Float64Array, want: number) => x.every((y) => y === want);
  if (bodyOps === 'Sub,Mul,Div,Sub' && all(v(1), 2) && all(v(3), 1) && (!where || middle === 0)) {
    const lo = Array.from(v(0)), hi: number[] = [];
    for (let c = 0; c < columns; c++) {
      const h = mask[c] ? lo[c] : recoverMax(lo[c], v(2)[c]);
      if (h === null || !(h > lo[c] || mask[c])) return `column ${c}: no maximum gives the spread ${v(2)[c]}`;
      hi.push(h);
    }
    return { kind: 'minMax', range: [-1, 1], a: lo, b: hi };
  }
  if (bodyOps === 'Sub,Div' && where && middle === 0.5) {
    const lo = Array.from(v(0)), hi: number[] = [];
    for (let c = 0; c < columns; c++) {
      const h = mask[c] ? lo[c] : recoverMax(lo[c], v(1)[c]);
      if (h === null || !(h > lo[c] || mask[c])) return `column ${c}: no maximum gives the spread ${v(1)[c]}`;
      hi.push(h);
    }
    return { kind: 'minMax', range: [0, 1], a: lo, b: hi };
  }
  if (where && middle !== 0) return `constant columns set to ${middle} after ${bodyOps}`;
  // (x − a) / d, each step optional, as written by anyone
  let mean: Float64Array | null = null, std: Float64Array | null = null;
  let i = 0;
  if (body[i]?.op === 'Sub') mean = v(i++);
  else if (body[i]?.op === 'Add') mean = v(i++).map((x) => -x);
  if (body[i]?.op === 'Div') std = v(i++);
  else if (body[i]?.op === 'Mul') {
    const k = v(i++);
    if (!k.every(isPowerOfTwo)) return `x·k with k = ${Array.from(k).find((x) => !isPowerOfTwo(x))} is not (x − mean)/std exactly (only a power of two k is)`;
    std = k.map((x) => 1 / x);
  }
  if (i !== body.length || i === 0) return `the steps ${ops} are not a scaler's form ((x − mean)/std or minMax)`;
  const a = mean ?? new Float64Array(columns), b = std ?? new Float64Array(columns).fill(1);
  if (!finiteAll(a) || !finiteAll(b)) return 'a scaling constant is not finite';
  for (let c = 0; c < columns; c++) {
    if (b[c] === 0 && !mask[c]) return `column ${c} is divided by 0`;
    if (mask[c]) b[c] = 0;
  }
  return { kind: 'standardize', a: Array.from(a), b: Array.from(b) };
}

/** A scaler whose inverse computes the graph's output steps exactly, or a reason why there is none. */
export function outputScaler(read: ReadStep[], columns: number, saved: ScalerJSON | undefined): ScalerJSON | string {
  if (saved !== undefined && saved.a?.length === columns && sameSteps(read, outputSteps(saved, columns))) return saved;
  if (read.some((r) => r.op === 'Where')) return 'Where is not part of a target scaler';
  const ops = read.map((r) => r.op).join(',');
  const v = (i: number) => (read[i] as Extract<ReadStep, { op: Op }>).values;
  if (ops === 'Add,Div,Mul,Add' && v(0).every((x) => x === 1) && v(1).every((x) => x === 2)) {
    const lo = Array.from(v(3)), hi: number[] = [];
    for (let c = 0; c < columns; c++) {
      const spread = v(2)[c];
      const h = spread === 0 ? lo[c] : recoverMax(lo[c], spread);
      if (h === null || h < lo[c]) return `column ${c}: no maximum gives the spread ${spread}`;
      hi.push(h);
    }
    return { kind: 'minMax', range: [-1, 1], a: lo, b: hi };
  }
  // mean + v·std, each step optional
  let mean: Float64Array | null = null, std: Float64Array | null = null;
  let i = 0;
  if (read[i]?.op === 'Mul') std = v(i++);
  else if (read[i]?.op === 'Div') {
    const k = v(i++);
    if (!k.every(isPowerOfTwo)) return `v/k with k = ${Array.from(k).find((x) => !isPowerOfTwo(x))} is not mean + v·std exactly (only a power of two k is)`;
    std = k.map((x) => 1 / x);
  }
  if (read[i]?.op === 'Add') mean = v(i++);
  else if (read[i]?.op === 'Sub') mean = v(i++).map((x) => -x);
  if (i !== read.length || i === 0) return `the steps ${ops} are not a scaler's inverse (mean + v·std or minMax)`;
  const a = mean ?? new Float64Array(columns), b = std ?? new Float64Array(columns).fill(1);
  if (!finiteAll(a) || !finiteAll(b)) return 'a scaling constant is not finite';
  return { kind: 'standardize', a: Array.from(a), b: Array.from(b) };
}
