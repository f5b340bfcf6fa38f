// The import graph of the sources, and its cycles (test/import-graph.test.ts runs the checks).
//
//   node scripts/import-graph.mjs    prints the cycles of assembly/ and src/, and the imports that
//                                    break their layers (ASSEMBLY_LAYERS, SRC_LAYERS); exit 1 if any
//
// A node is a file (its path from the repository root, with '/'); an edge is a relative import of
// it: `import … from './x'`, `import type … from`, `export … from`, `import './x'` and `import('./x')`,
// type-only ones included (a circle of types is a circle of the design too). Imports of packages and
// of the AssemblyScript standard library ('util/math') are not edges. Comments are skipped; an
// import statement is recognized where it starts a line, as in these sources.
//
// Cycles: every edge that lies on a cycle (both ends in one strongly connected component) is
// reported with the shortest cycle through it, starting at the least file of the cycle; the same
// cycle found through several of its edges is reported once. An import that closes a new cycle adds
// an edge on a cycle, so it always shows as a cycle through that edge, even when every file of it
// was on a cycle already.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * assembly/ from bottom to top: a file may import only files before it. Serial kernels first; pool.ts
 * (the thread splitting) imports them; the callers that split, and the exports, come after it.
 */
export const ASSEMBLY_LAYERS = [
  'assembly/abi.ts',
  'assembly/rng.ts',
  'assembly/dropout.ts',
  'assembly/scan.ts',
  'assembly/gather.ts',
  'assembly/blas.ts',
  'assembly/activations.ts',
  'assembly/losses.ts',
  'assembly/optimizers.ts',
  'assembly/pool.ts',
  'assembly/dense.ts',
  'assembly/network.ts',
  'assembly/fused.ts',
  'assembly/train.ts',
  'assembly/index.ts',
];

/** Replaces comments by spaces (strings and template literals are kept, so are line breaks). */
function stripComments(source) {
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// a statement starting a line: import/export … from 'x' (the clause may span lines), import 'x'
const FROM = /^[ \t]*(import|export)\b(\s+type\b)?([^;'"`]*?)\bfrom\s*(['"])([^'"\n]+)\4/gm;
const BARE = /^[ \t]*import\s*(['"])([^'"\n]+)\1/gm;
const DYNAMIC = /\bimport\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/** The specifiers a source imports: [{ specifier, kind: 'value' | 'type' | 'dynamic' }]. */
export function parseImports(source) {
  const text = stripComments(source);
  const found = [];
  for (const m of text.matchAll(FROM)) found.push({ specifier: m[5], kind: m[2] ? 'type' : 'value' });
  for (const m of text.matchAll(BARE)) found.push({ specifier: m[2], kind: 'value' });
  for (const m of text.matchAll(DYNAMIC)) found.push({ specifier: m[2], kind: 'dynamic' });
  return found;
}

/** Files under `dir` (repository-relative) whose names end in .ts, sorted. */
function listTs(root, dir) {
  const files = [];
  const walk = (at) => {
    for (const name of readdirSync(join(root, at)).sort()) {
      const path = `${at}/${name}`;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk(dir);
  return files;
}

/** The file a relative specifier names, among `known`: x.js → x.ts (NodeNext), x → x.ts, x/index.ts. */
function resolveSpecifier(from, specifier, known) {
  const base = join(dirname(from), specifier).split(sep).join('/');
  const stem = base.replace(/\.(m?js|ts)$/, '');
  for (const candidate of [`${stem}.ts`, `${base}/index.ts`, base]) if (known.has(candidate)) return candidate;
  return null;
}

/** Per graph: 'from -> to' → the kinds of the imports behind that edge. */
const KINDS = new WeakMap();

/**
 * The graph of the .ts files under `dirs` (repository-relative): Map file → sorted array of the files
 * it imports. Relative specifiers that name no file there throw (a misread import must not hide).
 */
export function buildGraph(dirs, root = ROOT) {
  const files = dirs.flatMap((dir) => listTs(root, dir));
  const known = new Set(files);
  const graph = new Map();
  const kinds = new Map();
  KINDS.set(graph, kinds);
  for (const file of files) {
    const targets = new Set();
    for (const { specifier, kind } of parseImports(readFileSync(join(root, file), 'utf8'))) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) continue;
      const target = resolveSpecifier(file, specifier, known);
      if (target === null) {
        const outside = relative(root, join(root, dirname(file), specifier)).split(sep)[0];
        if (dirs.some((dir) => dir.split('/')[0] === outside)) throw new Error(`${file}: cannot resolve '${specifier}'`);
        continue; // outside the graph's directories (e.g. src/generated's data, or package.json)
      }
      targets.add(target);
      const key = `${file} -> ${target}`;
      if (!kinds.has(key)) kinds.set(key, new Set());
      kinds.get(key).add(kind);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Strongly connected components (Tarjan, iterative): array of arrays of files. */
function components(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const result = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const frames = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const targets = graph.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          frames.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node), index.get(target)));
        }
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        result.push(component.sort());
      }
    }
  }
  return result;
}

/** Shortest path from `from` to `to` inside `members` (breadth first, targets in sorted order). */
function shortestPath(graph, from, to, members) {
  const previous = new Map([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === to) break;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target) || previous.has(target)) continue;
      previous.set(target, node);
      queue.push(target);
    }
  }
  const path = [];
  for (let node = to; node !== null; node = previous.get(node)) path.unshift(node);
  return path;
}

/** A cycle [a, b, …, a] rotated to start at its least file. */
function canonical(cycle) {
  const ring = cycle.slice(0, -1);
  let at = 0;
  for (let i = 1; i < ring.length; i++) if (ring[i] < ring[at]) at = i;
  const rotated = [...ring.slice(at), ...ring.slice(0, at)];
  return [...rotated, rotated[0]];
}

/** The edges that lie on a cycle: [from, to] pairs, sorted. */
export function cyclicEdges(graph) {
  const edges = [];
  for (const component of components(graph)) {
    const members = new Set(component);
    for (const from of component) {
      for (const to of graph.get(from) ?? []) if (members.has(to) && (component.length > 1 || to === from)) edges.push([from, to]);
    }
  }
  return edges.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
}

/** The cycles (each [a, …, a], starting at its least file): the shortest through each cyclic edge, once each, sorted. */
export function findCycles(graph) {
  const byKey = new Map();
  const memberships = new Map();
  for (const component of components(graph)) for (const file of component) memberships.set(file, new Set(component));
  for (const [from, to] of cyclicEdges(graph)) {
    const cycle = canonical([from, ...shortestPath(graph, to, from, memberships.get(from))]);
    byKey.set(cycle.join(' -> '), cycle);
  }
  return [...byKey.keys()].sort().map((key) => byKey.get(key));
}

/**
 * `a -> b -> a`; with the graph, an edge made only of `import type` shows as `-(type)->`, and one
 * made only of `import()` as `-(dynamic)->`.
 */
export function formatCycle(cycle, graph) {
  const kinds = graph === undefined ? undefined : KINDS.get(graph);
  let text = cycle[0];
  for (let i = 1; i < cycle.length; i++) {
    const of = kinds?.get(`${cycle[i - 1]} -> ${cycle[i]}`);
    const only = of !== undefined && of.size === 1 && !of.has('value') ? [...of][0] : null;
    text += only === null ? ` -> ${cycle[i]}` : ` -(${only})-> ${cycle[i]}`;
  }
  return text;
}

/**
 * Imports that break a declared order (bottom to top; a file imports only files before it), and
 * files of the graph that the order does not name: [{ from, to, reason }].
 */
export function checkLayers(graph, order) {
  const rank = new Map(order.map((file, i) => [file, i]));
  const problems = [];
  for (const file of graph.keys()) if (!rank.has(file)) problems.push({ from: file, to: null, reason: 'not in the layer order' });
  for (const file of order) if (!graph.has(file)) problems.push({ from: file, to: null, reason: 'in the layer order but not a file' });
  for (const [from, targets] of graph) {
    if (!rank.has(from)) continue;
    for (const to of targets) {
      if (rank.has(to) && rank.get(to) >= rank.get(from)) problems.push({ from, to, reason: 'imports a file at or above its layer' });
    }
  }
  return problems;
}

/**
 * src/ from the bottom up: each entry is a file or a folder (every file under it). A module imports
 * only modules of its own entry or of entries below it: data flow one way, spec → validated model →
 * plan → engine → results, and a new capability is a room on top, never a dependency of the floor.
 */
export const SRC_LAYERS = [
  'src/errors.ts',
  'src/spec/', // names, types, defaults, validation: pure, the machine is not consulted
  'src/data/', // matrices and scalers
  'src/metrics/', // scores of predictions: accuracy, confusion, precision/recall/F1, MSE, MAE, R²
  'src/layout/', // the ABI, the memory plan, the RNG and loss scale both engines share
  'src/generated/', // the embedded kernels
  'src/engine/', // both engines, threads
  'src/train/', // the trainer
  'src/stream/', // training, scalers and scores from sources read chunk by chunk (the model's *Stream methods)
  'src/model/', // the model, its saved form, the factory
  'src/onnx/', // a file format on top of the model
  'src/plot/',
  'src/csv/', // reading CSV files into the model's arrays (Node; the 'wasmlp/csv' entry, and the command line's reader)
  'src/worker/', // a model in a dedicated worker (the 'wasmlp/worker' entry)
  'src/index.ts', // the front door: re-exports only
  'src/cli/', // the command line
  'src/demo/', // `npm start` (writes its charts with the command line's atomic writer)
];

/** The index in `layers` of the entry that holds `file` (the longest matching folder), or -1. */
function layerOf(file, layers) {
  let best = -1, bestLength = -1;
  layers.forEach((entry, i) => {
    const holds = entry.endsWith('/') ? file.startsWith(entry) : file === entry;
    if (holds && entry.length > bestLength) {
      best = i;
      bestLength = entry.length;
    }
  });
  return best;
}

/** Imports that point up: from a module to one in a higher entry of `layers`; and modules in no entry. */
export function checkFolderLayers(graph, layers) {
  const problems = [];
  for (const [from, targets] of graph) {
    const own = layerOf(from, layers);
    if (own < 0) {
      problems.push({ from, to: null, reason: 'in no layer of SRC_LAYERS' });
      continue;
    }
    for (const to of targets) {
      const theirs = layerOf(to, layers);
      if (theirs > own) problems.push({ from, to, reason: `imports upward (${layers[own]} → ${layers[theirs]})` });
    }
  }
  return problems;
}

export function assemblyGraph(root = ROOT) {
  return buildGraph(['assembly'], root);
}

export function srcGraph(root = ROOT) {
  return buildGraph(['src'], root);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  let failed = false;
  for (const [name, graph] of [['assembly', assemblyGraph()], ['src', srcGraph()]]) {
    const cycles = findCycles(graph);
    console.log(`${name}/: ${graph.size} files, ${cycles.length} cycle${cycles.length === 1 ? '' : 's'}`);
    for (const cycle of cycles) console.log(`  ${formatCycle(cycle, graph)}`);
    const problems = name === 'assembly' ? checkLayers(graph, ASSEMBLY_LAYERS) : checkFolderLayers(graph, SRC_LAYERS);
    for (const { from, to, reason } of problems) console.log(`  layer: ${from}${to === null ? '' : ` -> ${to}`}: ${reason}`);
    failed ||= cycles.length > 0 || problems.length > 0;
  }
  process.exitCode = failed ? 1 : 0;
}
