// The one random generator of wasmlp: xoshiro128** (Blackman & Vigna), seeded by splitmix32.
// Its state lives in engine memory (the plan's rng slot), where both engines step it; the host seeds it
// and reads it back (the shuffled row order, the rows held out for validation, the command line's splits).
// Integer-only, so JavaScript and WebAssembly produce the same stream bit for bit (assembly/rng.ts
// is the same algorithm); uniform floats are built from 53 random bits with exact arithmetic.

export type RngState = Uint32Array; // 4 words

/** Expands a 32-bit seed into a xoshiro128** state (never all zero). */
export function seedState(seed: number, state: RngState = new Uint32Array(4)): RngState {
  let s = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    state[i] = (z ^ (z >>> 16)) >>> 0;
  }
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
  return state;
}

/** Next 32-bit output; advances `state` in place. */
export function nextU32(state: RngState): number {
  const s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3];
  const m = Math.imul(s1, 5);
  const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  state[1] = s1 ^ n2;
  state[0] = s0 ^ n3;
  state[2] = n2 ^ t;
  state[3] = (n3 << 11) | (n3 >>> 21);
  return result;
}

/** Uniform in [0, 1) with 53 random bits. */
export function nextUniform(state: RngState): number {
  const hi = nextU32(state) >>> 5; // 27 bits
  const lo = nextU32(state) >>> 6; // 26 bits
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** Uniform integer in [0, n): floor(u32 · 2^-32 · n), the same f64 operations on both sides. */
export function nextBelow(state: RngState, n: number): number {
  return Math.floor(nextU32(state) * 2.3283064365386963e-10 * n);
}
