// Data checks on raw linear memory (mirrors firstNonFinite in src/data/dataset.ts).

/** Values per block: summed with no branch per value, a block is searched only when its sum is not 0. */
const BLOCK: usize = 4096;

/**
 * Index of the first of the n f64 at byte address `at` that is not finite, or -1. Per block, x − x
 * is summed in two f64x2 sums (0 for a finite x, NaN for NaN and ±Infinity); only a block whose
 * sum is not 0 is searched value by value.
 */
export function first_non_finite_serial(at: usize, n: i32): i32 {
  const end = at + (<usize>n << 3);
  for (let block = at; block < end; block += BLOCK << 3) {
    const stop = min(end, block + (BLOCK << 3));
    let s0 = f64x2.splat(0.0), s1 = s0;
    let p = block;
    for (; p + 32 <= stop; p += 32) {
      const a = v128.load(p), b = v128.load(p, 16);
      s0 = f64x2.add(s0, f64x2.sub(a, a));
      s1 = f64x2.add(s1, f64x2.sub(b, b));
    }
    let tail = 0.0;
    for (; p < stop; p += 8) { const v = load<f64>(p); tail += v - v; }
    const s = f64x2.add(s0, s1);
    if (f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1) + tail != 0.0) {
      for (let q = block; q < stop; q += 8) {
        if (!isFinite(load<f64>(q))) return <i32>((q - at) >> 3);
      }
    }
  }
  return -1;
}
