// The playground's header reading for a streamed file (examples/playground/ui/stream-panel.ts): the
// column names from the file's first line, with quotes, other delimiters and a .tsv name, reading
// the first megabyte only.
import { describe, expect, test } from 'vitest';
import { headerOf, splitLine } from '../../examples/playground/ui/stream-panel.js';

describe('a streamed file\'s header', () => {
  test('splitLine: delimiters outside quotes split, doubled quotes are quotes, names are trimmed', () => {
    expect(splitLine('a, "b,c" ,"say ""hi"""', ',')).toEqual(['a', 'b,c', 'say "hi"']);
    expect(splitLine('x;y;z', ';')).toEqual(['x', 'y', 'z']);
    expect(splitLine('one', ',')).toEqual(['one']);
  });

  test('headerOf: the first line that is not blank, its delimiter detected (tabs for a .tsv name), a BOM dropped', async () => {
    expect(await headerOf(new File(['\uFEFFx1,x2,label\r\n1,2,a\r\n'], 'data.csv'))).toEqual(['x1', 'x2', 'label']);
    expect(await headerOf(new File(['\n\na;b;"c;d"\n1;2;3\n'], 'data.csv'))).toEqual(['a', 'b', 'c;d']);
    expect(await headerOf(new File(['a b\tc\n1\t2\n'], 'data.tsv'))).toEqual(['a b', 'c']);
  });

  test('headerOf: a file without a line break in its first megabyte is refused, naming the file', async () => {
    await expect(headerOf(new File(['x'.repeat((1 << 20) + 10)], 'one-line.csv'))).rejects.toThrow('one-line.csv: no header line in its first 1 MB');
    await expect(headerOf(new File([''], 'empty.csv'))).rejects.toThrow('empty.csv: no header line');
  });
});
