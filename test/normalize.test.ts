// Min-max scaling against the text's worked example (decola-normalization), both ranges, its
// printed numbers by their match rules, the exact inverse, standardize, and constant columns.
import { describe, expect, it } from 'vitest';
import { Scaler } from '../src/data/normalize.js';
import { expectStated, loadReference } from './helpers/reference.js';

const ref = loadReference('decola-normalization');
const names = Object.keys(ref.columns) as string[];
const rows = ref.columns[names[0]].data.length;
const data = new Float64Array(rows * names.length);
names.forEach((name, c) => ref.columns[name].data.forEach((v: number, r: number) => (data[r * names.length + c] = v)));
const column = (packed: Float64Array, c: number): number[] => Array.from({ length: rows }, (_, r) => packed[r * names.length + c]);

describe('min-max normalization (decola-normalization)', () => {
  for (const [range, key, statedKey] of [[[0, 1], 'to_0_1', 'stated_0_1'], [[-1, 1], 'to_minus1_1', 'stated_minus1_1']] as const) {
    it(`to [${range}] matches the exact values, the printed numbers and inverts`, () => {
      const scaler = Scaler.fit(data, rows, names.length, 'minMax', range);
      const scaled = scaler.transform(data);
      names.forEach((name, c) => {
        const col = ref.columns[name];
        column(scaled, c).forEach((v, r) => expect(Math.abs(v - col[key][r]), `${name}[${r}]`).toBeLessThanOrEqual(4e-16));
        (col[statedKey] ?? []).forEach((entry: { stated: string; exact: number; match: string }, r: number) =>
          expectStated(column(scaled, c)[r], { ...entry, what: `${name}[${r}] to [${range}]` }, 'decola-normalization'),
        );
      });
      const back = scaler.inverse(scaled);
      back.forEach((v, i) => expect(Math.abs(v - data[i])).toBeLessThanOrEqual(1e-13 * Math.abs(data[i])));
    });
  }

  it("the text's example (65 − 25)/(70 − 25)", () => {
    const scaler = Scaler.fit(data, rows, names.length);
    const i0 = names.indexOf('I0');
    const v = scaler.transform(Float64Array.from(names.map((n) => (n === 'I0' ? 65 : ref.columns[n].data[0]))))[i0];
    expectStated(v, ref.stated_example, 'decola-normalization');
  });
});

describe('scalers', () => {
  it('standardize gives mean 0 and population std 1, and inverts', () => {
    const x = Float64Array.of(1, 10, 2, 20, 3, 30, 4, 40);
    const scaler = Scaler.fit(x, 4, 2, 'standardize');
    const s = scaler.transform(x);
    const mean = (c: number) => (s[c] + s[2 + c] + s[4 + c] + s[6 + c]) / 4;
    const meanSquare = (c: number) => (s[c] ** 2 + s[2 + c] ** 2 + s[4 + c] ** 2 + s[6 + c] ** 2) / 4;
    for (const c of [0, 1]) {
      expect(Math.abs(mean(c))).toBeLessThan(1e-15);
      expect(meanSquare(c)).toBeCloseTo(1, 14);
    }
    // column 0 is 1..4: mean 2.5, population std sqrt(1.25)
    expect(s[0]).toBeCloseTo(-1.5 / Math.sqrt(1.25), 15);
    scaler.inverse(s).forEach((v, i) => expect(v).toBeCloseTo(x[i], 12));
  });

  it('a constant column maps to the middle of the range without dividing by zero, and back', () => {
    const x = Float64Array.of(7, 1, 7, 2, 7, 3);
    for (const [kind, range, middle] of [['minMax', [0, 1], 0.5], ['minMax', [-1, 1], 0], ['standardize', [0, 1], 0]] as const) {
      const scaler = Scaler.fit(x, 3, 2, kind, range);
      const s = scaler.transform(x);
      expect([s[0], s[2], s[4]]).toEqual([middle, middle, middle]);
      expect(Array.from(s).every(Number.isFinite)).toBe(true);
      const back = scaler.inverse(s);
      expect([back[0], back[2], back[4]]).toEqual([7, 7, 7]);
    }
  });

  it('round-trips through JSON and rejects a corrupt one with a typed error naming the field', () => {
    const scaler = Scaler.fit(data, rows, names.length, 'minMax', [-1, 1]);
    const again = Scaler.fromJSON(JSON.parse(JSON.stringify(scaler.toJSON())));
    expect(again.transform(data)).toEqual(scaler.transform(data));
    const json = scaler.toJSON();
    expect(() => Scaler.fromJSON({ ...json, kind: 'zscore' as never })).toThrow(/scaler\.kind/);
    expect(() => Scaler.fromJSON({ ...json, range: [0, 2] })).toThrow(/scaler\.range/);
    expect(() => Scaler.fromJSON({ ...json, b: [1, NaN, 3] })).toThrow(/scaler\.b\[1\]/);
  });
});
