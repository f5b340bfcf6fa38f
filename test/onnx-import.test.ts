// loadONNX on PyTorch's own files (test/fixtures/onnx, made by make_fixtures.py with torch.onnx.export
// at opset 17, float64 and float32): wasmlp's predictions agree with what PyTorch computed in float64.
import { describe, expect, it } from 'vitest';
import { loadONNX } from '../src/index.js';
import { AT, DT, encodeModel, type NodeProto, type TensorProto } from '../src/onnx/proto.js';
import { fixture, torchOutputs, worstRelative } from './helpers/onnx.js';
import { mulberry32 } from './helpers/random.js';

const torch = torchOutputs();
const X = new Float64Array(torch.X.flat());
const rows = torch.X.length;

describe('loadONNX reads PyTorch exports', () => {
  it('covers every activation in float64 and float32', () => {
    const names = Object.keys(torch.models);
    for (const a of ['tanh', 'sigmoid', 'relu', 'softplus', 'leaky_relu', 'softmax']) {
      expect(names).toContain(`${a}.f64`);
      expect(names).toContain(`${a}.f32`);
    }
    expect(torch.opset).toBe(17);
  });

  for (const [name, m] of Object.entries(torch.models)) {
    it(`${name}: the layers PyTorch wrote, predictions within 1e-12 of PyTorch's float64 outputs`, async () => {
      const model = await loadONNX(fixture(m.file));
      expect(model.spec.layers.map((l) => l.activation)).toEqual(m.activations);
      expect(model.inputs).toBe(3);
      const y = model.predict(X);
      expect(worstRelative(y, m.Y.flat())).toBeLessThanOrEqual(1e-12);
      model.dispose();
    });
  }

  it('float32 weights are widened exactly: every parameter is a float32 value', async () => {
    const model = await loadONNX(fixture('tanh.f32.onnx'));
    const p = model.getParamsFlat();
    expect(p.every((v) => Math.fround(v) === v)).toBe(true);
    // and the same network in float64 holds the same values (the fixtures' f64 files are the widened f32 weights)
    const wide = await loadONNX(fixture('tanh.f64.onnx'));
    expect(Array.from(wide.getParamsFlat())).toEqual(Array.from(p));
  });

  it("LeakyRelu's alpha is a float32 attribute: the slope is the float32 value it holds", async () => {
    for (const file of ['leaky_relu.f64.onnx', 'leaky_relu.f32.onnx']) {
      const model = await loadONNX(fixture(file));
      expect(model.spec.layers[0].slope).toBe(Math.fround(0.1));
      expect(model.spec.layers[0].slope).toBe(0.10000000149011612);
    }
  });

  it('maps (x − mean)/std before the network and v·std + mean after it to scalers', async () => {
    for (const file of ['scaled_tanh.f64.onnx', 'scaled_tanh.f32.onnx']) {
      const model = await loadONNX(fixture(file));
      const n = model.getNormalization();
      expect(n.inputs).toMatchObject({ kind: 'standardize', a: [1.5, -2, 10], b: [0.5, 3, 4] });
      expect(n.targets).toMatchObject({ kind: 'standardize', a: [-1, 7], b: [2.5, 0.25] });
    }
  });

  it('the loss follows the output as in the CLI (softmax → cce, sigmoid → bce, else mse); options.loss sets it', async () => {
    expect((await loadONNX(fixture('softmax.f64.onnx'))).spec.loss).toBe('cce');
    expect((await loadONNX(fixture('sigmoid.f64.onnx'))).spec.loss).toBe('bce');
    expect((await loadONNX(fixture('tanh.f64.onnx'))).spec.loss).toBe('mse');
    expect((await loadONNX(fixture('tanh.f64.onnx'), { loss: 'half_se' })).spec.loss).toBe('half_se');
    // the loaded model trains: one step of gradient descent lowers the loss on PyTorch's own outputs
    const model = await loadONNX(fixture('relu.f64.onnx'), { loss: 'mse' });
    const target = torch.models['relu.f64'].Y.map((r) => r.map((v) => v + 0.5));
    const before = model.loss(torch.X, target);
    model.fit(torch.X, target, { epochs: 1, batchSize: rows, learningRate: 0.01, shuffle: false });
    expect(model.loss(torch.X, target)).toBeLessThan(before);
  });
});

describe("loadONNX reads other writers' forms", () => {
  const f64 = (name: string, dims: number[], values: number[]): TensorProto => ({ name, dims, dataType: DT.DOUBLE, doubleData: values });
  const n = (name: string, opType: string, inputs: string[], outputs: string[], attributes: NodeProto['attributes'] = []): NodeProto => ({ name, opType, domain: '', inputs, outputs, attributes });
  const B1 = [0.5, -1.25, 0.75, 2, -0.5, 1.5]; // [2, 3], float32-exact, as float_data
  const C1 = [0.1, -0.2, 0.3];
  const B2 = [0.3, -0.7, 1.1, 0.2, -0.4, 0.9]; // [3, 2]
  const B3 = [1.5, -2, 0.5, 1]; // [2, 2]
  const b3 = [-0.25, 0.125];
  const c = [1, -1];

  const bytes = encodeModel({
    irVersion: 7, opsetImport: [{ domain: '', version: 13 }], producerName: 'hand', producerVersion: '1',
    graph: {
      name: 'forms',
      nodes: [
        n('/scale/Constant', 'Constant', [], ['k'], [{ name: 'value_floats', type: AT.FLOATS, floats: [0.25] }]),
        n('/scale/Mul', 'Mul', ['k', 'x'], ['xs']),
        n('/id/Identity', 'Identity', ['xs'], ['xi']),
        n('/l0/Gemm', 'Gemm', ['xi', 'B1', 'C1'], ['z1'], [{ name: 'alpha', type: AT.FLOAT, f: 0.5 }, { name: 'beta', type: AT.FLOAT, f: 2 }]),
        n('/l0/Neg', 'Neg', ['z1'], ['nz1']),
        n('/l0/Exp', 'Exp', ['nz1'], ['e1']),
        n('/l0/Add', 'Add', ['e1', 'one'], ['d1']),
        n('/l0/Div', 'Div', ['one', 'd1'], ['a1']),
        n('/l1/MatMul', 'MatMul', ['a1', 'B2'], ['z2']),
        n('/l1/Abs', 'Abs', ['z2'], ['abs2']),
        n('/l1/Neg', 'Neg', ['abs2'], ['n2']),
        n('/l1/Exp', 'Exp', ['n2'], ['e2']),
        n('/l1/Add', 'Add', ['one', 'e2'], ['u2']),
        n('/l1/Log', 'Log', ['u2'], ['log2']),
        n('/l1/Relu', 'Relu', ['z2'], ['r2']),
        n('/l1/Sum', 'Add', ['log2', 'r2'], ['a2']),
        n('/l2/MatMul', 'MatMul', ['a2', 'B3'], ['m3']),
        n('/l2/Add', 'Add', ['b3', 'm3'], ['z3']),
        n('/l2/Less', 'Less', ['z3', 'zero'], ['neg3']),
        n('/l2/Mul', 'Mul', ['slope', 'z3'], ['s3']),
        n('/l2/Where', 'Where', ['neg3', 's3', 'z3'], ['a3']),
        n('/out/Sub', 'Sub', ['a3', 'c'], ['y']),
      ],
      initializers: [
        { name: 'B1', dims: [2, 3], dataType: DT.FLOAT, floatData: B1 },
        f64('C1', [3], C1), f64('B2', [3, 2], B2), f64('B3', [2, 2], B3), f64('b3', [1, 2], b3), f64('c', [2], c),
        f64('one', [], [1]), f64('zero', [], [0]), f64('slope', [], [0.2]),
      ],
      inputs: [{ name: 'x', elemType: DT.DOUBLE, dims: ['N', 2] }],
      outputs: [{ name: 'y', elemType: DT.DOUBLE, dims: ['N', 2] }],
    },
    metadata: [],
  });

  /** The same network computed here, formula by formula. */
  function reference(x: number[]): number[] {
    const xs = x.map((v) => v * 0.25);
    const z1 = [0, 1, 2].map((j) => xs[0] * 0.5 * B1[j] + xs[1] * 0.5 * B1[3 + j] + 2 * C1[j]);
    const a1 = z1.map((z) => 1 / (1 + Math.exp(-z)));
    const z2 = [0, 1].map((k) => a1[0] * B2[k] + a1[1] * B2[2 + k] + a1[2] * B2[4 + k]);
    const a2 = z2.map((z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))));
    const z3 = [0, 1].map((k) => a2[0] * B3[k] + a2[1] * B3[2 + k] + b3[k]);
    const a3 = z3.map((z) => (z < 0 ? 0.2 * z : z));
    return a3.map((v, k) => v - c[k]);
  }

  it('Gemm with transB = 0, alpha and beta; MatMul with and without Add; Constant, Identity; double_data and float_data; expanded activations; scaling by a power of two', async () => {
    const model = await loadONNX(bytes);
    expect(model.spec.layers.map((l) => l.activation)).toEqual(['sigmoid', 'softplus', 'leaky_relu']);
    expect(model.spec.layers[2].slope).toBe(0.2);
    expect(model.getNormalization()).toMatchObject({ inputs: { kind: 'standardize', a: [0, 0], b: [4, 4] }, targets: { kind: 'standardize', a: [-1, 1], b: [1, 1] } });
    expect(model.getParams()[0]).toEqual({ W: [[0.25, 1], [-0.625, -0.25], [0.375, 0.75]], b: [0.2, -0.4, 0.6] });
    const rand = mulberry32(9);
    const X = Array.from({ length: 50 }, () => [40 * rand() - 20, 40 * rand() - 20]);
    const y = model.predict(X);
    expect(worstRelative(y.flat(), X.flatMap(reference), 1e-6)).toBeLessThanOrEqual(1e-12);
  });
});
