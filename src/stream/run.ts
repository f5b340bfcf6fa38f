// The record a fitStream call is made of, shared by its units (fit-stream.ts, epoch.ts, steps.ts,
// diverge.ts), as src/train/run.ts's Run is for fit.
import type { Engine } from '../engine/engine.js';
import type { Plan } from '../layout/plan.js';
import type { Matrix } from '../data/dataset.js';
import type { FitHistory } from '../train/run.js';
import type { TrainerOptions, ValidFitOptions } from '../train/options.js';
import type { ScheduleState } from '../train/schedule.js';
import type { Block, EpochPoint } from './block.js';
import type { ChunkShape } from './chunk.js';
import type { StreamHost } from './host.js';
import type { ValidStreamOptions } from './options.js';
import type { StreamPosition } from './position.js';
import type { ShuffleBuffer } from './shuffle-buffer.js';
import type { ChunkSource } from './source.js';

/** Where the epoch under way stands. */
export interface EpochState {
  /** Rows read from the source in this epoch. */
  read: number;
  /** Rows trained on in this epoch. */
  trained: number;
  /** Its updates and loss sum so far. */
  point: EpochPoint;
}

/** The parts of the run that exist once the first rows arrived (the arena reserved for them). */
export interface Arena {
  readonly plan: Plan;
  readonly block: Block;
  readonly buffer: ShuffleBuffer | null;
  readonly weighted: boolean;
}

export interface StreamRun {
  readonly host: StreamHost;
  readonly engine: Engine;
  /** The caller's options: callbacks and signal. */
  readonly options: TrainerOptions;
  readonly o: ValidFitOptions;
  readonly v: ValidStreamOptions;
  readonly history: FitHistory;
  readonly started: number;
  readonly source: ChunkSource;
  readonly shape: ChunkShape;
  /** validationData given as arrays (checked, unscaled), or null. */
  readonly validation: { x: Matrix; y: Matrix } | null;
  readonly schedule: ScheduleState[] | null;
  readonly best: { loss: number; epoch: number; params: Float64Array | null };
  readonly optimizerKey: string;
  readonly regions: ReadonlyArray<readonly [number, number]>;
  /** The regions before the call changed anything: what a failed call puts back. */
  readonly before: Uint8Array;
  /** The model's plan when the call began: the fixed part's offsets (header, shuffler, optimizer) stay. */
  readonly fixed: Plan;
  arena: Arena | null;
  /** The shuffle buffer's generator drawn at the first epoch's start, before the arena exists. */
  seed: Uint32Array | null;
  /** The place to continue from, for the first epoch of the call (a resume), else null. */
  resume: StreamPosition | null;
  epoch: EpochState;
  /** Rows of an epoch, once one was read to its end. */
  rowsPerEpoch: number | null;
  /** Rows trained on in this call. */
  trainedRows: number;
  /** fitStream awaits the promises callbacks return (as fitAsync): always true. */
  readonly yielding: true;
  /** onEpochEnd's promises of the epoch just closed, awaited before the next block. */
  readonly answers: Promise<boolean | void>[];
}
