// Part 4: the trained dosage networks as two SVG charts (fitted curves over the observations, SSR
// per epoch on a log axis), written where the user runs the demo: `./wasmlp-demo/` by default, the
// one place that works from a clean clone and from an installed package (dist may be read-only).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFilesAtomically } from '../cli/output.js';
import { lineChartSvg } from '../plot/svg.js';
import { curve, type Run } from './fit7.js';
import { section } from './format.js';
import { X, Y } from './network.js';

export const DEFAULT_OUT_DIR = 'wasmlp-demo';
/** At most this many points per loss series: one every few epochs is enough for a 560-pixel axis. */
const MAX_LOSS_POINTS = 1000;

export async function writePlots(runs: Run[], outDir: string): Promise<string[]> {
  const dosages = Array.from({ length: 101 }, (_, i) => i / 100);
  const fit = await lineChartSvg({
    title: 'StatQuest dosage network: all 7 parameters trained from the video\'s start',
    xLabel: 'dosage',
    yLabel: 'efficacy',
    series: [
      ...runs.map((run) => {
        const ys = curve(run.model, dosages);
        return { name: `fitted, lr ${run.learningRate}`, points: dosages.map((x, i) => ({ x, y: ys[i] })) };
      }),
      { name: 'observed', kind: 'points' as const, points: X.map((x, n) => ({ x: x[0], y: Y[n][0] })) },
    ],
  });
  const loss = await lineChartSvg({
    title: 'SSR per epoch: all 7 parameters from the video\'s start, full batch',
    xLabel: 'epoch',
    yLabel: 'SSR (log scale)',
    logY: true,
    series: runs.map((run) => {
      const every = Math.ceil(run.loss.length / MAX_LOSS_POINTS);
      const points = run.loss.map((y, x) => ({ x, y })).filter((p) => p.x % every === 0 || p.x === run.loss.length - 1);
      return { name: `lr ${run.learningRate}`, points };
    }),
  });

  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'statquest-fit.svg'), join(dir, 'statquest-loss.svg')];
  // both charts appear whole, or neither (temporary files renamed into place)
  await writeFilesAtomically([{ path: files[0], content: fit }, { path: files[1], content: loss }]);
  console.log(section('4. Plots'));
  console.log(`  fitted curves and observations:  ${files[0]}`);
  console.log(`  SSR per epoch (log scale):       ${files[1]}`);
  return files;
}
