// Scratch bytes the GEMM kernels need for packing, for the largest product of a plan.
// (Placeholder until assembly/blas.ts fixes its packing scheme.)
export function gemmScratchBytes(_m: number, _n: number, _k: number): number {
  return 0;
}
