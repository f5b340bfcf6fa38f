// A small seeded generator for test and benchmark data (mulberry32), independent of the library's
// own. Plain JavaScript so that Node tests, benchmarks and pages loaded in Chromium share one copy.
// Integer arithmetic only: the same seed gives the same numbers on every platform.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
