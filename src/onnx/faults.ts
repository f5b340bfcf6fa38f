// Where a fault of an ONNX file is, named one way in every message: a node by its place in the file,
// its op and its name, `graph.node[3] (Gemm "/0/Gemm")`, with its place `graph.node[3]` as the
// error's path; any other part of the file by its field path (`opset_import[0]`, `graph.input`).
import { FormatError } from '../errors.js';

/** A fault's place: the error's `.path`, and the label its message starts with. */
export interface Place {
  readonly path: string;
  readonly label: string;
}

/** `graph.node[3] (Gemm "fc1")`; the op or the name is left out where it is empty (a node without a name, or cut short). */
export function nodeLabel(path: string, n: { readonly opType: string; readonly name: string }): string {
  const parts = [n.opType, n.name === '' ? '' : JSON.stringify(n.name)].filter((p) => p !== '');
  return parts.length === 0 ? path : `${path} (${parts.join(' ')})`;
}

/** The place of the node at index `i` of the graph's nodes. */
export function nodePlace(n: { readonly opType: string; readonly name: string }, i: number): Place {
  const path = `graph.node[${i}]`;
  return { path, label: nodeLabel(path, n) };
}

/** A FormatError at a place, or at a field path that is its own label. */
export function onnxError(code: string, at: Place | string, why: string, expected: string, received: string): FormatError {
  const { path, label } = typeof at === 'string' ? { path: at, label: at } : at;
  return new FormatError(code, `${label}: ${why}`, { path, expected, received });
}
