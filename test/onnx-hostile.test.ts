// Hostile ONNX files: cycles, values read before they are written, names defined twice, dims that
// claim more values than the file holds (or are negative), deep chains, long packed fields. Each
// must be answered quickly: a FormatError that names the node or the field, or (a deep but valid
// chain) the model itself; never a hang, a runaway allocation or a RangeError. Then a seeded fuzz
// of loadONNX and readONNXMetadata over mutants of these files, a PyTorch export and a good graph.
import { describe, expect, it } from 'vitest';
import { FormatError, loadONNX, readONNXMetadata, type Model } from '../src/index.js';
import { AT, DT, encodeModel, type NodeProto, type TensorProto, type ValueInfoProto } from '../src/onnx/proto.js';
import { fixture } from './helpers/onnx.js';
import { mulberry32 } from './helpers/random.js';

function f64(name: string, dims: number[], values: number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  values.forEach((v, i) => new DataView(raw.buffer).setFloat64(i * 8, v, true));
  return { name, dims, dataType: DT.DOUBLE, raw };
}

const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: NodeProto['attributes'] = []): NodeProto => ({ name, opType, domain: '', inputs, outputs, attributes });
const gemm = (name: string, inputs: string[], out: string, transB = 1): NodeProto => node(name, 'Gemm', inputs, [out], [{ name: 'transB', type: AT.INT, i: transB }]);
const value = (name: string, columns: number | string = 'n'): ValueInfoProto => ({ name, elemType: DT.DOUBLE, dims: ['batch', columns] });

const METADATA = { note: 'hostile' };

/** A model around the given nodes and initializers: input "x", output "y" (float64, [batch, ·]). */
function model(nodes: NodeProto[], initializers: TensorProto[], io: { inputs?: ValueInfoProto[]; outputs?: ValueInfoProto[] } = {}): Uint8Array {
  return encodeModel({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'hostile', producerVersion: '0',
    graph: { name: 'g', nodes, initializers, inputs: io.inputs ?? [value('x', 3)], outputs: io.outputs ?? [value('y')] },
    metadata: Object.entries(METADATA).map(([key, v]) => ({ key, value: v })),
  });
}

const W1 = f64('W1', [4, 3], [0.5, -1, 2, 0.25, 3, -0.5, 1, 1, -2, 0.125, 0.75, -3]);
const B1 = f64('b1', [4], [0, 1, 2, 3]);
const W2 = f64('W2', [2, 4], new Array(8).fill(-0.25));
const B2 = f64('b2', [2], [1, -1]);
const GOOD = () => model([gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'z0'), node('/l0/Tanh', 'Tanh', ['z0'], ['a0']), gemm('/l1/Gemm', ['a0', 'W2', 'b2'], 'y')], [W1, B1, W2, B2]);

/** One Gemm, then `length` Identity nodes down to "y" (or to a Div by 3, not a scaler's form). */
function identityChain(length: number, divide = false): Uint8Array {
  const nodes = [gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'i0')];
  for (let k = 1; k <= length; k++) nodes.push(node(`/id${k}`, 'Identity', [`i${k - 1}`], [`i${k}`]));
  nodes.push(divide ? node('/out/Div', 'Div', [`i${length}`, 'three'], ['y']) : node('/out/Identity', 'Identity', [`i${length}`], ['y']));
  return model(nodes, [W1, B1, f64('three', [], [3])], { outputs: [value('y', 4)] });
}

// ---------------------------------------------------------------- a protobuf writer by hand
// for what encodeModel does not write: a packed repeated field (dims of 300,000 entries)

function varint(v: number): number[] {
  const out: number[] = [];
  do {
    const low = v % 128;
    v = Math.floor(v / 128);
    out.push(v > 0 ? low | 128 : low);
  } while (v > 0);
  return out;
}
function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const number = (field: number, v: number) => Uint8Array.from([...varint(field * 8), ...varint(v)]);
const bytes = (field: number, payload: Uint8Array) => concat(varint(field * 8 + 2), varint(payload.length), payload);
const text = (field: number, s: string) => bytes(field, new TextEncoder().encode(s));

/** x → Gemm(x, W) → y, where W's dims are a packed field of `count` ones (so it holds one value). */
function packedDims(count: number): Uint8Array {
  const W = concat(bytes(1, new Uint8Array(count).fill(1)), number(2, DT.DOUBLE), text(8, 'W'), bytes(9, new Uint8Array(8)));
  const gemmNode = concat(text(1, 'x'), text(1, 'W'), text(2, 'y'), text(3, '/l0/Gemm'), text(4, 'Gemm'));
  const io = (name: string) => concat(text(1, name), bytes(2, bytes(1, number(1, DT.DOUBLE))));
  const graph = concat(bytes(1, gemmNode), text(2, 'g'), bytes(5, W), bytes(11, io('x')), bytes(12, io('y')));
  const meta = concat(text(1, 'note'), text(2, 'hostile'));
  return concat(number(1, 8), bytes(7, graph), bytes(8, number(2, 17)), bytes(14, meta));
}

// ---------------------------------------------------------------- answering within bounds

// generous: a hang or a runaway allocation is what they catch (CI runs on a busy 2-core machine)
const LIMIT_MS = 5000;
const LIMIT_BYTES = 200 * 2 ** 20;

/** Heap and ArrayBuffer bytes in use, where the platform says (Node); null in a page. */
function memory(): number | null {
  const usage = (globalThis as { process?: { memoryUsage?: () => { heapUsed: number; arrayBuffers: number } } }).process?.memoryUsage?.();
  return usage === undefined ? null : usage.heapUsed + usage.arrayBuffers;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs `call` and checks that it answered within the bounds. */
async function bounded<T>(what: string, call: () => T | Promise<T>): Promise<Outcome<T>> {
  const before = memory(), start = performance.now();
  let outcome: Outcome<T>;
  try {
    outcome = { ok: true, value: await call() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const ms = performance.now() - start, after = memory();
  expect(ms, `${what}: answered in ${Math.round(ms)} ms`).toBeLessThan(LIMIT_MS);
  if (before !== null && after !== null) expect(after - before, `${what}: the heap grew by ${after - before} bytes`).toBeLessThan(LIMIT_BYTES);
  return outcome;
}

const shown = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error));

/** loadONNX's answer: a model (disposed here) or a FormatError; anything else fails the test. */
async function loadAnswer(input: Uint8Array, what: string): Promise<FormatError | null> {
  const outcome = await bounded(`loadONNX, ${what}`, () => loadONNX(input, { threads: 1 }));
  if (outcome.ok) {
    outcome.value.dispose();
    return null;
  }
  if (!(outcome.error instanceof FormatError)) expect.fail(`loadONNX, ${what}: expected a FormatError, got ${shown(outcome.error)}`);
  return outcome.error;
}

/** readONNXMetadata's answer: the metadata or a FormatError; anything else fails the test. */
async function metadataAnswer(input: Uint8Array, what: string): Promise<FormatError | Record<string, string>> {
  const outcome = await bounded(`readONNXMetadata, ${what}`, () => readONNXMetadata(input));
  if (outcome.ok) return outcome.value;
  if (!(outcome.error instanceof FormatError)) expect.fail(`readONNXMetadata, ${what}: expected a FormatError, got ${shown(outcome.error)}`);
  return outcome.error;
}

interface Refusal {
  code: string;
  path?: string;
  message: RegExp;
}

interface Hostile {
  what: string;
  bytes: () => Uint8Array;
  load: Refusal;
  /** readONNXMetadata refuses the file too (a malformed field); else it reads the metadata. */
  metadata?: Refusal;
}

function expectRefusal(e: FormatError | Record<string, string> | null, want: Refusal, what: string): void {
  if (!(e instanceof FormatError)) expect.fail(`${what}: expected a FormatError, got ${e === null ? 'a model' : 'the metadata'}`);
  expect(e.code, `${what}: ${e.message}`).toBe(want.code);
  if (want.path !== undefined) expect(e.path, `${what}: ${e.message}`).toBe(want.path);
  expect(e.message, what).toMatch(want.message);
  expect(e.message.length, `${what}: a short message`).toBeLessThan(1000);
}

const HOSTILE: Hostile[] = [
  {
    what: 'an Identity that reads its own output',
    bytes: () => model([node('self', 'Identity', ['y'], ['y'])], []),
    load: { code: 'BAD_ONNX', path: 'graph.node[0]', message: /^graph\.node\[0\] \(Identity "self"\): it reads "y", its own output/ },
  },
  {
    what: 'two Identity nodes in a cycle',
    bytes: () => model([node('a', 'Identity', ['y'], ['p']), node('b', 'Identity', ['p'], ['y'])], []),
    load: { code: 'BAD_ONNX', path: 'graph.node[0]', message: /^graph\.node\[0\] \(Identity "a"\): it reads "y" before graph\.node\[1\] \(Identity "b"\) writes it/ },
  },
  {
    what: 'a Gemm and a Relu in a cycle',
    bytes: () => model([gemm('/l0/Gemm', ['y', 'W1', 'b1'], 'z'), node('/l0/Relu', 'Relu', ['z'], ['y'])], [W1, B1]),
    load: { code: 'BAD_ONNX', path: 'graph.node[0]', message: /^graph\.node\[0\] \(Gemm "\/l0\/Gemm"\): it reads "y" before graph\.node\[1\] \(Relu "\/l0\/Relu"\) writes it/ },
  },
  {
    what: 'a node that reads a value written later (no cycle)',
    bytes: () => model([node('/l0/Tanh', 'Tanh', ['z0'], ['a0']), gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'z0'), gemm('/l1/Gemm', ['a0', 'W2', 'b2'], 'y')], [W1, B1, W2, B2]),
    load: { code: 'BAD_ONNX', path: 'graph.node[0]', message: /^graph\.node\[0\] \(Tanh "\/l0\/Tanh"\): it reads "z0" before graph\.node\[1\] \(Gemm "\/l0\/Gemm"\) writes it/ },
  },
  {
    what: 'a node that reads a value nothing defines',
    bytes: () => model([gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'z0'), node('/l0/Tanh', 'Tanh', ['zz'], ['a0']), gemm('/l1/Gemm', ['a0', 'W2', 'b2'], 'y')], [W1, B1, W2, B2]),
    load: { code: 'BAD_ONNX', path: 'graph.node[1]', message: /^graph\.node\[1\] \(Tanh "\/l0\/Tanh"\): it reads "zz", which is no graph input, initializer or node output/ },
  },
  {
    what: 'two nodes that write the same name',
    bytes: () => model([gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'z0'), node('/l0/Tanh', 'Tanh', ['z0'], ['a0']), node('/dup/Relu', 'Relu', ['z0'], ['a0']), gemm('/l1/Gemm', ['a0', 'W2', 'b2'], 'y')], [W1, B1, W2, B2]),
    load: { code: 'BAD_ONNX', path: 'graph.node[2]', message: /^graph\.node\[2\] \(Relu "\/dup\/Relu"\): its output "a0" is defined already, by graph\.node\[1\] \(Tanh "\/l0\/Tanh"\)/ },
  },
  {
    what: 'a node that writes an initializer',
    bytes: () => model([node('/c', 'Constant', [], ['W1'], [{ name: 'value', type: AT.TENSOR, t: W1 }]), gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'y')], [W1, B1]),
    load: { code: 'BAD_ONNX', path: 'graph.node[0]', message: /^graph\.node\[0\] \(Constant "\/c"\): its output "W1" is defined already, by graph\.initializer\[0\]/ },
  },
  {
    what: 'a node that writes the graph input',
    bytes: () => model([gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'z0'), node('/l0/Tanh', 'Tanh', ['z0'], ['x']), gemm('/l1/Gemm', ['x', 'W2', 'b2'], 'y')], [W1, B1, W2, B2]),
    load: { code: 'BAD_ONNX', path: 'graph.node[1]', message: /^graph\.node\[1\] \(Tanh "\/l0\/Tanh"\): its output "x" is defined already, by graph\.input\[0\]/ },
  },
  {
    what: 'two initializers of the same name',
    bytes: () => model([gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'y')], [W1, B1, f64('W1', [4, 3], new Array(12).fill(7))]),
    load: { code: 'BAD_ONNX', path: 'graph.initializer[2]', message: /^graph\.initializer\[2\]: "W1" is defined already, by graph\.initializer\[0\]/ },
  },
  {
    what: 'two graph inputs of the same name',
    bytes: () => model([gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'y')], [W1, B1], { inputs: [value('x', 3), value('x', 3)] }),
    load: { code: 'BAD_ONNX', path: 'graph.input[1]', message: /^graph\.input\[1\]: "x" is defined already, by graph\.input\[0\]/ },
  },
  {
    what: 'an Identity with two inputs (the same one twice), forty deep',
    bytes: () => {
      const nodes = [gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'i0')];
      for (let k = 1; k <= 40; k++) nodes.push(node(`/id${k}`, 'Identity', [`i${k - 1}`, `i${k - 1}`], [k === 40 ? 'y' : `i${k}`]));
      return model(nodes, [W1, B1]);
    },
    load: { code: 'BAD_ONNX', path: 'graph.node[1]', message: /^graph\.node\[1\] \(Identity "\/id1"\): .*one input and one output/ },
  },
  {
    what: 'a Gemm weight of dims [2^40, 0] (no values)',
    bytes: () => model([gemm('/l0/Gemm', ['x', 'W', 'b1'], 'y')], [f64('W', [2 ** 40, 0], []), B1]),
    load: { code: 'ONNX_SHAPE', message: /graph\.node\[0\] \(Gemm "\/l0\/Gemm"\): its weight B "W" has shape \[1099511627776, 0\]/ },
  },
  ...[24, 26].map((p): Hostile => ({
    what: `a Sub, then a Gemm weight of dims [0, 2^${p}] (no values)`,
    bytes: () => model([node('/s/Sub', 'Sub', ['x', 'c'], ['xs']), gemm('/l0/Gemm', ['xs', 'W'], 'y', 0)], [f64('c', [], [1]), f64('W', [0, 2 ** p], [])]),
    load: { code: 'ONNX_SHAPE', message: new RegExp(`graph\\.node\\[1\\] \\(Gemm "/l0/Gemm"\\): its weight B "W" has shape \\[0, ${2 ** p}\\]`) },
  })),
  {
    what: 'dims whose product passes 2^53',
    bytes: () => model([gemm('/l0/Gemm', ['x', 'W', 'b1'], 'y')], [{ ...W1, name: 'W', dims: [2 ** 30, 2 ** 30, 2 ** 30] }, B1]),
    load: { code: 'ONNX_SHAPE', message: /graph\.node\[0\] \(Gemm "\/l0\/Gemm"\): its weight B "W" has 96 bytes of raw_data; its shape \[1073741824, 1073741824, 1073741824\] needs more than 2\^53/ },
  },
  {
    what: 'dims [-1, -1]',
    bytes: () => model([gemm('/l0/Gemm', ['x', 'W', 'b1'], 'y')], [f64('W', [-1, -1], [2]), B1]),
    load: { code: 'BAD_ONNX', path: 'graph.initializer[0].dims', message: /^graph\.initializer\[0\]\.dims: dims\[0\] is -1/ },
    metadata: { code: 'BAD_ONNX', path: 'graph.initializer[0].dims', message: /^graph\.initializer\[0\]\.dims: dims\[0\] is -1/ },
  },
  {
    what: 'a dim of 2^53',
    bytes: () => model([gemm('/l0/Gemm', ['x', 'W1', 'b'], 'y')], [W1, f64('b', [1, 2 ** 53], [0])]),
    load: { code: 'BAD_ONNX', path: 'graph.initializer[1].dims', message: /^graph\.initializer\[1\]\.dims: dims\[1\] is 2\^53 or more/ },
    metadata: { code: 'BAD_ONNX', path: 'graph.initializer[1].dims', message: /dims\[1\] is 2\^53 or more/ },
  },
  {
    what: 'a negative dim in a Constant node',
    bytes: () => model([node('/c', 'Constant', [], ['k'], [{ name: 'value', type: AT.TENSOR, t: f64('', [-3], [1]) }]), node('/s/Sub', 'Sub', ['x', 'k'], ['xs']), gemm('/l0/Gemm', ['xs', 'W1', 'b1'], 'y')], [W1, B1]),
    load: { code: 'BAD_ONNX', path: 'graph.node[0].attribute[0].t.dims', message: /^graph\.node\[0\] \(Constant "\/c"\)\.attribute\[0\]\.t\.dims: dims\[0\] is -3/ },
    metadata: { code: 'BAD_ONNX', path: 'graph.node[0].attribute[0].t.dims', message: /dims\[0\] is -3/ },
  },
  {
    what: 'a Gemm, a 10,000-node Identity chain, then a Div that is no scaler',
    bytes: () => identityChain(10_000, true),
    load: { code: 'UNSUPPORTED_ONNX', message: /^graph\.node\[10001\] \(Div "\/out\/Div"\): the output unscaling \(Div\) is not one of wasmlp's scalers: v\/k with k = 3/ },
  },
  {
    what: 'input scaling of 5,000 steps before a layer of 20,000 inputs',
    bytes: () => {
      const nodes = Array.from({ length: 5000 }, (_, k) => node(`/s${k}`, 'Mul', [k === 0 ? 'x' : `s${k}`, 'two'], [`s${k + 1}`]));
      nodes.push(gemm('/l0/Gemm', ['s5000', 'W'], 'y'));
      return model(nodes, [f64('two', [], [2]), f64('W', [1, 20_000], new Array(20_000).fill(0.5))], { inputs: [value('x', 20_000)] });
    },
    load: { code: 'UNSUPPORTED_ONNX', message: /^graph\.node\[4993\] \(Mul "\/s4993"\): the input scaling has more than 6 steps/ },
  },
  {
    what: 'dims as a packed field of 300,000 entries',
    bytes: () => packedDims(300_000),
    load: { code: 'ONNX_SHAPE', message: /graph\.node\[0\] \(Gemm "\/l0\/Gemm"\): its weight B "W" has shape \[1, 1, 1, 1, 1, 1, 1, 1, … \(300000 dims\)\]; a layer's weights are a matrix/ },
  },
];

describe('hostile ONNX files are FormatErrors that name the node or the field', () => {
  for (const h of HOSTILE) {
    it(h.what, async () => {
      const input = h.bytes();
      expectRefusal(await loadAnswer(input, h.what), h.load, `loadONNX, ${h.what}`);
      const meta = await metadataAnswer(input, h.what);
      if (h.metadata !== undefined) expectRefusal(meta, h.metadata, `readONNXMetadata, ${h.what}`);
      else expect(meta, `readONNXMetadata, ${h.what}`).toEqual(METADATA);
    });
  }

  it('a 10,000-node Identity chain after a Gemm, or before it, loads as the Gemm alone (the same bits)', async () => {
    const plain = await loadONNX(model([gemm('/l0/Gemm', ['x', 'W1', 'b1'], 'y')], [W1, B1], { outputs: [value('y', 4)] }), { threads: 1 });
    const before = [node('/id0', 'Identity', ['x'], ['j0'])];
    for (let k = 1; k < 10_000; k++) before.push(node(`/id${k}`, 'Identity', [`j${k - 1}`], [`j${k}`]));
    const chained: Model[] = [];
    for (const input of [identityChain(10_000), model([...before, gemm('/l0/Gemm', ['j9999', 'W1', 'b1'], 'y')], [W1, B1], { outputs: [value('y', 4)] })]) {
      const outcome = await bounded('a 10,000-node Identity chain', () => loadONNX(input, { threads: 1 }));
      if (!outcome.ok) expect.fail(`a 10,000-node Identity chain: expected a model, got ${shown(outcome.error)}`);
      chained.push(outcome.value);
    }
    const bits = (m: Model) => {
      const p = m.getParamsFlat();
      return Array.from(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    };
    for (const m of chained) {
      expect(m.spec).toEqual(plain.spec);
      expect(bits(m)).toEqual(bits(plain));
      expect(Array.from(m.predict([[1, -2, 0.5]])[0])).toEqual(Array.from(plain.predict([[1, -2, 0.5]])[0]));
      m.dispose();
    }
    plain.dispose();
  });
});

// ---------------------------------------------------------------- fuzz

/** A seeded mutant: bytes flipped, cut, inserted, removed or repeated; varint-looking bytes are likely. */
function mutate(input: Uint8Array, r: () => number): Uint8Array {
  const at = Math.floor(r() * input.length);
  const byte = () => (r() < 0.5 ? Math.floor(r() * 256) : [0x00, 0x01, 0x7f, 0x80, 0xff][Math.floor(r() * 5)]);
  switch (Math.floor(r() * 5)) {
    case 0: {
      const out = input.slice();
      for (let k = 1 + Math.floor(r() * 3); k > 0; k--) out[Math.floor(r() * out.length)] = byte();
      return out;
    }
    case 1: return input.slice(0, at);
    case 2: return concat(input.subarray(0, at), Array.from({ length: 1 + Math.floor(r() * 10) }, byte), input.subarray(at));
    case 3: return concat(input.subarray(0, at), input.subarray(Math.min(input.length, at + 1 + Math.floor(r() * 16))));
    default: {
      const end = Math.min(input.length, at + 1 + Math.floor(r() * 64));
      return concat(input.subarray(0, end), input.subarray(at, end), input.subarray(end));
    }
  }
}

describe('loadONNX and readONNXMetadata fuzz: every input is answered within the bounds', () => {
  it('mutants of a PyTorch export and of a hand-built graph load or are FormatErrors', async () => {
    const r = mulberry32(31);
    let refused = 0;
    for (const [name, base] of [['relu.f64.onnx', fixture('relu.f64.onnx')], ['GOOD', GOOD()]] as const) {
      for (let i = 0; i < 150; i++) {
        const input = mutate(base, r);
        if ((await loadAnswer(input, `${name} mutant ${i}`)) !== null) refused++;
        await metadataAnswer(input, `${name} mutant ${i}`);
      }
    }
    expect(refused).toBeGreaterThan(100);
  });

  it('the hostile files above, and mutants of them, load or are FormatErrors', async () => {
    const r = mulberry32(32);
    for (const h of HOSTILE) {
      const base = h.bytes();
      expect(await loadAnswer(base, h.what)).toBeInstanceOf(FormatError);
      await metadataAnswer(base, h.what);
      for (let i = 0; i < (base.length > 50_000 ? 3 : 15); i++) {
        const input = mutate(base, r);
        await loadAnswer(input, `${h.what}, mutant ${i}`);
        await metadataAnswer(input, `${h.what}, mutant ${i}`);
      }
    }
  });
});
