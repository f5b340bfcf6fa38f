// Progress on stderr, in one of three modes:
//   tty    a live cli-progress bar (reading, then training), redrawn between chunks of updates
//   plain  stderr is a file or a pipe: a line at every 10 % of training (and at least every 30 s),
//          so logs stay readable instead of filling with carriage returns
//   silent --json: nothing at all, stdout carries the one JSON document
import cliProgress from 'cli-progress';
import { bytes, count, duration, num } from './format.js';

export type ProgressMode = 'tty' | 'plain' | 'silent';

export function progressMode(json: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (json) return 'silent';
  return stream.isTTY ? 'tty' : 'plain';
}

export interface TrainingState {
  /** Epochs completed. */
  epoch: number;
  epochs: number;
  steps: number;
  totalSteps: number;
  loss: number | undefined;
  valLoss: number | undefined;
  /** The epoch (from 1) whose end `loss` and `valLoss` were measured at, if one has ended. */
  lossEpoch?: number;
  /** Training rows per second, once measured. */
  samplesPerSecond: number | undefined;
  /** Time the remaining steps will take, if known yet. */
  etaMs: number | undefined;
  /** How the loss is named on the progress line, e.g. `cce loss` (default `loss`). */
  lossName?: string;
}

/** m:ss (or h:mm:ss). */
function eta(state: TrainingState): string {
  if (state.etaMs === undefined || !Number.isFinite(state.etaMs)) return '—';
  const s = Math.max(0, Math.round(state.etaMs / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function payload(state: TrainingState) {
  return {
    epochText: `${Math.min(state.epoch + 1, state.epochs)}/${state.epochs}`,
    loss: num(state.loss, 5),
    val: num(state.valLoss, 5),
    speed: state.samplesPerSecond === undefined ? '—' : count(state.samplesPerSecond),
    etaText: eta(state),
  };
}

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  /** Plain mode: the next whole ten percent of training that prints a line. */
  private nextMilestone = 10;
  private lastLine = 0;
  private readStarted = 0;

  constructor(readonly mode: ProgressMode, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  /** A line of its own (not in silent mode). */
  note(text: string): void {
    if (this.mode !== 'silent') this.stream.write(`${text}\n`);
  }

  readStart(file: string, size: number): void {
    this.readStarted = performance.now();
    this.lastLine = this.readStarted;
    if (this.mode !== 'tty') return;
    this.bar = new cliProgress.SingleBar({
      stream: this.stream,
      format: `reading ${file} {bar} {percentage}% | {rows} rows | {size}`,
      barsize: 24,
      hideCursor: true,
      fps: 10,
      barCompleteChar: '█',
      barIncompleteChar: '░',
    });
    this.bar.start(size, 0, { rows: '0', size: bytes(size) });
  }

  readUpdate(read: number, total: number, rows: number): void {
    if (this.bar) this.bar.update(read, { rows: count(rows) });
    else if (this.mode === 'plain' && performance.now() - this.lastLine >= 5000) {
      this.lastLine = performance.now();
      this.note(`reading: ${Math.floor((100 * read) / total)}% (${count(rows)} rows)`);
    }
  }

  /** `how`: said after the size when it matters, e.g. the delimiter of a file that is not comma-separated. */
  readEnd(file: string, rows: number, columns: number, size: number, ms: number, how?: string): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
    this.note(`read ${count(rows)} rows × ${columns} columns from ${file} (${bytes(size)}${how ? `; ${how}` : ''}) in ${duration(ms)}`);
  }

  trainStart(state: TrainingState): void {
    this.nextMilestone = 10;
    this.lastLine = performance.now();
    if (this.mode !== 'tty') return;
    this.bar = new cliProgress.SingleBar({
      stream: this.stream,
      format: `epoch {epochText} {bar} {percentage}% | ${state.lossName ?? 'loss'} {loss} | val {val} | {speed} samples/s | ETA {etaText}`,
      barsize: 24,
      hideCursor: true,
      fps: 10,
      barCompleteChar: '█',
      barIncompleteChar: '░',
    });
    this.bar.start(state.totalSteps, state.steps, payload(state));
  }

  trainUpdate(state: TrainingState): void {
    if (this.bar) {
      this.bar.update(state.steps, payload(state));
      return;
    }
    if (this.mode !== 'plain') return;
    const percent = state.totalSteps > 0 ? Math.floor((100 * state.steps) / state.totalSteps) : 100;
    const now = performance.now();
    if (percent >= this.nextMilestone || now - this.lastLine >= 30_000) {
      while (this.nextMilestone <= percent) this.nextMilestone += 10;
      this.lastLine = now;
      const p = payload(state);
      // the losses are measured at an epoch's end: a line in the middle of an epoch says which one
      const shown = Math.min(state.epoch + 1, state.epochs);
      const at = state.lossEpoch === undefined ? '  (no epoch finished yet)' : state.lossEpoch === shown ? '' : `  (end of epoch ${state.lossEpoch})`;
      this.note(`epoch ${p.epochText}  ${percent}%  ${state.lossName ?? 'loss'} ${p.loss}  val ${p.val}${at}  ${p.speed} samples/s  ETA ${p.etaText}`);
    }
  }

  trainEnd(state: TrainingState): void {
    if (this.bar) {
      this.bar.update(state.steps, payload(state));
      this.bar.stop();
      this.bar = null;
    }
  }

  /** Stops any bar (on an error), so the message starts on a clean line. */
  abort(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
  }
}
