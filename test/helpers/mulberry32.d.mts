/** Seeded uniform numbers in [0, 1) (mulberry32). */
export function mulberry32(seed: number): () => number;
