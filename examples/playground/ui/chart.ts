// Training and validation loss per epoch, drawn on a canvas. Long runs are thinned: past 1,200 points
// every other one is dropped and only every 2nd (4th, …) epoch is kept, so drawing stays cheap.
import { BLUE, ORANGE } from './colors.js';
import { frameScheduler } from './frame.js';

const MAX_POINTS = 1200;

export class LossChart {
  private epochs: number[] = [];
  private loss: number[] = [];
  private valLoss: number[] = [];
  private stride = 1;
  private last: { epoch: number; loss: number; valLoss: number } | null = null;
  private log = false;
  private readonly schedule = frameScheduler(() => this.draw());

  constructor(private readonly canvas: HTMLCanvasElement) {
    new ResizeObserver(() => this.schedule()).observe(canvas);
  }

  reset(): void {
    this.epochs = [];
    this.loss = [];
    this.valLoss = [];
    this.stride = 1;
    this.last = null;
    this.schedule();
  }

  /** Losses of consecutive epochs, the first being `firstEpoch`; valLoss may be empty. */
  append(firstEpoch: number, loss: number[], valLoss: number[]): void {
    for (let i = 0; i < loss.length; i++) {
      const epoch = firstEpoch + i;
      const val = valLoss.length === loss.length ? valLoss[i] : NaN;
      this.last = { epoch, loss: loss[i], valLoss: val };
      if (epoch % this.stride !== 0) continue;
      this.epochs.push(epoch);
      this.loss.push(loss[i]);
      this.valLoss.push(val);
      if (this.epochs.length > MAX_POINTS) this.thin();
    }
    this.schedule();
  }

  private thin(): void {
    this.stride *= 2;
    const keep = (_: number, i: number): boolean => this.epochs[i] % this.stride === 0;
    this.loss = this.loss.filter(keep);
    this.valLoss = this.valLoss.filter(keep);
    this.epochs = this.epochs.filter((epoch) => epoch % this.stride === 0);
  }

  setLog(log: boolean): void {
    this.log = log;
    this.canvas.dataset.scale = log ? 'log' : 'linear';
    this.draw();
  }


  draw(): void {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const context = canvas.getContext('2d')!;
    context.clearRect(0, 0, width, height);
    const epochs = [...this.epochs];
    const loss = [...this.loss];
    const valLoss = [...this.valLoss];
    if (this.last && epochs[epochs.length - 1] !== this.last.epoch) {
      epochs.push(this.last.epoch);
      loss.push(this.last.loss);
      valLoss.push(this.last.valLoss);
    }
    const left = 44 * ratio, right = 10 * ratio, top = 8 * ratio, bottom = 20 * ratio;
    const plotW = width - left - right;
    const plotH = height - top - bottom;
    context.font = `${11 * ratio}px system-ui, sans-serif`;
    context.fillStyle = '#7b8794';
    const values = [...loss, ...valLoss].filter((v) => Number.isFinite(v) && (!this.log || v > 0));
    if (epochs.length === 0 || values.length === 0) {
      context.textAlign = 'center';
      context.textBaseline = 'middle';
      context.fillText('Press play or step to train', width / 2, height / 2);
      return;
    }
    let lo: number, hi: number;
    let linearStep = 1;
    if (this.log) {
      lo = Math.floor(Math.log10(Math.min(...values)));
      hi = Math.ceil(Math.log10(Math.max(...values)));
      if (hi === lo) hi = lo + 1;
    } else {
      lo = 0;
      const step = niceStep(Math.max(...values) / 4);
      hi = Math.max(step, Math.ceil(Math.max(...values) / step - 1e-9) * step);
      linearStep = step;
    }
    const yOf = (v: number): number => {
      const t = this.log ? (Math.log10(v) - lo) / (hi - lo) : (v - lo) / (hi - lo);
      return top + plotH * (1 - t);
    };
    const maxEpoch = Math.max(1, epochs[epochs.length - 1]);
    const xOf = (epoch: number): number => left + (epoch / maxEpoch) * plotW;

    // grid and labels
    context.strokeStyle = '#e6e9ee';
    context.lineWidth = ratio;
    context.textAlign = 'right';
    context.textBaseline = 'middle';
    const ticks = this.log ? range(lo, hi).map((e) => 10 ** e) : range(0, Math.round(hi / linearStep)).map((i) => i * linearStep);
    const step = this.log ? Math.ceil(ticks.length / 5) : 1;
    ticks.forEach((tick, i) => {
      if (i % step !== 0 && i !== ticks.length - 1) return;
      const y = Math.round(yOf(tick)) + 0.5;
      context.beginPath();
      context.moveTo(left, y);
      context.lineTo(width - right, y);
      context.stroke();
      context.fillText(formatTick(tick), left - 6 * ratio, y);
    });
    context.textAlign = 'left';
    context.textBaseline = 'alphabetic';
    context.fillText('epoch 0', left, height - 5 * ratio);
    context.textAlign = 'right';
    context.fillText(`${maxEpoch.toLocaleString('en-US')}`, width - right, height - 5 * ratio);

    const line = (series: number[], color: string, dash: number[]): void => {
      context.strokeStyle = color;
      context.lineWidth = 2 * ratio;
      context.lineJoin = 'round';
      context.setLineDash(dash.map((d) => d * ratio));
      context.beginPath();
      let started = false;
      series.forEach((v, i) => {
        if (!Number.isFinite(v) || (this.log && v <= 0)) {
          started = false;
          return;
        }
        const x = xOf(epochs[i]);
        const y = yOf(v);
        if (started) context.lineTo(x, y);
        else context.moveTo(x, y);
        started = true;
      });
      context.stroke();
      context.setLineDash([]);
    };
    line(valLoss, ORANGE, [5, 3]);
    line(loss, BLUE, []);
  }
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `value`. */
function niceStep(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= value * (1 - 1e-9)) return m * power;
  return 10 * power;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000 || Math.abs(value) < 0.001) return value.toExponential(0);
  return Number(value.toPrecision(3)).toString();
}
