// Terminal formatting for the demo: the "agrees with the printed digits" rule, ✓/✗ marks, aligned
// tables and section headers. Colour only on a terminal (and never with NO_COLOR), so piped or
// captured output is plain text that tests can parse.

const COLOR = process.stdout.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
const style = (code: string) => (text: string) => (COLOR ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = style('1');
export const dim = style('2');
const green = style('32');
const red = style('31');

/**
 * Whether `value` rounds to the printed number's digits: |value − printed| ≤ half a unit of the last
 * printed digit (the reference files' `rounds` rule; the 1e-12 keeps exact halves on the right side).
 */
export function agrees(value: number, printed: string): boolean {
  const decimals = printed.includes('.') ? printed.split('.')[1].length : 0;
  return Math.abs(value - Number(printed)) <= 0.5 * 10 ** -decimals * (1 + 1e-12);
}

export function mark(ok: boolean): string {
  return ok ? green('✓') : red('✗');
}

/** A printed number followed by its mark, or '' when the text prints nothing there. */
export function printedCell(value: number, printed: string | undefined): string {
  return printed === undefined ? '' : `${printed} ${mark(agrees(value, printed))}`;
}

/** `value` with `decimals` decimals, without a minus sign on a zero ("-0.000000" reads as a bug). */
export function fixed(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** Tiny and huge values in scientific notation, others with `decimals` decimals. */
export function num(value: number, decimals = 6): string {
  return value !== 0 && (Math.abs(value) < 10 ** -decimals || Math.abs(value) >= 1e6) ? value.toExponential(2) : fixed(value, decimals);
}

/** Length as the terminal shows it: without colour codes. */
function visible(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export interface Column {
  header: string;
  /** Numbers right-aligned (default), labels left-aligned. */
  align?: 'left' | 'right';
}

/** Rows under a header and a rule, each column as wide as its widest cell, two spaces apart. */
export function table(columns: Column[], rows: string[][], indent = '  '): string {
  const widths = columns.map((c, i) => Math.max(visible(c.header), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i] - visible(cell));
        return columns[i].align === 'left' ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => bold(c.header))),
    indent + dim(widths.map((w) => '─'.repeat(w)).join('  ')),
    ...rows.map((r) => line(columns.map((_, i) => r[i] ?? ''))),
  ].join('\n');
}

/** A numbered section header: a blank line, then the title on a rule. */
export function section(title: string): string {
  return `\n${bold(`━━ ${title} `)}${dim('━'.repeat(Math.max(4, 78 - title.length - 4)))}`;
}
