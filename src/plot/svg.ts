// Line charts as standalone SVG text, for the demo and the CLI: no browser, no canvas.
//
// Plain Vega (not Vega-Lite, which needs Node 22) rendered headless with `renderer: 'none'`: Vega
// lays out axes, ticks and the legend and escapes the text; we only build the spec. Each series is
// a data set of its own, drawn with its own mark, so a series' drawing order is its points' order
// (a line is not re-sorted by x) and the legend lists the series in the order given.
import * as vega from 'vega';

export interface Series {
  /** Legend entry; must be unique within a chart (the legend and the colours are keyed by it). */
  name: string;
  points: { x: number; y: number }[];
  /** 'line' (default) joins the points in order; 'points' draws each point as a circle. */
  kind?: 'line' | 'points';
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Log-scaled y axis; points with y ≤ 0 cannot be placed on it and are dropped. */
  logY?: boolean;
  /** Size of the plotting area in pixels; axes, title and legend are added around it. */
  width?: number;
  height?: number;
}

// Tableau 10: distinct hues that stay distinguishable on white and in print.
const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac'];
const FONT = 'Helvetica, Arial, sans-serif';

/** A series as a vega mark: circles for 'points' (each with an `aria-label`), a line otherwise. */
function markOf(s: LineChartOptions['series'][number], i: number) {
  const x = { scale: 'x', field: 'x' };
  const y = { scale: 'y', field: 'y' };
  const color = { scale: 'color', value: s.name };
  return s.kind === 'points'
    ? {
        type: 'symbol',
        name: `points-${i}`,
        from: { data: `s${i}` },
        encode: {
          enter: {
            x, y, fill: color, shape: { value: 'circle' }, size: { value: 90 },
            stroke: { value: 'white' }, strokeWidth: { value: 1.5 },
            description: { signal: `${JSON.stringify(`${s.name}: `)} + datum.x + ', ' + datum.y` },
          },
        },
      }
    : {
        type: 'line',
        name: `line-${i}`,
        from: { data: `s${i}` },
        encode: { enter: { x, y, stroke: color, strokeWidth: { value: 2 }, description: { value: s.name } } },
      };
}

/** The chart's scales: x and y over the series that have points, the colours and legend shapes by name. */
function scalesOf(series: LineChartOptions['series'], fields: (field: 'x' | 'y') => unknown, logY: boolean) {
  const names = series.map((s) => s.name);
  return [
    // `padding` keeps a few pixels between the data and the axes, so a point or a line lying on the
    // domain's edge is not half hidden by an axis line. Not `nice` on linear axes: rounding the
    // padded domain out to the next tick would leave a wide empty band; the ticks are round anyway.
    { name: 'x', type: 'linear', domain: fields('x'), range: 'width', zero: false, padding: 8 },
    logY
      ? { name: 'y', type: 'log', domain: fields('y'), range: 'height', nice: true, padding: 8 }
      : { name: 'y', type: 'linear', domain: fields('y'), range: 'height', zero: false, padding: 8 },
    { name: 'color', type: 'ordinal', domain: names, range: names.map((_, i) => PALETTE[i % PALETTE.length]) },
    // The legend shows a short stroke for a line series and a dot for a points series.
    { name: 'shape', type: 'ordinal', domain: names, range: series.map((s) => (s.kind === 'points' ? 'circle' : 'stroke')) },
  ];
}

/**
 * A standalone SVG document (`<svg xmlns=…>…</svg>`) with a white background, the title, both axes
 * with their titles and a legend naming every series. A point of a 'points' series is a circle whose
 * `aria-label` reads `<series name>: x, y`, one per point kept (tests count them by that label).
 */
export async function lineChartSvg(options: LineChartOptions): Promise<string> {
  const { title, xLabel, yLabel, series, logY = false, width = 560, height = 340 } = options;
  const names = series.map((s) => s.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new RangeError(`lineChartSvg: two series are named ${JSON.stringify(duplicate)}`);

  // Non-finite values would break a line's path; non-positive ones have no place on a log axis.
  const data = series.map((s, i) => ({
    name: `s${i}`,
    values: s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!logY || p.y > 0)),
  }));
  if (data.every((d) => d.values.length === 0)) throw new RangeError('lineChartSvg: no point to draw');
  const fields = (field: 'x' | 'y') => ({ fields: data.filter((d) => d.values.length > 0).map((d) => ({ data: d.name, field })) });

  const marks = series.map(markOf);
  // Points are drawn after lines so that a curve never hides an observation.
  marks.sort((a, b) => Number(a.type === 'symbol') - Number(b.type === 'symbol'));

  const spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width,
    height,
    padding: 12,
    autosize: { type: 'pad' },
    background: 'white',
    title: { text: title, fontSize: 16, font: FONT, anchor: 'start', offset: 12 },
    data,
    scales: scalesOf(series, fields, logY),
    axes: [
      { orient: 'bottom', scale: 'x', title: xLabel, grid: true, tickCount: 8 },
      // A log axis labels every decade only (the default labels each 2…9 as well and they overlap), as
      // plain numbers (0.01, 1, 100) rather than "1e-2" or "2e+0"; exponents only beyond 1e±5.
      { orient: 'left', scale: 'y', title: yLabel, grid: true, ...(logY ? { format: '~g', tickCount: 6 } : { tickCount: 6 }) },
    ],
    legends: [
      {
        fill: 'color', stroke: 'color', shape: 'shape', orient: 'right', symbolStrokeWidth: 2.5, symbolSize: 120,
        encode: { symbols: { update: { fillOpacity: { value: 1 } } } },
      },
    ],
    marks,
    config: {
      axis: { labelFont: FONT, titleFont: FONT, labelFontSize: 12, titleFontSize: 13, gridColor: '#e6e6e6', domainColor: '#888', tickColor: '#888' },
      legend: { labelFont: FONT, labelFontSize: 12, labelLimit: 320 },
    },
  };
  const view = new vega.View(vega.parse(spec as vega.Spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
