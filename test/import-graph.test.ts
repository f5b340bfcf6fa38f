// No import circles, and every arrow pointing down: assembly/ keeps its layers (serial kernels, then
// pool.ts, then the callers that split); src/ keeps SRC_LAYERS (errors, spec, data, layout, engine,
// train, model, onnx, …, cli). The graph code is
// scripts/import-graph.mjs (`node scripts/import-graph.mjs` prints the cycles).
import { describe, expect, it } from 'vitest';
import {
  ASSEMBLY_LAYERS, SRC_LAYERS, assemblyGraph, checkFolderLayers, checkLayers, findCycles, formatCycle, parseImports, srcGraph,
} from '../scripts/import-graph.mjs';

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

  it('of src/ has no cycle', () => {
    const graph = srcGraph();
    const cycles = findCycles(graph);
    expect(cycles, `cycles in src/:\n${show(cycles, graph)}`).toEqual([]);
  });

  it('of src/ points down: each module imports only its own layer of SRC_LAYERS or those below', () => {
    const problems = checkFolderLayers(srcGraph(), SRC_LAYERS);
    const text = problems.map(({ from, to, reason }) => `  ${from}${to === null ? '' : ` -> ${to}`}: ${reason}`).join('\n');
    expect(problems, `scripts/import-graph.mjs SRC_LAYERS (bottom to top):\n${text}`).toEqual([]);
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
    // c -> b closes a -> c -> b -> a: every file of it was on a cycle already, the edge c -> b was not
    graph.set('c', ['b']);
    expect(findCycles(graph)).toEqual([['a', 'b', 'a'], ['a', 'c', 'b', 'a'], ['d', 'd']]);
  });

  it('checks folder layers: an import upward, and a module in no layer', () => {
    const layers = ['src/errors.ts', 'src/spec/', 'src/model/'];
    const graph = new Map([
      ['src/errors.ts', []],
      ['src/spec/validate.ts', ['src/errors.ts', 'src/spec/names.ts']],
      ['src/spec/names.ts', []],
      ['src/model/model.ts', ['src/spec/validate.ts']],
    ]);
    expect(checkFolderLayers(graph, layers)).toEqual([]);
    graph.set('src/spec/names.ts', ['src/model/model.ts']);
    graph.set('src/onnx/import.ts', []);
    expect(checkFolderLayers(graph, layers)).toEqual([
      { from: 'src/spec/names.ts', to: 'src/model/model.ts', reason: 'imports upward (src/spec/ → src/model/)' },
      { from: 'src/onnx/import.ts', to: null, reason: 'in no layer of SRC_LAYERS' },
    ]);
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
