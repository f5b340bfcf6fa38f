// The training loss curve as SVG: loss and validation loss per epoch, on a log axis when the loss
// spans more than two decades (a linear axis would flatten everything after the first epochs).
import type { FitHistory } from '../index.js';

export async function lossCurveSvg(history: FitHistory, lossName: string, title: string): Promise<string> {
  // vega takes a while to load: only when a plot is actually written
  const { lineChartSvg } = await import('../plot/svg.js');
  const points = (values: number[]) => values.map((y, i) => ({ x: i + 1, y }));
  const series = [{ name: 'loss', points: points(history.loss) }];
  if (history.valLoss && history.valLoss.length > 0) series.push({ name: 'validation loss', points: points(history.valLoss) });
  const all = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => Number.isFinite(y));
  const max = all.reduce((a, b) => Math.max(a, b), -Infinity), min = all.reduce((a, b) => Math.min(a, b), Infinity);
  const logY = all.length > 1 && min > 0 && max / min > 100;
  return lineChartSvg({ title, xLabel: 'epoch', yLabel: `${lossName} loss${logY ? ' (log scale)' : ''}`, series, logY });
}
