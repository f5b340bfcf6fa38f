// Loss units under normalization (issue 11, item 5). The API: model.loss(X, Y) is on scaled targets
// when a target scaler is attached (the units of the fit history); { units: 'target' } gives the
// loss in the targets' own units, checked here against an independent computation from predict().
// The CLI says the unit wherever it shows a loss.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, OptionsError } from '../../src/index.js';
import { cleanup, json, scratch, wasmlp } from './helpers.js';

const X = [[0], [1], [2], [3], [4], [5]];
const Y = [[10, -3], [14, -1], [21, 0], [25, 4], [33, 5], [38, 9]];

/** Σ (p − t)² over every output of every row, from plain arrays. */
function ssr(P: number[][], T: number[][]): number {
  let s = 0;
  P.forEach((row, r) => row.forEach((p, k) => (s += (p - T[r][k]) ** 2)));
  return s;
}

describe('model.loss units', () => {
  for (const loss of ['mse', 'ssr', 'half_se'] as const) {
    it(`${loss}: { units: 'target' } is the formula on predict() against the raw targets`, async () => {
      const model = await createModel({ inputs: 1, layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss, seed: 3 });
      model.setNormalization(X, Y, { inputs: 'standardize', targets: 'standardize' });
      const s = ssr(model.predict(X), Y);
      const expected = loss === 'ssr' ? s : loss === 'half_se' ? s / 2 : s / (X.length * 2);
      expect(model.loss(X, Y, { units: 'target' })).toBeCloseTo(expected, 10);
      // the default is the scaled loss, which differs by the targets' variance here
      const scaled = model.loss(X, Y);
      expect(model.loss(X, Y, { units: 'scaled' })).toBe(scaled);
      expect(Math.abs(scaled - expected) / expected).toBeGreaterThan(0.5);
      model.dispose();
    });
  }

  it('without a target scaler both units are the same number', async () => {
    const model = await createModel({ inputs: 1, layers: [{ units: 2, activation: 'identity' }], loss: 'mse', seed: 1 });
    expect(model.loss(X, Y, { units: 'target' })).toBe(model.loss(X, Y));
    model.dispose();
  });

  it('bad options are OptionsErrors naming the valid ones', async () => {
    const model = await createModel({ inputs: 1, layers: [{ units: 2, activation: 'identity' }], loss: 'mse', seed: 1 });
    expect(() => model.loss(X, Y, { units: 'raw' as 'target' })).toThrow(OptionsError);
    expect(() => model.loss(X, Y, { units: 'raw' as 'target' })).toThrow(/options\.units: expected one of 'scaled', 'target'/);
    expect(() => model.loss(X, Y, { unit: 'target' } as never)).toThrow(/options\.unit: unknown option/);
    model.dispose();
  });
});

describe('the CLI names the unit of every loss', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratch();
    const rows = ['a,b,y'];
    for (let i = 0; i < 100; i++) rows.push(`${Math.sin(i)},${Math.cos(i)},${100 + 40 * Math.sin(i) - 25 * Math.cos(i)}`);
    writeFileSync(join(dir, 'reg.csv'), `${rows.join('\n')}\n`);
  });
  afterAll(cleanup);

  it('train: on standardized targets', async () => {
    const run = await wasmlp(['train', 'reg.csv', '--target', 'y', '--epochs', '5', '--no-plot', '--out', 'r.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/loss\s+[\d.e-]+ \(mse on standardized targets\)/);
    expect(run.stderr).toContain('losses below are mse on standardized targets');
    expect(run.stderr).toMatch(/epoch \d+\/5 +\d+% +mse loss [\d.e-]+ +val /);
    const minmax = await wasmlp(['train', 'reg.csv', '--target', 'y', '--epochs', '5', '--normalize', 'minmax', '--no-plot', '--out', 'r2.json', '--json'], dir);
    expect(json(minmax).lossUnits).toBe('scaled targets');
  });

  it('evaluate: the scaled loss and the loss in target units, which agrees with its MSE', async () => {
    const doc = json(await wasmlp(['evaluate', 'r.json', 'reg.csv', '--json'], dir));
    expect(doc.lossUnits).toBe('scaled targets');
    expect(doc.lossInTargetUnits).toBeCloseTo(doc.mse, 9);
    expect(Math.abs(doc.loss - doc.mse) / doc.mse).toBeGreaterThan(0.5);
    const run = await wasmlp(['evaluate', 'r.json', 'reg.csv'], dir);
    expect(run.stdout).toMatch(/mse loss [\d.e-]+ \(on standardized targets; [\d.e-]+ in target units\)/);
    expect(run.stdout).toContain("per target, in the targets' own units:");
  });

  it('info: the final loss with its unit; without target scaling no unit is claimed', async () => {
    expect((await wasmlp(['info', 'r.json'], dir)).stdout).toMatch(/final loss\s+[\d.e-]+, val [\d.e-]+ \(mse on standardized targets\)/);
    expect((await wasmlp(['train', 'reg.csv', '--target', 'y', '--epochs', '2', '--normalize-targets', 'none', '--no-plot', '--out', 'raw.json'], dir)).stdout).toMatch(/loss\s+[\d.e-]+ \(mse\)/);
  });
});
