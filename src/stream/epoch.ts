// One epoch of fitStream: a pass over the source, its rows through the shuffle buffer (if any) into
// blocks, each full block trained at once, the rest at the end of the pass; then the epoch's loss,
// validation, schedule, patience and callbacks as fit has them (src/train/epoch-log.ts). Training stops
// between blocks only, so where it stops is a place a later call can continue from (position.ts).
import { loss_scale } from '../layout/loss-scale.js';
import { LOSS_ID, TRAIN_STATUS } from '../layout/abi.js';
import { StreamError } from '../errors.js';
import { epochEnd, stepSchedule, validationLoss } from '../train/epoch-log.js';
import type { Progress } from '../train/options.js';
import { stopRules } from '../train/trainer.js';
import { noticeDisposal } from '../train/run.js';
import { yieldToEventLoop } from '../train/yield.js';
import { checkChunk, type Rows } from './chunk.js';
import { GroupedLoss } from './loss.js';
import { pass } from './source.js';
import { openArena, saveDrawnSeed, setEpochRate } from './arena.js';
import { trainBlock } from './steps.js';
import type { Arena, StreamRun } from './run.js';
import type { StreamPosition } from './position.js';

/** One epoch; false when training stops in it or at its end. */
export async function runEpoch(run: StreamRun): Promise<boolean> {
  const resume = run.resume;
  run.resume = null;
  beginEpoch(run, resume);
  let skip = resume?.rows ?? 0, index = 0;
  for await (const chunk of pass(run.source)) {
    const rows = checkChunk(chunk, index, run.shape);
    if (rows.rows > 0) {
      const arena = openArena(run, rows.weights !== null, index, resume);
      const from = Math.min(skip, rows.rows);
      skip -= from;
      if (!(await feed(run, arena, rows, from))) return false;
    }
    index++;
  }
  if (skip > 0) {
    throw new StreamError('SOURCE_CHANGED', `source: it gave ${run.epoch.read - skip} rows, fewer than the ${run.epoch.read} rows of this epoch already read when training stopped; resume with the same source, or with { resume: false }`, index, {
      path: 'source', expected: `at least ${run.epoch.read} rows`, received: `${run.epoch.read - skip} rows`,
    });
  }
  return endOfPass(run);
}

/** An epoch's start: its learning rate; the place (a resumed one, or the start with the shuffle buffer's generator). */
function beginEpoch(run: StreamRun, resume: StreamPosition | null): void {
  setEpochRate(run);
  if (resume !== null) {
    run.epoch = { read: resume.rows, trained: resume.rows - (resume.shuffle?.count ?? 0), point: { step: resume.step, sum: resume.sum } };
    return;
  }
  run.epoch = { read: 0, trained: 0, point: { step: 0, sum: 0 } };
  if (run.v.buffer > 0) saveDrawnSeed(run);
}

/** Rows of a chunk from row `from` into the block (through the buffer); false when training stops. */
async function feed(run: StreamRun, arena: Arena, rows: Rows, from: number): Promise<boolean> {
  const { block, buffer } = arena;
  if (buffer === null) {
    while (from < rows.rows) {
      const n = Math.min(block.capacity - block.count, rows.rows - from);
      block.add(rows, from, n);
      from += n;
      run.epoch.read += n;
      if (block.full && !(await blockDone(run, arena))) return false;
    }
    return true;
  }
  let r = from;
  for (; r < rows.rows && !buffer.full; r++) {
    run.epoch.read++;
    buffer.fill(rows, r);
  }
  while (r < rows.rows) {
    const n = Math.min(block.capacity - block.count, rows.rows - r);
    block.exchange(buffer, rows, r, n);
    r += n;
    run.epoch.read += n;
    if (block.full && !(await blockDone(run, arena))) return false;
  }
  return true;
}

/** The pass has ended: the buffer drained, the last block trained, the epoch closed. */
async function endOfPass(run: StreamRun): Promise<boolean> {
  const arena = run.arena;
  if (arena === null || run.epoch.read === 0) {
    throw new StreamError('EMPTY_STREAM', `source: epoch ${run.history.epochs} read no rows (a generator object or a stream can be read once: give a function that returns a fresh one)`, -1, {
      path: 'source', expected: 'at least one row per pass', received: '0 rows',
    });
  }
  const { block, buffer } = arena;
  for (let slot = buffer?.drainPick() ?? -1; slot >= 0; slot = buffer!.drainPick()) {
    block.addBuffered(buffer!, slot);
    buffer!.remove(slot);
    if (block.full && !(await blockDone(run, arena))) return false;
  }
  if (block.count > 0) {
    const status = trainBlock(run, arena);
    if (status !== TRAIN_STATUS.OK) return afterStop(run, arena, status);
  }
  await closeEpoch(run, arena, false);
  return between(run, true);
}

/** A full block: trained, then the stop rules; false when training stops (the place is kept). */
async function blockDone(run: StreamRun, arena: Arena): Promise<boolean> {
  const status = trainBlock(run, arena);
  if (status !== TRAIN_STATUS.OK) return afterStop(run, arena, status);
  if (await between(run, false)) return true;
  if (!run.host.isDisposed() && run.history.stopReason !== 'epochs') run.host.setPosition(placeOf(run, arena));
  return false;
}

/** After stepBelow (the epoch ends where it stopped) or a divergence. */
async function afterStop(run: StreamRun, arena: Arena, status: number): Promise<false> {
  if (status === TRAIN_STATUS.STEP_BELOW) {
    await closeEpoch(run, arena, true);
    await between(run, true);
  }
  return false;
}

/** The place to continue from: where the epoch stands, and the shuffle buffer. */
function placeOf(run: StreamRun, { buffer, weighted }: Arena): StreamPosition {
  const { inputs, outputs } = run.host.spec;
  const { read, point } = run.epoch;
  run.history.epochRows = read;
  const shuffle = buffer === null ? null : {
    rng: buffer.rng.slice(), count: buffer.count,
    x: buffer.x.slice(0, buffer.count * inputs), y: buffer.y.slice(0, buffer.count * outputs), w: buffer.w?.slice(0, buffer.count) ?? null,
  };
  return { batchSize: run.o.batchSize, buffer: run.v.buffer, weighted, rows: read, step: point.step, sum: point.sum, shuffle };
}

/** The epoch's loss (over the rows trained on), validation, schedule, patience, onEpochEnd; lossBelow and stepBelow. */
async function closeEpoch(run: StreamRun, arena: Arena, cut: boolean): Promise<void> {
  const { history, host, o } = run;
  const rows = run.epoch.trained;
  const loss = run.epoch.point.sum * loss_scale(LOSS_ID[host.spec.loss], rows, host.spec.outputs);
  history.loss.push(loss);
  const logs: { loss: number; valLoss?: number } = { loss };
  if (history.valLoss !== undefined) {
    logs.valLoss = await validate(run, arena);
    history.valLoss.push(logs.valLoss);
  }
  const epoch = history.epochs++;
  if (!cut) run.rowsPerEpoch = history.rows = rows;
  history.epochRows = 0;
  run.epoch = { read: 0, trained: 0, point: { step: 0, sum: 0 } };
  stepSchedule(run, epoch, logs.valLoss ?? logs.loss);
  epochEnd(run, epoch, logs);
  for (const answer of run.answers.splice(0)) if ((await answer) === false) history.stopReason = 'callback';
  if (noticeDisposal(run) || history.stopReason !== 'epochs') return;
  if (cut) history.stopReason = 'stepBelow';
  else if (loss < o.lossBelow) history.stopReason = 'lossBelow';
}

/** The validation loss: of validationData's arrays (held in engine memory), or of its source, read now. */
async function validate(run: StreamRun, { plan }: Arena): Promise<number> {
  const { engine, host, validation } = run;
  if (validation !== null) return validationLoss({ engine, plan, host }, validation.x.rows);
  const region = { x: plan.validationX, y: plan.validationY, capacity: plan.validationCapacity };
  const sum = new GroupedLoss(engine, host.spec, () => region, plan.batchCapacity, host.state().scalers);
  let index = 0;
  for await (const chunk of pass(run.v.validationSource!, 'options.validationData')) sum.add(checkChunk(chunk, index++, { ...run.shape, classWeights: null }));
  if (sum.rows === 0) {
    throw new StreamError('EMPTY_STREAM', 'options.validationData: the validation source gave no rows', -1, { path: 'options.validationData', expected: 'at least one row', received: '0 rows' });
  }
  return sum.total();
}

/** onProgress, signal, timeout, and a turn of the event loop; false: stop. */
async function between(run: StreamRun, epochEnded: boolean): Promise<boolean> {
  const { history, o, options } = run;
  const more = history.stopReason === 'epochs' && history.epochs < o.epochs;
  const answer = await options.onProgress?.(progress(run, performance.now() - run.started, epochEnded));
  if (!stopRules(run, more, options.onProgress !== undefined, answer)) return false;
  await yieldToEventLoop();
  return !noticeDisposal(run);
}

function progress(run: StreamRun, elapsedMs: number, epochEnded: boolean): Progress {
  const { history, o, rowsPerEpoch } = run;
  return {
    epoch: epochEnded ? history.epochs - 1 : history.epochs,
    steps: history.steps,
    totalSteps: rowsPerEpoch === null ? NaN : o.epochs * Math.ceil(rowsPerEpoch / o.batchSize),
    loss: history.loss[history.loss.length - 1], elapsedMs,
    samplesPerSecond: (run.trainedRows * 1000) / Math.max(elapsedMs, 1e-3),
  };
}
