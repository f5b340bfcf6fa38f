// A model that lives in a dedicated worker (spawn.ts starts it, entry.ts runs it): the Model API as
// promises, so that training never blocks the page's thread. Calls are messages: arguments go by
// structured clone (the same bits), results come back with their buffers transferred, errors as the
// same classes (errors.ts). fit's callbacks run here, in order, and the worker waits for each answer
// (false stops it as it stops fitAsync); its signal aborts the fit in the worker. The getters read a
// mirror of the model kept on this side. dispose() ends the worker; pending calls reject.
import { EngineError, OptionsError } from '../errors.js';
import type { FitHistory, GradCheckOptions, GradCheckReport, GradientsOptions, GradientsResult, GradientsWithFlatTraces, GradientsWithTraces, Model } from '../model/model.js';
import type { Evaluation, Targets } from '../model/classify.js';
import { saveTarget, writeModelText } from '../model/storage.js';
import type { ModelJSON, ModelMetadata } from '../model/serialize.js';
import type { MatrixInput } from '../data/dataset.js';
import type { NormalizationSpec } from '../data/normalize.js';
import type { LossOptions } from '../model/loss-units.js';
import type { FitOptions } from '../train/options.js';
import type { Label, ModelNames } from '../spec/labels.js';
import type { LayerParams, ValidSpec } from '../spec/types.js';
import { reviveError, serializeError } from './errors.js';
import { HOOKS, type Forwarded, type Hook, type Method, type Mirror, type Reply } from './protocol.js';
import { spawn, type Channel } from './spawn.js';

type Callback = (...args: unknown[]) => unknown;
type Flat = Float64Array | { data: Float64Array; rows: number };
type Nested = readonly (readonly number[])[];

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  hooks: Partial<Record<Hook, Callback>>;
  /** What a callback threw: the fit rejects with it, as fitAsync does. */
  failed?: { error: unknown };
  cleanup(): void;
}

/** fit's options split for the worker: the callbacks and the signal stay here. */
interface FitParts {
  sent: unknown;
  hooks: Partial<Record<Hook, Callback>>;
  signal?: AbortSignal;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  const signal = value as { aborted?: unknown; addEventListener?: unknown } | null;
  return typeof signal?.aborted === 'boolean' && typeof signal.addEventListener === 'function';
}

function splitFitOptions(options: unknown): FitParts {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return { sent: options, hooks: {} };
  const sent: Record<string, unknown> = { ...options };
  const hooks: Partial<Record<Hook, Callback>> = {};
  for (const hook of HOOKS) {
    if (typeof sent[hook] !== 'function') continue;
    hooks[hook] = sent[hook] as Callback;
    delete sent[hook];
  }
  const signal = isAbortSignal(sent.signal) ? sent.signal : undefined;
  if (signal !== undefined) delete sent.signal;
  return { sent, hooks, signal };
}

export class WorkerModel {
  private readonly channel: Channel;
  private state!: Mirror;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why calls are refused: the model was disposed, or its worker failed. */
  private ended: EngineError | null = null;

  private constructor(channel: Channel) {
    this.channel = channel;
    channel.listen(
      (reply) => this.receive(reply),
      (reason) => {
        this.end(new EngineError('WORKER_FAILED', `the model's worker failed: ${reason}`, { expected: 'a running worker', received: reason }));
        void channel.terminate();
      },
    );
  }

  /** @internal A worker holding the model that `method` ('create' or 'load') makes of `args`. */
  static async start(method: 'create' | 'load', args: unknown[]): Promise<WorkerModel> {
    const model = new WorkerModel(spawn());
    try {
      model.state = await model.call<Mirror>(method, args);
    } catch (error) {
      await model.dispose();
      throw error;
    }
    return model;
  }

  get spec(): ValidSpec { return this.state.spec; }
  get inputs(): number { return this.state.spec.inputs; }
  get outputs(): number { return this.state.spec.outputs; }
  get names(): ModelNames { return this.state.names; }
  get classes(): readonly Label[] | null { return this.state.names.classes; }
  get metadata(): ModelMetadata { return this.state.metadata; }
  /** The threads the model computes with inside its worker (its own pool on a cross-origin-isolated page). */
  get threads(): number { return this.state.threads; }
  get threadsNote(): string | null { return this.state.threadsNote; }
  get engineKind(): 'wasm' | 'ts' { return this.state.engineKind; }

  /**
   * Model.fit, run in the worker as fitAsync: onEpochEnd and onProgress are called here, in order,
   * and the worker waits for each (a promise too); false stops the fit as in fitAsync. `signal` aborts it.
   */
  fit(X: MatrixInput, Y: Targets, options: FitOptions = {}): Promise<FitHistory> {
    return this.call('fit', [X, Y], splitFitOptions(options));
  }

  /** The same as fit: in a worker, every fit lets the page run. */
  fitAsync(X: MatrixInput, Y: Targets, options: FitOptions = {}): Promise<FitHistory> {
    return this.fit(X, Y, options);
  }

  forward(X: Flat): Promise<Float64Array>;
  forward(X: Nested): Promise<number[][]>;
  forward(X: MatrixInput): Promise<number[][] | Float64Array>;
  forward(X: MatrixInput): Promise<number[][] | Float64Array> { return this.run('forward', X); }
  predict(X: Flat): Promise<Float64Array>;
  predict(X: Nested): Promise<number[][]>;
  predict(X: MatrixInput): Promise<number[][] | Float64Array>;
  predict(X: MatrixInput): Promise<number[][] | Float64Array> { return this.run('predict', X); }
  predictProba(X: Flat): Promise<Float64Array>;
  predictProba(X: Nested): Promise<number[][]>;
  predictProba(X: MatrixInput): Promise<number[][] | Float64Array>;
  predictProba(X: MatrixInput): Promise<number[][] | Float64Array> { return this.run('predictProba', X); }
  predictClasses(X: MatrixInput): Promise<Label[]> { return this.run('predictClasses', X); }
  evaluate(X: MatrixInput, Y: Targets): Promise<Evaluation> { return this.run('evaluate', X, Y); }
  loss(X: MatrixInput, Y: Targets, options?: LossOptions): Promise<number> { return this.run('loss', X, Y, options); }
  gradients(X: MatrixInput, Y: Targets, options?: { traces?: false }): Promise<GradientsResult>;
  gradients(X: MatrixInput, Y: Targets, options: { traces: true }): Promise<GradientsWithTraces>;
  gradients(X: MatrixInput, Y: Targets, options: { traces: 'flat' }): Promise<GradientsWithFlatTraces>;
  gradients(X: MatrixInput, Y: Targets, options?: GradientsOptions): Promise<GradientsResult | GradientsWithTraces | GradientsWithFlatTraces>;
  gradients(X: MatrixInput, Y: Targets, options?: GradientsOptions): Promise<GradientsResult | GradientsWithTraces | GradientsWithFlatTraces> {
    return this.run('gradients', X, Y, options);
  }
  gradCheck(X: MatrixInput, Y: Targets, options: GradCheckOptions = {}): Promise<GradCheckReport> { return this.run('gradCheck', X, Y, options); }
  getParams(): Promise<LayerParams[]> { return this.run('getParams'); }
  getParamsFlat(): Promise<Float64Array> { return this.run('getParamsFlat'); }
  setParams(params: readonly LayerParams[] | Float64Array): Promise<void> { return this.run('setParams', params); }
  setNormalization(X: MatrixInput, Y: MatrixInput | null, spec: NormalizationSpec): Promise<void> { return this.run('setNormalization', X, Y, spec); }
  getNormalization(): Promise<ReturnType<Model['getNormalization']>> { return this.run('getNormalization'); }
  setNames(names: Parameters<Model['setNames']>[0]): Promise<void> { return this.run('setNames', names); }
  toJSON(options: { training?: boolean } = {}): Promise<ModelJSON> { return this.run('toJSON', options); }

  /**
   * Model.save from this thread: the worker gives the model's JSON, and it is written here, so every
   * target works where it works for a Model ('indexeddb://', 'localstorage://', 'download://').
   */
  async save(target: string, options: { training?: boolean } = {}): Promise<void> {
    const where = saveTarget(target);
    await writeModelText(where, JSON.stringify(await this.toJSON(options)));
  }

  /** Ends the worker (and its threads); every pending call rejects with EngineError DISPOSED, and so does every later one. */
  async dispose(): Promise<void> {
    if (this.ended?.code === 'DISPOSED') return;
    this.end(new EngineError('DISPOSED', 'this model was disposed; create or load a new one', { expected: 'a live model', received: 'a disposed model' }));
    await this.channel.terminate();
  }

  private run<T>(method: Forwarded, ...args: unknown[]): Promise<T> {
    return this.call(method, args);
  }

  private call<T>(method: Method, args: unknown[], fit?: FitParts): Promise<T> {
    if (this.ended !== null) return Promise.reject(this.ended);
    const id = this.nextId++;
    const signal = fit?.signal;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => this.channel.post({ kind: 'abort', id });
      const entry: Pending = { resolve: resolve as (value: unknown) => void, reject, hooks: fit?.hooks ?? {}, cleanup: () => signal?.removeEventListener('abort', onAbort) };
      if (fit !== undefined) args = [...args, fit.sent];
      try {
        this.channel.post({ kind: 'call', id, method, args, hooks: Object.keys(entry.hooks) as Hook[], signal: signal === undefined ? undefined : signal.aborted ? 'aborted' : 'live' });
      } catch (error) {
        reject(new OptionsError('NOT_CLONEABLE', `${method}: its arguments cannot be sent to the model's worker (${String(error)})`, { path: method, expected: 'numbers, strings, arrays, typed arrays and plain objects', received: String(error) }));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, entry);
      this.channel.hold(true);
    });
  }

  private receive(reply: Reply): void {
    const entry = this.pending.get(reply.id);
    if (entry === undefined) return;
    if (reply.kind === 'event') {
      void this.answer(reply, entry);
      return;
    }
    this.forget(reply.id, entry);
    if (reply.kind === 'error') {
      entry.reject(entry.failed !== undefined ? entry.failed.error : reviveError(reply.error));
      return;
    }
    if (reply.names !== null && this.state !== undefined) this.state = { ...this.state, names: reply.names };
    entry.resolve(reply.value);
  }

  /** Runs a callback of a running fit and sends its answer (or what it threw) to the worker. */
  private async answer(event: Extract<Reply, { kind: 'event' }>, entry: Pending): Promise<void> {
    let message: { stop: boolean; error?: ReturnType<typeof serializeError> };
    try {
      message = { stop: (await entry.hooks[event.hook]?.(...event.args)) === false };
    } catch (error) {
      entry.failed = { error };
      message = { stop: true, error: serializeError(error) };
    }
    if (this.pending.get(event.id) === entry) this.channel.post({ kind: 'answer', id: event.id, seq: event.seq, ...message });
  }

  private forget(id: number, entry: Pending): void {
    entry.cleanup();
    this.pending.delete(id);
    this.channel.hold(this.pending.size > 0);
  }

  private end(reason: EngineError): void {
    this.ended = reason;
    for (const [id, entry] of [...this.pending]) {
      this.forget(id, entry);
      entry.reject(reason);
    }
  }
}
