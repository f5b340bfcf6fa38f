// loadONNX on PyTorch's own files (test/fixtures/onnx, made by make_fixtures.py with torch.onnx.export
// at opset 17, float64 and float32): wasmlp's predictions agree with what PyTorch computed in float64.
import { describe, expect, it } from 'vitest';
import { loadONNX } from '../src/index.js';
import { fixture, torchOutputs, worstRelative } from './helpers/onnx.js';

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
