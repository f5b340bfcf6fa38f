// csvSource and csvStreamSource of 'wasmlp/csv' (src/csv/source.ts): a CSV read a chunk of rows at a
// time gives, concatenated, what readCsv gives for the whole file (the command line's reader, an
// oracle here), whatever the chunk size and wherever the read boundaries fall: inside a quoted
// field, between the CR and the LF of a line break, inside a multi-byte character, in the BOM.
// The same faults are the same CsvErrors (file, line, column). A ReadableStream gives the same
// chunks as the file. Reading is lazy: a first chunk needs only the bytes before it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvError, csvSource, csvStreamSource, readCsv, type CsvChunk, type CsvSource } from '../src/csv/index.js';
import { OptionsError } from '../src/index.js';
import { cleanup, scratch } from './cli/helpers.js';

let dir: string;
beforeAll(() => {
  dir = scratch();
});
afterAll(cleanup);

function file(name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A regression file with everything a reader can trip on: BOM, CRLF, quotes around delimiters, line breaks and quotes, blank lines, non-ASCII names. */
function awkward(rows: number): string {
  const lines = ['\uFEFF"a, first";b;"ünïcødé ✓";"y 1";y2'];
  for (let i = 0; i < rows; i++) {
    if (i % 17 === 5) lines.push('');
    const a = i % 3 === 0 ? `"${(i * 0.25).toFixed(2)}"` : `${i * 0.25}`;
    const b = i % 4 === 1 ? `" ${-i}e-3 "` : `${-i}e-3`;
    lines.push([a, b, `${Math.sin(i).toFixed(6)}`, `${i % 7}`, `${(i * i) % 11}.5`].join(';'));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Labels with quoted line breaks, quotes inside quotes and non-ASCII characters, LF line ends. */
function labelled(rows: number): string {
  const labels = ['plain', '"two\nlines"', '"say ""hi"""', 'ñandú', '"a,b"'];
  const lines = ['x1,x2,label'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${(i * 7) % 13},${labels[(i * 3) % labels.length]}`);
  return `${lines.join('\n')}\n`;
}

interface Gathered {
  X: number[];
  y: unknown[];
  sizes: number[];
  cols: number;
}

async function gather(source: AsyncIterable<CsvChunk>): Promise<Gathered> {
  const out: Gathered = { X: [], y: [], sizes: [], cols: 0 };
  for await (const { x, y } of source) {
    expect(x.data.length).toBe(x.rows * x.cols);
    out.X.push(...x.data);
    out.sizes.push(x.rows);
    out.cols = x.cols;
    if (Array.isArray(y)) out.y.push(...y);
    else if (y !== undefined) out.y.push(...y.data);
  }
  return out;
}

/** Chunk sizes: `chunkRows` each, and what is left in the last one. */
function expectedSizes(rows: number, chunkRows: number): number[] {
  const sizes = Array.from({ length: Math.floor(rows / chunkRows) }, () => chunkRows);
  return rows % chunkRows === 0 ? sizes : [...sizes, rows % chunkRows];
}

describe('csvSource', () => {
  it('gives readCsv\'s numbers, a chunk of chunkRows rows at a time, for chunkRows 1, 7 and 1000', async () => {
    const path = file('awkward.csv', awkward(300));
    const whole = await readCsv(path, { targets: ['y 1', 'y2'] });
    expect(whole.rows).toBe(300);
    for (const chunkRows of [1, 7, 1000]) {
      const source = csvSource(path, { targets: ['y 1', 'y2'], chunkRows });
      const got = await gather(source);
      expect(got.sizes).toEqual(expectedSizes(300, chunkRows));
      expect(got.cols).toBe(3);
      expect(got.X).toEqual(Array.from(whole.X));
      expect(got.y).toEqual(Array.from(whole.y as Float64Array));
      expect(source.inputNames).toEqual(whole.inputNames);
      expect(source.inputNames).toEqual(['a, first', 'b', 'ünïcødé ✓']);
      expect(source.delimiter).toBe(';');
    }
  });

  it('reads the same wherever a read ends: inside quotes, between CR and LF, inside a character', async () => {
    const path = file('awkward2.csv', awkward(60));
    const whole = await readCsv(path, { target: 'y2', ignore: ['y 1'] });
    for (const highWaterMark of [1, 2, 3, 5, 11, 64]) {
      const got = await gather(csvSource(path, { target: 'y2', ignore: ['y 1'], chunkRows: 7, highWaterMark }));
      expect(got.X, `highWaterMark ${highWaterMark}`).toEqual(Array.from(whole.X));
      expect(got.y).toEqual(Array.from(whole.y as Float64Array));
    }
  });

  it('gives a label target as labels (quoted line breaks and quotes included), as readCsv does', async () => {
    const path = file('labels.csv', labelled(50));
    const whole = await readCsv(path, { target: 'label' });
    for (const highWaterMark of [1, 4, 65536]) {
      const got = await gather(csvSource(path, { target: 'label', chunkRows: 7, highWaterMark }));
      expect(got.y).toEqual(whole.y);
      expect(got.X).toEqual(Array.from(whole.X));
    }
    expect(new Set(whole.y as string[])).toEqual(new Set(['plain', 'two\nlines', 'say "hi"', 'ñandú', 'a,b']));
  });

  it('reads labels that are numbers as numbers with classes: true, and refuses labels of both kinds', async () => {
    const path = file('digits.csv', 'x,d\n1,3\n2,10\n3,3\n');
    expect((await gather(csvSource(path, { target: 'd', classes: true }))).y).toEqual([3, 10, 3]);
    const mixed = file('mixed.csv', 'x,d\n1,3\n2,ten\n');
    const error = await gather(csvSource(mixed, { target: 'd', classes: true })).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(CsvError);
    expect(error).toMatchObject({ code: 'NOT_A_NUMBER', file: mixed, line: 3, column: 'd' });
  });

  it('is a new pass each time it is iterated, and reports bytes read of the file\'s size', async () => {
    const text = awkward(100);
    const path = file('passes.csv', text);
    const seen: { pass: number; bytesRead: number; totalBytes: number | null; rows: number }[] = [];
    const source = csvSource(path, { target: 'y2', chunkRows: 30, highWaterMark: 100, onProgress: (p) => seen.push(p) });
    const first = await gather(source);
    const second = await gather(source);
    expect(second).toEqual(first);
    const size = Buffer.byteLength(text);
    expect(source).toMatchObject({ passes: 2, bytesRead: size, totalBytes: size, rows: 100 });
    expect(seen.map((p) => [p.pass, p.rows])).toEqual([[1, 30], [1, 60], [1, 90], [1, 100], [2, 30], [2, 60], [2, 90], [2, 100]]);
    for (let i = 1; i < 4; i++) expect(seen[i].bytesRead).toBeGreaterThan(seen[i - 1].bytesRead);
    expect(seen.every((p) => p.totalBytes === size && p.bytesRead <= size)).toBe(true);
  });

  it('stops reading when a pass is left early, and the next pass starts from the top', async () => {
    const path = file('early.csv', awkward(100));
    const source = csvSource(path, { target: 'y2', chunkRows: 10, highWaterMark: 64 });
    for await (const chunk of source) {
      expect(chunk.x.rows).toBe(10);
      break;
    }
    expect(source.bytesRead).toBeLessThan(2000);
    expect((await gather(source)).sizes).toEqual(expectedSizes(100, 10));
  });

  it('refuses a header that changed between passes', async () => {
    const path = file('changed.csv', 'a,b,y\n1,2,3\n');
    const source = csvSource(path, { target: 'y' });
    await gather(source);
    writeFileSync(path, 'a,c,y\n1,2,3\n');
    const error = await gather(source).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'HEADER_CHANGED', file: path, line: 1 });
    expect((error as Error).message).toBe(`${path}: the header changed since the first pass: expected "a", "b", "y", got "a", "c", "y"`);
  });
});

describe('csvSource errors', () => {
  const cases: [string, string, Record<string, unknown>, { code: string; line?: number; column?: string }][] = [
    ['a bad number', 'a,b,y\n1,2,3\n4,x,6\n', { target: 'y' }, { code: 'NOT_A_NUMBER', line: 3, column: 'b' }],
    ['a bad number after a quoted line break', 'a,b,y\n"1",2,3\n"4\n",5,6\n7,,9\n', { target: 'y' }, { code: 'NOT_A_NUMBER', line: 5, column: 'b' }],
    ['a ragged row', 'a,b,y\r\n1,2,3\r\n4,5\r\n', { target: 'y' }, { code: 'RAGGED_ROW', line: 3 }],
    ['a missing column', 'a,b,y\n1,2,3\n', { target: 'z' }, { code: 'MISSING_COLUMN', line: 1, column: 'z' }],
    ['no rows', '\n\na,b,y\n\n', { target: 'y' }, { code: 'NO_ROWS', line: 3 }],
    ['an empty file', '', { target: 'y' }, { code: 'EMPTY_FILE' }],
    ['a header naming a column twice', 'a,a,y\n1,2,3\n', { target: 'y' }, { code: 'DUPLICATE_COLUMN', line: 1, column: 'a' }],
    ['an unclosed quote', 'a,b,y\n1,2,3\n"4,5,6\n', { target: 'y' }, { code: 'BAD_CSV' }],
  ];
  for (const [what, text, options, expected] of cases) {
    it(`${what}: the CsvError readCsv gives (file, line, column, message)`, async () => {
      const path = file(`error-${what.replace(/\W+/g, '-')}.csv`, text);
      const oracle = await readCsv(path, options).then(() => null, (e: unknown) => e);
      expect(oracle).toMatchObject({ ...expected, file: path });
      for (const highWaterMark of [1, 3, 65536]) {
        const error = await gather(csvSource(path, { ...options, chunkRows: 1, highWaterMark })).then(() => null, (e: unknown) => e);
        expect(error).toBeInstanceOf(CsvError);
        const { code, message, file: f, line, column } = error as CsvError;
        expect({ code, message, file: f, line, column }).toEqual({ code: (oracle as CsvError).code, message: (oracle as CsvError).message, file: path, line: (oracle as CsvError).line, column: (oracle as CsvError).column });
      }
    });
  }

  it('a missing file is CANNOT_READ naming it, raised by the iteration', async () => {
    const source = csvSource(join(dir, 'nowhere.csv'), { target: 'y' });
    const error = await gather(source).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'CANNOT_READ', file: join(dir, 'nowhere.csv') });
    expect((error as Error).message).toContain('no such file or directory');
  });

  it('checks its options at once: unknown keys list the valid ones, chunkRows is a positive integer', () => {
    expect(() => csvSource('x.csv', { target: 'y', chunkRow: 5 } as never)).toThrow(OptionsError);
    expect(() => csvSource('x.csv', { target: 'y', chunkRow: 5 } as never)).toThrow(/chunkRows/);
    expect(() => csvSource('x.csv', { chunkRows: 0 })).toThrow('options.chunkRows: expected a positive integer, got 0');
    expect(() => csvSource('x.csv', { highWaterMark: 1.5 })).toThrow('options.highWaterMark: expected a positive integer, got 1.5');
    expect(() => csvSource('x.csv', { target: 'y', targets: ['z'] })).toThrow(OptionsError);
    expect(() => csvSource('', {})).toThrow(OptionsError);
    expect(() => csvStreamSource('x' as never)).toThrow(OptionsError);
    expect(() => csvStreamSource(() => new ReadableStream(), { highWaterMark: 5 } as never)).toThrow(/name, totalBytes/);
  });
});

/** The bytes of `text` as a ReadableStream, `piece` bytes per read. */
function streamOf(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else controller.enqueue(bytes.slice(at, (at += piece)));
    },
  });
}

describe('csvStreamSource', () => {
  it('gives the chunks csvSource gives for the same bytes, in pieces of any size', async () => {
    const text = awkward(200);
    const bytes = new TextEncoder().encode(text);
    const path = file('stream.csv', text);
    const fromFile = await gather(csvSource(path, { targets: ['y 1', 'y2'], chunkRows: 7 }));
    for (const piece of [1, 2, 7, 4096]) {
      const source = csvStreamSource(() => streamOf(bytes, piece), { targets: ['y 1', 'y2'], chunkRows: 7, totalBytes: bytes.length });
      expect(await gather(source), `pieces of ${piece}`).toEqual(fromFile);
      expect(source).toMatchObject({ bytesRead: bytes.length, totalBytes: bytes.length, file: null });
    }
  });

  it('names the stream in its errors, and takes a .tsv name as tab-separated', async () => {
    const bytes = new TextEncoder().encode('a\tb\n1\t2\n3\tx\n');
    const error = await gather(csvStreamSource(() => streamOf(bytes, 3), { target: 'b', name: 'upload.tsv' })).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_A_NUMBER', file: 'upload.tsv', line: 3, column: 'b' });
    expect((error as Error).message).toBe('upload.tsv: line 3, column "b": expected a number, got "x" (the column\'s first value is a number, so it is read as numbers; pass classes: true to read its values as class labels)');
  });

  it('reads lazily: the first chunk of an endless stream comes after a few blocks', async () => {
    let pulled = 0;
    let row = 0;
    const endless = () => new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        const lines = row === 0 ? ['a,y'] : [];
        for (let i = 0; i < 100; i++, row++) lines.push(`${row},${row % 5}`);
        controller.enqueue(new TextEncoder().encode(`${lines.join('\n')}\n`));
      },
    }, { highWaterMark: 0 });
    const source: CsvSource = csvStreamSource(endless, { target: 'y', chunkRows: 250 });
    let chunks = 0;
    for await (const chunk of source) {
      expect(chunk.x.data.slice(0, 3)).toEqual(Float64Array.from([chunks * 250, chunks * 250 + 1, chunks * 250 + 2]));
      if (++chunks === 3) break;
    }
    expect(pulled).toBeLessThanOrEqual(9);
  });

  it('a stream that fails is CANNOT_READ naming it', async () => {
    let sent = false;
    const failing = () => new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) controller.enqueue(new TextEncoder().encode('a,y\n1,2\n'));
        else controller.error(new Error('connection reset'));
        sent = true;
      },
    });
    const error = await gather(csvStreamSource(failing, { target: 'y', name: 'remote.csv' })).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'CANNOT_READ', file: 'remote.csv' });
    expect((error as Error).message).toBe('remote.csv: cannot read the stream (connection reset)');
  });
});
