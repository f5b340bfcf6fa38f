// The built demo (`npm start` = node dist/demo/statquest.js; `npm run build` first), run as a user
// runs it, from an empty directory. Its printed numbers are compared with the reference cases
// (test/fixtures/reference: an independent float64 oracle and the numbers the texts print), to the
// digits the demo prints, and its ✓/✗ marks with the reference's verdicts; then the SVG charts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('../../dist/demo/statquest.js', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const reference = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}.json`, import.meta.url), 'utf8'));
const b3Ref = reference('statquest-b3-optimization').cases[0];
const fullRef = reference('statquest-full-gradients').cases;
const mazurRef = reference('mazur-2-2-2').cases;
const fittedCase = fullRef.find((c: Json) => c.name.startsWith("video's fitted parameters"));
const startCase = fullRef.find((c: Json) => c.name.startsWith('Details pt. 2'));

/**
 * Whether the printed number is `exact` to the digits printed: within half a unit of its last digit
 * (of the mantissa in scientific notation), with a little room for float64 round-off.
 */
function printedAs(printed: string, exact: number): boolean {
  const [mantissa, exponent = '0'] = printed.split('e');
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  return Math.abs(Number(printed) - exact) <= 0.5 * 10 ** (Number(exponent) - decimals) * (1 + 1e-9) + 1e-12 * Math.abs(exact);
}

function expectPrintedAs(printed: string, exact: number, what: string): void {
  expect(printedAs(printed, exact), `${what}: printed ${printed}, exact ${exact}`).toBe(true);
}

/** The mark a printed number deserves: ✓ when the text's verdict is that the exact value rounds to it. */
const markFor = (match: string) => (match === 'rounds' ? '✓' : '✗');

/** The lines of one numbered section of the output. */
function sectionLines(output: string, n: number): string[] {
  const start = output.indexOf(`━━ ${n}. `);
  const end = output.indexOf(`━━ ${n + 1}. `);
  expect(start, `section ${n}`).toBeGreaterThanOrEqual(0);
  return output.slice(start, end < 0 ? undefined : end).split('\n');
}

/**
 * A table row split into its values: each of ours, with the printed number and mark that follow it
 * when the text prints one (`-15.655108  -15.7 ✓` → { ours: '-15.655108', printed: '-15.7', mark: '✓' }).
 */
function cells(line: string): { ours: string; printed?: string; mark?: string }[] {
  const tokens = line.trim().split(/\s+/);
  const out: { ours: string; printed?: string; mark?: string }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i + 1] === '✓' || tokens[i + 1] === '✗') {
      const last = out[out.length - 1];
      last.printed = tokens[i];
      last.mark = tokens[i + 1];
      i++;
    } else out.push({ ours: tokens[i] });
  }
  return out;
}

/** Mazur's forward pass written out by hand, as his post does it: E at given weights. */
function mazurError(W1: number[][], b1: number[], W2: number[][], b2: number[], x: number[], t: number[]): number {
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const h = W1.map((row, j) => sigmoid(row[0] * x[0] + row[1] * x[1] + b1[j]));
  const o = W2.map((row, k) => sigmoid(row[0] * h[0] + row[1] * h[1] + b2[k]));
  return o.reduce((sum, out, k) => sum + 0.5 * (t[k] - out) ** 2, 0);
}

let dir: string;
let output: string;
let elapsedMs: number;

beforeAll(() => {
  expect(existsSync(DEMO), `${DEMO} missing: run npm run build first`).toBe(true);
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'wasmlp-demo-test-')));
  const started = performance.now();
  const run = spawnSync(process.execPath, [DEMO], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  elapsedMs = performance.now() - started;
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  output = run.stdout;
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('npm start: the StatQuest and Mazur demo', () => {
  it('runs without colour codes when not on a terminal', () => {
    console.log(`npm start's demo ran in ${(elapsedMs / 1000).toFixed(1)} s`);
    expect(output).not.toContain('\u001b[');
    expect(output).toContain('✓ ours rounds to the printed digits');
  });

  it("b3 gradient descent: every row is the oracle's trajectory, the video's numbers where it prints them", () => {
    const lines = sectionLines(output, 1);
    const rows = lines.filter((line) => /^\s+\d+\s+-?\d/.test(line)).map(cells);
    expect(rows.length).toBe(b3Ref.oracle.steps_taken);
    const trajectory = b3Ref.oracle.trajectory;
    rows.forEach((row, k) => {
      const [step, ssr, gradient, size, b3] = row;
      expect(row.length).toBe(5);
      expect(step.ours).toBe(String(k + 1));
      expectPrintedAs(ssr.ours, trajectory[k].loss, `SSR, row ${k + 1}`);
      expectPrintedAs(gradient.ours, trajectory[k].grads[1].b[0], `dSSR/db3, row ${k + 1}`);
      expectPrintedAs(size.ours, b3Ref.derived.step_size[k], `step size, row ${k + 1}`);
      expectPrintedAs(b3.ours, trajectory[k + 1].params[1].b[0], `new b3, row ${k + 1}`);
    });
    const final = lines.join('\n').match(/after (\d+) steps: b3 = (\S+) \(video: (\S+) ([✓✗])\), SSR = (\S+)/);
    expect(final).not.toBeNull();
    const [, steps, finalB3, finalPrinted, finalMark, finalLoss] = final!;
    expect(Number(steps)).toBe(b3Ref.oracle.steps_taken);
    expectPrintedAs(finalB3, b3Ref.oracle.final_params[1].b[0], 'final b3');
    expectPrintedAs(finalLoss, trajectory[b3Ref.oracle.steps_taken].loss, 'final SSR');

    // Each number the video prints, where the reference says it belongs, with the reference's verdict;
    // and no printed number in the table that the reference does not list.
    let shown = 0;
    for (const s of b3Ref.stated) {
      const path: string = s.path;
      let found: { printed?: string; mark?: string };
      let m: RegExpMatchArray | null;
      if (path === 'oracle.final_params[1].b[0]') found = { printed: finalPrinted, mark: finalMark };
      else if ((m = path.match(/^oracle\.trajectory\[(\d+)\]\.grads\[1\]\.b\[0\]$/))) found = rows[Number(m[1])][2];
      else if ((m = path.match(/^derived\.step_size\[(\d+)\]$/))) found = rows[Number(m[1])][3];
      else if ((m = path.match(/^oracle\.trajectory\[(\d+)\]\.params\[1\]\.b\[0\]$/))) found = rows[Number(m[1]) - 1][4];
      else throw new Error(`unexpected stated path ${path}`);
      expect(found.printed, s.what).toBe(s.stated);
      expect(found.mark, s.what).toBe(markFor(s.match));
      shown++;
    }
    expect(rows.flat().filter((c) => c.printed !== undefined).length + 1).toBe(shown);
  });

  it("all seven parameters: the video's start and fit as the reference has them, both runs fit the data", () => {
    const lines = sectionLines(output, 2);
    const names = ['w1', 'w2', 'b1', 'b2', 'w3', 'w4', 'b3'];
    const flatParams = (c: Json) => [c.params[0].W[0][0], c.params[0].W[1][0], ...c.params[0].b, ...c.params[1].W[0], ...c.params[1].b];
    const start = flatParams(startCase);
    const fitted = flatParams(fittedCase);
    const paramRows = names.map((name) => {
      const line = lines.find((l) => l.trimStart().startsWith(`${name} `));
      expect(line, name).toBeDefined();
      // name, start, video, then each run's value and its mark
      return line!.trim().split(/\s+/).slice(1);
    });
    paramRows.forEach((row, i) => {
      expect(row.length, names[i]).toBe(6);
      const [startValue, videoValue, ...runs] = row;
      expect(Number(startValue), `${names[i]} start`).toBe(start[i]);
      expect(Number(videoValue), `${names[i]} video`).toBe(fitted[i]);
      for (let r = 0; r < runs.length; r += 2) {
        // the mark says whether this run's value rounds to the video's (two decimals printed)
        expect(runs[r + 1], `${names[i]} ${runs[r]}`).toBe(Math.abs(Number(runs[r]) - fitted[i]) <= 0.005 + 5e-5 ? '✓' : '✗');
      }
    });
    // Small steps end at the video's fit: every parameter of the lr 0.02 run rounds to it.
    expect(paramRows.map((row) => row[3]).join('')).toBe('✓✓✓✓✓✓✓');

    const ssrLine = lines.find((l) => l.trimStart().startsWith('SSR '));
    const [, ssrStart, ssrVideo, ...ssrRuns] = cells(ssrLine!);
    expectPrintedAs(ssrStart.ours, startCase.oracle.loss, 'SSR at the start');
    expectPrintedAs(ssrVideo.ours, fittedCase.oracle.loss, "SSR at the video's fit");
    expect(ssrRuns.length).toBe(2);
    for (const ssr of ssrRuns) expect(Number(ssr.ours)).toBeLessThan(1e-20);

    // The fitted curves at the three observed dosages.
    fittedCase.X.forEach((x: number[], n: number) => {
      const line = lines.find((l) => new RegExp(`^\\s+${x[0].toFixed(1)}\\s`).test(l));
      expect(line, `dosage ${x[0]}`).toBeDefined();
      const [, observed, lr002, lr01, video] = cells(line!).map((c) => c.ours);
      expect(Number(observed)).toBe(fittedCase.Y[n][0]);
      expect(Math.abs(Number(lr002) - fittedCase.Y[n][0])).toBeLessThan(1e-6);
      expect(Math.abs(Number(lr01) - fittedCase.Y[n][0])).toBeLessThan(1e-6);
      expectPrintedAs(video, fittedCase.oracle.output[n][0], `video's fit at dosage ${x[0]}`);
    });
    // Eleven dosages, 0 to 1.
    expect(lines.filter((l) => /^\s+(0\.\d|1\.0)\s+/.test(l)).length).toBe(11);
  });

  it("Mazur's step: every number the post prints, ours to our digits and the reference's verdicts", () => {
    const lines = sectionLines(output, 3);
    const rowOf = (label: string) => {
      const line = lines.find((l) => l.trimStart().startsWith(`${label}  `));
      expect(line, label).toBeDefined();
      const value = line!.trimStart().slice(label.length);
      return cells(value)[0];
    };
    for (const s of mazurRef[0].stated) {
      const row = rowOf(s.what);
      expectPrintedAs(row.ours, s.exact, s.what);
      expect(row.printed, s.what).toBe(s.stated);
      expect(row.mark, s.what).toBe(markFor(s.match));
    }
    // The weights-only totals the post gets slightly wrong: ✗, and ours are the oracle's.
    const labels: Record<string, string> = {
      'E_total after the first update': 'E_total after 1 update',
      'E_total after 10000 updates': 'E_total after 10000 updates',
    };
    for (const s of mazurRef[1].stated) {
      const row = rowOf(labels[s.what]);
      expectPrintedAs(row.ours, s.exact, s.what);
      expect(row.printed, s.what).toBe(s.stated);
      expect(row.mark, s.what).toBe(markFor(s.match));
    }
    // E at the post's own rounded new weights, recomputed here by hand.
    const printed = Object.fromEntries(mazurRef[0].stated.map((s: Json) => [s.what, Number(s.stated)]));
    const c = mazurRef[0];
    const atPrinted = mazurError(
      [[printed['w1+'], printed['w2+']], [printed['w3+'], printed['w4+']]], c.params[0].b,
      [[printed['w5+'], printed['w6+']], [printed['w7+'], printed['w8+']]], c.params[1].b,
      c.X[0], c.Y[0],
    );
    expectPrintedAs(rowOf("E_total at the post's new weights").ours, atPrinted, "E at the post's weights");
  });

  it('writes the two charts to ./wasmlp-demo and prints their absolute paths', () => {
    const outDir = join(dir, 'wasmlp-demo');
    const fitPath = join(outDir, 'statquest-fit.svg');
    const lossPath = join(outDir, 'statquest-loss.svg');
    expect(sectionLines(output, 4).join('\n')).toContain(fitPath);
    expect(output).toContain(lossPath);
    expect(readdirSync(outDir).sort()).toEqual(['statquest-fit.svg', 'statquest-loss.svg']); // no temporary file left

    const fit = readFileSync(fitPath, 'utf8');
    expect(fit.startsWith('<svg')).toBe(true);
    expect(fit.trimEnd().endsWith('</svg>')).toBe(true);
    for (const name of ['fitted, lr 0.02', 'fitted, lr 0.1', 'observed', 'dosage', 'efficacy']) expect(fit).toContain(`>${name}</text>`);
    // one circle per observation, at the reference's data
    expect(fit.split('aria-label="observed: ').length - 1).toBe(fittedCase.X.length);
    fittedCase.X.forEach((x: number[], n: number) => expect(fit).toContain(`aria-label="observed: ${x[0]}, ${fittedCase.Y[n][0]}"`));
    expect(fit).toContain('aria-label="fitted, lr 0.02"');

    const loss = readFileSync(lossPath, 'utf8');
    expect(loss.startsWith('<svg')).toBe(true);
    for (const name of ['lr 0.02', 'lr 0.1', 'epoch', 'SSR (log scale)']) expect(loss).toContain(`>${name}</text>`);
    expect(loss).toContain('aria-label="lr 0.1"');
  });

  it('--out DIR puts the charts there; an unknown argument is a usage error', () => {
    const run = spawnSync(process.execPath, [DEMO, '--out', 'charts/here'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.status).toBe(0);
    const fitPath = join(dir, 'charts', 'here', 'statquest-fit.svg');
    expect(run.stdout).toContain(fitPath);
    expect(readFileSync(fitPath, 'utf8').startsWith('<svg')).toBe(true);

    const bad = spawnSync(process.execPath, [DEMO, '--frobnicate'], { cwd: dir, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage:');
    expect(bad.stdout).toBe('');
  });
});
