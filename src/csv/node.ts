// Node's file modules for the CSV readers, reached when a file is read and never on import, so that
// the 'wasmlp/csv' entry loads in browsers (where csvStreamSource reads a ReadableStream) and a
// browser bundler finds no `node:` import in it. process.getBuiltinModule (Node ≥ 20.16) when there
// is one, else a dynamic import whose name bundlers do not follow.
import { CsvError } from '../errors.js';

export interface NodeModules {
  fs: typeof import('node:fs');
  fsp: typeof import('node:fs/promises');
  url: typeof import('node:url');
}

type GetBuiltin = (name: string) => unknown;

let cached: NodeModules | null = null;

async function builtin<T>(name: string): Promise<T> {
  const proc = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process;
  if (typeof proc?.getBuiltinModule === 'function') return proc.getBuiltinModule(name) as T;
  return (await import(/* @vite-ignore */ name)) as T;
}

/** Node's fs, fs/promises and url; a CsvError outside Node (reading a file by its path needs Node). */
export async function nodeModules(): Promise<NodeModules> {
  if (cached !== null) return cached;
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (node === undefined) {
    throw new CsvError('NODE_ONLY', 'reading a CSV file by its path needs Node.js; in a browser, read a File with csvStreamSource(() => file.stream(), options)', {});
  }
  const [fs, fsp, url] = await Promise.all([builtin<NodeModules['fs']>('node:fs'), builtin<NodeModules['fsp']>('node:fs/promises'), builtin<NodeModules['url']>('node:url')]);
  cached = { fs, fsp, url };
  return cached;
}
