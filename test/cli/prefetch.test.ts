// Reading ahead in a worker thread (src/cli/prefetch.ts), what `train --stream` trains on: the
// chunks a worker hands over are those read in the calling thread, bit for bit (rows, inputs,
// targets, bytes read), also when the file has more chunks than are read ahead, quoted fields and
// CRLF line ends; a fault of the file arrives as the same error (code, message, line, column); a
// pass left early ends. The worker runs the built command (dist/bin/wasmlp.js), as in the package.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/errors.js';
import type { Columns } from '../../src/cli/model-file.js';
import { AHEAD, readInThread, readInWorker, type ReadChunk, type ReadRequest } from '../../src/cli/prefetch.js';
import { CLI, cleanup, scratch } from './helpers.js';

const entry = pathToFileURL(CLI);
const columns: Columns = { task: 'classification', inputs: ['a', 'b', 'c'], targets: ['y'], labels: ['p', 'q', 'r'] };
const shape = { inputs: 3, outputs: 3 };
let dir: string;

/** Row i of the test file: three numbers (one quoted) and a label. */
function row(i: number): string {
  return `${Math.sin(i).toFixed(9)},"${(i * 0.001).toFixed(3)}",${Math.cos(i * 7) * 1e-3},${'pqr'[(i * 5) % 3]}`;
}

beforeAll(() => {
  dir = scratch();
  const rows = Array.from({ length: 10_007 }, (_, i) => row(i));
  writeFileSync(join(dir, 'data.csv'), `a,b,c,y\r\n${rows.join('\r\n')}\r\n`);
  rows[7777] = `${row(7777)},extra`;
  writeFileSync(join(dir, 'ragged.csv'), `a,b,c,y\n${rows.join('\n')}\n`);
});
afterAll(cleanup);

const request = (file: string, chunkRows: number): ReadRequest => ({ file: join(dir, file), columns, shape, delimiter: undefined, targets: true, chunkRows });

async function all(chunks: AsyncIterable<ReadChunk>): Promise<ReadChunk[]> {
  const out: ReadChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

const bytes = (a: Float64Array | null) => (a === null ? null : Buffer.from(a.buffer, a.byteOffset, a.byteLength));

async function failure(chunks: AsyncIterable<ReadChunk>): Promise<CliError> {
  const error = await all(chunks).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('reading ahead in a worker thread', () => {
  it('hands over the chunks of the calling thread\'s read, bit for bit', async () => {
    for (const chunkRows of [1000, 2048]) {
      const here = await all(readInThread(request('data.csv', chunkRows)));
      const there = await all(readInWorker(entry, request('data.csv', chunkRows)));
      expect(here.length).toBe(Math.ceil(10_007 / chunkRows));
      expect(here.length).toBeGreaterThan(AHEAD + 1);
      expect(there.map((c) => [c.rows, c.bytesRead, c.size])).toEqual(here.map((c) => [c.rows, c.bytesRead, c.size]));
      there.forEach((c, i) => {
        expect(bytes(c.X)!.equals(bytes(here[i].X)!)).toBe(true);
        expect(bytes(c.Y)!.equals(bytes(here[i].Y)!)).toBe(true);
      });
    }
  }, 60_000);

  it('a fault of the file is the same error, at the same line', async () => {
    const here = await failure(readInThread(request('ragged.csv', 1000)));
    const there = await failure(readInWorker(entry, request('ragged.csv', 1000)));
    expect(here.message).toContain('line 7779');
    expect([there.code, there.message, there.location, there.exitCode]).toEqual([here.code, here.message, here.location, here.exitCode]);
  }, 60_000);

  it('a pass left early ends, and the next pass starts from the first row', async () => {
    const first: ReadChunk[] = [];
    for await (const chunk of readInWorker(entry, request('data.csv', 1000))) {
      first.push(chunk);
      if (first.length === 2) break;
    }
    const again = await all(readInWorker(entry, request('data.csv', 1000)));
    expect(first.map((c) => c.bytesRead)).toEqual(again.slice(0, 2).map((c) => c.bytesRead));
    expect(bytes(first[0].X)!.equals(bytes(again[0].X)!)).toBe(true);
  }, 60_000);
});
