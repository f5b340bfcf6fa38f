// Mirrors assembly/abi.ts: the loader refuses kernels built for another ABI.
export const ABI_VERSION = 1;
