// --json on every subcommand (one parseable document on stdout, nothing else there), --help on
// every subcommand, --version, and a regression run whose R², MSE and MAE are recomputed here from
// the predictions file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, json, parseCsv, scratch, wasmlp } from './helpers.js';

let dir: string;
const COMMANDS = ['train', 'predict', 'evaluate', 'gradcheck', 'info', 'bench', 'example'];

/** Two targets of two inputs: u = 3a − 2b + 0.5 and v = a·b, 300 rows. */
function regression(): string {
  const lines = ['a,b,u,v'];
  for (let i = 0; i < 300; i++) {
    const a = Math.sin(1.3 * i), b = Math.cos(0.7 * i);
    lines.push(`${a},${b},${3 * a - 2 * b + 0.5},${a * b}`);
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  dir = scratch();
  writeFileSync(join(dir, 'reg.csv'), regression());
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
});
afterAll(cleanup);

describe('--help and --version', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const run = await wasmlp(['--version'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  it('--help lists every command and the exit codes', async () => {
    const run = await wasmlp(['--help'], dir);
    expect(run.code).toBe(0);
    for (const c of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(run.stdout).toContain('2 training diverged');
  });

  it.each(COMMANDS)('%s --help shows its usage and --json', async (command) => {
    const run = await wasmlp([command, '--help'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: wasmlp ${command} `, 'm'));
    expect(run.stdout).toContain('--json');
    expect(run.stdout).not.toContain('--report-memory');
  });

  it('train --help documents the defaults', async () => {
    const run = await wasmlp(['train', '--help'], dir);
    const help = run.stdout.replace(/\s+/g, ' ');
    for (const text of ['default: "adam"', '0.001 for adam', 'default: 1000', 'default: 32', 'default: "relu"', 'default: 100', 'default: "glorot"', 'default: "standard"', 'default: 42', 'default: 10', 'default: 0.0001', 'default: none', '--no-plot']) {
      expect(help).toContain(text);
    }
  });
});

describe('--json documents', () => {
  it('train', async () => {
    // the network and the validation split of earlier defaults, which the numbers below count
    const run = await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '20', '--layers', '16', '--validation-split', '0.2', '--out', 'm.json', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(''); // no progress display at all
    const doc = json(run);
    expect(doc).toMatchObject({
      ok: true, command: 'train', model: 'm.json', plot: 'm.loss.svg', task: 'classification',
      inputs: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], targets: ['species'],
      labels: ['setosa', 'versicolor', 'virginica'], network: '4 → 16 relu → 3 softmax', parameters: 4 * 16 + 16 + 16 * 3 + 3,
      lossFunction: 'cce', rows: 150, trainRows: 120, validationRows: 30, epochs: 20, epochsRequested: 20,
      steps: 20 * Math.ceil(120 / 32), stopReason: 'epochs', engine: 'wasm',
    });
    expect(doc.lossHistory).toHaveLength(20);
    expect(doc.valLossHistory).toHaveLength(20);
    expect(doc.loss).toBe(doc.lossHistory[19]);
    expect(doc.valLoss).toBe(doc.valLossHistory[19]);
    expect(doc.lossHistory[19]).toBeLessThan(doc.lossHistory[0]);
    expect(doc.samplesPerSecond).toBeGreaterThan(0);
  });

  it('train with patience stops early and keeps the best epoch', async () => {
    const run = await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '2000', '--validation-split', '0.2', '--patience', '5', '--no-plot', '--out', 'p.json', '--json'], dir);
    const doc = json(run);
    expect(doc.stopReason).toBe('patience');
    expect(doc.epochs).toBeLessThan(2000);
    const best = Math.min(...doc.valLossHistory);
    expect(doc.valLossHistory[doc.bestEpoch]).toBe(best);
    expect(doc.epochs - 1 - doc.bestEpoch).toBe(5);
    // the reported losses are those of the saved (best) parameters
    expect(doc.valLoss).toBe(best);
    expect(doc.loss).toBe(doc.lossHistory[doc.bestEpoch]);
  });

  it('info', async () => {
    const run = await wasmlp(['info', 'm.json', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run);
    expect(doc).toMatchObject({
      ok: true, command: 'info', inputs: 4, outputs: 3, parameters: 131, loss: 'cce', seed: 42, init: 'glorot',
      trainingState: true, engine: 'wasm', task: 'classification', labels: ['setosa', 'versicolor', 'virginica'],
      layers: [{ units: 16, activation: 'relu', inputs: 4 }, { units: 3, activation: 'softmax', inputs: 16 }],
    });
    expect(doc.scalers.inputs.kind).toBe('standardize');
    expect(doc.scalers.targets).toBeNull();
    expect(doc.training.epochs).toBe(20);
    const text = await wasmlp(['info', 'm.json'], dir);
    expect(text.stdout).toMatch(/network\s+4 → 16 relu → 3 softmax/);
    expect(text.stdout).toMatch(/labels\s+setosa, versicolor, virginica/);
    expect(text.stdout).toMatch(/training state\s+saved \(adam/);
  });

  it('predict, with and without --out', async () => {
    const inline = json(await wasmlp(['predict', 'm.json', 'iris.csv', '--json'], dir));
    expect(inline).toMatchObject({ ok: true, command: 'predict', rows: 150, columns: ['species', 'prob_setosa', 'prob_versicolor', 'prob_virginica'], out: null });
    expect(inline.predictions).toHaveLength(150);
    expect(inline.predictions[0]).toHaveLength(4);
    const toFile = await wasmlp(['predict', 'm.json', 'iris.csv', '--out', 'p.csv', '--json'], dir);
    expect(json(toFile)).toMatchObject({ ok: true, rows: 150, out: 'p.csv' });
    expect(json(toFile).predictions).toBeUndefined();
    const rows = parseCsv(readFileSync(join(dir, 'p.csv'), 'utf8')).slice(1);
    expect(rows.map((r) => [r[0], ...r.slice(1).map(Number)])).toEqual(inline.predictions);
  });

  it('gradcheck on a model before training passes', async () => {
    expect((await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '0', '--layers', '16', '--activation', 'tanh', '--out', 'fresh.json', '--no-plot'], dir)).code).toBe(0);
    const run = await wasmlp(['gradcheck', 'fresh.json', 'iris.csv', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run);
    expect(doc).toMatchObject({ ok: true, command: 'gradcheck', rows: 32, passed: true, checked: 131, tolerance: 1e-6 });
    expect(doc.maxRelativeError).toBeLessThan(1e-6);
    expect(doc.worst.name).toMatch(/^layers\[\d\]\.[Wb]\[/);
  });

  it('gradcheck on a trained model passes: its gradients near 0 differ from central differences by round-off only', async () => {
    expect((await wasmlp(['train', 'iris.csv', '--target', 'species', '--out', 'trained.json', '--no-plot'], dir)).code).toBe(0);
    const doc = json(await wasmlp(['gradcheck', 'trained.json', 'iris.csv', '--json'], dir));
    expect(doc).toMatchObject({ ok: true, passed: true, absoluteTolerance: 1e-9 });
    expect(doc.maxRelativeError).toBeLessThan(1e-6);
  });

  it('gradcheck reports a failure when the tolerance is impossibly tight', async () => {
    const run = await wasmlp(['gradcheck', 'fresh.json', 'iris.csv', '--tolerance', '1e-300', '--absolute-tolerance', '0', '--epsilon', '1e-3'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/: FAIL\n/);
  });

  it('bench', async () => {
    const run = await wasmlp(['bench', '--quick', '--only', 'W1,W3', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run);
    expect(doc.results.map((r: { id: string }) => r.id)).toEqual(['W1', 'W3']);
    for (const r of doc.results) {
      expect(r.wasm.samplesPerSecond).toBeGreaterThan(0);
      expect(r.ts.samplesPerSecond).toBeGreaterThan(0);
      expect(r.ratio).toBeCloseTo(r.wasm.samplesPerSecond / r.ts.samplesPerSecond, 12);
    }
  });

  it('example', async () => {
    const doc = json(await wasmlp(['example', 'iris', '--json'], dir));
    expect(doc).toMatchObject({ ok: true, command: 'example', example: 'iris', rows: 150, out: null });
    expect(doc.csv).toBe(readFileSync(join(dir, 'iris.csv'), 'utf8'));
  });
});

describe('regression', () => {
  it('two numeric targets: evaluate\'s R², MSE and MAE match the predictions file', async () => {
    const trained = await wasmlp(['train', 'reg.csv', '--target', 'u,v', '--layers', '32,16', '--activation', 'tanh', '--epochs', '300', '--out', 'reg.json', '--json'], dir);
    expect(trained.code, trained.stderr).toBe(0);
    expect(json(trained)).toMatchObject({ task: 'regression', targets: ['u', 'v'], labels: null, network: '2 → 32 tanh → 16 tanh → 2 identity', lossFunction: 'mse' });
    expect((await wasmlp(['predict', 'reg.json', 'reg.csv', '--out', 'reg-pred.csv'], dir)).code).toBe(0);
    const predicted = parseCsv(readFileSync(join(dir, 'reg-pred.csv'), 'utf8'));
    expect(predicted[0]).toEqual(['u', 'v']);
    const truth = parseCsv(readFileSync(join(dir, 'reg.csv'), 'utf8')).slice(1).map((r) => [Number(r[2]), Number(r[3])]);
    const doc = json(await wasmlp(['evaluate', 'reg.json', 'reg.csv', '--json'], dir));
    expect(doc.task).toBe('regression');
    [0, 1].forEach((k) => {
      const t = truth.map((r) => r[k]), p = predicted.slice(1).map((r) => Number(r[k]));
      const mean = t.reduce((s, x) => s + x, 0) / t.length;
      const sse = t.reduce((s, x, i) => s + (p[i] - x) ** 2, 0);
      const sst = t.reduce((s, x) => s + (x - mean) ** 2, 0);
      const mae = t.reduce((s, x, i) => s + Math.abs(p[i] - x), 0) / t.length;
      expect(doc.targets[k].column).toBe(['u', 'v'][k]);
      expect(doc.targets[k].r2).toBeCloseTo(1 - sse / sst, 12);
      expect(doc.targets[k].mse).toBeCloseTo(sse / t.length, 12);
      expect(doc.targets[k].mae).toBeCloseTo(mae, 12);
      expect(1 - sse / sst).toBeGreaterThan(0.98);
    });
    const text = await wasmlp(['evaluate', 'reg.json', 'reg.csv'], dir);
    expect(text.stdout).toMatch(/target\s+R²\s+MSE\s+MAE/);
  });
});
