// The README's examples print what it shows: its command-line walk-through (the ``` block of
// `$ wasmlp …` commands) and its ```js blocks (each `console.log(…); // value`), run against the
// built package (dist/, made by `npm test`'s build step) in a temporary directory. Durations, rates
// and ETAs are ignored and a `…` line stands for lines left out; scripts/readme-examples.mjs states
// the rules, and `npm run readme:update` rewrites the README's blocks from a real run.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { agrees, checkReadme, docPages, elide, matches, normalizeLine, README, scriptsOf, sessionOf, updatedOutput, updatedValue } from '../scripts/readme-examples.mjs';
import { basename } from 'node:path';

const text = readFileSync(README, 'utf8');
const lines = text.split('\n');

describe('the README', () => {
  it('shows a walk-through of the command line and checked values in its JavaScript', () => {
    const commands = sessionOf(lines).steps.map((step) => step.command.split(' ').slice(0, 2).join(' '));
    for (const command of ['wasmlp example', 'wasmlp train', 'wasmlp evaluate', 'wasmlp predict']) expect(commands).toContain(command);
    const checks = scriptsOf(lines).flatMap((script) => script.checks);
    expect(checks.map((check) => check.value)).toContain('20.423597677589214');
    expect(checks.some((check) => check.approximate)).toBe(true);
  });

  it('prints what it shows, commands and JavaScript alike', () => {
    const { problems, updated } = checkReadme(text);
    expect(problems.length, `\n${problems.join('\n\n')}\n\n(npm run readme:update rewrites the README from a real run)`).toBe(0);
    // and an up-to-date README is left exactly as it is by the update
    expect(updated === text).toBe(true);
  }, 180_000);
});

describe('the docs pages the README links', () => {
  const pages = docPages();
  it('exist, each linked from the README', () => {
    expect(pages.length).toBeGreaterThanOrEqual(7);
    for (const page of pages) expect(text, basename(page)).toContain(`(docs/${basename(page)})`);
  });

  for (const page of pages) {
    it(`${basename(page)} prints what it shows`, () => {
      const doc = readFileSync(page, 'utf8');
      const { problems, updated } = checkReadme(doc, { requireSession: false });
      expect(problems.length, `\n${problems.join('\n\n')}\n\n(npm run readme:update rewrites the pages from a real run)`).toBe(0);
      expect(updated === doc).toBe(true);
    }, 180_000);
  }
});

describe('the rules of the comparison', () => {
  it('ignores durations, rates, ETAs and thread counts, nothing else', () => {
    // 'auto' threads are the machine's cores: the README's outputs must hold on any machine
    expect(normalizeLine('  time      43 ms, 282,009 samples/s (wasm, 4 threads)')).toBe('  time      <time>, <rate> samples/s (wasm, <n> threads)');
    expect(normalizeLine('  time      43 ms, 282,009 samples/s (wasm, 1 thread)')).toBe('  time      <time>, <rate> samples/s (wasm, <n> threads)');
    expect(normalizeLine('{"engine":"wasm","threads":2}')).toBe('{"engine":"wasm","threads":<n>}');
    expect(normalizeLine('2 threaded layers')).toBe('2 threaded layers');
    expect(normalizeLine('read 150 rows × 5 columns from iris.csv (3.6 KB) in 14 ms')).toBe('read 150 rows × 5 columns from iris.csv (3.6 KB) in <time>');
    expect(normalizeLine('  time      43 ms, 282,009 samples/s (wasm)')).toBe('  time      <time>, <rate> samples/s (wasm)');
    expect(normalizeLine('  time      1.2 s, 82 samples/s (wasm)')).toBe('  time      <time>, <rate> samples/s (wasm)');
    expect(normalizeLine('epoch 11/100  10%  loss 0.28687  val 0.37869  125,879 samples/s  ETA 0:00  ')).toBe(
      'epoch 11/100  10%  loss 0.28687  val 0.37869  <rate> samples/s  ETA <eta>',
    );
    expect(normalizeLine('  loss      0.0125934 (cce)')).toBe('  loss      0.0125934 (cce)');
    expect(normalizeLine('{"loss":0.0133,"timeMs":43.21,"samplesPerSecond":2.8e5,"epochs":100}')).toBe('{"loss":0.0133,"timeMs":<n>,"samplesPerSecond":<n>,"epochs":100}');
    expect(matches(['loss 0.0125934 in 3 ms'], ['loss 0.0133054 in 3 ms'])).toBe(false);
    expect(matches(['loss 0.0125934 in 3 ms'], ['loss 0.0125934 in 70 ms'])).toBe(true);
  });

  it('a `…` line stands for one or more lines, and nothing else is skipped', () => {
    const out = ['read', 'epoch 1/4 a', 'epoch 2/4 b', 'epoch 3/4 c', 'done'];
    expect(matches(['read', 'epoch 1/4 a', '…', 'epoch 3/4 c', 'done'], out)).toBe(true);
    expect(matches(['read', '…', 'done'], out)).toBe(true);
    expect(matches(['read', 'epoch 1/4 a', '…', 'epoch 2/4 b', 'epoch 3/4 c', 'done'], out)).toBe(false);
    expect(matches(['read', 'epoch 1/4 a', 'epoch 3/4 c', 'done'], out)).toBe(false);
    expect(matches(['read', '…', 'epoch 3/4 c'], out)).toBe(false);
    expect(matches(['read', '…'], out)).toBe(true);
  });

  it('the update elides progress runs, keeps lines that differ only in times, and is idempotent', () => {
    const run1 = ['read in 5 ms', 'epoch 1/4 loss 0.5  10 samples/s', 'epoch 2/4 loss 0.4  20 samples/s', 'epoch 3/4 loss 0.3  30 samples/s', 'time 9 ms', 'loss 0.3'];
    const run2 = ['read in 7 ms', 'epoch 1/4 loss 0.5  11 samples/s', 'epoch 2/4 loss 0.4  21 samples/s', 'epoch 3/4 loss 0.3  31 samples/s', 'time 8 ms', 'loss 0.3'];
    expect(elide(run1)).toEqual(['read in 5 ms', 'epoch 1/4 loss 0.5  10 samples/s', '…', 'epoch 3/4 loss 0.3  30 samples/s', 'time 9 ms', 'loss 0.3']);
    const first = updatedOutput(['stale'], run1);
    expect(first).toEqual(elide(run1));
    expect(matches(first, run2)).toBe(true);
    // a second run on another machine changes no line
    expect(updatedOutput(first, run2)).toEqual(first);
    // a real change rewrites that line
    const changed = run2.map((l) => l.replace('loss 0.3', 'loss 0.25'));
    expect(updatedOutput(first, changed)).toEqual(['read in 5 ms', 'epoch 1/4 loss 0.5  10 samples/s', '…', 'epoch 3/4 loss 0.25  31 samples/s', 'time 9 ms', 'loss 0.25']);
  });

  it('`// value` is exact, `// ≈ value` rounds to the decimals shown', () => {
    expect(agrees({ approximate: false, value: '20.423597677589214' }, '20.423597677589214')).toBe(true);
    expect(agrees({ approximate: false, value: '20.423597677589214' }, '20.423597677589215')).toBe(false);
    expect(agrees({ approximate: false, value: '[[1, 2]]' }, '[ [ 1, 2 ] ]')).toBe(true);
    const near = { approximate: true, value: '[[0], [1], [0]]' };
    expect(agrees(near, '[ [ 9.752199048307375e-13 ], [ 0.9999999999972002 ], [ -1e-12 ] ]')).toBe(true);
    expect(agrees(near, '[ [ 0.6 ], [ 1 ], [ 0 ] ]')).toBe(false);
    expect(agrees(near, '[ [ 0 ], [ 1 ] ]')).toBe(false);
    expect(agrees({ approximate: true, value: '0.50' }, '0.504')).toBe(true);
    expect(agrees({ approximate: true, value: '0.50' }, '0.506')).toBe(false);
    expect(updatedValue({ approximate: true, value: '[[0.5], [1.00]]', line: 0 }, '[ [ 0.0001 ], [ 0.99 ] ]')).toBe('[[0.0], [0.99]]');
    expect(updatedValue({ approximate: false, value: '1', line: 0 }, '[\n  1,\n  2\n]')).toBe('[ 1, 2 ]');
  });
});
