// Loads the reference cases (test/fixtures/reference: the texts' worked examples, recomputed by an
// independent float64 oracle; its README says where each number comes from) and
// turns them into model specs; compares results with the tolerance rule the cases define.
/// <reference types="vite/client" />
import { expect } from 'vitest';
import type { Activation, EngineKind, LayerParams, Loss, ModelSpec } from '../../src/index.js';


// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

// Bundled by Vite's glob import, so the same loader works in Node and in the browser suite (no fs there).
const FILES: Record<string, Json> = import.meta.glob('../fixtures/reference/*.json', { eager: true, import: 'default' });

export function loadReference(name: string): Json {
  const file = FILES[`../fixtures/reference/${name}.json`];
  if (file === undefined) throw new Error(`reference case ${name} not found in test/fixtures/reference (have: ${Object.keys(FILES).join(', ')})`);
  // a deep copy: callers may edit what they get
  return structuredClone(file);
}

export interface NetworkCase {
  name: string;
  spec: ModelSpec;
  X: number[][];
  Y: number[][];
  raw: Json;
}

/** The network cases of a reference file, as model specs with their explicit parameters. */
export function networkCases(file: string, engine: EngineKind): NetworkCase[] {
  const ref = loadReference(file);
  return ref.cases.map((c: Json) => {
    const shapes: { in: number; out: number; activation: Activation }[] =
      c.layers ?? c.activations.map((activation: Activation, l: number) => ({ in: c.sizes[l], out: c.sizes[l + 1], activation }));
    const spec: ModelSpec = {
      inputs: shapes[0].in,
      layers: shapes.map((s) => ({
        units: s.out,
        activation: s.activation,
        ...(s.activation === 'leaky_relu' ? { slope: c.leaky_slope ?? 0.01 } : {}),
      })),
      loss: c.loss as Loss,
      params: c.params as LayerParams[],
      engine,
    };
    return { name: `${ref.id}: ${c.name}`, spec, X: c.X, Y: c.Y, raw: c };
  });
}

/** Flattens nested arrays of numbers, and `{ W, b }` records as W then b. */
export function flat(value: Json): number[] {
  if (Array.isArray(value)) return value.flatMap(flat);
  if (value !== null && typeof value === 'object' && 'W' in value) return [...flat(value.W), ...flat(value.b)];
  return [value as number];
}

/**
 * Element-wise agreement to `rel` relative, an element's scale being max(|oracle|, 1e-6 × the
 * largest |value| in the same array).
 */
export function expectClose(actual: Json, oracle: Json, rel: number, what: string): void {
  const a = flat(actual);
  const o = flat(oracle);
  expect(a.length, `${what}: length`).toBe(o.length);
  const largest = o.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (let i = 0; i < o.length; i++) {
    const scale = Math.max(Math.abs(o[i]), 1e-6 * largest);
    const err = Math.abs(a[i] - o[i]);
    if (!(err <= rel * scale)) {
      expect.fail(`${what}[${i}]: got ${a[i]}, oracle ${o[i]}, relative error ${err / scale} > ${rel}`);
    }
  }
}

/** Reads `oracle.trajectory[1].params[1].b[0]` style paths. */
export function getPath(root: Json, path: string): Json {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  return parts.reduce((node: Json, key) => (node === undefined ? undefined : node[/^\d+$/.test(key) ? Number(key) : key]), root);
}

/** Digits after the decimal point and the power of ten of a printed number ("5.5090e-04" → unit 1e-8). */
function printedUnit(stated: string): number {
  const [mantissa, exponent] = stated.toLowerCase().split('e');
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  return 10 ** (Number(exponent ?? 0) - decimals);
}

/** Whether `value` shown with the stated number's digits gives the stated number, by rounding. */
export function roundsTo(value: number, stated: string): boolean {
  return Math.abs(value - Number(stated)) <= printedUnit(stated) / 2 * (1 + 1e-12);
}

/** Whether truncating `value` to the stated number's digits gives the stated number. */
export function truncatesTo(value: number, stated: string): boolean {
  const unit = printedUnit(stated);
  return Math.trunc(value / unit + Math.sign(value) * 1e-9) === Math.round(Number(stated) / unit);
}

/** Asserts one `stated` entry against our value for its path. */
export function expectStated(ours: number, entry: Json, what: string): void {
  const label = `${what}: ${entry.what ?? entry.path} stated ${entry.stated} (${entry.match}), ours ${ours}`;
  expect(Math.abs(ours - entry.exact), `${label}: ours vs exact`).toBeLessThanOrEqual(1e-10 * Math.max(Math.abs(entry.exact), 1e-300));
  switch (entry.match) {
    case 'rounds':
      expect(roundsTo(ours, entry.stated), label).toBe(true);
      break;
    case 'truncates':
      expect(truncatesTo(ours, entry.stated), label).toBe(true);
      expect(roundsTo(ours, entry.stated), `${label}: should not also round`).toBe(false);
      break;
    case 'differs':
      expect(roundsTo(ours, entry.stated), label).toBe(false);
      break;
    default:
      expect.fail(`${label}: unknown match rule`);
  }
}
