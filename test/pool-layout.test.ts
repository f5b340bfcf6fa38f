// The pool block's slots, declared twice: by the kernels (assembly/pool.ts P_*, POOL_BYTES) and by the
// host for the slots it touches (src/layout/abi.ts P, POOL_BYTES). They must agree. (The kernels
// check the rest of the block's layout at compile time: the end of assembly/pool.ts.)
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { P, PF, POOL_BYTES } from '../src/layout/abi.js';

const source = readFileSync(new URL('../assembly/pool.ts', import.meta.url), 'utf8');

/** The value of `const NAME: i32 = value;` (exported or not) in assembly/pool.ts. */
function constant(name: string): number | undefined {
  const match = new RegExp(`^(?:export\\s+)?const\\s+${name}\\s*:\\s*i32\\s*=\\s*(0x[0-9a-f]+|\\d+)\\s*;`, 'mi').exec(source);
  return match === null ? undefined : Number(match[1]);
}

describe('the pool block', () => {
  it('has the same size on both sides', () => {
    expect(constant('POOL_BYTES')).toBe(POOL_BYTES);
  });

  it('has every slot the host uses where the kernels have it', () => {
    for (const [name, slot] of Object.entries(P)) expect({ name, slot: constant(`P_${name}`) }).toEqual({ name, slot });
  });

  it('has every f64 slot the host writes where the kernels have it', () => {
    for (const [name, slot] of Object.entries(PF)) expect({ name, slot: constant(`PF_${name}`) }).toEqual({ name, slot });
  });

  it('keeps the host slots apart (no two names share one, no f64 slot over an i32 one)', () => {
    const slots = Object.values(P);
    expect(new Set(slots).size).toBe(slots.length);
    for (const slot of slots) expect(slot * 4 + 4).toBeLessThanOrEqual(POOL_BYTES);
    // the bytes each f64 slot covers, as i32 slots
    const covered = Object.values(PF).flatMap((slot) => [2 * slot, 2 * slot + 1]);
    expect(new Set(covered).size).toBe(covered.length);
    for (const slot of covered) expect(slots).not.toContain(slot);
  });
});
