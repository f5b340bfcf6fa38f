// The engine memory of a fitStream, set up when the first rows arrive (whether they carry weights
// decides the plan): a block of whole batches (DEFAULT_BLOCK_ROWS rows, or progressEvery batches,
// fewer when the engine memory cannot hold that many), the validation rows or region, the optimizer
// state and the settings; then the shuffle buffer, fresh or as a stopped training left it.
import { EngineError, StreamError } from '../errors.js';
import { HF } from '../layout/abi.js';
import { readRng, writeRng, writeTraining } from '../layout/pack.js';
import { rateOf } from '../train/schedule.js';
import type { Plan } from '../layout/plan.js';
import { adoptOptimizer, writeValidation } from '../train/prepare.js';
import { Block } from './block.js';
import { ShuffleBuffer, drawSeed } from './shuffle-buffer.js';
import type { StreamPosition } from './position.js';
import type { Arena, StreamRun } from './run.js';

/** Rows of a block by default: large enough that the time between blocks does not count. */
export const DEFAULT_BLOCK_ROWS = 8192;

/** With a schedule: the rate of the epoch under way into the header (the engine reads it at every update). */
export function setEpochRate({ engine, fixed, o, schedule, history }: StreamRun): void {
  if (o.schedule !== null && schedule !== null) engine.f64[(fixed.header >>> 3) + HF.LEARNING_RATE] = rateOf(o.schedule, schedule[history.epochs]);
}

/** At an epoch's start, with a shuffle buffer: its generator, drawn from the model's shuffler. */
export function saveDrawnSeed(run: StreamRun): void {
  const state = readRng(run.fixed, run.engine);
  const seed = drawSeed(state);
  writeRng(run.fixed, run.engine, state);
  if (run.arena?.buffer) run.arena.buffer.startEpoch(seed);
  else run.seed = seed;
}

function mixedWeights(index: number, weighted: boolean): StreamError {
  const path = `chunks[${index}].weights`;
  const expected = weighted ? 'weights, as the rows before had' : 'no weights, as the rows before had none';
  return new StreamError('MIXED_WEIGHTS', `${path}: expected ${expected}; give every chunk weights, or none`, index, { path, expected, received: weighted ? 'none' : 'weights' });
}

/** The arena, set up at the first rows (`weighted`: they carry weights; `index`: their chunk). */
export function openArena(run: StreamRun, weighted: boolean, index: number, resume: StreamPosition | null): Arena {
  const known = run.arena?.weighted ?? resume?.weighted ?? weighted;
  if (known !== weighted) throw mixedWeights(index, known);
  if (run.arena !== null) return run.arena;
  const { host, engine, o, v } = run;
  const { plan, capacity } = reserveBlock(run, weighted);
  adoptOptimizer(host, plan, run.optimizerKey);
  writeTraining(plan, engine, { ...o, rows: 1, shuffle: false, weighted, lossBelow: -Infinity, lossScale: 1 });
  setEpochRate(run);
  if (run.validation !== null) writeValidation(host, plan, run.validation);
  const { inputs, outputs } = host.spec;
  const buffer = v.buffer > 0 ? new ShuffleBuffer(v.buffer, inputs, outputs, weighted) : null;
  if (buffer !== null && resume?.shuffle) buffer.restore(resume.shuffle);
  else if (buffer !== null) buffer.startEpoch(run.seed!);
  host.setPosition(null);
  run.arena = { plan, block: new Block(engine, plan, capacity, host.state().scalers, weighted), buffer, weighted };
  return run.arena;
}

/** The plan for a block of as many whole batches as asked and the memory holds (halved until it fits). */
function reserveBlock(run: StreamRun, weighted: boolean): { plan: Plan; capacity: number } {
  const { host, o, v } = run;
  const validation = run.validation?.x.rows ?? (v.validationSource === null ? 0 : Math.max(o.batchSize, run.fixed.batchCapacity));
  let batches = v.progressEvery ?? Math.max(1, Math.floor(DEFAULT_BLOCK_ROWS / o.batchSize));
  batches = Math.min(batches, Math.floor((0x7ffffffe) / o.batchSize));
  for (;;) {
    try {
      return { plan: host.reserve(o.batchSize, batches * o.batchSize + 1, validation, weighted), capacity: batches * o.batchSize };
    } catch (error) {
      if (!(error instanceof EngineError) || error.code !== 'OUT_OF_MEMORY' || batches === 1) throw error;
      batches = Math.floor(batches / 2);
    }
  }
}
