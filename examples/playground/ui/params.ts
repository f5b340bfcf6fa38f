// The current parameters as a network diagram: one column of units per layer, a line per weight
// (blue positive, orange negative, width and opacity by |w|), units filled by their bias. Hovering
// (or tapping) a line or a unit shows its exact value. Big layers show their first units and "+N".
// Drawn on a canvas: redrawing it while training costs no style or layout work on the page.
import { BLUE, ORANGE, css, diverging } from './colors.js';
import { frameScheduler } from './frame.js';

/** Units drawn per layer at most. */
const SHOWN = 8;
const RADIUS = 9;
const ROW_GAP = 30;

export interface Shape {
  inputs: number;
  layers: { units: number; activation: string }[];
  inputNames: string[];
  outputNames: string[];
}

interface Unit {
  x: number;
  y: number;
  /** Flat index of the bias; −1 for inputs. */
  index: number;
  name: string;
}

interface Edge {
  from: Unit;
  to: Unit;
  index: number;
  name: string;
}

interface Layout {
  width: number;
  height: number;
  columns: { x: number; units: Unit[]; more: number; label: string }[];
  edges: Edge[];
}

export class ParamsView {
  private readonly canvas = document.createElement('canvas');
  private readonly info = document.createElement('p');
  private shape: Shape | null = null;
  private layout: Layout | null = null;
  private params: Float64Array | null = null;
  private hovered: { index: number; label: string } | null = null;
  private readonly schedule = frameScheduler(() => this.draw());

  constructor(private readonly host: HTMLElement) {
    this.canvas.className = 'network';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Network diagram: weights and biases');
    this.info.className = 'param-info';
    host.replaceChildren(this.canvas, this.info);
    this.canvas.addEventListener('pointermove', (event) => this.pick(event));
    this.canvas.addEventListener('pointerdown', (event) => this.pick(event));
    this.canvas.addEventListener('pointerleave', () => {
      this.hovered = null;
      this.schedule();
    });
    // laid out at the container's own width, so text stays legible on a phone
    new ResizeObserver(() => {
      if (this.shape !== null && Math.abs(this.layoutWidth() - (this.layout?.width ?? 0)) > 8) this.setShape(this.shape);
    }).observe(host);
  }

  private layoutWidth(): number {
    return Math.max(280, Math.min(640, Math.round(this.host.clientWidth || 560)));
  }

  setShape(shape: Shape): void {
    this.shape = shape;
    const W = this.layoutWidth();
    const widths = [shape.inputs, ...shape.layers.map((l) => l.units)];
    const maxRows = Math.max(...widths.map((units) => (units > SHOWN ? SHOWN : units)));
    const H = Math.max(140, maxRows * ROW_GAP + 36);
    const left = 46;
    const right = W < 420 ? 74 : 92;
    const columns: Layout['columns'] = [];
    let offset = 0;
    widths.forEach((units, c) => {
      const shown = units > SHOWN ? SHOWN - 1 : units;
      const rows = shown + (units > shown ? 1 : 0);
      const x = left + (c * (W - left - right)) / Math.max(1, widths.length - 1);
      const top = (H - 26 - (rows - 1) * ROW_GAP) / 2;
      const layer = shape.layers[c - 1];
      if (c > 0) offset += units * widths[c - 1];
      const column = Array.from({ length: shown }, (_, j): Unit => {
        if (c === 0) return { x, y: top + j * ROW_GAP, index: -1, name: shape.inputNames[j] ?? `x${j + 1}` };
        const name = c === widths.length - 1 ? shape.outputNames[j] ?? `output ${j + 1}` : `hidden ${c}, unit ${j + 1}`;
        return { x, y: top + j * ROW_GAP, index: offset + j, name };
      });
      if (c > 0) offset += units;
      const narrow = (W - left - right) / Math.max(1, widths.length - 1) < 110;
      const label = c === 0 ? (narrow ? `${units} in` : `input · ${units}`) : c === widths.length - 1 ? (narrow ? layer.activation : `output · ${layer.activation}`) : `${units} ${layer.activation}`;
      columns.push({ x, units: column, more: units - shown, label });
    });
    const edges: Edge[] = [];
    let at = 0;
    shape.layers.forEach((layer, l) => {
      const fanIn = widths[l];
      for (const [j, to] of columns[l + 1].units.entries()) {
        for (const [i, from] of columns[l].units.entries()) {
          edges.push({ from, to, index: at + j * fanIn + i, name: `${from.name} → ${to.name}` });
        }
      }
      at += layer.units * fanIn + layer.units;
    });
    this.layout = { width: W, height: H, columns, edges };
    this.canvas.style.aspectRatio = `${W} / ${H}`;
    this.hovered = null;
    this.info.textContent = 'Hover or tap a line (a weight) or a unit (its bias) to read its value.';
    this.schedule();
  }

  update(params: Float64Array): void {
    this.params = params;
    this.schedule();
  }


  private draw(): void {
    const layout = this.layout;
    if (layout === null) return;
    const ratio = window.devicePixelRatio || 1;
    const scale = (this.canvas.clientWidth || layout.width) / layout.width;
    const width = Math.round(layout.width * scale * ratio);
    const height = Math.round(layout.height * scale * ratio);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const context = this.canvas.getContext('2d')!;
    context.setTransform(scale * ratio, 0, 0, scale * ratio, 0, 0);
    context.clearRect(0, 0, layout.width, layout.height);
    const params = this.params;
    let max = 1e-12;
    if (params) for (const edge of layout.edges) max = Math.max(max, Math.abs(params[edge.index] ?? 0));
    context.lineCap = 'round';
    for (const edge of layout.edges) {
      const w = params?.[edge.index] ?? 0;
      const t = Math.abs(w) / max;
      const hovered = this.hovered?.index === edge.index;
      context.strokeStyle = w >= 0 ? BLUE : ORANGE;
      context.globalAlpha = hovered ? 1 : 0.22 + 0.7 * t;
      context.lineWidth = 0.6 + 4 * t + (hovered ? 1.5 : 0);
      context.beginPath();
      context.moveTo(edge.from.x, edge.from.y);
      context.lineTo(edge.to.x, edge.to.y);
      context.stroke();
    }
    context.globalAlpha = 1;
    context.font = '12px system-ui, sans-serif';
    context.textBaseline = 'middle';
    layout.columns.forEach((column, c) => {
      for (const unit of column.units) {
        context.beginPath();
        context.arc(unit.x, unit.y, RADIUS, 0, 2 * Math.PI);
        context.fillStyle = unit.index < 0 ? '#eef1f5' : css(diverging(0.5 + 0.5 * Math.tanh(params?.[unit.index] ?? 0)));
        context.fill();
        context.lineWidth = this.hovered?.index === unit.index ? 2.5 : 1.2;
        context.strokeStyle = '#59677a';
        context.stroke();
      }
      context.fillStyle = '#6b7785';
      if (c === 0) {
        context.textAlign = 'right';
        for (const unit of column.units) context.fillText(unit.name, unit.x - 15, unit.y);
      } else if (c === layout.columns.length - 1) {
        context.textAlign = 'left';
        for (const unit of column.units) context.fillText(unit.name, unit.x + 15, unit.y);
      }
      context.textAlign = 'center';
      if (column.more > 0) {
        const last = column.units[column.units.length - 1];
        context.font = '600 12px system-ui, sans-serif';
        context.fillText(`+${column.more}`, column.x, last.y + ROW_GAP);
        context.font = '12px system-ui, sans-serif';
      }
      context.fillStyle = '#8a96a3';
      context.fillText(column.label, column.x, layout.height - 10);
    });
    if (this.hovered && params) {
      const value = params[this.hovered.index];
      this.info.textContent = `${this.hovered.label}: ${value.toPrecision(6)}`;
    }
  }

  /** The unit or line under the pointer (units first, then the nearest line within 5 px). */
  private pick(event: PointerEvent): void {
    const layout = this.layout;
    if (layout === null) return;
    const box = this.canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * layout.width;
    const y = ((event.clientY - box.top) / box.height) * layout.height;
    let found: { index: number; label: string } | null = null;
    for (const column of layout.columns) {
      for (const unit of column.units) {
        if (unit.index >= 0 && Math.hypot(unit.x - x, unit.y - y) <= RADIUS + 2) found = { index: unit.index, label: `bias of ${unit.name}` };
      }
    }
    if (found === null) {
      let best = 5;
      for (const edge of layout.edges) {
        const d = distanceToSegment(x, y, edge.from.x, edge.from.y, edge.to.x, edge.to.y);
        if (d < best) {
          best = d;
          found = { index: edge.index, label: `weight ${edge.name}` };
        }
      }
    }
    if (found?.index !== this.hovered?.index) {
      this.hovered = found;
      this.schedule();
    }
  }
}

function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
