// Classifiers know their classes: labels in place of one-hot targets (the same bits), predictClasses,
// predictProba in the order of the classes, evaluate's scores, and the classes and names saved.
import { describe, expect, it } from 'vitest';
import { createModel, DataError, FormatError, loadModel, loadONNX, OptionsError, readONNXMetadata, SpecError, toONNX, type ModelSpec } from '../src/index.js';
import { ENGINES } from './helpers/engines.js';
import { expectTypedError } from './helpers/errors.js';
import { mulberry32 } from './helpers/random.js';

const rand = mulberry32(31);
const CENTRES: Record<string, [number, number]> = { setosa: [-2, 0], versicolor: [1, 1.5], virginica: [1.5, -1.5] };
const NAMES = Object.keys(CENTRES);
const labels: string[] = Array.from({ length: 90 }, (_, i) => NAMES[(i * 7) % 3]);
const X = labels.map((l) => CENTRES[l].map((c) => c + (rand() - 0.5) * 1.6));
const oneHot = labels.map((l) => NAMES.map((n) => (n === l ? 1 : 0)));
const SPEC: ModelSpec = { inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cce', seed: 3 };
const FIT = { epochs: 30, batchSize: 10, learningRate: 0.1 };
const bytes = (a: Float64Array): string => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).join(',');

describe.each(ENGINES)('a classifier on the %s engine', (engine) => {
  it('takes labels (its classes are their sorted unique values) and predicts labels, in a few lines', async () => {
    const model = await createModel({ ...SPEC, engine });
    model.fit(X, labels, FIT);
    expect(model.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const predicted = model.predictClasses(X);
    const report = model.evaluate(X, labels);
    expect(report.task).toBe('classification');
    if (report.task !== 'classification') return;
    const right = predicted.filter((p, i) => p === labels[i]).length;
    expect(report.correct).toBe(right);
    expect(report.accuracy).toBe(right / labels.length);
    expect(report.accuracy).toBeGreaterThan(0.9);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(labels.length);
    expect(report.support).toEqual([30, 30, 30]);
    expect(report.classes).toEqual(['setosa', 'versicolor', 'virginica']);
  });

  it('trains the same bits on labels as on the one-hot rows they stand for, with validation labels too', async () => {
    const a = await createModel({ ...SPEC, engine });
    const b = await createModel({ ...SPEC, engine });
    const ha = a.fit(X.slice(0, 60), labels.slice(0, 60), { ...FIT, validationData: [X.slice(60), labels.slice(60)] });
    const hb = b.fit(X.slice(0, 60), oneHot.slice(0, 60), { ...FIT, validationData: [X.slice(60), oneHot.slice(60)] });
    expect(bytes(a.getParamsFlat())).toBe(bytes(b.getParamsFlat()));
    expect(ha.valLoss).toEqual(hb.valLoss);
    expect(Object.is(a.loss(X, labels), b.loss(X, oneHot))).toBe(true);
    expect(bytes(a.gradients(X, labels).gradsFlat)).toBe(bytes(b.gradients(X, oneHot).gradsFlat));
    // b learned no classes from one-hot rows; evaluate on one-hot rows needs them
    expect(b.classes).toBeNull();
    expectTypedError(() => b.evaluate(X, oneHot), OptionsError, 'evaluate', /does not know its classes/);
  });

  it('gives probabilities in the order of the classes (spec order, not sorted) and the most probable class', async () => {
    const model = await createModel({ ...SPEC, engine, classes: ['virginica', 'setosa', 'versicolor'] });
    model.fit(X, labels, FIT);
    expect(model.classes).toEqual(['virginica', 'setosa', 'versicolor']);
    const proba = model.predictProba(X);
    const raw = model.predict(X);
    expect(proba).toEqual(raw); // a softmax model's probabilities are its outputs
    const predicted = model.predictClasses(X);
    proba.forEach((row, r) => {
      const best = row.indexOf(Math.max(...row));
      expect(predicted[r]).toBe(model.classes?.[best]);
    });
    const flat = model.predictProba(new Float64Array(X.flat()));
    expect(flat).toBeInstanceOf(Float64Array);
    expect(Array.from(flat)).toEqual(raw.flat());
  });

  it('binary: one sigmoid output with bce, the unit being the probability of the second class', async () => {
    const y = X.map(([a, b]) => (a + b > 0 ? 'yes' : 'no'));
    const model = await createModel({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'bce', engine, seed: 5 });
    model.fit(X, y, FIT);
    expect(model.classes).toEqual(['no', 'yes']);
    const p = model.predict(X).map((r) => r[0]);
    const proba = model.predictProba(X);
    proba.forEach((row, r) => expect(row).toEqual([1 - p[r], p[r]]));
    expect(model.predictClasses(X)).toEqual(p.map((v) => (v > 0.5 ? 'yes' : 'no')));
    // the same bits as 0/1 targets
    const twin = await createModel({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'bce', engine, seed: 5 });
    twin.fit(X, y.map((v) => [v === 'yes' ? 1 : 0]), FIT);
    expect(bytes(twin.getParamsFlat())).toBe(bytes(model.getParamsFlat()));
  });

  it('binary: two softmax outputs; numeric labels sort as numbers', async () => {
    const y = X.map(([a]) => (a > 0 ? 10 : 2));
    const model = await createModel({ inputs: 2, layers: [{ units: 2, activation: 'softmax' }], loss: 'cce', engine });
    model.fit(X, y, FIT);
    expect(model.classes).toEqual([2, 10]);
    expect(new Set(model.predictClasses(X))).toEqual(new Set([2, 10]));
  });

  it('refuses what is not a label of the model, and a failed first fit learns no classes', async () => {
    const model = await createModel({ ...SPEC, engine });
    expectTypedError(() => model.fit(X.slice(0, 4), ['setosa', 'versicolor', 'setosa', 'setosa'], FIT), DataError, 'Y', /2 distinct values .* 3 classes/);
    expect(model.classes).toBeNull();
    expectTypedError(() => model.fit(X, labels, { ...FIT, epochs: -1 }), OptionsError, 'options.epochs');
    expect(model.classes).toBeNull();
    expectTypedError(() => model.fit(X.slice(0, 3), ['setosa', 2, 'virginica'] as never, FIT), DataError, 'Y[1]', /all strings or all numbers/);
    model.fit(X, labels, FIT);
    expectTypedError(() => model.evaluate(X.slice(0, 2), ['setosa', 'rose']), DataError, 'Y[1]', /"rose" is not one of the model's classes \("setosa", "versicolor", "virginica"\)/);
    expectTypedError(() => model.loss(X.slice(0, 2), ['setosa', '']), DataError, 'Y[1]', /a non-empty string/);
    const regressor = await createModel({ inputs: 2, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', engine });
    expectTypedError(() => regressor.fit(X, labels, FIT), OptionsError, 'Y', /needs a classifier/);
    expectTypedError(() => regressor.predictClasses(X), OptionsError, 'predictClasses', /needs a classifier/);
  });

  it('checks classes and names in the spec and in setNames', async () => {
    await expect(createModel({ ...SPEC, engine, classes: ['a', 'b'] })).rejects.toThrow(SpecError);
    await expect(createModel({ ...SPEC, engine, classes: ['a', 'b', 'a'] })).rejects.toThrow(/classes\[2\]: "a" is also classes\[0\]/);
    await expect(createModel({ ...SPEC, engine, inputNames: ['x'] })).rejects.toThrow(/inputNames: expected 2 input names/);
    await expect(createModel({ inputs: 2, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', engine, classes: [0, 1] })).rejects.toThrow(/classes need a classifier/);
    const model = await createModel({ ...SPEC, engine });
    expectTypedError(() => model.setNames({ inputs: ['a', 'b'], clases: ['x'] } as never), OptionsError, 'names.clases', /did you mean "classes"/);
    model.setNames({ inputs: ['sepal', 'petal'] });
    expect(model.names).toEqual({ inputs: ['sepal', 'petal'], targets: null, classes: null });
    model.setNames({ classes: ['p', 'q', 'r'] });
    expect(model.names.inputs).toEqual(['sepal', 'petal']);
    model.setNames({ inputs: null });
    expect(model.names).toEqual({ inputs: null, targets: null, classes: ['p', 'q', 'r'] });
  });
});

describe('classes and names are saved', () => {
  it('travel through toJSON and loadModel, checksummed', async () => {
    const model = await createModel({ ...SPEC, engine: 'ts', inputNames: ['sepal', 'petal'] });
    model.fit(X, labels, FIT);
    const json = model.toJSON();
    expect(json.names).toEqual({ inputs: ['sepal', 'petal'], classes: ['setosa', 'versicolor', 'virginica'] });
    const back = await loadModel(JSON.stringify(json));
    expect(back.names).toEqual(model.names);
    expect(back.predictClasses(X)).toEqual(model.predictClasses(X));
    const swapped = structuredClone(json);
    swapped.names!.classes = ['versicolor', 'setosa', 'virginica'];
    await expect(loadModel(swapped)).rejects.toThrow(FormatError);
    await expect(loadModel(swapped)).rejects.toThrow(/names: the checksum does not match/);
    const removed = structuredClone(json);
    delete removed.names;
    delete removed.checksums!.names;
    await expect(loadModel(removed)).rejects.toThrow(/names: the model was saved with names/);
    const bad = structuredClone(json);
    bad.names!.classes = ['a', 'b'];
    await expect(loadModel(bad)).rejects.toThrow(/names.classes: expected 3 labels/);
  });

  it('travel through ONNX metadata (wasmlp.names), checked against the model read', async () => {
    const model = await createModel({ ...SPEC, engine: 'ts', inputNames: ['sepal', 'petal'] });
    model.fit(X, labels, FIT);
    const bytes = toONNX(model);
    expect(JSON.parse(readONNXMetadata(bytes)['wasmlp.names'])).toEqual({ inputs: ['sepal', 'petal'], classes: ['setosa', 'versicolor', 'virginica'] });
    const back = await loadONNX(bytes, { engine: 'ts' });
    expect(back.names).toEqual(model.names);
    expect(back.predictClasses(X)).toEqual(model.predictClasses(X));
    // a key of the names object changed in place (same length): refused, naming the key
    const text = new TextDecoder('latin1').decode(bytes);
    const at = text.indexOf('"inputs"');
    expect(at).toBeGreaterThan(0);
    const bad = bytes.slice();
    bad.set(new TextEncoder().encode('"inputz"'), at);
    await expect(loadONNX(bad)).rejects.toThrow(FormatError);
    await expect(loadONNX(bad)).rejects.toThrow(/metadata wasmlp.names.inputz: unknown field/);
  });
});
