// How much engine memory a plan needs, checked before anything is allocated.
//
// Both engines hold one arena laid out by plan.ts, addressed by unsigned 32-bit byte offsets: a
// WebAssembly memory (wasm32) holds at most 65536 pages of 64 KiB = 4 GiB, and the TypeScript engine
// follows the same layout, so the same limit applies to both. A plan's size is pure arithmetic on
// the spec and the capacities (computePlan allocates nothing), so every size is known, and refused
// when too large, before a single parameter is initialized or a page is grown:
//   - a spec whose smallest plan (1 row) exceeds the limit is impossible: SpecError MODEL_TOO_LARGE
//     (checkSpecFits, where a model is built or decoded);
//   - a call whose rows do not fit: fit gets EngineError OUT_OF_MEMORY saying how many rows would
//     fit (reservePlan); predict, loss and gradients run in chunks that fit (chunkRows).
import { EngineError, SpecError } from '../errors.js';
import type { CheckedSpec, ValidSpec } from '../spec/types.js';
import { computePlan, type Capacity, type Plan } from './plan.js';

/** 4 GiB: the largest wasm32 memory (65536 pages of 64 KiB), and so the largest arena of either engine. */
export const ENGINE_MEMORY_LIMIT = 2 ** 32;

let limit = ENGINE_MEMORY_LIMIT;

/**
 * @internal Testing hook: checks plans against `bytes` instead of 4 GiB (null restores the real
 * limit), so the limit can be reached without allocating gigabytes. It can only lower the limit:
 * values above ENGINE_MEMORY_LIMIT are refused.
 */
export function setEngineMemoryLimit(bytes: number | null): void {
  if (bytes === null) {
    limit = ENGINE_MEMORY_LIMIT;
    return;
  }
  if (!Number.isInteger(bytes) || bytes <= 0 || bytes > ENGINE_MEMORY_LIMIT) throw new RangeError(`engine memory limit: expected an integer in [1, ${ENGINE_MEMORY_LIMIT}], got ${bytes}`);
  limit = bytes;
}

/** `4.00 GiB (4294967296 bytes)`: rounded for reading, exact for checking. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [[2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${(bytes / size).toFixed(2)} ${unit} (${bytes} bytes)`;
  }
  return `${bytes} bytes`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Whether the plan's last byte is within the limit (offsets count from 0, so the base counts too). */
const fits = (plan: Plan): boolean => plan.end <= limit;

const covers = (plan: Plan, want: Capacity): boolean =>
  plan.batchCapacity >= want.batch && plan.rowCapacity >= want.rows && plan.validationCapacity >= (want.validation ?? 0) &&
  (plan.weighted || !want.weights);

/**
 * Where the spec check places the arena: above the WebAssembly kernels' static data (their heap base,
 * 7 KiB today), so both engines accept and refuse the same specs, and a spec that passes always gets
 * its first plan.
 */
const SPEC_CHECK_BASE = 65536;

/**
 * Refuses a spec whose smallest plan (batch 1, one data row, one thread) is over the limit: such a
 * model could never be created. Called where a model is built or decoded (src/model/factory.ts,
 * src/model/serialize.ts), before any parameter exists. The message names the layer with the most
 * parameters.
 */
export function checkSpecFits(spec: CheckedSpec): void {
  const plan = computePlan({ ...spec, threads: 1 }, { batch: 1, rows: 1 }, SPEC_CHECK_BASE);
  if (fits(plan)) return;
  let largest = spec.layers[0];
  for (const layer of spec.layers) if (layer.units * (layer.inputs + 1) > largest.units * (largest.inputs + 1)) largest = layer;
  const at = `layers[${largest.index}]`;
  const P = spec.paramCount;
  throw new SpecError(
    'MODEL_TOO_LARGE',
    `${at}: the model does not fit in engine memory: its ${P} parameters need ${formatBytes(plan.end)}, over the limit of ${formatBytes(limit)}: ` +
      `each parameter takes 40 bytes (its value, its gradient and the optimizer's state). ${at} alone maps ${largest.inputs} inputs ` +
      `to ${largest.units} units (${largest.units * (largest.inputs + 1)} parameters); at most about ${Math.floor(limit / 40)} parameters fit`,
    { path: at, expected: `a model whose memory fits in ${formatBytes(limit)}`, received: `${P} parameters needing ${formatBytes(plan.end)}` },
  );
}

/** The largest n in [0, max] with test(n) true, for a test that is monotone (true up to some n, false after); 0 when none. */
function largest(max: number, test: (n: number) => boolean): number {
  if (max <= 0 || !test(1)) return 0;
  if (test(max)) return max;
  let lo = 1, hi = max; // test(lo) holds
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (test(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The plan to bind so that `want` fits: `current` when it already holds it; else a plan holding the
 * larger of each capacity (so a later call of the old size need not grow again), or, when that is
 * over the limit, exactly `want`. Throws EngineError OUT_OF_MEMORY, saying how many data rows would
 * fit, when even `want` alone is over the limit. Allocates nothing: the caller binds the result and
 * only then adopts it, so a refused or failed growth leaves the model as it was.
 */
export function reservePlan(spec: ValidSpec, base: number, current: Plan | null, want: Capacity): Plan {
  if (current !== null && covers(current, want)) return current;
  if (current !== null) {
    const grown = computePlan(spec, {
      batch: Math.max(want.batch, current.batchCapacity),
      rows: Math.max(want.rows, current.rowCapacity),
      validation: Math.max(want.validation ?? 0, current.validationCapacity),
      weights: (want.weights ?? false) || current.weighted,
    }, base);
    if (fits(grown)) return grown;
  }
  const exact = computePlan(spec, want, base);
  if (fits(exact)) return exact;
  const V = want.validation ?? 0;
  const rowsFit = largest(want.rows, (n) => fits(computePlan(spec, { ...want, rows: n }, base)));
  const setting = `with batch size ${want.batch}${V > 0 ? ` and ${V} validation rows` : ''}`;
  const advice = rowsFit > 0
    ? `at most ${rowsFit} data rows fit ${setting}`
    : `not even one data row fits ${setting}: use a smaller batch size${V > 0 ? ' or fewer validation rows' : ''}`;
  throw new EngineError(
    'OUT_OF_MEMORY',
    `X: ${plural(want.rows, 'row')} of ${plural(spec.inputs, 'input')} and ${plural(spec.outputs, 'output')} ${setting} need ${formatBytes(exact.end)} of engine memory, ` +
      `over its limit of ${formatBytes(limit)}; ${advice}`,
    { path: 'X', expected: rowsFit > 0 ? `at most ${rowsFit} rows` : `a smaller batch size${V > 0 ? ' or fewer validation rows' : ''}`, received: `${want.rows} rows` },
  );
}

/**
 * Rows per chunk for a call that can be split by rows (predict, loss, gradients): the largest c ≤ want
 * for which batch c and c data rows fit (with the current capacities where possible, see
 * reservePlan): `want` itself when it fits, else rounded down to a multiple of `multiple` when it is
 * at least that. Throws EngineError OUT_OF_MEMORY when not even one row fits.
 */
export function chunkRows(spec: ValidSpec, base: number, current: Plan, want: number, multiple = 1): number {
  const wanted = (c: number): Capacity => ({ batch: c, rows: c });
  const ok = (c: number): boolean => {
    if (covers(current, wanted(c))) return true;
    const grown = computePlan(spec, { batch: Math.max(c, current.batchCapacity), rows: Math.max(c, current.rowCapacity), validation: current.validationCapacity, weights: current.weighted }, base);
    return fits(grown) || fits(computePlan(spec, wanted(c), base));
  };
  const c = largest(want, ok);
  if (c === 0) reservePlan(spec, base, current, wanted(1)); // throws: one row is over the limit
  if (c === want) return want; // one chunk: all rows at once
  return c >= multiple ? c - (c % multiple) : c;
}
