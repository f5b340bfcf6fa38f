// Axis ticks: round values (1, 2, 2.5 or 5 times a power of ten apart) inside a range, and short labels.

/** 1, 2, 2.5 or 5 times a power of ten, at least `value`. */
export function niceStep(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= value * (1 - 1e-9)) return m * power;
  return 10 * power;
}

/** About `target` round values from `min` to `max` (both included when round), evenly spaced. */
export function axisTicks(min: number, max: number, target = 5): number[] {
  if (!(max > min) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  const step = niceStep((max - min) / target);
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  // i × step, cleaned of binary noise (0.30000000000000004 → 0.3) and of −0
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)) + 0);
  return ticks;
}

/** A tick's label: the value without binary noise, in exponent form when very large or small. */
export function tickLabel(value: number): string {
  if (value === 0) return '0';
  const clean = Number(value.toPrecision(6));
  return Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3 ? clean.toExponential() : String(clean);
}
