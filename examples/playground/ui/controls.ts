// The form: reads and writes its fields as text (RawForm), builds the data-set tiles and the hidden
// layer rows, and shows a message next to the field it is about (role="alert", aria-invalid).
import {
  DATASETS, HIDDEN_ACTIVATIONS, LOSS_NAMES, MAX_HIDDEN, MAX_SEED, MAX_UNITS, OPTIMIZERS, OUTPUT_ACTIVATIONS, SCHEDULES,
  type FieldErrors, type RawForm,
} from '../config.js';
import { generate, sampleCsv, type Generated } from '../datasets.js';
import { classColor } from './colors.js';

function $<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

const ACTIVATION_LABELS: Record<string, string> = {
  tanh: 'tanh', relu: 'ReLU', leaky_relu: 'leaky ReLU', sigmoid: 'sigmoid', softplus: 'softplus', identity: 'identity', softmax: 'softmax',
};
const LOSS_LABELS: Record<string, string> = {
  bce: 'bce · binary cross-entropy', cce: 'cce · categorical cross-entropy', mse: 'mse · mean squared error', half_se: 'half_se · ½ Σ squared error', ssr: 'ssr · Σ squared residuals',
};
const OPTIMIZER_LABELS: Record<string, string> = { sgd: 'SGD', momentum: 'Momentum (0.9)', adam: 'Adam' };

function fillSelect(select: HTMLSelectElement, values: readonly string[], labels: Record<string, string>): void {
  select.replaceChildren(...values.map((value) => new Option(labels[value] ?? value, value)));
}

export type ChangeKind = 'dataset' | 'output' | 'field';

export interface ControlEvents {
  /** A field changed (text fields after a short pause in typing). */
  change(kind: ChangeKind): void;
  play(): void;
  pause(): void;
  step(): void;
  reset(): void;
  share(): void;
}

/** How long typing pauses before a text field is checked. */
const TYPING_MS = 350;

export class Controls {
  private readonly layers = $<HTMLDivElement>('layers');
  private readonly csv = $<HTMLTextAreaElement>('csv');
  private hidden: { units: string; activation: string }[] = [];
  private dataset = 'circle';
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly events: ControlEvents) {
    fillSelect($<HTMLSelectElement>('output'), OUTPUT_ACTIVATIONS, ACTIVATION_LABELS);
    fillSelect($<HTMLSelectElement>('loss-select'), LOSS_NAMES, LOSS_LABELS);
    fillSelect($<HTMLSelectElement>('optimizer'), OPTIMIZERS, OPTIMIZER_LABELS);
    fillSelect($<HTMLSelectElement>('schedule'), SCHEDULES.map((s) => s.name), Object.fromEntries(SCHEDULES.map((s) => [s.name, s.label])));
    this.buildTiles();
    this.bind();
  }

  private buildTiles(): void {
    const tiles = $<HTMLDivElement>('dataset-tiles');
    for (const { kind, label } of DATASETS) {
      const tile = document.createElement('label');
      tile.className = 'tile';
      tile.dataset.testid = `dataset-${kind}`;
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'dataset';
      input.value = kind;
      input.className = 'visually-hidden';
      input.addEventListener('change', () => {
        this.dataset = kind;
        this.updateVisibility();
        this.events.change('dataset');
      });
      const preview = document.createElement('canvas');
      preview.className = 'thumb';
      preview.width = 96;
      preview.height = 96;
      preview.setAttribute('aria-hidden', 'true');
      if (kind === 'csv') drawCsvIcon(preview);
      else drawThumbnail(preview, kind);
      const name = document.createElement('span');
      name.textContent = label;
      tile.append(input, preview, name);
      tiles.append(tile);
    }
  }

  private bind(): void {
    const now = (): void => this.events.change('field');
    const typed = (): void => {
      clearTimeout(this.timer);
      this.timer = setTimeout(now, TYPING_MS);
    };
    for (const id of ['noise', 'points', 'clusters', 'validation']) {
      const input = $<HTMLInputElement>(id);
      input.addEventListener('input', () => this.updateOutputs());
      input.addEventListener('change', now);
    }
    for (const id of ['seed', 'lr', 'batch', 'dropout']) {
      const input = $<HTMLInputElement>(id);
      input.addEventListener('input', typed);
      input.addEventListener('change', () => {
        clearTimeout(this.timer);
        now();
      });
    }
    $<HTMLSelectElement>('output').addEventListener('change', () => this.events.change('output'));
    $<HTMLSelectElement>('loss-select').addEventListener('change', now);
    $<HTMLSelectElement>('optimizer').addEventListener('change', now);
    $<HTMLSelectElement>('schedule').addEventListener('change', now);
    this.csv.addEventListener('input', typed);
    $<HTMLButtonElement>('csv-example').addEventListener('click', () => this.setCsv(sampleCsv()));
    $<HTMLButtonElement>('seed-random').addEventListener('click', () => {
      $<HTMLInputElement>('seed').value = String(Math.floor(Math.random() * (MAX_SEED + 1)));
      now();
    });
    const file = $<HTMLInputElement>('csv-file');
    file.addEventListener('change', () => {
      if (file.files?.[0]) void this.loadFile(file.files[0]);
      file.value = '';
    });
    const drop = $<HTMLDivElement>('dropzone');
    drop.addEventListener('dragover', (event) => {
      event.preventDefault();
      drop.classList.add('dragging');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
    drop.addEventListener('drop', (event) => {
      event.preventDefault();
      drop.classList.remove('dragging');
      const dropped = event.dataTransfer?.files?.[0];
      if (dropped) void this.loadFile(dropped);
      else if (event.dataTransfer?.getData('text')) this.setCsv(event.dataTransfer.getData('text'));
    });
    $<HTMLButtonElement>('play').addEventListener('click', () => this.events.play());
    $<HTMLButtonElement>('pause').addEventListener('click', () => this.events.pause());
    $<HTMLButtonElement>('step').addEventListener('click', () => this.events.step());
    $<HTMLButtonElement>('reset').addEventListener('click', () => this.events.reset());
    $<HTMLButtonElement>('share').addEventListener('click', () => this.events.share());
  }

  private async loadFile(file: File): Promise<void> {
    this.setCsv(await file.text());
  }

  /** Puts text into the CSV field and checks it at once. */
  setCsv(text: string): void {
    this.csv.value = text;
    clearTimeout(this.timer);
    this.events.change('field');
  }

  private updateVisibility(): void {
    const csv = this.dataset === 'csv';
    $<HTMLDivElement>('csv-panel').hidden = !csv;
    $<HTMLDivElement>('generated-panel').hidden = csv;
    $<HTMLDivElement>('clusters-field').hidden = this.dataset !== 'gauss';
    for (const tile of document.querySelectorAll<HTMLLabelElement>('.tile')) {
      tile.classList.toggle('selected', tile.querySelector('input')!.value === this.dataset);
    }
  }

  private updateOutputs(): void {
    const percent = (id: string): string => `${Math.round(Number($<HTMLInputElement>(id).value) * 100)}%`;
    $<HTMLOutputElement>('noise-value').value = percent('noise');
    $<HTMLOutputElement>('validation-value').value = percent('validation');
    $<HTMLOutputElement>('points-value').value = $<HTMLInputElement>('points').value;
    $<HTMLOutputElement>('clusters-value').value = $<HTMLInputElement>('clusters').value;
  }

  private renderLayers(): void {
    const rows = this.hidden.map((layer, i) => {
      const row = document.createElement('div');
      row.className = 'layer-row';
      row.innerHTML = `
        <span class="layer-name">Hidden ${i + 1}</span>
        <div class="stepper">
          <button type="button" class="step-button" data-delta="-1" aria-label="Fewer units in hidden layer ${i + 1}">−</button>
          <input type="text" inputmode="numeric" id="units-${i}" data-testid="units-${i}" aria-label="Units in hidden layer ${i + 1}" aria-describedby="error-units-${i}" autocomplete="off" />
          <button type="button" class="step-button" data-delta="1" aria-label="More units in hidden layer ${i + 1}">+</button>
        </div>
        <select id="activation-${i}" data-testid="activation-${i}" aria-label="Activation of hidden layer ${i + 1}" aria-describedby="error-activation-${i}"></select>
        <button type="button" class="remove-button" data-testid="remove-${i}" aria-label="Remove hidden layer ${i + 1}" title="Remove this layer">×</button>
        <p class="field-error" id="error-units-${i}" data-error-for="units-${i}" data-testid="error-units-${i}" role="alert"></p>
        <p class="field-error" id="error-activation-${i}" data-error-for="activation-${i}" role="alert"></p>`;
      const units = row.querySelector('input')!;
      units.value = layer.units;
      units.addEventListener('input', () => {
        this.hidden[i].units = units.value;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.events.change('field'), TYPING_MS);
      });
      for (const button of row.querySelectorAll<HTMLButtonElement>('.step-button')) {
        button.addEventListener('click', () => {
          const current = Number.parseInt(units.value, 10);
          const next = Math.min(MAX_UNITS, Math.max(1, (Number.isFinite(current) ? current : 1) + Number(button.dataset.delta)));
          units.value = String(next);
          this.hidden[i].units = units.value;
          this.events.change('field');
        });
      }
      const select = row.querySelector('select')!;
      fillSelect(select, HIDDEN_ACTIVATIONS, ACTIVATION_LABELS);
      select.value = layer.activation;
      select.addEventListener('change', () => {
        this.hidden[i].activation = select.value;
        this.events.change('field');
      });
      row.querySelector('.remove-button')!.addEventListener('click', () => {
        this.hidden.splice(i, 1);
        this.renderLayers();
        this.events.change('field');
      });
      return row;
    });
    const add = document.createElement('button');
    add.type = 'button';
    add.className = 'button small ghost add-layer';
    add.dataset.testid = 'add-layer';
    add.textContent = '+ Add hidden layer';
    add.disabled = this.hidden.length >= MAX_HIDDEN;
    add.addEventListener('click', () => {
      const last = this.hidden[this.hidden.length - 1];
      this.hidden.push({ units: last?.units && Number(last.units) >= 1 ? last.units : '4', activation: last?.activation ?? 'tanh' });
      this.renderLayers();
      this.events.change('field');
    });
    this.layers.replaceChildren(...rows, add);
  }

  read(): RawForm {
    const value = (id: string): string => $<HTMLInputElement>(id).value;
    return {
      dataset: this.dataset,
      noise: value('noise'),
      points: value('points'),
      clusters: value('clusters'),
      validation: value('validation'),
      csv: this.csv.value,
      hidden: this.hidden.map((layer) => ({ ...layer })),
      output: value('output'),
      loss: value('loss-select'),
      optimizer: value('optimizer'),
      learningRate: value('lr'),
      batchSize: value('batch'),
      schedule: value('schedule'),
      dropout: value('dropout'),
      seed: value('seed'),
    };
  }

  write(raw: RawForm): void {
    this.dataset = raw.dataset;
    for (const input of document.querySelectorAll<HTMLInputElement>('input[name=dataset]')) input.checked = input.value === raw.dataset;
    const set = (id: string, value: string): void => {
      $<HTMLInputElement>(id).value = value;
    };
    set('noise', raw.noise);
    set('points', raw.points);
    set('clusters', raw.clusters);
    set('validation', raw.validation);
    this.csv.value = raw.csv;
    set('output', raw.output);
    set('loss-select', raw.loss);
    set('optimizer', raw.optimizer);
    set('lr', raw.learningRate);
    set('batch', raw.batchSize);
    set('schedule', raw.schedule);
    set('dropout', raw.dropout);
    set('seed', raw.seed);
    this.hidden = raw.hidden.map((layer) => ({ ...layer }));
    this.renderLayers();
    this.updateVisibility();
    this.updateOutputs();
  }

  /** Sets the output activation and loss (the sensible pairing for a task). */
  setPairing(output: string, loss: string): void {
    $<HTMLSelectElement>('output').value = output;
    $<HTMLSelectElement>('loss-select').value = loss;
  }

  setLoss(loss: string): void {
    $<HTMLSelectElement>('loss-select').value = loss;
  }

  /** Shows each message next to its field and clears the others. */
  showErrors(errors: FieldErrors): void {
    for (const slot of document.querySelectorAll<HTMLElement>('[data-error-for]')) {
      const field = slot.dataset.errorFor!;
      const message = errors.get(field) ?? '';
      if (slot.textContent !== message) slot.textContent = message;
      const input = document.getElementById(field === 'loss' ? 'loss-select' : field);
      if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement || input instanceof HTMLTextAreaElement) {
        if (message) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
      }
    }
  }

  setCsvHint(text: string): void {
    $<HTMLParagraphElement>('hint-csv').textContent = text;
  }

  setOutputUnits(units: number): void {
    $<HTMLSpanElement>('output-units').textContent = `${units} unit${units === 1 ? '' : 's'}`;
  }

  setRunning(running: boolean): void {
    const play = $<HTMLButtonElement>('play');
    const pause = $<HTMLButtonElement>('pause');
    if (play.hidden === running) return;
    const focused = document.activeElement === play || document.activeElement === pause;
    play.hidden = running;
    pause.hidden = !running;
    document.body.dataset.running = String(running);
    if (focused) (running ? pause : play).focus();
  }
}

/** A tiny preview of a generated data set (the same generator, few points). */
function drawThumbnail(canvas: HTMLCanvasElement, kind: Generated): void {
  const context = canvas.getContext('2d')!;
  const data = generate(kind, { points: 160, noise: kind === 'gauss' ? 0.05 : 0.05, clusters: 3, seed: 3 });
  context.fillStyle = '#f4f6f9';
  context.fillRect(0, 0, canvas.width, canvas.height);
  const scale = canvas.width / 2.5;
  for (let r = 0; r < data.rows; r++) {
    const x = canvas.width / 2 + data.X[2 * r] * scale;
    const y = canvas.height / 2 - data.X[2 * r + 1] * scale;
    context.fillStyle = classColor(data.labels[r], data.classes);
    context.beginPath();
    context.arc(x, y, 3.2, 0, 2 * Math.PI);
    context.fill();
  }
}

function drawCsvIcon(canvas: HTMLCanvasElement): void {
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#f4f6f9';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.strokeStyle = '#8a97a6';
  context.lineWidth = 3;
  context.beginPath();
  context.roundRect(26, 18, 44, 60, 4);
  context.stroke();
  context.fillStyle = '#8a97a6';
  context.font = '600 17px system-ui, sans-serif';
  context.textAlign = 'center';
  context.fillText('CSV', 48, 55);
  context.fillRect(34, 30, 28, 3);
  context.fillRect(34, 62, 28, 3);
}
