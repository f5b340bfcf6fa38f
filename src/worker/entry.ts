// The worker a WorkerModel lives in (spawn.ts starts it): it holds one Model and runs the calls the
// page's thread sends, one message each, and posts back each result or error. fit runs as fitAsync
// here, so that messages (an abort, a callback's answer) are read between its chunks; its callbacks
// are the page's: each is a promise the fit awaits (src/train/trainer.ts), settled by the answer.
import { nodeBuiltins } from '../engine/threads.js';
import { createModel, loadModel } from '../model/factory.js';
import type { Model } from '../model/model.js';
import type { ModelSpec } from '../spec/types.js';
import type { ModelJSON, LoadOptions } from '../model/serialize.js';
import type { FitOptions } from '../train/options.js';
import type { MatrixInput } from '../data/dataset.js';
import type { Targets } from '../model/classify.js';
import { EngineError } from '../errors.js';
import { reviveError, serializeError } from './errors.js';
import { FORWARDED, transferables, type Forwarded, type Hook, type Mirror, type Reply, type Request } from './protocol.js';

type CallRequest = Extract<Request, { kind: 'call' }>;

/** Where messages come from and go to: Node's parentPort, or the worker's global scope. */
interface Port {
  post(reply: Reply, transfer?: ArrayBuffer[]): void;
  listen(onRequest: (request: Request) => void): void;
}

function port(): Port {
  const parent = nodeBuiltins()?.worker_threads.parentPort;
  if (parent) return { post: (reply, transfer) => parent.postMessage(reply, transfer), listen: (on) => parent.on('message', on) };
  const scope = globalThis as unknown as { postMessage(message: unknown, transfer?: Transferable[]): void; addEventListener(type: 'message', on: (event: MessageEvent) => void): void };
  return { post: (reply, transfer) => scope.postMessage(reply, transfer ?? []), listen: (on) => scope.addEventListener('message', (event) => on(event.data as Request)) };
}

const io = port();
let model: Model | null = null;
/** The fits running: their abort controllers and the callback answers they wait for. */
const fits = new Map<number, { controller: AbortController; waiting: Map<number, { resolve: (stop: boolean | void) => void; reject: (error: Error) => void }> }>();

io.listen((request) => {
  if (request.kind === 'call') void run(request);
  else if (request.kind === 'abort') fits.get(request.id)?.controller.abort();
  else answer(request);
});

async function run(request: CallRequest): Promise<void> {
  let value: unknown;
  try {
    value = await invoke(request);
  } catch (error) {
    io.post({ kind: 'error', id: request.id, error: serializeError(error) });
    return;
  }
  const reply: Reply = { kind: 'result', id: request.id, value, names: model?.names ?? null };
  try {
    io.post(reply, transferables(value));
  } catch {
    io.post(reply);
  }
}

async function invoke({ id, method, args, hooks, signal }: CallRequest): Promise<unknown> {
  if (method === 'create') return mirror((model = await createModel(args[0] as ModelSpec)));
  if (method === 'load') return mirror((model = await loadModel(args[0] as ModelJSON | string, args[1] as LoadOptions)));
  if (model === null) throw new EngineError('NO_MODEL', `${method}: the worker holds no model yet`, { path: method, expected: 'a model created or loaded', received: 'none' });
  if (method === 'fit') return fit(model, id, args as [MatrixInput, Targets, FitOptions], hooks ?? [], signal);
  if (!(FORWARDED as readonly string[]).includes(method)) throw new EngineError('UNKNOWN_METHOD', `the worker has no method ${method}`, { path: method });
  return (model[method as Forwarded] as (...a: unknown[]) => unknown)(...args);
}

function mirror(m: Model): Mirror {
  return { spec: m.spec, names: m.names, metadata: m.metadata, threads: m.threads, threadsNote: m.threadsNote, engineKind: m.engineKind };
}

/** fitAsync with the page's callbacks (each a message and an awaited answer) and its signal (an abort message). */
async function fit(m: Model, id: number, [X, Y, given]: [MatrixInput, Targets, FitOptions], hooks: Hook[], signal?: 'live' | 'aborted'): Promise<unknown> {
  const controller = new AbortController();
  if (signal === 'aborted') controller.abort();
  const waiting = new Map<number, { resolve: (stop: boolean | void) => void; reject: (error: Error) => void }>();
  // not an object: fitAsync says so, as it would on the page's thread
  if (given === null || typeof given !== 'object') return m.fitAsync(X, Y, given);
  fits.set(id, { controller, waiting });
  let seq = 0;
  const options: Record<string, unknown> = { ...given };
  for (const hook of hooks) {
    options[hook] = (...args: unknown[]) =>
      new Promise<boolean | void>((resolve, reject) => {
        const at = seq++;
        waiting.set(at, { resolve, reject });
        io.post({ kind: 'event', id, seq: at, hook, args });
      });
  }
  if (signal !== undefined) options.signal = controller.signal;
  try {
    return await m.fitAsync(X, Y, options as FitOptions);
  } finally {
    fits.delete(id);
  }
}

function answer({ id, seq, stop, error }: Extract<Request, { kind: 'answer' }>): void {
  const waiting = fits.get(id)?.waiting;
  const settle = waiting?.get(seq);
  if (waiting === undefined || settle === undefined) return;
  waiting.delete(seq);
  if (error !== undefined) settle.reject(reviveError(error));
  else settle.resolve(stop ? false : undefined);
}
