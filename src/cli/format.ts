// Text for people: numbers, durations and aligned tables. (Machine output is the --json document.)

/** A number in 6 significant digits, without exponent noise for ordinary magnitudes. */
export function num(value: number | undefined, digits = 6): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e7)) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

/** 12,345 (thousands separators, no decimals). */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}

/** 850 ms, 12.3 s, 4 m 05 s. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} m` : `${m} m ${String(sec).padStart(2, '0')} s`;
}

export function bytes(value: number): string {
  return value >= 1 << 20 ? `${(value / (1 << 20)).toFixed(1)} MB` : `${(value / 1024).toFixed(1)} KB`;
}

/** Columns padded to a common width; `left` columns (by default the first) left-aligned, the others right-aligned (numbers). */
export function table(rows: string[][], left = 1, indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => indent + row.map((cell, i) => (i < left ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd())
    .join('\n');
}

/** `label   value` lines with the labels aligned. */
export function fields(pairs: [string, string][], indent = '  '): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`).join('\n');
}

/**
 * Labels listed in a sentence, `setosa, versicolor, virginica`: a label that contains a comma, a
 * quote, leading or trailing spaces, or nothing at all is quoted ("a, b"), so the list reads one way.
 */
export function labelList(labels: readonly string[]): string {
  return labels.map((l) => (l === '' || /[,"]/.test(l) || l.trim() !== l ? JSON.stringify(l) : l)).join(', ');
}
