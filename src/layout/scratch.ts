// Scratch bytes the GEMM kernels (assembly/blas.ts) need for packing, for a product of size (m, n, k)
// — the same (m, n, k) as the kernel call: C is m × n and the contraction runs over k.
//
// The kernels pack blocks of both operands into 4-wide panels and keep one 4 × 4 tile for the edges
// of C (see the "Scratch layout" comment in assembly/blas.ts, which this formula mirrors exactly):
//
//   bytes = 8 · min(k, KC) · (roundUp4(min(n, NC)) + roundUp4(min(m, MC))) + 128
//           └ packed B block ┘  └ packed A block ┘                            └ edge tile (4 × 4 doubles)
//   with KC = 256, NC = 512, MC = 128.
//
// Properties the memory plan relies on:
//  - non-decreasing in each of m, n and k, so the value for the largest m, n and k of a plan covers
//    every product of that plan;
//  - bounded: at most 8 · 256 · (512 + 128) + 128 = 1 310 848 bytes, whatever the sizes;
//  - a multiple of 32 bytes plus 128, so consecutive parts keep the region's 16-byte alignment.
// The region should be 16-byte aligned (8 is enough for correctness; 16 keeps the vector loads of
// the packed panels within cache lines). Its contents on entry do not matter and are clobbered.

/** Depth of a packed block (KC in assembly/blas.ts). */
const KC = 256;
/** Columns of B packed at a time (NC in assembly/blas.ts). */
const NC = 512;
/** Rows of A packed at a time (MC in assembly/blas.ts). */
const MC = 128;
/** One MR × NR = 4 × 4 tile of doubles. */
const EDGE_TILE_BYTES = 4 * 4 * 8;

const roundUp4 = (x: number): number => Math.ceil(x / 4) * 4;

/** Exact scratch bytes gemm_nt / gemm_nn / gemm_tn use for a product of size (m, n, k); all ≥ 1. */
export function gemmScratchBytes(m: number, n: number, k: number): number {
  return 8 * Math.min(k, KC) * (roundUp4(Math.min(n, NC)) + roundUp4(Math.min(m, MC))) + EDGE_TILE_BYTES;
}

/**
 * Bytes of an operand packed whole (assembly/blas.ts pack_whole): every depth block's 4-wide panels
 * of `lanes` rows (of A) or columns (of B), lanes rounded up to 4, over depth k.
 */
export function wholePackedBytes(lanes: number, k: number): number {
  return 8 * roundUp4(lanes) * k;
}

/**
 * Bytes of the operand the thread pool packs once for all tiles of a product (m, n, k)
 * (assembly/pool.ts packShared): the tiles cut the larger of m and n, and share the other operand,
 * whose lanes are the smaller.
 */
export function sharedOperandBytes(m: number, n: number, k: number): number {
  return wholePackedBytes(Math.min(m, n), k);
}
