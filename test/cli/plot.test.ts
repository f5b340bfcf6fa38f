// The loss curve (issue 11, item 11): the restored best epoch is marked, and a log axis reads plain
// numbers (0.01, 0.1, 1) instead of "1e-2" or "2e+0".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossCurveSvg } from '../../src/cli/plot.js';
import { cleanup, json, scratch, wasmlp } from './helpers.js';

/** The texts of an SVG document, in order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('the loss curve', () => {
  it('a log axis labels its decades as plain numbers', async () => {
    const loss = Array.from({ length: 40 }, (_, i) => 2.5 * Math.exp(-i / 6));
    const svg = await lossCurveSvg({ loss, valLoss: undefined, bestEpoch: undefined }, 'mse', 'decay');
    const labels = texts(svg);
    expect(labels).toContain('mse loss (log scale)');
    for (const tick of ['0.01', '0.1', '1']) expect(labels).toContain(tick);
    expect(labels.filter((t) => /\de[+-]\d/.test(t))).toEqual([]);
  });

  it('marks the restored best epoch on the validation curve', async () => {
    const loss = [1, 0.5, 0.3, 0.25, 0.2, 0.18];
    const valLoss = [1.1, 0.6, 0.45, 0.5, 0.55, 0.6];
    const svg = await lossCurveSvg({ loss, valLoss, bestEpoch: 2 }, 'cce', 'patience');
    expect(texts(svg)).toContain('restored best epoch (3)');
    expect(svg).toContain('aria-label="restored best epoch (3): 3, 0.45"');
    const plain = await lossCurveSvg({ loss, valLoss, bestEpoch: undefined }, 'cce', 'no patience');
    expect(plain).not.toContain('restored best epoch');
  });

  describe('written by train --patience', () => {
    let dir: string;
    beforeAll(async () => {
      dir = scratch();
      expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
    });
    afterAll(cleanup);

    it('has the marker at the epoch the model was restored to', async () => {
      const doc = json(await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '2000', '--validation-split', '0.2', '--patience', '5', '--out', 'p.json', '--json'], dir));
      expect(doc.stopReason).toBe('patience');
      const svg = readFileSync(join(dir, 'p.loss.svg'), 'utf8');
      expect(texts(svg)).toContain(`restored best epoch (${doc.bestEpoch + 1})`);
    });
  });
});
