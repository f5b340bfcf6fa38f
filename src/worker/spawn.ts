// Starting the worker a WorkerModel lives in: a module Web Worker in browsers, a worker_threads
// Worker in Node (reached through process.getBuiltinModule, as src/engine/threads.ts does). Both run
// entry.js, found next to this file: `new Worker(new URL('./entry.js', import.meta.url), …)` is the
// pattern bundlers (Vite, webpack) recognise, so a bundled app gets the worker as its own chunk.
import { nodeBuiltins } from '../engine/threads.js';
import { EngineError } from '../errors.js';
import type { Reply, Request } from './protocol.js';

/** The worker as the client sees it, the same in Node and in browsers. */
export interface Channel {
  post(message: Request): void;
  /** `onReply` for every message; `onFailure` once, if the worker fails or ends by itself. */
  listen(onReply: (reply: Reply) => void, onFailure: (reason: string) => void): void;
  /** Node: keeps the process alive while calls are pending, and lets it exit when none are. */
  hold(pending: boolean): void;
  terminate(): Promise<void>;
}

// not a literal in the Node branch: bundlers would copy the file as a raw asset for it
const NODE_ENTRY = './entry.js';

export function spawn(): Channel {
  const node = nodeBuiltins();
  if (node !== null) {
    // the process's flags, but not --input-type, which a file refuses (a script run with `node --input-type=module -e`)
    const execArgv = process.execArgv.filter((flag) => !flag.startsWith('--input-type'));
    return nodeChannel(new node.worker_threads.Worker(new URL(NODE_ENTRY, import.meta.url), { execArgv }));
  }
  if (typeof Worker !== 'function') {
    throw new EngineError('UNAVAILABLE', 'a worker model needs a Worker constructor, and this environment has none', { expected: 'Web Workers or Node.js worker_threads', received: 'neither' });
  }
  return browserChannel(new Worker(new URL('./entry.js', import.meta.url), { type: 'module' }));
}

type NodeWorker = InstanceType<NonNullable<ReturnType<typeof nodeBuiltins>>['worker_threads']['Worker']>;

function nodeChannel(worker: NodeWorker): Channel {
  let ended = false;
  worker.unref();
  return {
    post: (message) => worker.postMessage(message),
    listen(onReply, onFailure) {
      worker.on('message', onReply);
      worker.on('error', (error) => onFailure(error.message));
      worker.on('exit', (code) => {
        if (!ended) onFailure(`it exited with code ${code}`);
      });
    },
    hold: (pending) => (pending ? worker.ref() : worker.unref()),
    async terminate() {
      ended = true;
      await worker.terminate();
    },
  };
}

function browserChannel(worker: Worker): Channel {
  return {
    post: (message) => worker.postMessage(message),
    listen(onReply, onFailure) {
      worker.addEventListener('message', (event) => onReply(event.data as Reply));
      worker.addEventListener('error', (event) => onFailure(event.message || 'its script could not be loaded or threw'));
      worker.addEventListener('messageerror', () => onFailure('a message from it could not be read'));
    },
    hold: () => {},
    async terminate() {
      worker.terminate();
    },
  };
}
