// Types for scripts/import-graph.mjs (used by test/import-graph.test.ts).
export type Graph = Map<string, string[]>;

export declare const ROOT: string;
export declare const ASSEMBLY_LAYERS: string[];

export declare function parseImports(source: string): { specifier: string; kind: 'value' | 'type' | 'dynamic' }[];
export declare function buildGraph(dirs: string[], root?: string): Graph;
export declare function assemblyGraph(root?: string): Graph;
export declare function srcGraph(root?: string): Graph;
export declare function cyclicEdges(graph: Graph): [string, string][];
export declare function findCycles(graph: Graph): string[][];
export declare function formatCycle(cycle: string[], graph?: Graph): string;
export declare const SRC_LAYERS: string[];
export declare function checkFolderLayers(graph: Graph, layers: string[]): { from: string; to: string | null; reason: string }[];
export declare function checkLayers(graph: Graph, order: string[]): { from: string; to: string | null; reason: string }[];
