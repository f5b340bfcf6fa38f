// model.fitStream: training on rows read from a source, one epoch per pass, in bounded memory, with the
// bits of fit on the concatenated rows (shuffle: false), or through a seeded shuffle buffer.
//
// The call: options and validation arrays checked; the model marked busy; epochs (epoch.ts) until a
// stop rule; the patience's best parameters and the schedule's place as fit leaves them. Failures:
//   - onDiverge 'throw', an option, the engine memory: the model is put back as it was before the call;
//   - a source that throws or gives a bad chunk (StreamError): the model keeps the updates of the blocks
//     trained before (the error's `history` says how many; its message says which case), and without a
//     shuffle buffer the place to continue from (the rows not trained are read again). With no update
//     made, it is put back as before the call.
import { OptionsError, StreamError } from '../errors.js';
import { OPTIMIZER_ID } from '../layout/abi.js';
import type { FitHistory, HostState } from '../train/run.js';
import { restore, rollbackRegions, snapshot } from '../train/rollback.js';
import { scheduleStartOf } from '../train/prepare.js';
import type { TrainerOptions } from '../train/options.js';
import { runEpoch } from './epoch.js';
import { validateStreamOptions, type FitStreamOptions, type ValidStreamOptions } from './options.js';
import { checkSource, type ChunkSource } from './source.js';
import type { StreamHost } from './host.js';
import type { StreamPosition } from './position.js';
import type { StreamRun } from './run.js';

export async function fitStream(host: StreamHost, source: ChunkSource, options: FitStreamOptions = {}): Promise<FitHistory> {
  checkSource(source, 'source');
  const v = validateStreamOptions(options, host.spec);
  const history: FitHistory = { loss: [], epochs: 0, steps: 0, stopReason: 'epochs', lastStep: NaN, timeMs: 0, epochRows: 0 };
  const started = performance.now();
  host.begin('fitStream', history);
  try {
    const kept = host.state(), keptPosition = host.position();
    const run = prepare(host, source, options, v, history, started);
    if (options.signal?.aborted) {
      history.stopReason = 'aborted';
      history.timeMs = performance.now() - started;
      return history;
    }
    try {
      while (history.epochs < v.o.epochs && history.stopReason === 'epochs') {
        if (!(await runEpoch(run))) break;
      }
      return finish(run);
    } catch (error) {
      throw failed(run, error, kept, keptPosition);
    }
  } finally {
    host.end();
  }
}

/** The place a stopped fitStream left, when the call may continue it (same batch size and buffer). */
function resumable(host: StreamHost, v: ValidStreamOptions): StreamPosition | null {
  const position = host.position();
  if (position === null || !v.resume) return null;
  if (position.batchSize === v.o.batchSize && position.buffer === v.buffer) return position;
  const was = `batchSize ${position.batchSize} and shuffle ${position.buffer > 0 ? `{ buffer: ${position.buffer} }` : 'false'}`;
  throw new OptionsError('RESUME_MISMATCH', `options: this model stopped a fitStream inside an epoch (${position.rows} rows read) with ${was}; continue it with the same, or pass { resume: false } to start a fresh epoch`, {
    path: 'options', expected: was, received: `batchSize ${v.o.batchSize} and shuffle ${v.buffer > 0 ? `{ buffer: ${v.buffer} }` : 'false'}`,
  });
}

/** Everything checked and the rollback snapshot taken; nothing changed yet. */
function prepare(host: StreamHost, source: ChunkSource, options: FitStreamOptions, v: ValidStreamOptions, history: FitHistory, started: number): StreamRun {
  const { o } = v;
  const given = options.validationData;
  const validation = Array.isArray(given) && v.validationSource === null
    ? host.rawPair(given[0], host.encode(given[1], 'options.validationData[1]'), ['options.validationData[0]', 'options.validationData[1]'])
    : null;
  if (validation !== null || v.validationSource !== null) history.valLoss = [];
  const classWeights = options.classWeight === undefined ? null : host.classWeights(options.classWeight);
  const resume = resumable(host, v);
  const schedule = scheduleStartOf(host, o, history);
  const fixed = host.reserve(1, 1, 0, false); // the current plan
  const optimizerKey = JSON.stringify(o.optimizer);
  const regions = rollbackRegions(fixed, optimizerKey !== host.state().optimizerKey || o.optimizer.id !== OPTIMIZER_ID.sgd);
  const engine = host.engine;
  return {
    host, engine, options: options as TrainerOptions, o, v, history, started, source, validation, optimizerKey, regions, fixed, resume,
    shape: { inputs: host.spec.inputs, outputs: host.spec.outputs, targets: true, encode: (y, name) => host.encode(y, name), classWeights },
    schedule: schedule === null ? null : [schedule],
    best: { loss: Infinity, epoch: -1, params: null },
    before: snapshot({ engine, regions }, true),
    arena: null, seed: null, epoch: { read: 0, trained: 0, point: { step: 0, sum: 0 } }, rowsPerEpoch: null, trainedRows: 0, yielding: true, answers: [],
  };
}

/** restoreBest's parameters when patience stopped training; the time; the schedule's place. */
function finish(run: StreamRun): FitHistory {
  const { history, best, host } = run;
  if (history.stopReason === 'patience' && best.params !== null) {
    run.engine.f64.set(best.params, run.fixed.params >>> 3);
    history.bestEpoch = best.epoch;
  }
  history.timeMs = performance.now() - run.started;
  if (!host.isDisposed()) host.setState({ ...host.state(), schedule: run.schedule?.[history.epochs] ?? null });
  if (history.stopReason === 'diverged' || history.stopReason === 'patience') host.setPosition(null);
  return history;
}

/** After a failure: the model kept as after its last update (a source's fault) or put back; the error to throw. */
function failed(run: StreamRun, error: unknown, kept: HostState, keptPosition: StreamPosition | null): unknown {
  const { host, history } = run;
  if (host.isDisposed()) return error;
  history.timeMs = performance.now() - run.started;
  if (error instanceof StreamError && history.steps > 0) {
    finish(run);
    const exact = run.arena !== null && run.arena.buffer === null;
    const rows = run.epoch.trained;
    history.epochRows = exact ? rows : 0;
    host.setPosition(exact && rows > 0 ? { batchSize: run.o.batchSize, buffer: 0, weighted: run.arena!.weighted, rows, step: run.epoch.point.step, sum: run.epoch.point.sum, shuffle: null } : null);
    const place = exact ? `fitStream continues from row ${rows} of epoch ${history.epochs}` : 'the next fitStream starts a fresh epoch (the shuffle buffer is not kept)';
    error.message += `; the model keeps the ${history.steps} updates made before (${history.epochs} complete epochs; error.history), and ${place}`;
    error.history = history;
    return error;
  }
  restore(run, run.before);
  host.setState(kept);
  host.setPosition(keptPosition);
  if (error instanceof StreamError) {
    error.message += '; the model is as before the call';
    error.history = history;
  }
  return error;
}
