// The page: reads the form, checks it, makes the data, and talks to the training worker. A setting
// that does not pass leaves the running model alone: its message appears next to the field and the
// last valid model keeps training and showing. The URL hash always describes the model shown.
import {
  DEFAULTS, MAX_CSV_IN_LINK, fieldOfPath, fromHash, lossFor, needsRebuild, outputsFor, pairingFor, scheduleFor, shortData, splitRows, toHash, toRaw,
  validateForm,
  type Config, type FieldErrors,
} from './config.js';
import { CsvError, extent, generate, parseCsv, type Dataset } from './datasets.js';
import type { FromWorker, GridRequest, ToWorker, TrainOptions, TrainState } from './protocol.js';
import { LossChart } from './ui/chart.js';
import { CLASS_COLORS } from './ui/colors.js';
import { Controls, type ChangeKind } from './ui/controls.js';
import { Heatmap } from './ui/heatmap.js';
import { ParamsView } from './ui/params.js';
import { StreamPanel } from './ui/stream-panel.js';

const GRID_CELLS = 90;
/** Redraw the parameter diagram at most this often while training (ms). */
const PARAMS_EVERY_MS = 100;

function $<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

interface Prepared {
  config: Config;
  data: Dataset;
  trainRows: number;
  box: GridRequest | null;
  outputs: number;
}

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const heatmap = new Heatmap($<HTMLCanvasElement>('heatmap'), $('heatmap-note'), { plot: $('heatmap-plot'), x: $('heatmap-x-ticks'), y: $('heatmap-y-ticks') });
const chart = new LossChart($<HTMLCanvasElement>('chart'));
const params = new ParamsView($('params'));

/** The model shown (accepted by the worker). */
let active: Prepared | null = null;
/** The configuration last sent and not refused: new settings are compared with it. */
let sent: Config | null = null;
const pendingBuilds = new Map<number, Prepared>();
const pendingOptions = new Map<number, Config>();
let nextRequest = 1;
let running = false;
let shownRun = -1;
/** The task of the data last sent ("classification:2", …): a new one picks its sensible output and loss. */
let taskSignature: string | null = null;
let paramsDrawnAt = 0;

function send(message: ToWorker): void {
  worker.postMessage(message);
}

function play(): void {
  running = true;
  controls.setRunning(true);
  send({ type: 'play' });
}

function pause(): void {
  running = false;
  controls.setRunning(false);
  send({ type: 'pause' });
}

const controls = new Controls({
  change: onChange,
  play,
  pause,
  step: () => {
    running = false;
    controls.setRunning(false);
    send({ type: 'step' });
  },
  reset: () => send({ type: 'reset' }),
  share: () => void share(),
});

function signature(data: Dataset): string {
  return data.task === 'regression' ? 'regression' : `classification:${data.classes === 2 ? 2 : 'k'}`;
}

function trainOptions(config: Config): TrainOptions {
  const options: TrainOptions = { optimizer: config.optimizer, learningRate: config.learningRate, batchSize: config.batchSize };
  const schedule = scheduleFor(config.schedule, config.learningRate);
  if (schedule) options.schedule = schedule;
  return options;
}

function setStatus(text: string, tone: 'info' | 'warn' = 'info'): void {
  const status = $<HTMLParagraphElement>('status');
  status.textContent = text;
  status.dataset.tone = tone;
  status.hidden = text === '';
}

/** The data a (partly valid) form describes, or the message for the data field. */
function makeData(kind: Config['dataset'], raw: { csv: string }, config: Config | null, seed: number, errors: FieldErrors): Dataset | null {
  if (kind === 'csv') {
    if (raw.csv.trim() === '') {
      controls.setCsvHint('Paste CSV rows above, drop a file on them, or load the example.');
      return null;
    }
    controls.setCsvHint('');
    try {
      return parseCsv(raw.csv, seed);
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      errors.set('csv', error.message);
      return null;
    }
  }
  if (config === null) return null;
  return generate(kind, { points: config.points, noise: config.noise, clusters: config.clusters, seed: config.seed });
}

function onChange(kind: ChangeKind): void {
  let raw = controls.read();
  let { config, errors } = validateForm(raw);
  const seed = Number.isInteger(Number(raw.seed)) ? Number(raw.seed) : DEFAULTS.seed;
  const data = raw.dataset === 'circle' || raw.dataset === 'xor' || raw.dataset === 'spiral' || raw.dataset === 'gauss' || raw.dataset === 'csv'
    ? makeData(raw.dataset, raw, config, seed, errors)
    : null;
  if (data !== null) {
    const task = signature(data);
    if (kind === 'output') {
      // a new output activation brings its loss (the loss menu can still pick another)
      controls.setLoss(lossFor(raw.output as Config['output'], data.task));
    } else if (taskSignature !== null && task !== taskSignature) {
      const pairing = pairingFor(data.task, data.classes);
      controls.setPairing(pairing.output, pairing.loss);
    }
    raw = controls.read();
    ({ config, errors } = validateForm(raw));
    if (raw.dataset === 'csv') makeData('csv', raw, config, seed, errors);
  }
  if (data !== null && config !== null && errors.size === 0) {
    const short = shortData(config, data.rows);
    if (short !== null) errors.set(short.field, short.message);
  }
  controls.showErrors(errors);
  if (errors.size > 0 || config === null || data === null) {
    if (errors.size > 0) {
      setStatus(active ? 'Showing the last valid model: fix the marked setting to apply your changes.' : 'Fix the marked setting to start.', 'warn');
    } else {
      setStatus(active ? 'Showing the last valid model until there are data to train on.' : '');
    }
    return;
  }
  setStatus('');
  if (sent !== null && !needsRebuild(sent, config)) {
    if (JSON.stringify(trainOptions(sent)) !== JSON.stringify(trainOptions(config))) {
      const requestId = nextRequest++;
      pendingOptions.set(requestId, config);
      sent = config;
      send({ type: 'options', requestId, options: trainOptions(config) });
    }
    return;
  }
  taskSignature = signature(data);
  const { trainRows } = splitRows(data.rows, config.validation);
  const box = data.inputs === 2 ? { ...extent(data, config.dataset !== 'csv'), n: GRID_CELLS } : null;
  const outputs = outputsFor(data.task, data.classes, config.output);
  const requestId = nextRequest++;
  pendingBuilds.set(requestId, { config, data, trainRows, box, outputs });
  sent = config;
  send({
    type: 'configure',
    requestId,
    model: {
      inputs: data.inputs,
      layers: [...hiddenLayers(config), { units: outputs, activation: config.output }],
      loss: config.loss,
      seed: config.seed,
    },
    data: { X: data.X, labels: data.labels, rows: data.rows, trainRows, task: data.task, classes: data.classes },
    options: trainOptions(config),
    grid: box,
    play: running,
  });
}

/** The form's hidden layers: the one dropout rate goes on each (the library refuses it on the output layer). */
function hiddenLayers(config: Config): Config['hidden'] {
  return config.hidden.map((layer) => (config.dropout > 0 ? { ...layer, dropout: config.dropout } : layer));
}

function outputNames(data: Pick<Dataset, 'task' | 'classNames'>, outputs: number): string[] {
  if (data.task === 'regression') return [data.classNames[0]];
  if (outputs === 1) return [`P(${data.classNames[1]})`];
  return data.classNames;
}

function showLegend(data: Pick<Dataset, 'task' | 'classNames'>): void {
  const legend = $('legend');
  if (data.task === 'regression') {
    legend.innerHTML = `<span class="gradient-key"><span>low</span><i></i><span>high ${escape(data.classNames[0])}</span></span>`;
    return;
  }
  legend.replaceChildren(...data.classNames.map((name, k) => {
    const item = document.createElement('span');
    item.className = 'legend-item';
    item.innerHTML = `<i style="background:${CLASS_COLORS[k % CLASS_COLORS.length]}"></i>${escape(name)}`;
    return item;
  }));
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function adopt(prepared: Prepared): void {
  active = prepared;
  const { config, data } = prepared;
  heatmap.setData(data, prepared.trainRows, prepared.box);
  params.setShape({
    inputs: data.inputs,
    layers: [...config.hidden, { units: prepared.outputs, activation: config.output }],
    inputNames: data.inputNames,
    outputNames: outputNames(data, prepared.outputs),
  });
  controls.setOutputUnits(prepared.outputs);
  showLegend(data);
  showParamCount(data.inputs, [...config.hidden.map((l) => l.units), prepared.outputs]);
  setText('seed-stat', String(config.seed), config.seed);
  history.replaceState(null, '', toHash(config));
  document.body.dataset.ready = 'true';
}

function showParamCount(inputs: number, units: number[]): void {
  const count = units.reduce((sum, n, l) => sum + n * ((l === 0 ? inputs : units[l - 1]) + 1), 0);
  $('param-count').textContent = `${count.toLocaleString('en-US')} parameters`;
}

function setText(id: string, text: string, value: number | null): void {
  const element = $(id);
  if (element.textContent !== text) element.textContent = text;
  element.dataset.value = value === null ? '' : String(value);
}

function formatLoss(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  return value >= 1e5 || value < 1e-4 ? value.toExponential(3) : value.toPrecision(5);
}

function formatRate(value: number): string {
  if (value <= 0) return '–';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)} k`;
  return value.toFixed(0);
}

/** A learning rate in three significant digits, without trailing zeros (0.03, 0.015, 0.000234, 3e-7). */
function formatLearningRate(value: number): string {
  return Number.isFinite(value) && value > 0 ? String(Number(value.toPrecision(3))) : '–';
}

function showState(state: TrainState): void {
  if (state.runId !== shownRun) {
    shownRun = state.runId;
    chart.reset();
  }
  chart.append(state.epoch - state.newLoss.length + 1, state.newLoss, state.newValLoss);
  setText('epoch', state.epoch.toLocaleString('en-US'), state.epoch);
  setText('loss', formatLoss(state.loss), state.loss);
  setText('val-loss', formatLoss(state.valLoss), state.valLoss);
  setText('accuracy', state.accuracy === null ? '–' : `${(state.accuracy * 100).toFixed(1)}%`, state.accuracy);
  setText('val-accuracy', state.valAccuracy === null ? '' : `val ${(state.valAccuracy * 100).toFixed(1)}%`, state.valAccuracy);
  setText('rate', formatLearningRate(state.learningRate), state.learningRate);
  setText('samples', formatRate(state.samplesPerSecond), state.samplesPerSecond);
  setText('threads', String(state.threads), state.threads);
  if (state.grid !== null) heatmap.setGrid(state.grid, state.outputs);
  const now = performance.now();
  if (!state.running || now - paramsDrawnAt >= PARAMS_EVERY_MS) {
    params.update(state.params);
    paramsDrawnAt = now;
  }
  running = state.running;
  controls.setRunning(state.running);
  document.body.dataset.run = String(state.runId);
  document.body.dataset.training = String(state.running); // the worker's own word (the buttons change at a click)
}

// --- a large CSV file, streamed by the worker: the form's layers, seed and training settings at the
// time Train is pressed; the output and loss follow the target column (as for pasted CSV).

/** The configuration the streamed file's run was started with (a reset keeps it). */
let streamConfig: Config | null = null;

const streamPanel = new StreamPanel((file, target) => {
  const { config, errors } = validateForm(controls.read());
  controls.showErrors(errors);
  if (config === null || errors.size > 0) {
    streamPanel.showError('Fix the marked settings first: the file trains with the form\'s layers and training settings.');
    return;
  }
  streamPanel.showError('');
  streamConfig = config;
  const stream = { file, target, layers: hiddenLayers(config), seed: config.seed, options: trainOptions(config) };
  send({ type: 'stream', requestId: nextRequest++, stream, play: running });
});

function adoptStream(ready: Extract<FromWorker, { type: 'stream-ready' }>, config: Config): void {
  // the data are the file's: a change of the form that makes a model goes back to the data in the form
  active = null;
  sent = null;
  const { classes, inputNames, outputs, target } = ready;
  const task = classes === null ? 'regression' : 'classification';
  const data: Dataset = {
    X: new Float64Array(0), labels: new Float64Array(0), rows: 0, inputs: inputNames.length, task, classes: classes?.length ?? 0,
    classNames: classes === null ? [target] : classes.map(String), inputNames,
  };
  heatmap.setData(data, 0, null);
  $('heatmap-note').textContent = 'The file is read a chunk at a time and never held, so there are no points to plot: the loss, its chart and the weights show the training.';
  params.setShape({ inputs: data.inputs, layers: [...config.hidden, { units: outputs, activation: pairingFor(task, data.classes).output }], inputNames, outputNames: outputNames(data, outputs) });
  controls.setOutputUnits(outputs);
  showLegend(data);
  showParamCount(data.inputs, [...config.hidden.map((l) => l.units), outputs]);
  setText('seed-stat', String(config.seed), config.seed);
  document.body.dataset.ready = 'true';
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'configured': {
      const prepared = pendingBuilds.get(message.requestId);
      pendingBuilds.delete(message.requestId);
      if (prepared) adopt(prepared);
      return;
    }
    case 'options-applied': {
      const config = pendingOptions.get(message.requestId);
      pendingOptions.delete(message.requestId);
      if (config && active) {
        active = { ...active, config };
        history.replaceState(null, '', toHash(config));
      }
      return;
    }
    case 'error': {
      const request = message.requestId === null ? undefined : pendingBuilds.get(message.requestId) ?? { config: pendingOptions.get(message.requestId) };
      if (message.requestId !== null) {
        pendingBuilds.delete(message.requestId);
        pendingOptions.delete(message.requestId);
        // refused: the next change is compared with what actually runs
        sent = active?.config ?? null;
      }
      const hidden = request?.config?.hidden.length ?? active?.config.hidden.length ?? 0;
      if (message.path === 'stream') {
        streamPanel.showError(message.message);
        setStatus(`Training on the file stopped: ${message.message}`, 'warn');
        return;
      }
      const field = fieldOfPath(message.path, hidden);
      const errors: FieldErrors = new Map([[field, message.message]]);
      controls.showErrors(errors);
      if (field === 'general') setStatus(message.message, 'warn');
      else if (message.kind === 'TrainingError') setStatus('Training stopped: the loss diverged (see the learning rate).', 'warn');
      else setStatus(active ? 'Showing the last valid model: the marked setting was refused.' : 'Fix the marked setting to start.', 'warn');
      const slot = document.querySelector<HTMLElement>(`[data-error-for="${field}"]`);
      if (slot) slot.dataset.kind = message.kind;
      return;
    }
    case 'state':
      showState(message);
      return;
    case 'stream-ready':
      if (streamConfig) adoptStream(message, streamConfig);
      return;
    case 'stream-progress':
      streamPanel.showProgress(message.phase, message.pass, message.bytesRead, message.totalBytes, message.rows);
      return;
  }
};

worker.onerror = (event) => {
  setStatus(`The training worker failed: ${event.message || 'unknown error'}`, 'warn');
};

async function share(): Promise<void> {
  const status = $('share-status');
  const button = $('share');
  const label = button.querySelector<HTMLElement>('.share-label')!;
  let said: string;
  if (active === null) {
    said = 'Nothing to share yet';
  } else {
    const url = `${location.href.split('#')[0]}${toHash(active.config)}`;
    history.replaceState(null, '', url);
    try {
      await navigator.clipboard.writeText(url);
      said = 'Link copied';
    } catch {
      said = 'Link in address bar';
    }
    if (active.config.dataset === 'csv' && active.config.csv.length > MAX_CSV_IN_LINK) said += ' (CSV too long to include)';
  }
  status.textContent = said;
  label.textContent = said;
  button.classList.add('copied');
  clearTimeout(shareTimer);
  shareTimer = setTimeout(() => {
    status.textContent = '';
    label.innerHTML = shareLabel;
    button.classList.remove('copied');
  }, 2500);
}
let shareTimer: ReturnType<typeof setTimeout> | undefined;
const shareLabel = $('share').querySelector('.share-label')!.innerHTML;

const speed = $<HTMLSelectElement>('speed');
const sendSpeed = (): void => send({ type: 'speed', epochsPerSecond: speed.value === 'max' ? null : Number(speed.value) });
speed.addEventListener('change', sendSpeed);
sendSpeed();

$<HTMLInputElement>('log-scale').addEventListener('change', (event) => {
  chart.setLog((event.target as HTMLInputElement).checked);
});

function load(): void {
  const raw = location.hash.length > 1 ? fromHash(location.hash) : toRaw(DEFAULTS);
  controls.write(raw);
  onChange('field');
}

// space bar: play / pause (not while typing or on a focused control, which has its own use for it)
document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement;
  if (event.key !== ' ' || event.repeat || target.closest('input, textarea, select, button, a, label')) return;
  event.preventDefault();
  if (running) pause();
  else play();
});

window.addEventListener('hashchange', () => {
  // a pasted link in the same tab: a fresh start from that configuration
  sent = null;
  taskSignature = null;
  load();
});

load();
