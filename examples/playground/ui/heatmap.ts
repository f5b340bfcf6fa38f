// The output view: the model's prediction over the plane as a heat map (the decision boundary is
// where the colours meet), with the data points on top: training points filled, validation points
// as rings, and ticks on both axes (HTML labels beside the canvas, placed in % of its side).
//
// Cheap to redraw while training: the points are drawn once per data set into a layer of their own,
// and a new grid only recolours a small image (table look-ups, no allocation) that the canvas scales.
import type { Dataset } from '../datasets.js';
import type { GridRequest } from '../protocol.js';
import { CLASS_COLORS, CLASS_RGB, WHITE, css, diverging, mix, type RGB } from './colors.js';
import { frameScheduler } from './frame.js';
import { axisTicks, tickLabel } from './ticks.js';

/** How strongly the heat map is coloured: points keep full colour on top of it. */
const TINT = 0.45;
/** Side of the coloured image before it is scaled to the canvas. */
const IMAGE_CELLS = 220;
/** Steps of the two-class colour table. */
const LUT_STEPS = 256;

/** Orange → white → blue, already tinted, as RGB bytes. */
const LUT = (() => {
  const table = new Uint8ClampedArray(LUT_STEPS * 3);
  for (let i = 0; i < LUT_STEPS; i++) {
    const c = mix(WHITE, diverging(i / (LUT_STEPS - 1)), TINT);
    table.set([c[0], c[1], c[2]], i * 3);
  }
  return table;
})();

export class Heatmap {
  private data: Dataset | null = null;
  private trainRows = 0;
  private box: GridRequest | null = null;
  private range: [number, number] = [0, 1];
  /** The coloured prediction image (IMAGE_CELLS², scaled when drawn); null before the first grid. */
  private readonly image = document.createElement('canvas');
  private hasImage = false;
  /** The points, at the canvas's size; redrawn when the data or the size change. */
  private readonly points = document.createElement('canvas');
  private pointsKey = '';
  private readonly schedule = frameScheduler(() => this.draw());

  /**
   * `axes`: the box holding the canvas and its tick labels (hidden with the canvas), and the two
   * elements that receive the labels.
   */
  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly note: HTMLElement,
    private readonly axes: { plot: HTMLElement; x: HTMLElement; y: HTMLElement },
  ) {
    new ResizeObserver(() => this.schedule()).observe(canvas);
  }

  /** Tick labels along the bottom (x, the first input) and the left side (y, the second input). */
  private setTicks(data: Dataset, box: GridRequest | null): void {
    const { x, y } = this.axes;
    x.replaceChildren();
    y.replaceChildren();
    if (box === null) return;
    const place = (axis: HTMLElement, value: number, fraction: number, side: 'left' | 'top'): void => {
      const label = document.createElement('span');
      label.className = 'tick';
      label.textContent = tickLabel(value);
      label.dataset.value = String(value);
      label.style[side] = `${(100 * fraction).toFixed(3)}%`;
      axis.append(label);
    };
    for (const t of axisTicks(box.xMin, box.xMax)) place(x, t, (t - box.xMin) / (box.xMax - box.xMin), 'left');
    for (const t of axisTicks(box.yMin, box.yMax)) place(y, t, (box.yMax - t) / (box.yMax - box.yMin), 'top');
    x.title = data.inputNames[0] ?? 'x₁';
    y.title = data.inputNames[1] ?? 'x₂';
  }

  /** A new data set (and the box the grid covers); null box: the data are not 2-D. */
  setData(data: Dataset, trainRows: number, box: GridRequest | null): void {
    this.data = data;
    this.trainRows = trainRows;
    this.box = box;
    this.hasImage = false;
    this.pointsKey = '';
    if (data.task === 'regression') {
      let lo = Infinity, hi = -Infinity;
      for (const value of data.labels) {
        lo = Math.min(lo, value);
        hi = Math.max(hi, value);
      }
      this.range = [lo, hi > lo ? hi : lo + 1];
    }
    this.canvas.hidden = box === null;
    this.axes.plot.hidden = box === null;
    this.setTicks(data, box);
    this.note.hidden = box !== null;
    document.getElementById('point-key')!.hidden = box === null;
    if (box === null) {
      this.note.textContent = `The heat map shows models with two inputs; these data have ${data.inputs} input column${data.inputs === 1 ? '' : 's'}. Training, losses and accuracy work as usual.`;
    }
    this.schedule();
  }

  /** The model's outputs on the grid (`outputs` values per cell). */
  setGrid(grid: Float32Array, outputs: number): void {
    const box = this.box;
    if (this.data === null || box === null || grid.length !== box.n * box.n * outputs) return;
    this.colour(grid, box.n, outputs);
    this.hasImage = true;
    this.schedule();
  }


  /** A value of a one-output model as a position 0…1 on the orange–blue scale. */
  private scale(value: number): number {
    if (this.data!.task !== 'regression') return value;
    return (value - this.range[0]) / (this.range[1] - this.range[0]);
  }

  /** Colours the image: one output is interpolated, then looked up; several are coloured per cell, then interpolated. */
  private colour(grid: Float32Array, n: number, K: number): void {
    const m = IMAGE_CELLS;
    if (this.image.width !== m) {
      this.image.width = m;
      this.image.height = m;
    }
    const context = this.image.getContext('2d')!;
    const image = context.createImageData(m, m);
    const pixels = image.data;
    // per cell: the scale position (one output) or the colour (several)
    const cells = new Float32Array(n * n * (K === 1 ? 1 : 3));
    for (let i = 0; i < n * n; i++) {
      if (K === 1) cells[i] = Math.min(1, Math.max(0, this.scale(grid[i])));
      else {
        const c = mix(WHITE, mixClasses(grid, i * K, K), TINT);
        cells[i * 3] = c[0];
        cells[i * 3 + 1] = c[1];
        cells[i * 3 + 2] = c[2];
      }
    }
    // bilinear interpolation between cell centres: a smooth boundary instead of the grid's staircase
    const at = new Int32Array(m);
    const frac = new Float32Array(m);
    for (let p = 0; p < m; p++) {
      const g = Math.min(n - 1, Math.max(0, ((p + 0.5) / m) * n - 0.5));
      at[p] = Math.min(n - 2, Math.floor(g));
      frac[p] = g - at[p];
    }
    for (let py = 0; py < m; py++) {
      const y0 = at[py], fy = frac[py];
      for (let px = 0; px < m; px++) {
        const x0 = at[px], fx = frac[px];
        const a = y0 * n + x0, b = a + 1, c = a + n, d = c + 1;
        const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
        const o = (py * m + px) * 4;
        if (K === 1) {
          const t = cells[a] * w00 + cells[b] * w01 + cells[c] * w10 + cells[d] * w11;
          const l = Math.round(t * (LUT_STEPS - 1)) * 3;
          pixels[o] = LUT[l];
          pixels[o + 1] = LUT[l + 1];
          pixels[o + 2] = LUT[l + 2];
        } else {
          for (let ch = 0; ch < 3; ch++) {
            pixels[o + ch] = cells[a * 3 + ch] * w00 + cells[b * 3 + ch] * w01 + cells[c * 3 + ch] * w10 + cells[d * 3 + ch] * w11;
          }
        }
        pixels[o + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
  }

  private drawPoints(size: number, ratio: number): void {
    const key = `${size}:${ratio}`;
    if (this.pointsKey === key) return;
    this.pointsKey = key;
    const data = this.data!;
    const box = this.box!;
    this.points.width = size;
    this.points.height = size;
    const context = this.points.getContext('2d')!;
    context.clearRect(0, 0, size, size);
    const toX = (x: number): number => ((x - box.xMin) / (box.xMax - box.xMin)) * size;
    const toY = (y: number): number => ((box.yMax - y) / (box.yMax - box.yMin)) * size;
    // axes through the origin, when it is inside the box
    context.strokeStyle = 'rgba(31, 42, 55, 0.12)';
    context.lineWidth = ratio;
    context.beginPath();
    if (box.xMin < 0 && box.xMax > 0) {
      context.moveTo(toX(0), 0);
      context.lineTo(toX(0), size);
    }
    if (box.yMin < 0 && box.yMax > 0) {
      context.moveTo(0, toY(0));
      context.lineTo(size, toY(0));
    }
    context.stroke();
    const radius = Math.max(2.6, Math.min(4, size / ratio / 110)) * ratio;
    for (let r = 0; r < data.rows; r++) {
      const x = toX(data.X[r * data.inputs]);
      const y = toY(data.X[r * data.inputs + 1]);
      const value = data.labels[r];
      const color = data.task === 'regression' ? css(diverging(this.scale(value))) : CLASS_COLORS[value % CLASS_COLORS.length];
      context.beginPath();
      context.arc(x, y, radius, 0, 2 * Math.PI);
      if (r < this.trainRows) {
        context.fillStyle = color;
        context.fill();
        context.strokeStyle = 'rgba(255, 255, 255, 0.95)';
        context.lineWidth = ratio;
        context.stroke();
      } else {
        context.fillStyle = '#ffffff';
        context.fill();
        context.strokeStyle = color;
        context.lineWidth = 1.8 * ratio;
        context.stroke();
      }
    }
  }

  draw(): void {
    const { canvas } = this;
    if (canvas.hidden || this.data === null || this.box === null) return;
    const ratio = window.devicePixelRatio || 1;
    const size = Math.max(1, Math.round(canvas.clientWidth * ratio));
    if (canvas.width !== size || canvas.height !== size) {
      canvas.width = size;
      canvas.height = size;
    }
    const context = canvas.getContext('2d')!;
    if (this.hasImage) {
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = 'low';
      context.drawImage(this.image, 0, 0, size, size);
    } else {
      context.fillStyle = css(WHITE);
      context.fillRect(0, 0, size, size);
    }
    this.drawPoints(size, ratio);
    context.drawImage(this.points, 0, 0);
  }
}

/** The probability-weighted mix of the class colours, paler where the model is unsure. */
function mixClasses(values: Float32Array, at: number, K: number): RGB {
  let sum = 0, best = 0;
  for (let k = 0; k < K; k++) {
    const p = Math.max(0, values[at + k]);
    sum += p;
    best = Math.max(best, p);
  }
  if (!(sum > 0)) return WHITE;
  let r = 0, g = 0, b = 0;
  for (let k = 0; k < K; k++) {
    const w = Math.max(0, values[at + k]) / sum;
    const c = CLASS_RGB[k % CLASS_RGB.length];
    r += c[0] * w;
    g += c[1] * w;
    b += c[2] * w;
  }
  const confidence = Math.min(1, Math.max(0, (best / sum - 1 / K) / (1 - 1 / K)));
  return mix(WHITE, [r, g, b], 0.35 + 0.65 * confidence);
}
