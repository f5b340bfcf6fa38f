// Matrix products of the pure-TypeScript engine: the same names, arguments and meaning as
// assembly/blas.ts, on one Float64Array `m` with element (not byte) offsets. Row-major everywhere.
// Loops are ordered so the innermost one walks contiguous memory, and blocked 2×2 where an operand
// can be reused from registers: the honest fast plain-JS baseline.

/** C[M×N] (+)= A[M×K] · B[N×K]ᵀ (forward: Z = A_in · Wᵀ). */
export function gemm_nt(
  m: Float64Array, M: number, N: number, K: number,
  a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number,
): void {
  let i = 0;
  for (; i + 1 < M; i += 2) {
    const a0 = a + i * lda, a1 = a0 + lda;
    const c0 = c + i * ldc, c1 = c0 + ldc;
    let j = 0;
    for (; j + 1 < N; j += 2) {
      const b0 = b + j * ldb, b1 = b0 + ldb;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let p = 0; p < K; p++) {
        const x0 = m[a0 + p], x1 = m[a1 + p], y0 = m[b0 + p], y1 = m[b1 + p];
        s00 += x0 * y0; s01 += x0 * y1; s10 += x1 * y0; s11 += x1 * y1;
      }
      if (accumulate) { m[c0 + j] += s00; m[c0 + j + 1] += s01; m[c1 + j] += s10; m[c1 + j + 1] += s11; }
      else { m[c0 + j] = s00; m[c0 + j + 1] = s01; m[c1 + j] = s10; m[c1 + j + 1] = s11; }
    }
    if (j < N) {
      const b0 = b + j * ldb;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < K; p++) { const y = m[b0 + p]; s0 += m[a0 + p] * y; s1 += m[a1 + p] * y; }
      if (accumulate) { m[c0 + j] += s0; m[c1 + j] += s1; } else { m[c0 + j] = s0; m[c1 + j] = s1; }
    }
  }
  if (i < M) {
    const a0 = a + i * lda, c0 = c + i * ldc;
    for (let j = 0; j < N; j++) {
      const b0 = b + j * ldb;
      let s = 0;
      for (let p = 0; p < K; p++) s += m[a0 + p] * m[b0 + p];
      if (accumulate) m[c0 + j] += s; else m[c0 + j] = s;
    }
  }
}

/** C[M×N] (+)= A[M×K] · B[K×N] (input gradient: dA = Δ · W). */
export function gemm_nn(
  m: Float64Array, M: number, N: number, K: number,
  a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number,
): void {
  for (let i = 0; i < M; i++) {
    const ci = c + i * ldc, ai = a + i * lda;
    if (!accumulate) m.fill(0, ci, ci + N);
    let p = 0;
    for (; p + 1 < K; p += 2) {
      const x0 = m[ai + p], x1 = m[ai + p + 1];
      const b0 = b + p * ldb, b1 = b0 + ldb;
      for (let j = 0; j < N; j++) m[ci + j] += x0 * m[b0 + j] + x1 * m[b1 + j];
    }
    if (p < K) {
      const x0 = m[ai + p], b0 = b + p * ldb;
      for (let j = 0; j < N; j++) m[ci + j] += x0 * m[b0 + j];
    }
  }
}

/** C[M×N] (+)= A[K×M]ᵀ · B[K×N] (weight gradient: dW = Δᵀ · A_in). */
export function gemm_tn(
  m: Float64Array, M: number, N: number, K: number,
  a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number,
): void {
  if (!accumulate) for (let i = 0; i < M; i++) m.fill(0, c + i * ldc, c + i * ldc + N);
  let p = 0;
  for (; p + 1 < K; p += 2) {
    const a0 = a + p * lda, a1 = a0 + lda, b0 = b + p * ldb, b1 = b0 + ldb;
    for (let i = 0; i < M; i++) {
      const x0 = m[a0 + i], x1 = m[a1 + i], ci = c + i * ldc;
      for (let j = 0; j < N; j++) m[ci + j] += x0 * m[b0 + j] + x1 * m[b1 + j];
    }
  }
  if (p < K) {
    const a0 = a + p * lda, b0 = b + p * ldb;
    for (let i = 0; i < M; i++) {
      const x0 = m[a0 + i], ci = c + i * ldc;
      for (let j = 0; j < N; j++) m[ci + j] += x0 * m[b0 + j];
    }
  }
}

/** y[N] (+)= Σ over the M rows of A (bias gradient: db = column sums of Δ). */
export function col_sums(m: Float64Array, M: number, N: number, a: number, lda: number, y: number, accumulate: number): void {
  if (!accumulate) m.fill(0, y, y + N);
  for (let i = 0; i < M; i++) {
    const ai = a + i * lda;
    for (let j = 0; j < N; j++) m[y + j] += m[ai + j];
  }
}
