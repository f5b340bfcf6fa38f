// xoshiro128** (mirrors src/layout/rng.ts; random_permutation_u32 mirrors the one in src/engine/ts/train.ts):
// integer-only, so both engines shuffle identically.
// The state is 4 u32 words at a host-given offset (it lives beside the parameters).

@inline function rotl(x: u32, k: u32): u32 {
  return (x << k) | (x >>> (32 - k));
}

export function next_u32(state: usize): u32 {
  const s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  const result = rotl(s1 * 5, 7) * 9;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  store<u32>(state, s1 ^ n2, 4);
  store<u32>(state, s0 ^ n3);
  store<u32>(state, n2 ^ t, 8);
  store<u32>(state, rotl(n3, 11), 12);
  return result;
}

/** Uniform integer in [0, n): floor(u32 · 2^-32 · n), the same f64 operations as the host. */
@inline export function next_below(state: usize, n: i32): i32 {
  return <i32>Math.floor(<f64>next_u32(state) * 2.3283064365386963e-10 * <f64>n);
}

/** Uniform in [0, 1) with 53 random bits (the host's nextUniform: hi 27 bits, then lo 26 bits, exact arithmetic). */
@inline export function next_uniform(state: usize): f64 {
  const hi = next_u32(state) >>> 5;
  const lo = next_u32(state) >>> 6;
  return (<f64>hi * 67108864.0 + <f64>lo) / 9007199254740992.0;
}

/**
 * A fresh uniformly random permutation of 0 … n − 1 at `perm` (Fisher–Yates, inside-out form). The
 * old contents are not read: each epoch's order depends on the generator state alone, so N calls of
 * one epoch and one call of N epochs give the same orders.
 */
export function random_permutation_u32(state: usize, perm: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const j = next_below(state, i + 1);
    const pi = perm + (<usize>i << 2), pj = perm + (<usize>j << 2);
    store<u32>(pi, load<u32>(pj));
    store<u32>(pj, <u32>i);
  }
}
