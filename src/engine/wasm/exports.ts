// The kernels' exports as the host sees them. Offsets are byte addresses into the instance's memory;
// sizes are element counts. Signatures mirror assembly/*.ts one to one.
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly ABI_VERSION: WebAssembly.Global;
  heapBase(): number;

  // blas.ts
  gemm_nt(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number, scratch: number): void;
  gemm_nn(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number, scratch: number): void;
  gemm_tn(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number, scratch: number): void;
  col_sums(m: number, n: number, a: number, lda: number, y: number, accumulate: number): void;

  // network.ts: the whole network on a batch, reading the header at byte offset `header`.
  network_forward(header: number, rows: number, input: number): void;
  network_forward_loss_sum(header: number, rows: number, input: number, target: number, start: number): number;
  network_gradients_chunk(header: number, rows: number, input: number, target: number, scaleRows: number, accumulate: number, start: number): number;

  // train.ts: up to `epochs` epochs or `maxSteps` updates in one call; returns TRAIN_STATUS.
  train_epochs(header: number, epochs: number, maxSteps: number): number;

  // pool.ts (no-ops in the single-threaded build): the calling thread's pool block (0: none), and a
  // worker serving a block until it is stopped or released.
  pool_attach(block: number): void;
  // pool.ts / scan.ts: the index of the first of n f64 at `at` that is not finite, or -1.
  first_non_finite(at: number, n: number): number;
  pool_serve(block: number, index: number): void;
}
