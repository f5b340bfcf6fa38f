// Dense float64 GEMM kernels (and the column sums of the bias gradient) on raw linear memory, on the
// calling thread. The products' entries, gemm_nt, gemm_nn and gemm_tn, are in pool.ts: they run a
// large product as blocks of C on the thread pool, each block gemm_serial of its part (the bits of an
// element do not depend on the block it falls in, see below), and the others as one gemm_serial.
//
// Conventions shared by these kernels and those entries:
//  - matrices are row-major float64; a, b, c, y, scratch are BYTE addresses; lda/ldb/ldc are leading
//    dimensions in ELEMENTS; m, n, k >= 1. Addresses only need 8-byte alignment (v128 loads/stores
//    of wasm are unaligned-safe), except `scratch`, which is 16-byte aligned and at least
//    gemmScratchBytes(m, n, k) bytes long (src/layout/scratch.ts; it mirrors "Scratch layout" below).
//  - the kernels allocate nothing: they touch C (only its m x n logical elements), read A and B, and
//    use `scratch` for packed copies.
//
// Summation order (the bit-for-bit contract): every element of C is computed as
//     s = accumulate ? C[i][j] : 0.0;  for p = 0 .. k-1:  s = s + A(i,p) * B(p,j);  C[i][j] = s
// i.e. one sequential sum in increasing p, a separate multiply and add per term (wasm has no FMA),
// starting from the old value of C when accumulating. Blocking never reassociates this sum: the
// SIMD lanes hold different (i, j) elements, and when the k dimension is split into blocks the
// partial sum is stored to C and reloaded bit-exactly. So the result depends only on the values,
// never on the blocking constants, the shape of the tile an element falls in, or the alignment of
// the addresses — and a plain scalar loop in any language reproduces it bit for bit.
//
// Design (the GotoBLAS / BLIS scheme):
//  - The three products are one driver, gemm_serial(), that sees A as an m x k and B as a k x n
//    operand through (row step, column step) pairs; nn, nt and tn only differ in those steps.
//  - Both operands are packed into "panels" in scratch: a panel is `kc` rows of exactly 4 doubles,
//    p-major (panel[p*4 + r]). An A panel holds 4 rows of A (A(i..i+3, p)), a B panel 4 columns of B
//    (B(p, j..j+3)). Packing turns every shape (strided rows, transposed operands, leading
//    dimensions of 4 KB that alias in the L1 cache, as at n = 512) into the same unit-stride stream,
//    and zero-pads partial panels so the micro-kernel has no edge cases. For nt this means packing
//    B transposed; that measured faster than contracting rows of A and B directly with a 2 x 4
//    dot-product kernel and horizontal sums (10.5 vs 8 GFLOP/s at n = 128..512), which would also
//    split each sum across two lanes and so change its order.
//  - The micro-kernel computes a 4 x 4 tile of C in 8 f64x2 accumulators (4 rows x 2 vectors): per p
//    it loads the B panel's 4 doubles as 2 vectors and broadcasts each of the 4 A values
//    (v128.load64_splat), then 8 multiplies + 8 adds. 8 accumulators + 2 B vectors + 1 A broadcast +
//    1 product temporary fit in V8's 15 allocatable xmm registers. Measured alternatives: 4x6, 6x4,
//    4x8 and 3x8 tiles make V8 spill accumulators (10-30 % slower); 5x2 and 3x3 tiles are within
//    3 %; unrolling the p loop is up to 55 % slower (binaryen fuses the steps' updates per accumulator,
//    which lengthens live ranges until V8 spills); pre-broadcast A panels (plain v128 loads instead
//    of load64_splat) are no faster. So panels stay 4 doubles wide for A and B alike.
//    For scale, on the project machine (Zen 1 EPYC, ~2.5 GHz, Node 20) this loop alone runs at about
//    12 GFLOP/s and whole products at 10-11; the same loop compiled natively by gcc runs at 13.5-15
//    and the f64x2 multiply+add peak of the core (no loads at all) is about 20.
//  - Cache blocking: KC = 256 keeps one A panel + one B panel (2 x 8 KB) in L1 while the kernel
//    runs; MC x KC of packed A (128 x 256 x 8 = 256 KB) stays in L2 and is swept once per B panel;
//    the packed B block (KC x NC, up to 1 MB) is reused across all MC blocks of A.
//  - Edges: a tile that sticks out of C (m or n not a multiple of 4) runs the same kernel on a 4 x 4
//    tile buffer in scratch; only its valid part is copied in (when accumulating) and back out.

/** Rows of C per micro-tile (rows of an A panel). */
const MR: i32 = 4;
/** Columns of C per micro-tile (columns of a B panel): two f64x2 vectors. */
const NR: i32 = 4;
/** Depth of a packed block: one A panel + one B panel = 2 * KC * 4 * 8 bytes = 16 KB (L1). */
const KC: i32 = 256;
/** Rows of A packed at a time (multiple of MR): MC * KC * 8 = 256 KB (L2). */
const MC: i32 = 128;
/** Columns of B packed at a time (multiple of NR): KC * NC * 8 = 1 MB. */
const NC: i32 = 512;

/** Bytes of one panel row: 4 doubles. */
const PANEL_ROW: usize = 32;

// ---------------------------------------------------------------------------------------------
// Scratch layout, for a product of size (m, n, k):
//   [0, bBytes)                packed B block: ceil(min(n, NC) / NR) panels of min(k, KC) x 4 doubles
//   [bBytes, bBytes + aBytes)  packed A block: ceil(min(m, MC) / MR) panels of min(k, KC) x 4 doubles
//   [.., .. + 128)             one MR x NR tile for the edges of C
// Total (bytes) = 8 * min(k, KC) * (roundUp(min(n, NC), 4) + roundUp(min(m, MC), 4)) + 128.
// Every part is a multiple of 32 bytes, so the 16-byte alignment of `scratch` carries over.

@inline function roundUp4(x: i32): i32 {
  return (x + 3) & ~3;
}

@inline function packedBBytes(n: i32, k: i32): usize {
  return <usize>min(k, KC) * <usize>roundUp4(min(n, NC)) * 8;
}

@inline function packedABytes(m: i32, k: i32): usize {
  return <usize>min(k, KC) * <usize>roundUp4(min(m, MC)) * 8;
}

// ---------------------------------------------------------------------------------------------
// Packing.

/**
 * Packs one panel: dst[p*4 + r] = src[p*pStep + r*rStep] for p < kc and r < w (w = 1..4 valid
 * rows/columns), zero for r >= w. Steps are in bytes. The unit-rStep case (4 contiguous doubles per
 * p: B of nn/tn, A of tn) copies two vectors per p; the unit-pStep case (A of nn/nt, B of nt: 4 rows
 * read in parallel, each sequentially) is a 4 x 2 transpose per two p.
 */
function packPanel(dst: usize, src: usize, kc: i32, w: i32, pStep: usize, rStep: usize): void {
  if (w == 4) {
    if (rStep == 8) {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += pStep;
        dst += PANEL_ROW;
      }
    } else {
      // Here pStep == 8 (one of the two steps is always the unit one): four source rows are read
      // in parallel, two p at a time as vectors, and transposed by shuffles:
      // (x0[p], x0[p+1]), (x1[p], x1[p+1]) -> (x0[p], x1[p]), (x0[p+1], x1[p+1]).
      const r1 = rStep, r2 = rStep << 1, r3 = rStep * 3;
      let p = 0;
      for (; p + 2 <= kc; p += 2) {
        const x0 = v128.load(src), x1 = v128.load(src + r1), x2 = v128.load(src + r2), x3 = v128.load(src + r3);
        v128.store(dst, v128.shuffle<f64>(x0, x1, 0, 2));
        v128.store(dst, v128.shuffle<f64>(x2, x3, 0, 2), 16);
        v128.store(dst, v128.shuffle<f64>(x0, x1, 1, 3), 32);
        v128.store(dst, v128.shuffle<f64>(x2, x3, 1, 3), 48);
        src += pStep << 1;
        dst += PANEL_ROW << 1;
      }
      if (p < kc) {
        store<f64>(dst, load<f64>(src));
        store<f64>(dst, load<f64>(src + r1), 8);
        store<f64>(dst, load<f64>(src + r2), 16);
        store<f64>(dst, load<f64>(src + r3), 24);
      }
    }
    return;
  }
  // Partial panel (the last one of an operand whose width is not a multiple of 4): zero padding,
  // so the padded lanes of the micro-kernel multiply by zero and the kernel needs no edge code.
  for (let p = 0; p < kc; p++) {
    v128.store(dst, f64x2.splat(0.0));
    v128.store(dst, f64x2.splat(0.0), 16);
    for (let r = 0; r < w; r++) {
      store<f64>(dst + (<usize>r << 3), load<f64>(src + <usize>r * rStep));
    }
    src += pStep;
    dst += PANEL_ROW;
  }
}

// ---------------------------------------------------------------------------------------------
// Micro-kernel.

/** acc + a * b, as a separate multiply and add (deterministic; wasm SIMD has no fused form). */
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  return f64x2.add(acc, f64x2.mul(a, b));
}

/**
 * C[0..4][0..4] (row stride ldcBytes) = (init ? C : 0) + Σ_p A panel(·, p) ⊗ B panel(p, ·).
 * pa and pb are panels of kc rows of 4 doubles. Kept as a real function (not @inline): it is called
 * from the full-tile and the edge path, and its loop is register-allocated on its own.
 */
function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, init: bool): void {
  let c00 = f64x2.splat(0.0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (init) {
    const r1 = c + ldcBytes, r2 = r1 + ldcBytes, r3 = r2 + ldcBytes;
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(r1); c11 = v128.load(r1, 16);
    c20 = v128.load(r2); c21 = v128.load(r2, 16);
    c30 = v128.load(r3); c31 = v128.load(r3, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = madd(c00, a, b0); c01 = madd(c01, a, b1);
    a = v128.load64_splat(pa, 8);
    c10 = madd(c10, a, b0); c11 = madd(c11, a, b1);
    a = v128.load64_splat(pa, 16);
    c20 = madd(c20, a, b0); c21 = madd(c21, a, b1);
    a = v128.load64_splat(pa, 24);
    c30 = madd(c30, a, b0); c31 = madd(c31, a, b1);
    pa += PANEL_ROW;
    pb += PANEL_ROW;
  }
  const r1 = c + ldcBytes, r2 = r1 + ldcBytes, r3 = r2 + ldcBytes;
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

/**
 * A tile at the bottom/right edge of C: only mr x nr (< 4 x 4) elements exist. Runs the same kernel
 * on the 4 x 4 buffer `tile` (filled from C when init, so the padded lanes never touch memory
 * outside C), then copies the valid part back. The per-element arithmetic is the kernel's, so edge
 * elements get exactly the same bits as interior ones.
 */
function edgeTile(kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, mr: i32, nr: i32, init: bool, tile: usize): void {
  if (init) {
    for (let r = 0; r < mr; r++) {
      const row = c + <usize>r * ldcBytes, trow = tile + <usize>r * PANEL_ROW;
      for (let j = 0; j < nr; j++) store<f64>(trow + (<usize>j << 3), load<f64>(row + (<usize>j << 3)));
    }
  }
  microKernel(kc, pa, pb, tile, PANEL_ROW, init);
  for (let r = 0; r < mr; r++) {
    const row = c + <usize>r * ldcBytes, trow = tile + <usize>r * PANEL_ROW;
    for (let j = 0; j < nr; j++) store<f64>(row + (<usize>j << 3), load<f64>(trow + (<usize>j << 3)));
  }
}

// ---------------------------------------------------------------------------------------------
// Driver.

/**
 * Products of at most this many multiply-adds skip packing: for the tiny layers of small networks
 * (a 2-8-8-1 net at batch 32, a 1-2-1 net at batch 3) packing and edge tiles cost more than the
 * arithmetic, and a direct loop wins. It follows the same summation order, so results are the
 * same bits either way.
 */
const DIRECT_VOLUME: i32 = 4096;

/** The direct loop of small products: one sequential sum per element of C, in increasing p. */
function gemmDirect(
  m: i32, n: i32, k: i32,
  a: usize, aRowStep: usize, aColStep: usize,
  b: usize, bRowStep: usize, bColStep: usize,
  c: usize, ldc: i32, accumulate: i32,
): void {
  const ldcBytes = <usize>ldc << 3;
  for (let i = 0; i < m; i++) {
    const ci = c + <usize>i * ldcBytes;
    const ai = a + <usize>i * aRowStep;
    for (let j = 0; j < n; j++) {
      const cij = ci + (<usize>j << 3);
      let s = accumulate != 0 ? load<f64>(cij) : 0.0;
      let pa = ai, pb = b + <usize>j * bColStep;
      for (let p = 0; p < k; p++) {
        s = s + load<f64>(pa) * load<f64>(pb);
        pa += aColStep;
        pb += bRowStep;
      }
      store<f64>(cij, s);
    }
  }
}

/**
 * Two shapes skip packing: products of fewer than MR rows (one sample's forward pass at predict
 * time, and the products of stochastic training with batch size 1) and, when B's rows are
 * contiguous, products of depth below 4 (the weight gradient of batch size 1..3 is a sum of rank-1
 * updates). Padding A to a 4-row panel would do up to 4x the arithmetic, packing B would copy as
 * many doubles as the product multiplies, and a depth-1 block would call the micro-kernel once per
 * 16 multiply-adds. Instead each row of C is swept in blocks of 4 columns held in two f64x2
 * accumulators, p in increasing order, so the summation order (and every bit) is the contract's.
 * A is read one scalar at a time (any steps) and broadcast; B is read in place.
 */
@inline function thinPath(m: i32, k: i32, bColStep: usize): bool {
  return m < MR || (k < 4 && bColStep == 8);
}

/** Thin product, B's rows contiguous (nn, tn: Bop(p, j..j+3) is 4 adjacent doubles): row by row of C. */
function gemmThinRowsOfB(
  m: i32, n: i32, k: i32,
  a: usize, aRowStep: usize, aColStep: usize,
  b: usize, bRowStep: usize,
  c: usize, ldc: i32, accumulate: i32,
): void {
  const ldcBytes = <usize>ldc << 3;
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const ci = c + <usize>i * ldcBytes, ai = a + <usize>i * aRowStep;
    for (let j = 0; j < n4; j += 4) {
      const cij = ci + (<usize>j << 3);
      let s0 = f64x2.splat(0.0), s1 = s0;
      if (accumulate != 0) {
        s0 = v128.load(cij);
        s1 = v128.load(cij, 16);
      }
      let pa = ai, pb = b + (<usize>j << 3);
      for (let p = 0; p < k; p++) {
        const x = v128.load64_splat(pa);
        s0 = madd(s0, x, v128.load(pb));
        s1 = madd(s1, x, v128.load(pb, 16));
        pa += aColStep;
        pb += bRowStep;
      }
      v128.store(cij, s0);
      v128.store(cij, s1, 16);
    }
  }
  // the last 1..3 columns: the direct loop (same order)
  if (n4 < n) gemmDirect(m, n - n4, k, a, aRowStep, aColStep, b + (<usize>n4 << 3), bRowStep, 8, c + (<usize>n4 << 3), ldc, accumulate);
}

/**
 * Thin product, B's columns contiguous (nt: column j of Bop is row j of W), m < 4: four rows of W
 * are read in parallel, two p at a time, and transposed by shuffles as in packPanel; the rows of C
 * (at most 3) share each block of W while it is in cache.
 */
function gemmThinColsOfB(
  m: i32, n: i32, k: i32,
  a: usize, aRowStep: usize, aColStep: usize,
  b: usize, bColStep: usize,
  c: usize, ldc: i32, accumulate: i32,
): void {
  const ldcBytes = <usize>ldc << 3;
  const r1 = bColStep, r2 = bColStep << 1, r3 = bColStep * 3;
  const n4 = n & ~3;
  for (let j = 0; j < n4; j += 4) {
    const bj = b + <usize>j * bColStep;
    for (let i = 0; i < m; i++) {
      const cij = c + <usize>i * ldcBytes + (<usize>j << 3);
      let s0 = f64x2.splat(0.0), s1 = s0;
      if (accumulate != 0) {
        s0 = v128.load(cij);
        s1 = v128.load(cij, 16);
      }
      let pa = a + <usize>i * aRowStep, pb = bj, p = 0;
      for (; p + 2 <= k; p += 2) {
        const w0 = v128.load(pb), w1 = v128.load(pb + r1), w2 = v128.load(pb + r2), w3 = v128.load(pb + r3);
        let x = v128.load64_splat(pa);
        s0 = madd(s0, x, v128.shuffle<f64>(w0, w1, 0, 2));
        s1 = madd(s1, x, v128.shuffle<f64>(w2, w3, 0, 2));
        x = v128.load64_splat(pa + aColStep);
        s0 = madd(s0, x, v128.shuffle<f64>(w0, w1, 1, 3));
        s1 = madd(s1, x, v128.shuffle<f64>(w2, w3, 1, 3));
        pa += aColStep << 1;
        pb += 16;
      }
      if (p < k) {
        const x = v128.load64_splat(pa);
        s0 = madd(s0, x, f64x2.replace_lane(v128.load64_splat(pb), 1, load<f64>(pb + r1)));
        s1 = madd(s1, x, f64x2.replace_lane(v128.load64_splat(pb + r2), 1, load<f64>(pb + r3)));
      }
      v128.store(cij, s0);
      v128.store(cij, s1, 16);
    }
  }
  if (n4 < n) gemmDirect(m, n - n4, k, a, aRowStep, aColStep, b + <usize>n4 * bColStep, 8, bColStep, c + (<usize>n4 << 3), ldc, accumulate);
}

/**
 * C[m x n] (+)= Aop[m x k] · Bop[k x n], where Aop(i, p) lives at a + i*aRowStep + p*aColStep and
 * Bop(p, j) at b + p*bRowStep + j*bColStep (steps in bytes). Loop nest (outer to inner): column
 * blocks of NC, depth blocks of KC (pack B), row blocks of MC (pack A), B panels, A panels.
 */
export function gemm_serial(
  m: i32, n: i32, k: i32,
  a: usize, aRowStep: usize, aColStep: usize,
  b: usize, bRowStep: usize, bColStep: usize,
  c: usize, ldc: i32, accumulate: i32, scratch: usize,
): void {
  gemm_packed(m, n, k, a, aRowStep, aColStep, b, bRowStep, bColStep, c, ldc, accumulate, scratch, 0, 0);
}

// ---------------------------------------------------------------------------------------------
// An operand packed whole, once, for the blocks of C that share it (pool.ts: the tiles of a product
// cut into column blocks all read the whole of A; cut into row blocks, the whole of B). The layout is
// the blocks' own, one after the other: for each depth block pc (kc = min(KC, k - pc) deep), the
// panels of every 4 lanes (rows of A, columns of B) at
//     whole + pc · roundUp4(lanes) · 8  +  (lane / 4) · kc · 32
// (so the panels of one MC or NC block are consecutive, as in scratch). Packing is a copy: the
// micro-kernel reads the same panels either way, and every bit is the same.

/** Bytes of an operand of `lanes` rows (A) or columns (B) and depth k, packed whole (pack_whole). */
export function wholePackedBytes(lanes: i32, k: i32): usize {
  return <usize>roundUp4(lanes) * <usize>k * 8;
}

/** Whether gemm_serial packs for a product of this shape (the others run the direct or thin loops, which read the operands in place). */
export function packs(m: i32, n: i32, k: i32, bColStep: usize): bool {
  return <i64>m * <i64>n * <i64>k > <i64>DIRECT_VOLUME && !thinPath(m, k, bColStep);
}

/**
 * Packs panels [first, first + count) of an operand whole, at every depth: lane l, depth p at
 * src + l·laneStep + p·pStep (for A: laneStep = its row step; for B: its column step).
 */
export function pack_whole(lanes: i32, k: i32, src: usize, laneStep: usize, pStep: usize, whole: usize, first: i32, count: i32): void {
  const lane = first << 2;
  const width = min(count << 2, lanes - lane);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    packBlock(wholeAt(whole, lanes, lane, pc, kc), src, lane, width, pc, kc, laneStep, pStep);
  }
}

/** Where the panel of lanes `lane` … lane + 3 (lane a multiple of 4) of depth block pc (kc deep) lies in an operand packed whole. */
@inline function wholeAt(whole: usize, lanes: i32, lane: i32, pc: i32, kc: i32): usize {
  return whole + <usize>pc * (<usize>roundUp4(lanes) << 3) + <usize>(lane >> 2) * <usize>kc * PANEL_ROW;
}

/**
 * Packs lanes [lane, lane + width) of depth block pc (kc deep) into consecutive panels at `into`
 * (the last one zero-padded): lane l, depth p of the operand at src + l·laneStep + p·pStep.
 */
function packBlock(into: usize, src: usize, lane: i32, width: i32, pc: i32, kc: i32, laneStep: usize, pStep: usize): void {
  const panelBytes = <usize>kc * PANEL_ROW;
  const block = src + <usize>lane * laneStep + <usize>pc * pStep;
  for (let r = 0; r < width; r += 4) {
    packPanel(into + <usize>(r >> 2) * panelBytes, block + <usize>r * laneStep, kc, min(4, width - r), pStep, laneStep);
  }
}

/**
 * gemm_serial, where `wholeA` (or `wholeB`), when not 0, holds A (or B) already packed whole
 * (pack_whole): those panels are read from there instead of being packed into scratch. The same bits.
 */
export function gemm_packed(
  m: i32, n: i32, k: i32,
  a: usize, aRowStep: usize, aColStep: usize,
  b: usize, bRowStep: usize, bColStep: usize,
  c: usize, ldc: i32, accumulate: i32, scratch: usize,
  wholeA: usize, wholeB: usize,
): void {
  if (<i64>m * <i64>n * <i64>k <= <i64>DIRECT_VOLUME) {
    gemmDirect(m, n, k, a, aRowStep, aColStep, b, bRowStep, bColStep, c, ldc, accumulate);
    return;
  }
  if (thinPath(m, k, bColStep)) {
    // one of B's steps is always the unit one
    if (bColStep == 8) gemmThinRowsOfB(m, n, k, a, aRowStep, aColStep, b, bRowStep, c, ldc, accumulate);
    else gemmThinColsOfB(m, n, k, a, aRowStep, aColStep, b, bColStep, c, ldc, accumulate);
    return;
  }
  const packedB = scratch;
  const packedA = packedB + packedBBytes(n, k);
  const tile = packedA + packedABytes(m, k);
  const ldcBytes = <usize>ldc << 3;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const panelBytes = <usize>kc * PANEL_ROW;
      // After the first depth block C holds the partial sums: continue from them.
      const init = accumulate != 0 || pc > 0;

      // B panel jr holds Bop(pc.., jc+jr .. jc+jr+3): p advances by bRowStep, the 4 lanes by bColStep.
      let panelsB = packedB;
      if (wholeB != 0) panelsB = wholeAt(wholeB, n, jc, pc, kc);
      else packBlock(packedB, b, jc, nc, pc, kc, bColStep, bRowStep);

      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        // A panel ir holds Aop(ic+ir .. ic+ir+3, pc..): p advances by aColStep, the 4 lanes by aRowStep.
        let panelsA = packedA;
        if (wholeA != 0) panelsA = wholeAt(wholeA, m, ic, pc, kc);
        else packBlock(packedA, a, ic, mc, pc, kc, aRowStep, aColStep);

        for (let jr = 0; jr < nc; jr += NR) {
          const pb = panelsB + <usize>(jr >> 2) * panelBytes;
          const nr = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const pa = panelsA + <usize>(ir >> 2) * panelBytes;
            const mr = min(MR, mc - ir);
            const cTile = c + (<usize>(ic + ir) * ldcBytes) + (<usize>(jc + jr) << 3);
            if ((mr & nr) == 4) microKernel(kc, pa, pb, cTile, ldcBytes, init);
            else edgeTile(kc, pa, pb, cTile, ldcBytes, mr, nr, init, tile);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The bias gradient.

/**
 * y[j] (+)= Σ_{r<m} A[r][j] for j < n — the bias gradient. Same contract as the GEMMs: per column one
 * sequential sum in increasing r, starting from y[j] when accumulating (else 0). SIMD runs across
 * columns (8 per pass in 4 accumulators, then 2, then 1), so the order within a column never changes.
 */
export function col_sums(m: i32, n: i32, a: usize, lda: i32, y: usize, accumulate: i32): void {
  const ldaBytes = <usize>lda << 3;
  const acc = accumulate != 0;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const yj = y + (<usize>j << 3);
    let s0 = f64x2.splat(0.0), s1 = s0, s2 = s0, s3 = s0;
    if (acc) {
      s0 = v128.load(yj); s1 = v128.load(yj, 16); s2 = v128.load(yj, 32); s3 = v128.load(yj, 48);
    }
    let row = a + (<usize>j << 3);
    for (let r = 0; r < m; r++) {
      s0 = f64x2.add(s0, v128.load(row));
      s1 = f64x2.add(s1, v128.load(row, 16));
      s2 = f64x2.add(s2, v128.load(row, 32));
      s3 = f64x2.add(s3, v128.load(row, 48));
      row += ldaBytes;
    }
    v128.store(yj, s0); v128.store(yj, s1, 16); v128.store(yj, s2, 32); v128.store(yj, s3, 48);
  }
  for (; j + 2 <= n; j += 2) {
    const yj = y + (<usize>j << 3);
    let s = acc ? v128.load(yj) : f64x2.splat(0.0);
    let row = a + (<usize>j << 3);
    for (let r = 0; r < m; r++) {
      s = f64x2.add(s, v128.load(row));
      row += ldaBytes;
    }
    v128.store(yj, s);
  }
  if (j < n) {
    const yj = y + (<usize>j << 3);
    let s = acc ? load<f64>(yj) : 0.0;
    let row = a + (<usize>j << 3);
    for (let r = 0; r < m; r++) {
      s += load<f64>(row);
      row += ldaBytes;
    }
    store<f64>(yj, s);
  }
}
