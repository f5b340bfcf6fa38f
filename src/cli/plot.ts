// The training loss curve as SVG: loss and validation loss per epoch, on a log axis when the loss
// spans more than two decades (a linear axis would flatten everything after the first epochs), and
// a marked point at the epoch whose parameters were restored (--patience), when one was.
import type { FitHistory } from '../index.js';

/** `units`: what the loss is measured in, e.g. "on standardized targets" ('' for none). */
export async function lossCurveSvg(history: Pick<FitHistory, 'loss' | 'valLoss' | 'bestEpoch'>, lossName: string, title: string, units = ''): Promise<string> {
  // vega takes a while to load: only when a plot is actually written
  const { lineChartSvg } = await import('../plot/svg.js');
  const points = (values: number[]) => values.map((y, i) => ({ x: i + 1, y }));
  const series: { name: string; points: { x: number; y: number }[]; kind?: 'line' | 'points' }[] = [{ name: 'loss', points: points(history.loss) }];
  const validation = history.valLoss && history.valLoss.length > 0 ? history.valLoss : null;
  if (validation) series.push({ name: 'validation loss', points: points(validation) });
  const all = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => Number.isFinite(y));
  const best = history.bestEpoch;
  if (best !== undefined && best !== null && best < history.loss.length) {
    // on the curve that chose it: the validation loss with a validation split, else the loss
    const y = (validation ?? history.loss)[best];
    series.push({ name: `restored best epoch (${best + 1})`, kind: 'points', points: [{ x: best + 1, y }] });
  }
  const max = all.reduce((a, b) => Math.max(a, b), -Infinity), min = all.reduce((a, b) => Math.min(a, b), Infinity);
  const logY = all.length > 1 && min > 0 && max / min > 100;
  const yLabel = `${lossName} loss${units === '' ? '' : ` ${units}`}${logY ? ' (log scale)' : ''}`;
  return lineChartSvg({ title, xLabel: 'epoch', yLabel, series, logY });
}
