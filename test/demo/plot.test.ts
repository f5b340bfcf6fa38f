// lineChartSvg gives a standalone SVG document: background, title, axis titles, a legend entry per
// series, one circle per kept point of a points series, and the log axis drops what it cannot place.
import { describe, expect, it } from 'vitest';
import { lineChartSvg } from '../../src/plot/svg.js';

const curve = Array.from({ length: 21 }, (_, i) => ({ x: i / 20, y: Math.sin(Math.PI * i / 20) }));
const observed = [{ x: 0, y: 0 }, { x: 0.5, y: 1 }, { x: 1, y: 0 }];

/** Occurrences of `needle` in `text`. */
function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('lineChartSvg', () => {
  it('draws lines and points with title, axis titles and legend', async () => {
    const svg = await lineChartSvg({
      title: 'Fitted curve & data',
      xLabel: 'dosage',
      yLabel: 'efficacy',
      series: [
        { name: 'fitted curve', points: curve },
        { name: 'observed', points: observed, kind: 'points' },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toMatch(/<rect[^>]*fill="white"/);
    expect(svg).toContain('Fitted curve &amp; data'); // escaped, so the document stays well-formed
    for (const text of ['dosage', 'efficacy', 'fitted curve', 'observed']) expect(svg).toContain(`>${text}</text>`);
    expect(count(svg, 'aria-label="observed: ')).toBe(3);
    expect(count(svg, 'aria-label="fitted curve"')).toBe(1); // one path for the whole line
    expect(count(svg, '<svg')).toBe(1);
    expect(count(svg, '<g')).toBe(count(svg, '</g>'));
  });

  it('log y drops non-positive values and keeps the rest', async () => {
    const svg = await lineChartSvg({
      title: 'loss',
      xLabel: 'epoch',
      yLabel: 'SSR',
      logY: true,
      series: [{ name: 'SSR', points: [{ x: 0, y: 10 }, { x: 1, y: 0 }, { x: 2, y: -1 }, { x: 3, y: 1e-3 }, { x: 4, y: NaN }], kind: 'points' }],
      width: 300,
      height: 200,
    });
    expect(count(svg, 'aria-label="SSR: ')).toBe(2);
    expect(svg).toContain('aria-label="SSR: 0, 10"');
    expect(svg).toContain('aria-label="SSR: 3, 0.001"');
  });

  it('refuses two series with one name', async () => {
    await expect(lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: observed }, { name: 'a', points: observed }] })).rejects.toThrow(/two series/);
  });
});
