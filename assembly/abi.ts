// Constants shared with the host (src/layout/abi.ts mirrors them; the loader refuses a mismatch).

/** Bumped whenever an export's signature or a record layout changes. */
export const ABI_VERSION: i32 = 1;

/** First byte the host may use: everything below holds the module's static data (math tables). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
