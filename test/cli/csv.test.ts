// The CLI's CSV reader and encoders, called directly: line numbers through quoted line breaks that
// only appear deep into a file, CRLF, a byte-order mark, other delimiters, UTF-8 split across read
// chunks, label codes, the order of labels, and the seeded row shuffle.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv, type LabelColumn, type NumberColumns } from '../../src/cli/csv.js';
import { orderLabels, shuffleRows } from '../../src/cli/encode.js';
import { CliError } from '../../src/cli/errors.js';
import { cleanup, scratch } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = scratch();
});
afterAll(cleanup);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const all = (header: string[]) => [{ kind: 'number' as const, columns: header.map((_, i) => i) }];

async function failure(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('expected a CliError');
}

describe('readCsv', () => {
  it('reads numbers row-major into one Float64Array', async () => {
    const t = await readCsv(file('n.csv', 'a,b\n1,2\n3.5,-4e2\n'), { delimiter: ',', layout: all });
    expect(t.header).toEqual(['a', 'b']);
    expect(t.rows).toBe(2);
    expect(Array.from((t.blocks[0] as NumberColumns).data)).toEqual([1, 2, 3.5, -400]);
  });

  it('CRLF line ends, a byte-order mark, spaces around names and a tab delimiter', async () => {
    const t = await readCsv(file('t.tsv', '\uFEFF x \ty\r\n1\t2\r\n3\t4\r\n'), { delimiter: '\t', layout: all });
    expect(t.header).toEqual(['x', 'y']);
    expect(Array.from((t.blocks[0] as NumberColumns).data)).toEqual([1, 2, 3, 4]);
  });

  it('counts line breaks in quoted fields that appear only after many plain chunks', async () => {
    const plain = Array.from({ length: 20_000 }, (_, i) => `${i},plain`).join('\n'); // > 64 KB without a quote
    const text = `n,s\n${plain}\n1,"a\nb\nc"\n2,x\nbad,y\n`;
    const e = await failure(readCsv(file('q.csv', text), { delimiter: ',', layout: () => [{ kind: 'number', columns: [0] }] }));
    // header 1, 20,000 plain lines (2–20,001), the quoted row spans 20,002–20,004, then 20,005, 20,006
    expect(e.location).toEqual({ file: join(dir, 'q.csv'), line: 20_006, column: 'n' });
    expect(e.message).toContain('line 20006, column "n": expected a number, got "bad"');
  });

  it('a quoted delimiter stays inside its field', async () => {
    const t = await readCsv(file('qd.csv', 'label,v\n"a,b",1\n"c ""d""",2\n'), {
      delimiter: ',', layout: () => [{ kind: 'label', column: 0 }, { kind: 'number', columns: [1] }],
    });
    expect((t.blocks[0] as LabelColumn).labels).toEqual(['a,b', 'c "d"']);
  });

  it('multi-byte characters split across read chunks come through whole', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i % 3 === 0 ? 'Ähre' : i % 3 === 1 ? '木' : '🌸'},${i}`);
    const t = await readCsv(file('u.csv', `kind,n\n${rows.join('\n')}\n`), {
      delimiter: ',', layout: () => [{ kind: 'label', column: 0 }, { kind: 'number', columns: [1] }],
    });
    expect((t.blocks[0] as LabelColumn).labels).toEqual(['Ähre', '木', '🌸']);
    expect(t.rows).toBe(30_000);
  });

  it('labels are coded in order of first appearance; known labels fix the codes', async () => {
    const path = file('l.csv', 'c\nb\na\nb\nc\n');
    const t = await readCsv(path, { delimiter: ',', layout: () => [{ kind: 'label', column: 0 }] });
    const b = t.blocks[0] as LabelColumn;
    expect(b.labels).toEqual(['b', 'a', 'c']);
    expect(Array.from(b.codes)).toEqual([0, 1, 0, 2]);
    const k = await readCsv(path, { delimiter: ',', layout: () => [{ kind: 'label', column: 0, known: ['a', 'b', 'c'] }] });
    expect(Array.from((k.blocks[0] as LabelColumn).codes)).toEqual([1, 0, 1, 2]);
  });

  it('auto columns: a first value that is a number makes numbers, anything else labels', async () => {
    const path = file('auto.csv', 'x,y,z\n1,2,no\n3,4,yes\n');
    const t = await readCsv(path, { delimiter: ',', layout: () => [{ kind: 'auto', column: 1 }, { kind: 'auto', column: 2 }] });
    expect(t.blocks[0].kind).toBe('number');
    expect(Array.from((t.blocks[0] as NumberColumns).data)).toEqual([2, 4]);
    expect((t.blocks[1] as LabelColumn).labels).toEqual(['no', 'yes']);
  });

  it('maxRows stops early', async () => {
    const t = await readCsv(file('m.csv', 'a\n1\n2\n3\n4\n'), { delimiter: ',', layout: all, maxRows: 2 });
    expect(t.rows).toBe(2);
    expect(Array.from((t.blocks[0] as NumberColumns).data)).toEqual([1, 2]);
  });

  it('rejects Infinity, blank cells and a duplicated column name', async () => {
    expect((await failure(readCsv(file('i.csv', 'a\n1\nInfinity\n'), { delimiter: ',', layout: all }))).message).toContain('line 3, column "a": expected a number, got "Infinity"');
    expect((await failure(readCsv(file('s.csv', 'a,b\n1, \n'), { delimiter: ',', layout: all }))).message).toContain('line 2, column "b": expected a number, got an empty cell');
    expect((await failure(readCsv(file('d.csv', 'a,b,a\n1,2,3\n'), { delimiter: ',', layout: all }))).message).toContain('line 1, column "a": the header names this column twice (columns 1 and 3)');
  });

  it('an unterminated quote is malformed CSV', async () => {
    const e = await failure(readCsv(file('mq.csv', 'a,b\n1,2\n3,"4\n'), { delimiter: ',', layout: all }));
    expect(e.message).toMatch(/mq\.csv: line 3: malformed CSV/);
  });
});

describe('encoding', () => {
  it('orders numeric labels by value and other labels by code units', () => {
    expect(orderLabels(['10', '2', '1']).labels).toEqual(['1', '2', '10']);
    const { labels, remap } = orderLabels(['virginica', 'setosa', 'Versicolor']);
    expect(labels).toEqual(['Versicolor', 'setosa', 'virginica']);
    expect(Array.from(remap)).toEqual([2, 1, 0]);
  });

  it('shuffles rows of several arrays with one seeded permutation, rows kept whole', () => {
    const rows = 50;
    const X = Float64Array.from({ length: rows * 3 }, (_, i) => Math.floor(i / 3) * 10 + (i % 3));
    const Y = Float64Array.from({ length: rows }, (_, i) => i);
    shuffleRows(7, rows, [{ data: X, width: 3 }, { data: Y, width: 1 }]);
    for (let r = 0; r < rows; r++) expect([X[3 * r], X[3 * r + 1], X[3 * r + 2]]).toEqual([Y[r] * 10, Y[r] * 10 + 1, Y[r] * 10 + 2]);
    expect([...Y].sort((a, b) => a - b)).toEqual(Array.from({ length: rows }, (_, i) => i));
    expect(Array.from(Y)).not.toEqual(Array.from({ length: rows }, (_, i) => i));
    const again = Float64Array.from({ length: rows }, (_, i) => i);
    shuffleRows(7, rows, [{ data: again, width: 1 }]);
    expect(Array.from(again)).toEqual(Array.from(Y));
  });
});
