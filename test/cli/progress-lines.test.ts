// The plain progress lines (stderr piped): each names the epoch its losses were measured at when the
// line falls in the middle of an epoch, so a line never shows one epoch's loss under another's label.
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, scratch, wasmlp } from './helpers.js';

afterAll(cleanup);

describe('piped progress lines', () => {
  it('say which epoch their losses come from, and reach 100 %', async () => {
    const dir = scratch();
    expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
    // 120 training rows in batches of 32: 4 updates an epoch, 12 in all, so most tenths fall mid-epoch
    const run = await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '3', '--no-plot', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const { lossHistory } = JSON.parse(run.stdout) as { lossHistory: number[] };
    const piped = await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '3', '--no-plot', '--out', 'again.json'], dir);
    expect(piped.code, piped.stderr).toBe(0);
    const lines = piped.stderr.split('\n').filter((line) => /^epoch \d+\/3 /.test(line));
    expect(lines.length).toBeGreaterThan(3);
    let mid = 0;
    for (const line of lines) {
      const m = /^epoch (\d+)\/3 +(\d+)% +cce loss (\S+) +val (\S+)(?: +\((?:end of epoch (\d+)|no epoch finished yet)\))?/.exec(line);
      expect(m, line).not.toBeNull();
      const shown = Number(m![1]);
      if (m![3] === '—') {
        expect(line).toContain('(no epoch finished yet)');
        continue;
      }
      // the epoch whose end measured the loss: the one named, or the one shown when none is named
      const at = m![5] === undefined ? shown : Number(m![5]);
      if (m![5] !== undefined) {
        mid++;
        expect(at).toBeLessThan(shown);
      }
      const loss = Number(m![3]);
      // printed to 5 significant digits: the loss of that epoch, as the --json run reports it
      expect(Math.abs(loss - lossHistory[at - 1])).toBeLessThanOrEqual(5e-5 * Math.abs(lossHistory[at - 1]));
    }
    expect(mid).toBeGreaterThan(0);
    expect(lines[lines.length - 1]).toMatch(/^epoch 3\/3 +100% /);
  });
});
