// An ONNX graph as the importer walks it: who writes each value and who reads it, what Identity
// nodes copy, the constants as float64, and which nodes were read as part of the MLP. The graph must
// first be what ONNX requires (checkGraph): each value named once, each node after the nodes whose
// outputs it reads, so every walk of it ends; no walk recurses.
import type { FormatError } from '../errors.js';
import { nodePlace, onnxError, type Place } from './faults.js';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto } from './proto.js';
import { constantNodeTensor, tensorValues } from './tensors.js';

/** Each graph input, and each initializer, is named once (an initializer may also be a graph input: its default). */
function definedNames(graph: GraphProto): Map<string, string> {
  const defined = new Map<string, string>();
  for (const [list, field] of [[graph.inputs, 'input'], [graph.initializers, 'initializer']] as const) {
    const seen = new Map<string, string>();
    list.forEach(({ name }, i) => {
      const path = `graph.${field}[${i}]`, first = seen.get(name);
      if (first !== undefined) throw onnxError('BAD_ONNX', path, `${JSON.stringify(name)} is defined already, by ${first}; ONNX names each value once`, 'a name of its own', JSON.stringify(name));
      seen.set(name, path);
      if (!defined.has(name)) defined.set(name, path);
    });
  }
  return defined;
}

/** The default ONNX operator domain, by either of its names. */
export const isDefaultDomain = (x: { readonly domain: string }): boolean => x.domain === '' || x.domain === 'ai.onnx';

/**
 * What ONNX requires of a graph, and every walk of it here relies on: each value is defined once
 * (a graph input, an initializer or one node's output), and each node reads only values defined
 * before it, so the nodes are in order and there is no cycle.
 */
function checkGraph(graph: GraphProto): void {
  const defined = definedNames(graph);
  graph.nodes.forEach((n, i) => {
    const at = nodePlace(n, i);
    if (n.opType === 'Identity' && isDefaultDomain(n) && (n.inputs.length !== 1 || n.outputs.length !== 1)) {
      throw onnxError('BAD_ONNX', at, `an Identity has one input and one output; this one has ${n.inputs.length} and ${n.outputs.length}`, 'one input and one output', `${n.inputs.length} inputs, ${n.outputs.length} outputs`);
    }
    for (const name of n.inputs) if (name !== '' && !defined.has(name)) throw readTooSoon(graph, i, name);
    for (const name of n.outputs) {
      if (name === '') continue; // an optional output left out
      const first = defined.get(name);
      if (first !== undefined) throw onnxError('BAD_ONNX', at, `its output ${JSON.stringify(name)} is defined already, by ${first}; ONNX names each value once`, 'a name of its own', JSON.stringify(name));
      defined.set(name, at.label);
    }
  });
}

/** Node i reads `name` before anything defines it: its own output, a later node's, or nothing's. */
function readTooSoon(graph: GraphProto, i: number, name: string): FormatError {
  const n = graph.nodes[i], at = nodePlace(n, i);
  const expected = 'a graph input, an initializer or the output of an earlier node';
  if (n.outputs.includes(name)) return onnxError('BAD_ONNX', at, `it reads ${JSON.stringify(name)}, its own output (a cycle)`, expected, 'its own output');
  const j = graph.nodes.findIndex((m, k) => k > i && m.outputs.includes(name));
  if (j < 0) return onnxError('BAD_ONNX', at, `it reads ${JSON.stringify(name)}, which is no graph input, initializer or node output`, expected, 'an undefined name');
  const later = nodePlace(graph.nodes[j], j).label;
  return onnxError('BAD_ONNX', at, `it reads ${JSON.stringify(name)} before ${later} writes it; ONNX requires each node after the nodes whose outputs it reads (a cycle, or nodes out of order)`, expected, `the output of ${later}`);
}

/** A checked graph, with the maps its walks read; nodes are marked as they are read as part of the MLP. */
export class Graph {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly index = new Map<NodeProto, number>();
  readonly constants = new Map<string, TensorProto>();
  /** A name written by an Identity node → the name it copies, through every Identity before it. */
  private readonly copies = new Map<string, string>();
  /** Constants' values, converted once (however many nodes read them). */
  private readonly converted = new Map<TensorProto, Float64Array>();
  /** Nodes already read as part of the MLP. */
  readonly used = new Set<NodeProto>();
  /** The nodes read as one piece (a layer, an activation, a scaling step), by node. */
  readonly group = new Map<NodeProto, number>();
  private groups = 0;

  constructor(readonly model: ModelProto, readonly opset: number) {
    const g = model.graph;
    checkGraph(g);
    for (const t of g.initializers) this.constants.set(t.name, t);
    g.nodes.forEach((n, i) => {
      this.index.set(n, i);
      if (n.opType === 'Constant' && isDefaultDomain(n)) {
        const t = constantNodeTensor(n, this.place(n));
        if (n.outputs[0] !== undefined) this.constants.set(n.outputs[0], t);
        this.used.add(n);
        return;
      }
      for (const o of n.outputs) this.producer.set(o, n);
      // checkGraph put the nodes in order: what an Identity copies is known already
      if (n.opType === 'Identity') for (const o of n.outputs) this.copies.set(o, this.copies.get(n.inputs[0]) ?? n.inputs[0]);
      for (const i of n.inputs) {
        if (i === '') continue;
        const list = this.consumers.get(i) ?? [];
        if (list[list.length - 1] !== n) list.push(n); // a node that reads a name twice is one reader
        this.consumers.set(i, list);
      }
    });
  }

  /** Marks nodes as read, as one piece of the MLP. */
  take(nodes: NodeProto[]): void {
    const id = this.groups++;
    for (const n of nodes) {
      this.used.add(n);
      this.group.set(n, id);
    }
  }

  /** The nodes that read `name`, looking through Identity nodes (in graph order, depth first; no recursion). */
  readers(name: string): NodeProto[] {
    const out: NodeProto[] = [];
    const stack = [...(this.consumers.get(name) ?? [])].reverse();
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      if (n.opType !== 'Identity') {
        out.push(n);
        continue;
      }
      const next = n.outputs.flatMap((o) => this.consumers.get(o) ?? []);
      for (let k = next.length - 1; k >= 0; k--) stack.push(next[k]);
    }
    return out;
  }

  /** `graph.node[3] (Gemm "/0/Gemm")`, at `graph.node[3]`. */
  place(n: NodeProto): Place {
    return nodePlace(n, this.index.get(n) ?? -1);
  }

  error(n: NodeProto, code: string, why: string, expected: string, received: string): FormatError {
    return onnxError(code, this.place(n), why, expected, received);
  }

  isConstant(name: string): boolean {
    return this.constants.has(name);
  }

  /** The node that computes `name`, looking through Identity nodes (which are taken as read). */
  produce(name: string): NodeProto | undefined {
    return this.producer.get(this.source(name));
  }

  /** `name` after looking through Identity nodes (which are taken as read). */
  source(name: string): string {
    // an Identity read already had the ones before it read too: each is walked once
    for (let n = this.producer.get(name); n?.opType === 'Identity' && !this.used.has(n); n = this.producer.get(n.inputs[0])) this.used.add(n);
    return this.copies.get(name) ?? name;
  }

  /** A constant's values as float64 (float32 widened exactly), with its shape. */
  values(name: string, node: NodeProto, role: string): { dims: number[]; data: Float64Array } {
    const t = this.constants.get(this.source(name));
    if (t === undefined) throw this.error(node, 'ONNX_NOT_CONSTANT', `its ${role} "${name}" is computed, not a constant; wasmlp reads constant weights only`, 'an initializer or Constant', 'a computed tensor');
    let data = this.converted.get(t);
    if (data === undefined) this.converted.set(t, (data = tensorValues(t, this.place(node), role)));
    return { dims: t.dims, data };
  }

  attribute(n: NodeProto, name: string): AttributeProto | undefined {
    return n.attributes.find((a) => a.name === name);
  }

  intAttribute(n: NodeProto, name: string, fallback: number): number {
    const a = this.attribute(n, name);
    if (a === undefined) return fallback;
    if (a.i === undefined) throw this.error(n, 'BAD_ONNX', `attribute ${name} is not an integer`, 'an INT attribute', `attribute type ${a.type}`);
    return a.i;
  }

  floatAttribute(n: NodeProto, name: string, fallback: number): number {
    const a = this.attribute(n, name);
    if (a === undefined) return fallback;
    if (a.f === undefined) throw this.error(n, 'BAD_ONNX', `attribute ${name} is not a float`, 'a FLOAT attribute', `attribute type ${a.type}`);
    return a.f;
  }
}
