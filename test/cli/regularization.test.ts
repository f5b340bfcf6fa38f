// `wasmlp train --l1` and `--dropout`: the library's L1 penalty and dropout from the command line,
// recorded in the model file, shown by `info` and the summary, continued by --resume; a zero is the
// run without the flag, bit for bit; bad values exit 1 saying what was expected.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, scratchWithRegression, wasmlp } from './helpers.js';

let dir: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const read = (file: string): any => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const bytes = (file: string): string => readFileSync(join(dir, file), 'utf8');
const TRAIN = ['train', 'reg.csv', '--target', 'y', '--layers', '8', '--lr', '0.01', '--patience', '0', '--epochs', '4', '--no-plot'];

beforeAll(() => {
  dir = scratchWithRegression();
});
afterAll(cleanup);

describe('--l1 and --dropout', () => {
  it('train with them: the file holds the dropout in its spec and l1 in its record; info shows both', async () => {
    const run = await wasmlp([...TRAIN, '--l1', '0.001', '--dropout', '0.25', '--out', 'both.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('2 → 8 relu (dropout 0.25) → 1 identity');
    const file = read('both.json');
    expect(file.spec.layers[0].dropout).toBe(0.25);
    expect(file.spec.layers[1].dropout).toBeUndefined();
    expect(file.cli.training.l1).toBe(0.001);
    const info = await wasmlp(['info', 'both.json'], dir);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain('(dropout 0.25)');
    expect(info.stdout).toMatch(/optimizer\s+adam, lr 0\.01, batch 32, l1 0\.001/);
  });

  it('zero is the run without the flag, byte for byte; a positive value changes the model', async () => {
    for (const [name, extra] of [['none.json', []], ['zeros.json', ['--l1', '0', '--dropout', '0']], ['l1.json', ['--l1', '0.01']], ['dropout.json', ['--dropout', '0.3']]] as const) {
      const run = await wasmlp([...TRAIN, ...extra, '--out', name], dir);
      expect(run.code, run.stderr).toBe(0);
    }
    expect(bytes('zeros.json')).toBe(bytes('none.json'));
    expect(read('l1.json').params).not.toBe(read('none.json').params);
    expect(read('dropout.json').params).not.toBe(read('none.json').params);
  });

  it('--resume keeps the saved l1 and the network, dropout included; --dropout with --resume is refused', async () => {
    const first = await wasmlp([...TRAIN, '--l1', '0.002', '--dropout', '0.1', '--out', 'r1.json'], dir);
    expect(first.code, first.stderr).toBe(0);
    const more = await wasmlp(['train', 'reg.csv', '--resume', 'r1.json', '--epochs', '2', '--no-plot', '--out', 'r2.json'], dir);
    expect(more.code, more.stderr).toBe(0);
    expect(read('r2.json').cli.training.l1).toBe(0.002);
    expect(read('r2.json').spec.layers[0].dropout).toBe(0.1);
    const refused = await wasmlp(['train', 'reg.csv', '--resume', 'r1.json', '--dropout', '0.2', '--no-plot', '--out', 'r3.json'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--dropout: the network, its columns and its scalers come from --resume r1.json');
  });

  it.each([
    [['--dropout', '1'], /--dropout.*expected a number from 0 \(none\) up to, not including, 1/],
    [['--dropout', '-0.1'], /--dropout.*expected a number from 0/],
    [['--l1', '-1'], /--l1.*expected a non-negative number/],
    [['--l1', 'x'], /--l1.*expected a non-negative number/],
  ])('%j exits 1 and says what is expected', async (extra, message) => {
    const run = await wasmlp([...TRAIN, ...extra, '--out', 'bad.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
  });
});
