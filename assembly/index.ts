// The module's exports, and nothing else. Every kernel lives in the file of its job, and a file
// imports only files below it (test/import-graph.test.ts; scripts/import-graph.mjs ASSEMBLY_LAYERS):
//   abi, rng, dropout, scan, gather, blas, activations, losses,     serial kernels (no threads)
//   optimizers
//   pool                                                            splits them over the thread pool
//   dense, network, fused, train                                    callers that split (via pool)
//   index                                                           the exports
export { ABI_VERSION, heapBase } from './abi';
export { gemm_nt, gemm_nn, gemm_tn } from './pool';
export { col_sums } from './blas';
export { network_forward, network_forward_loss_sum, network_gradients_chunk } from './network';
export { train_epochs } from './train';
export { first_non_finite, pool_attach, pool_serve } from './pool';
