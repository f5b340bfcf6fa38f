// The messages between a WorkerModel (client.ts, on the page's thread) and its worker (entry.ts).
// Values travel by structured clone: a Float64Array arrives with the same bits (never through JSON),
// and the worker's results hand their buffers over instead of copying them (transferables).
import type { ModelNames } from '../spec/labels.js';
import type { ModelMetadata } from '../model/serialize.js';
import type { ValidSpec } from '../spec/types.js';
import type { SerializedError } from './errors.js';

/** The model methods the worker runs as they are: arguments in, the result back. */
export const FORWARDED = [
  'forward', 'predict', 'predictProba', 'predictClasses', 'evaluate', 'loss', 'gradients', 'gradCheck',
  'getParams', 'getParamsFlat', 'setParams', 'setNormalization', 'getNormalization', 'setNames', 'toJSON',
] as const;
export type Forwarded = (typeof FORWARDED)[number];

/** fit's callbacks: run on the page's thread, their answers awaited by the worker. */
export const HOOKS = ['onEpochEnd', 'onProgress'] as const;
export type Hook = (typeof HOOKS)[number];

/** What the page's thread keeps of the model to answer its getters without a message. */
export interface Mirror {
  spec: ValidSpec;
  names: ModelNames;
  metadata: ModelMetadata;
  threads: number;
  threadsNote: string | null;
  engineKind: 'wasm' | 'ts';
}

export type Method = 'create' | 'load' | 'fit' | Forwarded;

/** The page's thread to the worker. */
export type Request =
  | { kind: 'call'; id: number; method: Method; args: unknown[]; hooks?: Hook[]; signal?: 'live' | 'aborted' }
  | { kind: 'answer'; id: number; seq: number; stop: boolean; error?: SerializedError }
  | { kind: 'abort'; id: number };

/** The worker to the page's thread. `names` after every call: a fit may learn a classifier's classes. */
export type Reply =
  | { kind: 'result'; id: number; value: unknown; names: ModelNames | null }
  | { kind: 'error'; id: number; error: SerializedError }
  | { kind: 'event'; id: number; seq: number; hook: Hook; args: unknown[] };

/** The buffers of the typed arrays in a result (own ArrayBuffers only, each once): moved, not copied. */
export function transferables(value: unknown, found: Set<ArrayBuffer> = new Set(), depth = 0): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (value !== null && typeof value === 'object' && depth < 4) {
    for (const item of Object.values(value)) transferables(item, found, depth + 1);
  }
  return [...found];
}
