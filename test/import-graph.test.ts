// No import circles: assembly/ has none and keeps its layers (serial kernels, then pool.ts, then the
// callers that split); src/ has none beyond KNOWN_SRC_CYCLES, which only shrinks. The graph code is
// scripts/import-graph.mjs (`node scripts/import-graph.mjs` prints the cycles).
import { describe, expect, it } from 'vitest';
import {
  ASSEMBLY_LAYERS, assemblyGraph, checkKnownCycles, checkLayers, findCycles, formatCycle, parseImports, srcGraph,
} from '../scripts/import-graph.mjs';

/**
 * The cycles of src/ today (each from its least file back to it). A new import that closes another
 * cycle fails; a cycle that is gone must be taken off this list.
 */
const KNOWN_SRC_CYCLES: string[][] = [
  // onnx/import.ts imports loadModel from the package's index, which re-exports fromONNX
  ['src/index.ts', 'src/onnx/import.ts', 'src/index.ts'],
  // model.ts calls toONNX; onnx/export.ts names the Model type (import type)
  ['src/model/model.ts', 'src/onnx/export.ts', 'src/model/model.ts'],
];

const show = (cycles: string[][], graph?: Map<string, string[]>): string => cycles.map((cycle) => `  ${formatCycle(cycle, graph)}`).join('\n');

describe('the import graph', () => {
  it('of assembly/ has no cycle', () => {
    const graph = assemblyGraph();
    const cycles = findCycles(graph);
    expect(cycles, `cycles in assembly/:\n${show(cycles, graph)}`).toEqual([]);
  });

  it('of assembly/ keeps its layers: each file imports only files below it in ASSEMBLY_LAYERS', () => {
    const problems = checkLayers(assemblyGraph(), ASSEMBLY_LAYERS);
    const text = problems.map(({ from, to, reason }) => `  ${from}${to === null ? '' : ` -> ${to}`}: ${reason}`).join('\n');
    expect(problems, `scripts/import-graph.mjs ASSEMBLY_LAYERS (bottom to top):\n${text}`).toEqual([]);
    // the serial kernels are below pool.ts, and nothing below it imports it
    const pool = ASSEMBLY_LAYERS.indexOf('assembly/pool.ts');
    for (const file of ['blas', 'activations', 'losses', 'optimizers', 'scan', 'gather']) {
      expect(ASSEMBLY_LAYERS.indexOf(`assembly/${file}.ts`)).toBeLessThan(pool);
    }
  });

  it('of src/ has no cycle beyond KNOWN_SRC_CYCLES', () => {
    const graph = srcGraph();
    const { newCycles } = checkKnownCycles(graph, KNOWN_SRC_CYCLES);
    expect(newCycles, `new import cycles in src/:\n${show(newCycles, graph)}`).toEqual([]);
  });

  it('of src/ still has every cycle of KNOWN_SRC_CYCLES (a fixed one leaves the list)', () => {
    const { staleKnown } = checkKnownCycles(srcGraph(), KNOWN_SRC_CYCLES);
    expect(staleKnown, `gone: take these off KNOWN_SRC_CYCLES in test/import-graph.test.ts:\n${show(staleKnown)}`).toEqual([]);
  });
});

describe('the graph code', () => {
  it('reads every form of relative import, and skips comments', () => {
    const source = [
      "import { a } from './a';",
      "import type { B } from '../b.js';",
      'import {',
      '  c,',
      "  type C } from './c.js';",
      "export { d } from './d.js';",
      "export * from './e.js';",
      "import './f.js';",
      "const g = await import('./g.js');",
      "// import { h } from './h.js';",
      "/* import { i } from './i.js'; */",
      "import { j } from 'package';",
    ].join('\n');
    expect(parseImports(source)).toEqual([
      { specifier: './a', kind: 'value' },
      { specifier: '../b.js', kind: 'type' },
      { specifier: './c.js', kind: 'value' },
      { specifier: './d.js', kind: 'value' },
      { specifier: './e.js', kind: 'value' },
      { specifier: 'package', kind: 'value' },
      { specifier: './f.js', kind: 'value' },
      { specifier: './g.js', kind: 'dynamic' },
    ]);
  });

  it('finds each cycle once, from its least file, and flags a new one through files already on a cycle', () => {
    const graph = new Map([
      ['a', ['b', 'c']],
      ['b', ['a']],
      ['c', []],
      ['d', ['d']],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'a'], ['d', 'd']]);
    expect(checkKnownCycles(graph, [['a', 'b', 'a'], ['d', 'd']])).toEqual({ newCycles: [], staleKnown: [] });
    // c -> b closes a -> c -> b -> a: every file of it was on a cycle already, the edge c -> b was not
    graph.set('c', ['b']);
    expect(findCycles(graph)).toEqual([['a', 'b', 'a'], ['a', 'c', 'b', 'a'], ['d', 'd']]);
    expect(checkKnownCycles(graph, [['a', 'b', 'a'], ['d', 'd']]).newCycles).toEqual([['a', 'c', 'b', 'a']]);
    // a known cycle that lost an edge is stale
    graph.set('d', []);
    expect(checkKnownCycles(graph, [['a', 'b', 'a'], ['a', 'c', 'b', 'a'], ['d', 'd']]).staleKnown).toEqual([['d', 'd']]);
  });

  it('checks a layer order', () => {
    const graph = new Map([
      ['low', []],
      ['high', ['low']],
      ['odd', ['high']],
    ]);
    expect(checkLayers(graph, ['low', 'high', 'odd'])).toEqual([]);
    expect(checkLayers(graph, ['low', 'odd', 'high'])).toEqual([{ from: 'odd', to: 'high', reason: 'imports a file at or above its layer' }]);
  });
});
