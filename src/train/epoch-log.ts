// The epoch log: after each engine call, its updates and completed epochs go into the history (from
// the engine's loss log), with the validation loss, patience and onEpochEnd for each epoch.
import { loss_scale } from '../layout/loss-scale.js';
import { H, HF, LOSS_ID, TRAIN_STATUS } from '../layout/abi.js';
import { readLossLog, readSlot } from '../layout/pack.js';
import type { EpochLogs } from './options.js';
import { isPromise, noticeDisposal, type Run } from './run.js';
import { nextState } from './schedule.js';

/**
 * Adds the last engine call's updates and completed epochs to the history; returns its updates.
 * `report`: patience and onEpochEnd see the epochs (not when a replay makes them again).
 */
export function recordChunk(run: Run, status: number, report: boolean): number {
  const { engine, plan, history } = run;
  const done = readSlot(plan, engine, H.STEPS_DONE);
  history.steps += done;
  history.lastStep = engine.f64[run.header.f + HF.LAST_STEP];
  logEpochs(run, status, readSlot(plan, engine, H.EPOCHS_DONE), report);
  return done;
}

/** The most epochs whose losses a fit's first chunk sizes history.loss for (8 MB). */
const PRESIZED_LOSSES = 1 << 20;

/**
 * Whether nothing reads history.loss before the fit returns (no callback, pause, timeout, signal or
 * replay), so that the fit's first chunk may size it for every epoch at once and trimLosses cut it
 * to the epochs completed: one allocation, where appending 50,000 losses one by one grows the array
 * again and again (a tenth of a W2 fit).
 */
function unobserved({ chunked, o }: Run): boolean {
  return !chunked && o.onDiverge !== 'stop' && o.epochs <= PRESIZED_LOSSES;
}

/** Cuts history.loss to the epochs completed (it may have been sized for more: unobserved). */
export function trimLosses({ history }: Run): void {
  if (history.loss.length > history.epochs) history.loss.length = history.epochs;
}

/** Reads the completed epochs of the last engine call from the loss log into the history. */
function logEpochs(run: Run, status: number, completed: number, report: boolean): void {
  const { engine, plan, history, rows } = run;
  const { outputs, loss: lossName } = run.host.spec;
  const lossId = LOSS_ID[lossName];
  const log = plan.lossLog >>> 3;
  // nothing watches single epochs: read the chunk's losses in one pass (the same products)
  const unwatched = run.perEpoch || status === TRAIN_STATUS.STEP_BELOW ? 0 : completed;
  if (unwatched > 0 && history.loss.length === 0 && unobserved(run)) history.loss = new Array(run.o.epochs);
  readLossLog(plan, engine, unwatched, loss_scale(lossId, rows, outputs), history.loss, history.epochs);
  history.epochs += unwatched;
  if (unwatched > 0 && report && noticeDisposal(run)) return;
  for (let e = unwatched; e < completed; e++) {
    const partial = status === TRAIN_STATUS.STEP_BELOW && e === completed - 1;
    const seen = partial ? readSlot(plan, engine, H.ROWS_SEEN) : rows;
    const loss = engine.f64[log + e] * loss_scale(lossId, seen, outputs);
    history.loss[history.epochs] = loss; // (the array may be sized for more: unobserved)
    const logs: EpochLogs = { loss };
    if (run.validation) {
      logs.valLoss = validationLoss(run, run.validation.x.rows);
      history.valLoss!.push(logs.valLoss);
    }
    const epoch = history.epochs++;
    stepSchedule(run, epoch, logs.valLoss ?? logs.loss);
    if (!report) continue;
    epochEnd(run, epoch, logs);
    if (noticeDisposal(run)) return;
  }
}

/** With a schedule: the epoch's rate into the history, and the schedule's state for the next epoch. */
export function stepSchedule({ o, history, schedule }: Pick<Run, 'o' | 'history' | 'schedule'>, epoch: number, monitored: number): void {
  if (o.schedule === null || schedule === null) return;
  history.learningRate!.push(schedule[epoch].lr);
  schedule[epoch + 1] = nextState(o.schedule, o.learningRate, schedule[epoch], monitored);
}

/** Patience (and restoreBest's copy of the best parameters), then onEpochEnd. */
export function epochEnd(run: Pick<Run, 'o' | 'history' | 'best' | 'host' | 'options' | 'yielding' | 'answers'>, epoch: number, logs: EpochLogs): void {
  const { o, history, best } = run;
  if (o.patience > 0) {
    const monitored = logs.valLoss ?? logs.loss;
    if (monitored < best.loss) {
      best.loss = monitored;
      best.epoch = epoch;
      if (o.restoreBest) best.params = run.host.paramsFlat();
    } else if (epoch - best.epoch >= o.patience) {
      history.stopReason = 'patience';
    }
  }
  const answer = run.options.onEpochEnd?.(epoch, logs);
  if (answer === false) history.stopReason = 'callback';
  else if (run.yielding && isPromise(answer)) run.answers.push(answer);
}

/** The loss on the validation rows held in the plan, in chunks of the batch capacity. */
export function validationLoss({ engine, plan, host }: Pick<Run, 'engine' | 'plan' | 'host'>, rows: number): number {
  const { inputs, outputs } = host.spec;
  let sum = 0;
  for (let from = 0; from < rows; from += plan.batchCapacity) {
    const count = Math.min(plan.batchCapacity, rows - from);
    sum += engine.lossSum(count, plan.validationX + from * inputs * 8, plan.validationY + from * outputs * 8);
  }
  return sum * loss_scale(LOSS_ID[host.spec.loss], rows, outputs);
}
