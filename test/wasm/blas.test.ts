// The WASM GEMM kernels (assembly/blas.ts) against naive float64 loops written here.
//
// Every case lays its operands out in the instance's memory with guards around them, padded leading
// dimensions (lda/ldb/ldc > logical width) and, for half of the cases, addresses that are 8- but not
// 16-byte aligned. NaN is written wherever a kernel must not look (padding, guards, scratch, and the
// old C when accumulate = 0), so a stray read shows up in the result, and every byte outside C's
// logical elements and the scratch region is compared before and after the call.
//
// The numeric check is the tolerance of the brief, max |got − want| ≤ 1e-13 · k · max|A| · max|B|.
// On top of it the kernels promise a documented summation order (one sequential sum over p per
// element, starting from C when accumulating, no FMA); the naive loop below uses that order, so the
// results are also checked for equality, bit for bit.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileKernels, instantiateKernels } from '../../src/engine/wasm/loader.js';
import type { KernelExports } from '../../src/engine/wasm/exports.js';
import { gemmScratchBytes } from '../../src/layout/scratch.js';
import { mulberry32 } from '../helpers/random.js';

type Kind = 'nt' | 'nn' | 'tn';
const KINDS: readonly Kind[] = ['nt', 'nn', 'tn'];

let K: KernelExports;

beforeAll(async () => {
  K = instantiateKernels(await compileKernels());
});

// ---------------------------------------------------------------------------------------------
// A bump allocator over the instance memory, above heapBase().

const GUARD = 64; // bytes of NaN before and after every region

class Arena {
  private top = 0;
  private start = 0;

  reset(): void {
    this.start = (K.heapBase() + 15) & ~15;
    this.top = this.start;
  }

  /** A region of `bytes` bytes at an address ≡ misalign (mod 16), with a guard before and after. */
  alloc(bytes: number, misalign: 0 | 8): number {
    const at = ((this.top + GUARD + 15) & ~15) + misalign;
    this.top = at + bytes + GUARD;
    const need = this.top + 16;
    const have = K.memory.buffer.byteLength;
    if (need > have) K.memory.grow(Math.ceil((need - have) / 65536)); // detaches earlier views
    return at;
  }

  /** [start, end) of everything allocated since reset(), guards included. */
  get span(): [number, number] {
    return [this.start, this.top];
  }
}

const arena = new Arena();
const f64 = (): Float64Array => new Float64Array(K.memory.buffer);
const u8 = (): Uint8Array => new Uint8Array(K.memory.buffer);

// ---------------------------------------------------------------------------------------------
// Naive products in the documented order.

/** Element accessors of the logical operands: Aop(i, p) is m × k, Bop(p, j) is k × n (element offsets). */
function aIndex(kind: Kind, a: number, lda: number, i: number, p: number): number {
  return kind === 'tn' ? a + p * lda + i : a + i * lda + p;
}
function bIndex(kind: Kind, b: number, ldb: number, p: number, j: number): number {
  return kind === 'nt' ? b + j * ldb + p : b + p * ldb + j;
}

/** C as a dense m × n array: s = accumulate ? C : 0; s += Aop(i,p)·Bop(p,j) for p = 0..k-1. */
function naiveGemm(
  kind: Kind, mem: Float64Array, m: number, n: number, k: number,
  a: number, lda: number, b: number, ldb: number, c0: Float64Array | null,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = c0 === null ? 0 : c0[i * n + j];
      for (let p = 0; p < k; p++) s += mem[aIndex(kind, a, lda, i, p)] * mem[bIndex(kind, b, ldb, p, j)];
      out[i * n + j] = s;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// One GEMM case.

interface Case {
  kind: Kind;
  m: number;
  n: number;
  k: number;
  accumulate: 0 | 1;
  /** extra elements per row of A, B, C (0 = tight) */
  pad: [number, number, number];
  misalign: 0 | 8;
  seed: number;
}

interface Placed {
  a: number; lda: number; b: number; ldb: number; c: number; ldc: number; scratch: number; scratchBytes: number;
}

/** Allocates and fills a case; returns byte addresses. */
function place(cs: Case): Placed {
  const { kind, m, n, k, pad, misalign } = cs;
  const rand = mulberry32(cs.seed);
  const [aRows, aCols] = kind === 'tn' ? [k, m] : [m, k];
  const [bRows, bCols] = kind === 'nt' ? [n, k] : [k, n];
  const lda = aCols + pad[0], ldb = bCols + pad[1], ldc = n + pad[2];
  const scratchBytes = gemmScratchBytes(m, n, k);

  arena.reset();
  const a = arena.alloc(aRows * lda * 8, misalign);
  const b = arena.alloc(bRows * ldb * 8, misalign);
  const c = arena.alloc(m * ldc * 8, misalign);
  const scratch = arena.alloc(scratchBytes, 0); // the kernels' contract: 16-byte aligned
  const mem = f64();
  const [lo, hi] = arena.span;
  mem.fill(NaN, lo / 8, hi / 8); // guards, padding, scratch: NaN, so any stray read poisons C

  const fill = (base: number, rows: number, cols: number, ld: number, scale: number): void => {
    for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) mem[base / 8 + r * ld + q] = scale * (2 * rand() - 1);
  };
  // Mixed magnitudes across cases, so the tolerance is exercised with different scales.
  fill(a, aRows, aCols, lda, 1 + 3 * rand());
  fill(b, bRows, bCols, ldb, 0.25 + rand());
  if (cs.accumulate) fill(c, m, n, ldc, 2); // else C's old values stay NaN: overwrite must ignore them
  return { a, lda, b, ldb, c, ldc, scratch, scratchBytes };
}

function call(kind: Kind, cs: Case, p: Placed): void {
  const fn = kind === 'nt' ? K.gemm_nt : kind === 'nn' ? K.gemm_nn : K.gemm_tn;
  fn(cs.m, cs.n, cs.k, p.a, p.lda, p.b, p.ldb, p.c, p.ldc, cs.accumulate, p.scratch);
}

/** Reads C's logical elements as a dense m × n array. */
function readC(m: number, n: number, c: number, ldc: number): Float64Array {
  const mem = f64();
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = mem[c / 8 + i * ldc + j];
  return out;
}

/** Problems with one case, as strings (empty = pass). */
function runCase(cs: Case): string[] {
  const { kind, m, n, k } = cs;
  const p = place(cs);
  const [lo, hi] = arena.span;
  const c0 = cs.accumulate ? readC(m, n, p.c, p.ldc) : null;
  const want = naiveGemm(kind, f64(), m, n, k, p.a / 8, p.lda, p.b / 8, p.ldb, c0);
  const before = u8().slice(lo, hi);

  call(kind, cs, p);
  const got = readC(m, n, p.c, p.ldc);
  const after = u8();
  const problems: string[] = [];
  const label = `${kind} m=${m} n=${n} k=${k} acc=${cs.accumulate} pad=${cs.pad.join(',')} misalign=${cs.misalign}`;

  // 1. Tolerance of the brief.
  let maxA = 0, maxB = 0, maxDiff = 0;
  const mem = f64();
  for (let i = 0; i < m; i++) for (let q = 0; q < k; q++) maxA = Math.max(maxA, Math.abs(mem[aIndex(kind, p.a / 8, p.lda, i, q)]));
  for (let q = 0; q < k; q++) for (let j = 0; j < n; j++) maxB = Math.max(maxB, Math.abs(mem[bIndex(kind, p.b / 8, p.ldb, q, j)]));
  for (let e = 0; e < m * n; e++) {
    const d = Math.abs(got[e] - want[e]);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
  }
  const tol = 1e-13 * k * maxA * maxB;
  if (!(maxDiff <= tol)) problems.push(`${label}: max |got − want| = ${maxDiff} > ${tol}`);

  // 2. The documented summation order, bit for bit.
  for (let e = 0; e < m * n; e++) {
    if (!Object.is(got[e], want[e])) {
      problems.push(`${label}: C[${Math.floor(e / n)}][${e % n}] = ${got[e]}, sequential order gives ${want[e]}`);
      break;
    }
  }

  // 3. Nothing outside C's logical elements (and the scratch region) changed.
  const inC = (byte: number): boolean => {
    const off = byte - p.c;
    if (off < 0 || off >= m * p.ldc * 8) return false;
    return (off >> 3) % p.ldc < n;
  };
  const inScratch = (byte: number): boolean => byte >= p.scratch && byte < p.scratch + p.scratchBytes;
  for (let byte = lo; byte < hi; byte++) {
    if (after[byte] !== before[byte - lo] && !inC(byte) && !inScratch(byte)) {
      problems.push(`${label}: byte ${byte - p.c} relative to C changed outside C (scratch at ${p.scratch - p.c})`);
      break;
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Case lists.

const SMALL = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33];

/** Every combination of SMALL³ for one kernel, with varying padding and alignment. */
function comboCases(kind: Kind, accumulate: 0 | 1): Case[] {
  const rand = mulberry32(kind.charCodeAt(0) * 131 + kind.charCodeAt(1) * 7 + accumulate);
  const cases: Case[] = [];
  let t = 0;
  for (const m of SMALL) for (const n of SMALL) for (const k of SMALL) {
    const pad: [number, number, number] = [Math.floor(rand() * 4), Math.floor(rand() * 4), Math.floor(rand() * 4)];
    cases.push({ kind, m, n, k, accumulate, pad, misalign: t++ % 2 === 0 ? 8 : 0, seed: (rand() * 2 ** 32) >>> 0 });
  }
  return cases;
}

/** Seeded random sizes in 1..70, always padded and unaligned. */
function seededCases(kind: Kind, count: number): Case[] {
  const rand = mulberry32(0xb1a5 + kind.charCodeAt(1));
  const size = (): number => 1 + Math.floor(rand() * 70);
  return Array.from({ length: count }, (_, t) => ({
    kind, m: size(), n: size(), k: size(), accumulate: (t % 2) as 0 | 1,
    pad: [1 + Math.floor(rand() * 5), 1 + Math.floor(rand() * 5), 1 + Math.floor(rand() * 5)] as [number, number, number],
    misalign: 8 as const, seed: (rand() * 2 ** 32) >>> 0,
  }));
}

/**
 * Sizes past the cache blocks (KC = 256 deep, MC = 128 rows, NC = 512 columns), so the depth split
 * (partial sums stored to C and continued), several row blocks and several column blocks all run.
 */
const BLOCKED: Array<[number, number, number]> = [
  [129, 517, 257], // every dimension one past a block boundary (n = 517 = NC + 5)
  [6, 3, 600], // k spans three depth blocks, edge tiles only
  [131, 1030, 3], // three column blocks, shallow
];

/**
 * The unpacked thin path, past the direct loop's 4096 multiply-adds: fewer than 4 rows (one
 * sample's forward pass, batch-size-1 training; n around its 4-column blocks, k odd and even as its
 * nt loop takes two p at a time), and depth below 4 with many rows (the weight gradient of batch
 * sizes 1 to 3; nn and tn take it, nt packs).
 */
function thinCases(kind: Kind): Case[] {
  const rand = mulberry32(0x7417 + kind.charCodeAt(1));
  const shapes: Array<[number, number, number]> = [];
  for (const m of [1, 2, 3]) for (const n of [1, 2, 3, 4, 5, 8, 11, 130]) for (const k of [257, 600, 1101]) shapes.push([m, n, k]);
  for (const m of [5, 37, 130]) for (const n of [33, 130, 787]) for (const k of [1, 2, 3]) shapes.push([m, n, k]);
  return shapes
    .filter(([m, n, k]) => m * n * k > 4096)
    .map(([m, n, k], t) => ({
      kind, m, n, k, accumulate: (t % 2) as 0 | 1,
      pad: [Math.floor(rand() * 4), Math.floor(rand() * 4), Math.floor(rand() * 4)] as [number, number, number],
      misalign: t % 3 === 0 ? 0 : 8, seed: (rand() * 2 ** 32) >>> 0,
    }));
}

function expectNoProblems(cases: Case[]): void {
  const problems = cases.flatMap(runCase);
  expect(problems.slice(0, 10), `${problems.length} problems in ${cases.length} cases`).toEqual([]);
}

// ---------------------------------------------------------------------------------------------

describe.each(KINDS)('gemm_%s', (kind) => {
  it.each([0, 1] as const)('matches the naive product for every size in {1,2,3,4,5,7,8,9,16,17,33}³ (accumulate = %i)', (accumulate) => {
    expectNoProblems(comboCases(kind, accumulate));
  });

  it('matches the naive product for seeded sizes in 1..70 with padded leading dimensions and unaligned addresses', () => {
    expectNoProblems(seededCases(kind, 60));
  });

  it('matches the naive product with 1 to 3 rows, or depth 1 to 3, past the direct loop (the unpacked thin path)', () => {
    const cases = thinCases(kind);
    expect(cases.length).toBeGreaterThan(50);
    expectNoProblems(cases);
  });

  it.each(BLOCKED)('matches the naive product across cache blocks (m = %i, n = %i, k = %i)', (m, n, k) => {
    expectNoProblems([
      { kind, m, n, k, accumulate: 0, pad: [3, 1, 2], misalign: 8, seed: m * 7919 + n * 31 + k },
      { kind, m, n, k, accumulate: 1, pad: [0, 0, 0], misalign: 0, seed: m * 7919 + n * 31 + k + 1 },
    ]);
  });

  it('is deterministic: the same call twice, and the same product at other addresses and strides, give identical bytes', () => {
    for (const [m, n, k] of [[37, 29, 61], [64, 64, 64], [5, 70, 300]] as const) {
      const base: Case = { kind, m, n, k, accumulate: 0, pad: [0, 0, 0], misalign: 0, seed: 12345 };
      const p = place(base);
      call(kind, base, p);
      const first = readC(m, n, p.c, p.ldc);
      call(kind, base, p); // scratch now holds the first call's panels: must not matter
      expect(new Uint8Array(readC(m, n, p.c, p.ldc).buffer)).toEqual(new Uint8Array(first.buffer));

      // The same operand values in another layout: padded rows, 8-byte (not 16-byte) aligned addresses.
      const mem0 = f64();
      const [aRows, aCols] = kind === 'tn' ? [k, m] : [m, k];
      const [bRows, bCols] = kind === 'nt' ? [n, k] : [k, n];
      const aVals = Array.from({ length: aRows }, (_, r) => Array.from(mem0.subarray(p.a / 8 + r * p.lda, p.a / 8 + r * p.lda + aCols)));
      const bVals = Array.from({ length: bRows }, (_, r) => Array.from(mem0.subarray(p.b / 8 + r * p.ldb, p.b / 8 + r * p.ldb + bCols)));
      const moved: Case = { ...base, pad: [3, 5, 1], misalign: 8 };
      const q = place(moved);
      const mem = f64();
      aVals.forEach((row, r) => mem.set(row, q.a / 8 + r * q.lda));
      bVals.forEach((row, r) => mem.set(row, q.b / 8 + r * q.ldb));
      call(kind, moved, q);
      expect(new Uint8Array(readC(m, n, q.c, q.ldc).buffer)).toEqual(new Uint8Array(first.buffer));
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('col_sums', () => {
  /** y[j] = (accumulate ? y[j] : 0) + A[0][j] + A[1][j] + … in that order. */
  function runColSums(m: number, n: number, pad: number, accumulate: 0 | 1, misalign: 0 | 8, seed: number): string[] {
    const rand = mulberry32(seed);
    const lda = n + pad;
    arena.reset();
    const a = arena.alloc(m * lda * 8, misalign);
    const y = arena.alloc(n * 8, misalign);
    let mem = f64();
    const [lo, hi] = arena.span;
    mem.fill(NaN, lo / 8, hi / 8);
    for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) mem[a / 8 + r * lda + j] = 2 * rand() - 1;
    if (accumulate) for (let j = 0; j < n; j++) mem[y / 8 + j] = 2 * rand() - 1;
    const want = new Float64Array(n);
    let maxA = 0;
    for (let j = 0; j < n; j++) {
      let s = accumulate ? mem[y / 8 + j] : 0;
      for (let r = 0; r < m; r++) {
        s += mem[a / 8 + r * lda + j];
        maxA = Math.max(maxA, Math.abs(mem[a / 8 + r * lda + j]));
      }
      want[j] = s;
    }
    const before = u8().slice(lo, hi);
    K.col_sums(m, n, a, lda, y, accumulate);
    mem = f64();
    const after = u8();
    const label = `col_sums m=${m} n=${n} pad=${pad} acc=${accumulate} misalign=${misalign}`;
    const problems: string[] = [];
    for (let j = 0; j < n; j++) {
      const got = mem[y / 8 + j];
      if (!(Math.abs(got - want[j]) <= 1e-13 * m * maxA)) problems.push(`${label}: y[${j}] = ${got}, want ${want[j]}`);
      else if (!Object.is(got, want[j])) problems.push(`${label}: y[${j}] = ${got}, sequential order gives ${want[j]}`);
    }
    for (let byte = lo; byte < hi; byte++) {
      if (after[byte] !== before[byte - lo] && !(byte >= y && byte < y + n * 8)) {
        problems.push(`${label}: byte ${byte - y} relative to y changed`);
        break;
      }
    }
    return problems;
  }

  it('matches the naive column sums for m in {1,2,3,4,5,7,8,9,16,17,33}, n in 1..70 (padded, both alignments, accumulate 0 and 1) and one large case', () => {
    const problems: string[] = [];
    let seed = 1;
    for (const m of SMALL) {
      for (let n = 1; n <= 70; n++) {
        for (const accumulate of [0, 1] as const) {
          problems.push(...runColSums(m, n, seed % 4, accumulate, seed % 2 === 0 ? 8 : 0, seed));
          seed++;
        }
      }
    }
    problems.push(...runColSums(1000, 515, 3, 1, 8, 99));
    expect(problems.slice(0, 10), `${problems.length} problems`).toEqual([]);
  });
});

describe('gemmScratchBytes', () => {
  it('is non-decreasing in m, n and k and bounded, so the largest sizes of a plan cover all its products', () => {
    const sizes = [1, 2, 3, 4, 5, 127, 128, 129, 255, 256, 257, 511, 512, 513, 5000];
    for (const m of sizes) for (const n of sizes) for (const k of sizes) {
      const s = gemmScratchBytes(m, n, k);
      expect(s % 16).toBe(0);
      expect(s).toBeLessThanOrEqual(8 * 256 * (512 + 128) + 128);
      expect(gemmScratchBytes(m + 1, n, k)).toBeGreaterThanOrEqual(s);
      expect(gemmScratchBytes(m, n + 1, k)).toBeGreaterThanOrEqual(s);
      expect(gemmScratchBytes(m, n, k + 1)).toBeGreaterThanOrEqual(s);
    }
  });
});
