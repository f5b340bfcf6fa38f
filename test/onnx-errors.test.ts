// Bad ONNX files: each is a FormatError that names the node (or the field), its op and why, and no
// model is made. Graphs are written with wasmlp's own protobuf writer (src/onnx/proto.ts).
import { describe, expect, it } from 'vitest';
import { FormatError, OptionsError, loadONNX, toONNX } from '../src/index.js';
import { AT, DT, encodeModel, type NodeProto, type TensorProto } from '../src/onnx/proto.js';
import { fixture } from './helpers/onnx.js';

function f64(name: string, dims: number[], values: number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  values.forEach((v, i) => new DataView(raw.buffer).setFloat64(i * 8, v, true));
  return { name, dims, dataType: DT.DOUBLE, raw };
}

function f16(name: string, dims: number[]): TensorProto {
  return { name, dims, dataType: DT.FLOAT16, raw: new Uint8Array(2 * dims.reduce((a, b) => a * b, 1)) };
}

const gemm = (name: string, x: string, w: string, b: string, out: string, extra: NodeProto['attributes'] = []): NodeProto => ({
  name, opType: 'Gemm', domain: '', inputs: [x, w, b], outputs: [out], attributes: [{ name: 'transB', type: AT.INT, i: 1 }, ...extra],
});

const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: NodeProto['attributes'] = []): NodeProto => ({ name, opType, domain: '', inputs, outputs, attributes });

/** A model around the given nodes and initializers: input [batch, inputs] float64, output "y". */
function model(nodes: NodeProto[], initializers: TensorProto[], options: { inputs?: number; outputs?: number; opset?: number } = {}): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: options.opset ?? 17 }],
    producerName: 'test',
    producerVersion: '0',
    graph: {
      name: 'g', nodes, initializers,
      inputs: [{ name: 'x', elemType: DT.DOUBLE, dims: ['batch', options.inputs ?? 3] }],
      outputs: [{ name: 'y', elemType: DT.DOUBLE, dims: ['batch', options.outputs ?? 2] }],
    },
    metadata: [],
  });
}

const W1 = f64('W1', [4, 3], new Array(12).fill(0.5));
const B1 = f64('b1', [4], [0, 1, 2, 3]);
const W2 = f64('W2', [2, 4], new Array(8).fill(-0.25));
const B2 = f64('b2', [2], [1, -1]);
const GOOD = () => model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'z0'), node('/l0/Tanh', 'Tanh', ['z0'], ['a0']), gemm('/l1/Gemm', 'a0', 'W2', 'b2', 'y')], [W1, B1, W2, B2]);

async function formatError(bytes: Uint8Array): Promise<FormatError> {
  let error: unknown;
  try {
    await loadONNX(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(FormatError);
  return error as FormatError;
}

describe('loadONNX refuses what it cannot read, naming the node', () => {
  it('the hand-built graph these tests vary is read as it is', async () => {
    const m = await loadONNX(GOOD());
    expect(m.spec.layers.map((l) => [l.units, l.activation])).toEqual([[4, 'tanh'], [2, 'identity']]);
    // by hand: z0 = 1.5 + b1, a0 = tanh(z0), y = −0.25 Σ a0 + b2
    const a = [0, 1, 2, 3].map((b) => Math.tanh(1.5 + b));
    const s = -0.25 * a.reduce((p, q) => p + q, 0);
    const y = m.predict([[1, 1, 1]])[0];
    expect(y[0]).toBeCloseTo(s + 1, 14);
    expect(y[1]).toBeCloseTo(s - 1, 14);
  });

  it('a truncated file: every cut of a PyTorch export is a FormatError, and a cut inside a node names it', async () => {
    const bytes = fixture('relu.f64.onnx');
    for (let n = 0; n < bytes.length; n += n < 200 ? 1 : 7) {
      const e = await formatError(bytes.slice(0, n));
      expect(e.code, `cut at ${n}`).toMatch(/BAD_ONNX|UNSUPPORTED_OPSET/);
    }
    // cut a few bytes after the op type of PyTorch's third node ("/2/Gemm"), inside its attributes:
    // its name (field 3) then its op type (field 4, "Gemm")
    const name = Uint8Array.from([0x1a, 7, ...new TextEncoder().encode('/2/Gemm'), 0x22, 4, ...new TextEncoder().encode('Gemm')]);
    let at = -1;
    for (let i = 0; i + name.length <= bytes.length && at < 0; i++) if (name.every((b, k) => bytes[i + k] === b)) at = i;
    expect(at).toBeGreaterThan(0);
    const e = await formatError(bytes.slice(0, at + name.length + 6));
    expect(e.path).toMatch(/^graph\.node\[2\]/);
    expect(e.message).toContain('"/2/Gemm"');
    expect(e.message).toMatch(/truncated/);
  });

  it('not protobuf at all, or no graph', async () => {
    expect((await formatError(new TextEncoder().encode('{"format": "wasmlp-model"}'))).message).toMatch(/truncated|corrupt|graph/);
    expect((await formatError(new Uint8Array(0))).path).toBe('model.graph');
  });

  it('a convolution', async () => {
    const e = await formatError(model([node('/features/Conv', 'Conv', ['x', 'W1'], ['c']), gemm('/l1/Gemm', 'c', 'W2', 'b2', 'y')], [W1, W2, B2]));
    expect(e.code).toBe('UNSUPPORTED_ONNX_OP');
    expect(e.message).toContain('graph.node[0] (Conv "/features/Conv")');
    expect(e.message).toMatch(/not part of an MLP/);
  });

  it('a float16 initializer', async () => {
    const e = await formatError(model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'z0'), node('/l0/Tanh', 'Tanh', ['z0'], ['a0']), gemm('/l1/Gemm', 'a0', 'W2', 'b2', 'y')], [f16('W1', [4, 3]), B1, W2, B2]));
    expect(e.code).toBe('UNSUPPORTED_ONNX_TYPE');
    expect(e.message).toContain('graph.node[0] (Gemm "/l0/Gemm")');
    expect(e.message).toMatch(/"W1" is float16/);
  });

  it('an unsupported opset', async () => {
    for (const opset of [6, 26]) {
      const bytes = model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'y')], [W1, B1], { outputs: 4, opset });
      const e = await formatError(bytes);
      expect(e.code).toBe('UNSUPPORTED_OPSET');
      expect(e.path).toBe('opset_import[0]');
      expect(e.message).toContain(`opset ${opset} is not supported`);
    }
    // the edges of the range are read
    for (const opset of [7, 25]) await loadONNX(model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'y')], [W1, B1], { outputs: 4, opset }));
  });

  it('mismatched shapes: between layers, against the declared input and output, a bias', async () => {
    const W2bad = f64('W2', [2, 5], new Array(10).fill(1));
    let e = await formatError(model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'z0'), node('/l0/Tanh', 'Tanh', ['z0'], ['a0']), gemm('/l1/Gemm', 'a0', 'W2', 'b2', 'y')], [W1, B1, W2bad, B2]));
    expect(e.code).toBe('ONNX_SHAPE');
    expect(e.message).toContain('graph.node[2] (Gemm "/l1/Gemm")');
    expect(e.message).toMatch(/takes 5 inputs|take 5 inputs/);
    e = await formatError(model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'y')], [W1, B1], { inputs: 7, outputs: 4 }));
    expect(e.message).toContain('graph.node[0] (Gemm "/l0/Gemm")');
    expect(e.message).toMatch(/7 columns/);
    e = await formatError(model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'y')], [W1, B1], { outputs: 3 }));
    expect(e.message).toContain('graph.node[0] (Gemm "/l0/Gemm")');
    e = await formatError(model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'y')], [W1, f64('b1', [5], [0, 0, 0, 0, 0])], { outputs: 4 }));
    expect(e.message).toContain('graph.node[0] (Gemm "/l0/Gemm")');
    expect(e.message).toMatch(/bias/);
  });

  it('other shapes of graph: transA, softmax on a hidden layer, a branch, input scaling that is no scaler, a computed weight', async () => {
    let e = await formatError(model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'y', [{ name: 'transA', type: AT.INT, i: 1 }])], [W1, B1], { outputs: 4 }));
    expect(e.message).toContain('graph.node[0] (Gemm "/l0/Gemm")');
    expect(e.message).toMatch(/transA/);
    e = await formatError(model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'z0'), node('/l0/Softmax', 'Softmax', ['z0'], ['a0'], [{ name: 'axis', type: AT.INT, i: -1 }]), gemm('/l1/Gemm', 'a0', 'W2', 'b2', 'y')], [W1, B1, W2, B2]));
    expect(e.message).toMatch(/softmax on a hidden layer/);
    e = await formatError(model([gemm('/l0/Gemm', 'x', 'W1', 'b1', 'z0'), node('/l0/Tanh', 'Tanh', ['z0'], ['a0']), node('/side/Relu', 'Relu', ['z0'], ['unused']), gemm('/l1/Gemm', 'a0', 'W2', 'b2', 'y')], [W1, B1, W2, B2]));
    expect(e.message).toContain('graph.node[2] (Relu "/side/Relu")');
    e = await formatError(model([node('/scale/Mul', 'Mul', ['x', 'k'], ['xs']), gemm('/l0/Gemm', 'xs', 'W1', 'b1', 'y')], [f64('k', [], [3]), W1, B1], { outputs: 4 }));
    expect(e.message).toContain('graph.node[0] (Mul "/scale/Mul")');
    expect(e.message).toMatch(/not one of wasmlp's scalers/);
    e = await formatError(model([node('/w/Add', 'Add', ['W1', 'W1'], ['W']), gemm('/l0/Gemm', 'x', 'W', 'b1', 'y')], [W1, B1], { outputs: 4 }));
    expect(e.message).toContain('graph.node[1] (Gemm "/l0/Gemm")');
    expect(e.message).toMatch(/computed, not a constant/);
  });

  it('bad arguments are OptionsErrors', async () => {
    await expect(loadONNX('model.onnx' as unknown as Uint8Array)).rejects.toThrow(OptionsError);
    await expect(loadONNX(GOOD(), { loss: 'hinge' as never })).rejects.toThrow(/unknown loss "hinge"; expected one of ssr, half_se, mse, bce, cce/);
    await expect(loadONNX(GOOD(), { los: 'mse' } as never)).rejects.toThrow(/options.los: unknown option/);
    await expect(loadONNX(GOOD(), { loss: 'cce' })).rejects.toThrow(OptionsError); // cce needs a softmax output
  });
});

describe('loadONNX options: threads, and names with suggestions', () => {
  it('takes threads like loadModel, and suggests names for unknown keys and values', async () => {
    const { createModel: create, loadONNX: load } = await import('../src/index.js');
    const source = await create({ inputs: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse' });
    const bytes = toONNX(source);
    const model = await load(bytes, { threads: 3 });
    // 3 where threads can run (Node); 1 on a page that is not cross-origin isolated, as createModel
    const asked = await create({ inputs: 3, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', threads: 3 });
    expect(model.threads).toBe(asked.threads);
    asked.dispose();
    expect(Array.from(model.predict([[0.1, 0.2, 0.3]])[0])).toEqual(Array.from(source.predict([[0.1, 0.2, 0.3]])[0]));
    const unknown = await load(bytes, { thread: 2 } as never).catch((e: unknown) => e);
    expect((unknown as Error).message).toMatch(/did you mean "threads"/);
    const loss = await load(bytes, { loss: 'mae' } as never).catch((e: unknown) => e);
    expect((loss as { code: string }).code).toBe('UNKNOWN_LOSS');
    const threads = await load(bytes, { threads: 0 }).catch((e: unknown) => e);
    expect((threads as { path: string }).path).toBe('options.threads');
    for (const m of [source, model]) m.dispose();
  });
});
