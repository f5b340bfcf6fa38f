// Every bad input gets a typed error: its class (and no other of the hierarchy), its stable `code`, a
// `path` naming the fault, a message that locates it (layer, row, column, field, the valid names), and
// `expected` / `received`. Calls on an existing model that fail leave it exactly as it was (parameter
// bytes, outputs, loss) and it keeps working.
import { describe, expect, it } from 'vitest';
import {
  createModel,
  createModelSync,
  DataError,
  EngineError,
  OptionsError,
  ParamsError,
  SpecError,
  WasmlpError,
  type LayerParams,
  type MatrixInput,
  type Model,
  type ModelSpec,
} from '../src/index.js';
import { ENGINES } from './helpers/engines.js';

type ErrorClass = typeof SpecError;
const CLASSES: ErrorClass[] = [SpecError, DataError, ParamsError, OptionsError, EngineError];

// The valid names, as the README and the spec define them.
const ACTIVATION_NAMES = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'softplus', 'identity', 'softmax'];
const LOSS_NAMES = ['ssr', 'half_se', 'mse', 'bce', 'cce'];
const INIT_NAMES = ['auto', 'glorot', 'he'];
const ENGINE_NAMES = ['wasm', 'ts'];

interface Want {
  /** The exact `path`; the message must contain it too (or `where`, when given). */
  path?: string;
  /** What of the path the message must contain, when it words the place differently. */
  where?: string;
  /** Words the message must contain. */
  words?: string[];
}

function expectTyped(err: unknown, cls: ErrorClass, code: string, want: Want = {}): void {
  if (!(err instanceof WasmlpError)) {
    expect.fail(`expected ${cls.name} ${code}, got ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : `no error (${String(err)})`}`);
  }
  expect(err).toBeInstanceOf(Error);
  expect(err, `${err.name} ${err.code}: ${err.message}`).toBeInstanceOf(cls);
  for (const other of CLASSES) if (other !== cls) expect(err).not.toBeInstanceOf(other);
  expect(err.name).toBe(cls.name);
  expect(err.code, err.message).toBe(code);
  if (want.path !== undefined) {
    expect(err.path, err.message).toBe(want.path);
    expect(err.message).toContain(want.where ?? want.path);
  }
  for (const word of want.words ?? []) expect(err.message).toContain(word);
  expect(typeof err.expected === 'string' && err.expected.length > 0, 'expected is described').toBe(true);
  expect(typeof err.received === 'string' && err.received.length > 0, 'received is described').toBe(true);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

async function rejected(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

const bytes = (a: Float64Array) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

/** A spec the tests bend: bad values are given as `unknown` on purpose. */
const bad = (spec: unknown) => spec as ModelSpec;

// ---------------------------------------------------------------------------------------------------

describe.each(ENGINES)('spec validation on the %s engine', (engine) => {
  const base = (): Record<string, unknown> => ({
    inputs: 2,
    layers: [
      { units: 3, activation: 'tanh' },
      { units: 2, activation: 'sigmoid' },
    ],
    loss: 'mse',
    engine,
  });
  const withLayer = (index: number, layer: unknown) => {
    const spec = base();
    (spec.layers as unknown[])[index] = layer;
    return spec;
  };

  /** createModel rejects and createModelSync throws the same typed error. */
  async function expectSpecError(spec: unknown, code: string, want: Want): Promise<void> {
    expectTyped(await rejected(() => createModel(bad(spec))), SpecError, code, want);
    expectTyped(thrown(() => createModelSync(bad(spec))), SpecError, code, want);
  }

  it('the base spec is valid', async () => {
    const model = await createModel(bad(base()));
    expect(model.forward([[0.5, -0.5]])[0]).toHaveLength(2);
    model.dispose();
  });

  it('a spec that is not an object', async () => {
    for (const spec of [null, undefined, 3, 'model']) await expectSpecError(spec, 'BAD_SPEC', { path: 'spec' });
  });

  it('unknown activation: names the layer and lists the valid names', async () => {
    await expectSpecError(withLayer(1, { units: 2, activation: 'sigmod' }), 'UNKNOWN_ACTIVATION', {
      path: 'layers[1].activation',
      words: ['"sigmod"', ...ACTIVATION_NAMES],
    });
    await expectSpecError(withLayer(0, { units: 3 }), 'UNKNOWN_ACTIVATION', { path: 'layers[0].activation', words: ['undefined', ...ACTIVATION_NAMES] });
    await expectSpecError(withLayer(0, { units: 3, activation: 'ReLU' }), 'UNKNOWN_ACTIVATION', { path: 'layers[0].activation', words: ['"ReLU"'] });
  });

  it('unknown loss: lists the valid names', async () => {
    for (const loss of ['cross_entropy', 'MSE', undefined, 3]) {
      await expectSpecError({ ...base(), loss }, 'UNKNOWN_LOSS', { path: 'loss', words: LOSS_NAMES });
    }
    const err = await rejected(() => createModel(bad({ ...base(), loss: 'cross_entropy' })));
    expectTyped(err, SpecError, 'UNKNOWN_LOSS', { words: ['"cross_entropy"'] });
  });

  it('softmax on a hidden layer', async () => {
    await expectSpecError(withLayer(0, { units: 3, activation: 'softmax' }), 'SOFTMAX_NOT_OUTPUT', {
      path: 'layers[0].activation',
      words: ['softmax', 'hidden layer 0', 'output layer'],
    });
    const spec = base();
    spec.layers = [{ units: 3, activation: 'tanh' }, { units: 3, activation: 'softmax' }, { units: 2, activation: 'softmax' }];
    await expectSpecError(spec, 'SOFTMAX_NOT_OUTPUT', { path: 'layers[1].activation', words: ['hidden layer 1', 'layer 2'] });
  });

  it('softmax over one unit', async () => {
    await expectSpecError(withLayer(1, { units: 1, activation: 'softmax' }), 'SOFTMAX_ONE_UNIT', { path: 'layers[1].units', words: ['2 units'] });
  });

  it.each([
    ['0', 0],
    ['negative', -2],
    ['2.5', 2.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['"3"', '3'],
    ['missing', undefined],
  ])('units %s', async (shown, units) => {
    await expectSpecError(withLayer(1, { units, activation: 'sigmoid' }), 'BAD_UNITS', {
      path: 'layers[1].units',
      words: ['positive integer', shown === 'negative' ? '-2' : shown === 'missing' ? 'undefined' : shown],
    });
  });

  it.each([
    ['0', 0],
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', NaN],
    ['"2"', '2'],
    ['undefined', undefined],
  ])('inputs %s', async (shown, inputs) => {
    await expectSpecError({ ...base(), inputs }, 'BAD_INPUTS', { path: 'inputs', words: ['positive integer', shown] });
  });

  it('empty or missing layers', async () => {
    for (const layers of [[], undefined, null, {}, 'dense']) {
      await expectSpecError({ ...base(), layers }, 'NO_LAYERS', { path: 'layers', words: ['non-empty'] });
    }
  });

  it('a layer that is not an object', async () => {
    await expectSpecError(withLayer(1, null), 'BAD_LAYER', { path: 'layers[1]' });
    await expectSpecError(withLayer(0, 4), 'BAD_LAYER', { path: 'layers[0]' });
  });

  it('a hole in the layers array is a missing layer, named by its index', async () => {
    // eslint-disable-next-line no-sparse-arrays
    await expectSpecError({ ...base(), layers: [, { units: 2, activation: 'sigmoid' }] }, 'BAD_LAYER', { path: 'layers[0]', words: ['undefined'] });
    await expectSpecError({ ...base(), layers: new Array(2) }, 'BAD_LAYER', { path: 'layers[0]' });
    const spec = base();
    (spec.layers as unknown[]).length = 3; // layers[2] is a hole
    await expectSpecError(spec, 'BAD_LAYER', { path: 'layers[2]' });
  });

  it('bce needs a sigmoid output, cce a softmax output', async () => {
    // the message names the loss and the output layer (`layers[1] is identity`)
    await expectSpecError({ ...withLayer(1, { units: 2, activation: 'identity' }), loss: 'bce' }, 'LOSS_NEEDS_OUTPUT', {
      path: 'layers[1].activation',
      where: 'layers[1] is identity',
      words: ['bce', 'sigmoid', 'plainLoss'],
    });
    await expectSpecError({ ...withLayer(1, { units: 2, activation: 'softmax' }), loss: 'bce' }, 'LOSS_NEEDS_OUTPUT', {
      path: 'layers[1].activation',
      where: 'layers[1] is softmax',
      words: ['bce', 'sigmoid', 'plainLoss'],
    });
    await expectSpecError({ ...base(), loss: 'cce' }, 'LOSS_NEEDS_OUTPUT', {
      path: 'layers[1].activation',
      where: 'layers[1] is sigmoid',
      words: ['cce', 'softmax', 'plainLoss'],
    });
    const deeper = base();
    deeper.layers = [{ units: 3, activation: 'tanh' }, { units: 3, activation: 'relu' }, { units: 2, activation: 'tanh' }];
    await expectSpecError({ ...deeper, loss: 'cce', plainLoss: false }, 'LOSS_NEEDS_OUTPUT', { path: 'layers[2].activation', where: 'layers[2] is tanh' });
  });

  it('plainLoss: true accepts bce on a softmax output and cce on a sigmoid output (plain formulas)', async () => {
    // all parameters 0: every sigmoid output is 1/2, every softmax over 2 units is [1/2, 1/2]
    const zero: LayerParams[] = [
      { W: [[0, 0], [0, 0], [0, 0]], b: [0, 0, 0] },
      { W: [[0, 0, 0], [0, 0, 0]], b: [0, 0] },
    ];
    const bceSoftmax = await createModel(bad({ ...withLayer(1, { units: 2, activation: 'softmax' }), loss: 'bce', plainLoss: true, params: zero }));
    // −1/(N K) Σ [t log a + (1 − t) log(1 − a)] with a = 1/2: log 2 for any t
    expect(bceSoftmax.loss([[1, 2]], [[1, 0]])).toBeCloseTo(Math.LN2, 14);
    bceSoftmax.dispose();
    const cceSigmoid = await createModel(bad({ ...base(), loss: 'cce', plainLoss: true, params: zero }));
    // −1/N Σ t log a with a = 1/2, Σ t = 1: log 2
    expect(cceSigmoid.loss([[1, 2]], [[0.25, 0.75]])).toBeCloseTo(Math.LN2, 14);
    cceSigmoid.dispose();
    const bceIdentity = await createModel(bad({ ...withLayer(1, { units: 2, activation: 'identity' }), loss: 'bce', plainLoss: true }));
    expect(bceIdentity.outputs).toBe(2);
    bceIdentity.dispose();
  });

  it('plainLoss that is not a boolean', async () => {
    await expectSpecError({ ...base(), plainLoss: 'yes' }, 'BAD_PLAIN_LOSS', { path: 'plainLoss', words: ['"yes"'] });
  });

  it.each([
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', NaN],
    ['4294967296', 2 ** 32],
    ['"42"', '42'],
  ])('seed %s', async (shown, seed) => {
    await expectSpecError({ ...base(), seed }, 'BAD_SEED', { path: 'seed', words: ['4294967295', shown] });
  });

  it('seeds 0 and 2^32 − 1 are valid', async () => {
    for (const seed of [0, 2 ** 32 - 1]) (await createModel(bad({ ...base(), seed }))).dispose();
  });

  it('unknown init: lists the valid names', async () => {
    await expectSpecError({ ...base(), init: 'xavier' }, 'UNKNOWN_INIT', { path: 'init', words: ['"xavier"', ...INIT_NAMES] });
  });

  it('unknown engine: lists the valid names', async () => {
    await expectSpecError({ ...base(), engine: 'gpu' }, 'UNKNOWN_ENGINE', { path: 'engine', words: ['"gpu"', ...ENGINE_NAMES] });
  });

  it('slope on a layer that is not leaky_relu', async () => {
    await expectSpecError(withLayer(0, { units: 3, activation: 'tanh', slope: 0.1 }), 'SLOPE_WITHOUT_LEAKY', {
      path: 'layers[0].slope',
      words: ['leaky_relu', 'tanh'],
    });
    await expectSpecError(withLayer(1, { units: 2, activation: 'relu', slope: 0.01 }), 'SLOPE_WITHOUT_LEAKY', { path: 'layers[1].slope', words: ['relu'] });
  });

  it('a slope that is not a finite number', async () => {
    for (const [shown, slope] of [['NaN', NaN], ['Infinity', Infinity], ['"0.1"', '0.1']] as const) {
      await expectSpecError(withLayer(0, { units: 3, activation: 'leaky_relu', slope }), 'BAD_SLOPE', { path: 'layers[0].slope', words: [shown] });
    }
  });
});

// ---------------------------------------------------------------------------------------------------

describe.each(ENGINES)('data validation on the %s engine', (engine) => {
  // 2 inputs, 2 outputs; X and Y of 3 rows
  const spec: ModelSpec = {
    inputs: 2,
    layers: [
      { units: 3, activation: 'tanh' },
      { units: 2, activation: 'identity' },
    ],
    loss: 'mse',
    seed: 7,
    engine,
  };
  const X = [[0.5, -1], [1.5, 0.25], [-0.75, 2]];
  const Y = [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]];

  interface Snapshot {
    params: number[];
    out: number[][];
    loss: number;
    grads: number[];
  }
  const snapshot = (model: Model): Snapshot => ({
    params: bytes(model.getParamsFlat()),
    out: model.forward(X),
    loss: model.loss(X, Y),
    grads: Array.from(model.gradients(X, Y).gradsFlat),
  });
  /** Parameters bit for bit as before, and the model computes exactly what it computed before. */
  function expectUnchanged(model: Model, before: Snapshot): void {
    expect(bytes(model.getParamsFlat()), 'parameter bytes').toEqual(before.params);
    expect(model.forward(X)).toEqual(before.out);
    expect(model.predict(X)).toEqual(before.out);
    expect(model.loss(X, Y)).toBe(before.loss);
    expect(Array.from(model.gradients(X, Y).gradsFlat)).toEqual(before.grads);
  }

  type Call = [string, (model: Model, x: MatrixInput, y: MatrixInput) => unknown];
  const X_CALLS: Call[] = [
    ['forward', (m, x) => m.forward(x)],
    ['predict', (m, x) => m.predict(x)],
    ['loss', (m, x, y) => m.loss(x, y)],
    ['gradients', (m, x, y) => m.gradients(x, y)],
    ['gradCheck', (m, x, y) => m.gradCheck(x, y)],
  ];
  const Y_CALLS = X_CALLS.slice(2);

  const nan = (rows: number[][], r: number, c: number, v: unknown) => rows.map((row, i) => row.map((x, j) => (i === r && j === c ? v : x))) as number[][];

  const X_CASES: [string, unknown, string, Want][] = [
    ['ragged (row 2 short)', [[1, 2], [3, 4], [5]], 'RAGGED', { path: 'X[2]', words: ['row 2', 'ragged', '2 values'] }],
    ['ragged (row 1 long)', [[1, 2], [3, 4, 5], [6, 7]], 'RAGGED', { path: 'X[1]', words: ['row 1', 'ragged', '3 values'] }],
    ['wrong width', [[1, 2, 3], [4, 5, 6], [7, 8, 9]], 'WRONG_WIDTH', { path: 'X[0]', words: ['2 values', '3 values'] }],
    ['NaN', nan(X, 2, 1, NaN), 'NON_FINITE', { path: 'X[2][1]', words: ['NaN', 'row 2', 'column 1'] }],
    ['Infinity', nan(X, 1, 0, Infinity), 'NON_FINITE', { path: 'X[1][0]', words: ['Infinity', 'row 1', 'column 0'] }],
    ['-Infinity', nan(X, 0, 1, -Infinity), 'NON_FINITE', { path: 'X[0][1]', words: ['-Infinity', 'row 0', 'column 1'] }],
    ['a string', nan(X, 2, 0, '7'), 'NON_FINITE', { path: 'X[2][0]', words: ['"7"', 'row 2', 'column 0'] }],
    ['null', nan(X, 1, 1, null), 'NON_FINITE', { path: 'X[1][1]', words: ['null', 'row 1', 'column 1'] }],
    // eslint-disable-next-line no-sparse-arrays
    ['a hole', [[1, 2], [3, , ], [5, 6]], 'NON_FINITE', { path: 'X[1][1]', words: ['undefined', 'row 1', 'column 1'] }],
    ['the first of several faults', [[1, 2], [3, NaN], [Infinity, 4]], 'NON_FINITE', { path: 'X[1][1]', words: ['NaN'] }],
    ['empty', [], 'EMPTY_DATA', { path: 'X', words: ['at least one row'] }],
    ['empty flat', new Float64Array(0), 'EMPTY_DATA', { path: 'X' }],
    ['flat, length not a multiple of the width', new Float64Array([1, 2, 3, 4, 5]), 'WRONG_WIDTH', { path: 'X', words: ['5', '2 values'] }],
    ['flat with NaN', new Float64Array([1, 2, 3, 4, 5, NaN]), 'NON_FINITE', { path: 'X[2][1]', words: ['NaN', 'row 2', 'column 1'] }],
    ['flat with -Infinity', new Float64Array([1, 2, -Infinity, 4, 5, 6]), 'NON_FINITE', { path: 'X[1][0]', words: ['-Infinity', 'row 1', 'column 0'] }],
    ['{ data, rows } with the wrong row count', { data: new Float64Array(6), rows: 2 }, 'WRONG_WIDTH', { path: 'X.rows' }],
    ['{ data, rows } with fractional rows', { data: new Float64Array(6), rows: 1.5 }, 'BAD_ROWS', { path: 'X.rows' }],
    ['{ data } that is not a Float64Array', { data: [1, 2, 3, 4, 5, 6], rows: 3 }, 'BAD_DATA', { path: 'X.data' }],
    ['not rows', 'x', 'BAD_DATA', { path: 'X' }],
    ['null', null, 'BAD_DATA', { path: 'X' }],
    ['a row that is not an array', [[1, 2], 5, [3, 4]], 'BAD_ROW', { path: 'X[1]', words: ['row 1'] }],
  ];

  const Y_CASES: [string, unknown, string, Want][] = [
    ['wrong width', [[1], [2], [3]], 'WRONG_WIDTH', { path: 'Y[0]', words: ['2 values', '1 values'] }],
    ['ragged', [[1, 2], [3, 4], [5, 6, 7]], 'RAGGED', { path: 'Y[2]', words: ['row 2'] }],
    ['fewer rows than X', [[1, 2], [3, 4]], 'ROW_COUNT_MISMATCH', { path: 'Y', words: ['3 rows', '2'] }],
    ['more rows than X', [[1, 2], [3, 4], [5, 6], [7, 8]], 'ROW_COUNT_MISMATCH', { path: 'Y', words: ['3 rows', '4'] }],
    ['flat, fewer rows than X', new Float64Array([1, 2, 3, 4]), 'ROW_COUNT_MISMATCH', { path: 'Y' }],
    ['NaN', nan(Y, 1, 0, NaN), 'NON_FINITE', { path: 'Y[1][0]', words: ['NaN', 'row 1', 'column 0'] }],
    ['Infinity', nan(Y, 2, 1, Infinity), 'NON_FINITE', { path: 'Y[2][1]', words: ['Infinity', 'row 2', 'column 1'] }],
    ['-Infinity', nan(Y, 0, 0, -Infinity), 'NON_FINITE', { path: 'Y[0][0]', words: ['-Infinity', 'row 0', 'column 0'] }],
    ['a string', nan(Y, 2, 1, 'one'), 'NON_FINITE', { path: 'Y[2][1]', words: ['"one"', 'row 2', 'column 1'] }],
    ['empty', [], 'EMPTY_DATA', { path: 'Y' }],
    ['flat, length not a multiple of the width', new Float64Array([1, 2, 3, 4, 5]), 'WRONG_WIDTH', { path: 'Y', words: ['5'] }],
  ];

  for (const [what, x, code, want] of X_CASES) {
    it.each(X_CALLS)(`X ${what}: %s`, async (_name, call) => {
      const model = await createModel(spec);
      const before = snapshot(model);
      expectTyped(thrown(() => call(model, x as MatrixInput, Y)), DataError, code, want);
      expectUnchanged(model, before);
      model.dispose();
    });
  }

  for (const [what, y, code, want] of Y_CASES) {
    it.each(Y_CALLS)(`Y ${what}: %s`, async (_name, call) => {
      const model = await createModel(spec);
      const before = snapshot(model);
      expectTyped(thrown(() => call(model, X, y as MatrixInput)), DataError, code, want);
      expectUnchanged(model, before);
      model.dispose();
    });
  }

  it('X is checked before Y', async () => {
    const model = await createModel(spec);
    expectTyped(thrown(() => model.loss([[1, NaN]], [[NaN, 1]])), DataError, 'NON_FINITE', { path: 'X[0][1]' });
    model.dispose();
  });

  it('the same data in every accepted form are accepted', async () => {
    const model = await createModel(spec);
    const before = snapshot(model);
    const flatX = new Float64Array(X.flat());
    expect(Array.from(model.forward(flatX))).toEqual(before.out.flat());
    expect(model.loss({ data: flatX, rows: 3 }, new Float64Array(Y.flat()))).toBe(before.loss);
    model.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------

describe.each(ENGINES)('parameter validation on the %s engine', (engine) => {
  // 2 → 3 (tanh) → 2 (identity): W0 3×2, b0 3, W1 2×3, b1 2; 17 parameters
  const spec: ModelSpec = {
    inputs: 2,
    layers: [
      { units: 3, activation: 'tanh' },
      { units: 2, activation: 'identity' },
    ],
    loss: 'mse',
    engine,
  };
  const good = (): LayerParams[] => [
    { W: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], b: [0.7, 0.8, 0.9] },
    { W: [[-0.1, -0.2, -0.3], [-0.4, -0.5, -0.6]], b: [-0.7, -0.8] },
  ];
  const goodFlat = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, -0.1, -0.2, -0.3, -0.4, -0.5, -0.6, -0.7, -0.8];
  const edit = (f: (p: LayerParams[]) => void): LayerParams[] => {
    const p = good();
    f(p);
    return p;
  };
  const flatWith = (i: number, v: number) => {
    const f = new Float64Array(goodFlat);
    f[i] = v;
    return f;
  };
  /* eslint-disable no-sparse-arrays */
  const CASES: [string, unknown, string, Want][] = [
    ['one layer too few', good().slice(0, 1), 'PARAMS_SHAPE', { path: 'params', words: ['2 { W, b }', 'an array of length 1'] }],
    ['one layer too many', [...good(), good()[1]], 'PARAMS_SHAPE', { path: 'params', words: ['2 { W, b }', 'an array of length 3'] }],
    ['not an array', { W: [], b: [] }, 'PARAMS_SHAPE', { path: 'params' }],
    ['a layer that is not an object', edit((p) => ((p as unknown[])[1] = null)), 'PARAMS_SHAPE', { path: 'params[1]' }],
    ['W with too many rows', edit((p) => p[1].W.push([1, 2, 3])), 'PARAMS_SHAPE', { path: 'params[1].W', words: ['2 rows', 'layer 1', '3 weights'] }],
    ['W with too few rows', edit((p) => p[0].W.pop()), 'PARAMS_SHAPE', { path: 'params[0].W', words: ['3 rows', 'layer 0'] }],
    ['W missing', edit((p) => delete (p[1] as Partial<LayerParams>).W), 'PARAMS_SHAPE', { path: 'params[1].W' }],
    ['a W row too short', edit((p) => p[1].W[0].pop()), 'PARAMS_SHAPE', { path: 'params[1].W[0]', words: ['3 weights', 'layer 1'] }],
    ['a W row too long', edit((p) => p[0].W[2].push(1)), 'PARAMS_SHAPE', { path: 'params[0].W[2]', words: ['2 weights'] }],
    ['a W row that is not an array', edit((p) => ((p[1].W as unknown[])[1] = 5)), 'PARAMS_SHAPE', { path: 'params[1].W[1]' }],
    ['a hole for a W row', edit((p) => (p[1].W = [, [1, 2, 3]] as number[][])), 'PARAMS_SHAPE', { path: 'params[1].W[0]' }],
    ['b too long', edit((p) => p[1].b.push(0)), 'PARAMS_SHAPE', { path: 'params[1].b', words: ['2 biases', 'layer 1'] }],
    ['b too short', edit((p) => p[0].b.pop()), 'PARAMS_SHAPE', { path: 'params[0].b', words: ['3 biases'] }],
    ['NaN in W', edit((p) => (p[1].W[0][2] = NaN)), 'PARAMS_NON_FINITE', { path: 'params[1].W[0][2]', words: ['NaN'] }],
    ['Infinity in b', edit((p) => (p[0].b[2] = Infinity)), 'PARAMS_NON_FINITE', { path: 'params[0].b[2]', words: ['Infinity'] }],
    ['-Infinity in b', edit((p) => (p[1].b[0] = -Infinity)), 'PARAMS_NON_FINITE', { path: 'params[1].b[0]', words: ['-Infinity'] }],
    ['a string in W', edit((p) => ((p[0].W[2] as unknown[])[1] = '0.5')), 'PARAMS_NON_FINITE', { path: 'params[0].W[2][1]', words: ['"0.5"'] }],
    ['a hole in a W row', edit((p) => (p[1].W[0] = [1, , 3] as number[])), 'PARAMS_NON_FINITE', { path: 'params[1].W[0][1]', words: ['undefined'] }],
    ['a hole in b', edit((p) => (p[1].b = [, 1] as number[])), 'PARAMS_NON_FINITE', { path: 'params[1].b[0]', words: ['undefined'] }],
    ['flat, one too few', new Float64Array(16), 'PARAMS_SHAPE', { path: 'params', words: ['17'] }],
    ['flat, one too many', new Float64Array(18), 'PARAMS_SHAPE', { path: 'params', words: ['17'] }],
    ['flat with NaN', flatWith(9, NaN), 'PARAMS_NON_FINITE', { path: 'params[9]', words: ['NaN'] }],
    ['flat with Infinity', flatWith(16, Infinity), 'PARAMS_NON_FINITE', { path: 'params[16]', words: ['Infinity'] }],
  ];
  /* eslint-enable no-sparse-arrays */

  it('the good parameters are accepted in both forms, in the documented layout', async () => {
    const model = await createModel({ ...spec, params: good() });
    expect(Array.from(model.getParamsFlat())).toEqual(goodFlat);
    expect(model.getParams()).toEqual(good());
    const flatModel = await createModel({ ...spec, params: new Float64Array(goodFlat) as unknown as LayerParams[] });
    expect(Array.from(flatModel.getParamsFlat())).toEqual(goodFlat);
    model.dispose();
    flatModel.dispose();
  });

  it.each(CASES)('createModel: %s', async (_what, params, code, want) => {
    const err = await rejected(() => createModel({ ...spec, params: params as LayerParams[] }));
    expectTyped(err, ParamsError, code, want);
  });

  it.each(CASES)('setParams: %s (parameters unchanged, model still works)', async (_what, params, code, want) => {
    const model = await createModel({ ...spec, params: good() });
    const X = [[0.5, -1], [2, 0.25]];
    const Y = [[0.1, 0.2], [0.3, 0.4]];
    const before = bytes(model.getParamsFlat());
    const out = model.forward(X);
    const grads = Array.from(model.gradients(X, Y).gradsFlat);
    expectTyped(thrown(() => model.setParams(params as LayerParams[])), ParamsError, code, want);
    expect(bytes(model.getParamsFlat())).toEqual(before);
    expect(model.getParams()).toEqual(good());
    expect(model.forward(X)).toEqual(out);
    expect(Array.from(model.gradients(X, Y).gradsFlat)).toEqual(grads);
    // and a good setParams afterwards works
    const next = new Float64Array(goodFlat.map((v) => v * 2));
    model.setParams(next);
    expect(Array.from(model.getParamsFlat())).toEqual(Array.from(next));
    model.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------

describe.each(ENGINES)('gradCheck options on the %s engine', (engine) => {
  const spec: ModelSpec = { inputs: 2, layers: [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'bce', seed: 3, engine };
  const X = [[0.5, -1], [1, 2]];
  const Y = [[0.25], [0.75]];

  const CASES: [string, Record<string, unknown>, string, string][] = [
    ['epsilon 0', { epsilon: 0 }, 'options.epsilon', '0'],
    ['epsilon negative', { epsilon: -1e-6 }, 'options.epsilon', '-0.000001'],
    ['epsilon NaN', { epsilon: NaN }, 'options.epsilon', 'NaN'],
    ['epsilon Infinity', { epsilon: Infinity }, 'options.epsilon', 'Infinity'],
    ['epsilon a string', { epsilon: '1e-6' }, 'options.epsilon', '"1e-6"'],
    ['tolerance 0', { tolerance: 0 }, 'options.tolerance', '0'],
    ['tolerance negative', { tolerance: -1 }, 'options.tolerance', '-1'],
    ['tolerance NaN', { tolerance: NaN }, 'options.tolerance', 'NaN'],
    ['absoluteTolerance negative', { absoluteTolerance: -1e-9 }, 'options.absoluteTolerance', '-1e-9'],
    ['absoluteTolerance Infinity', { absoluteTolerance: Infinity }, 'options.absoluteTolerance', 'Infinity'],
  ];

  it.each(CASES)('%s', async (_what, options, path, shown) => {
    const model = await createModel(spec);
    const before = bytes(model.getParamsFlat());
    const out = model.forward(X);
    const err = thrown(() => model.gradCheck(X, Y, options as { epsilon?: number; tolerance?: number }));
    // absoluteTolerance may be 0; the others must be positive
    expectTyped(err, OptionsError, 'BAD_OPTION', { path, words: [path === 'options.absoluteTolerance' ? '≥ 0' : 'positive', shown] });
    expect(bytes(model.getParamsFlat())).toEqual(before);
    expect(model.forward(X)).toEqual(out);
    const report = model.gradCheck(X, Y);
    expect(report.checked).toBe(2 * 2 + 2 + 2 + 1);
    expect(bytes(model.getParamsFlat())).toEqual(before);
    model.dispose();
  });

  it('options are checked before the data', async () => {
    const model = await createModel(spec);
    expectTyped(thrown(() => model.gradCheck([[NaN, 1]], Y, { epsilon: 0 })), OptionsError, 'BAD_OPTION', { path: 'options.epsilon' });
    model.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------

describe.each(ENGINES)('names are data and unknown keys are errors, %s engine', (engine) => {
  const spec: ModelSpec = { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 5, engine };
  const X = [[0.5, -1], [1.5, 0.25], [-0.75, 2], [1, 1]];
  const Y = [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6], [0, 0]];
  const OPTIMIZER_NAMES = ['sgd', 'momentum', 'adam'];

  /** The call fails with the typed error, and the model's parameters, outputs and scalers are as before. */
  async function expectRefused(call: (m: Model) => unknown, cls: ErrorClass, code: string, want: Want): Promise<void> {
    const model = await createModel(spec);
    model.setNormalization(X, Y, { inputs: 'standardize' });
    const before = { params: bytes(model.getParamsFlat()), out: model.predict(X), norm: model.getNormalization() };
    expectTyped(thrown(() => call(model)), cls, code, want);
    expect(bytes(model.getParamsFlat())).toEqual(before.params);
    expect(model.predict(X)).toEqual(before.out);
    expect(model.getNormalization()).toEqual(before.norm);
    model.dispose();
  }

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])('optimizer %s is an unknown name, not a prototype key', async (name) => {
    await expectRefused((m) => m.fit(X, Y, { optimizer: name as never }), OptionsError, 'UNKNOWN_OPTIMIZER', { path: 'options.optimizer', words: [`"${name}"`, ...OPTIMIZER_NAMES] });
    await expectRefused((m) => m.fit(X, Y, { optimizer: { name } as never }), OptionsError, 'UNKNOWN_OPTIMIZER', { path: 'options.optimizer', words: [`"${name}"`, ...OPTIMIZER_NAMES] });
  });

  it('a misspelt optimizer gets a suggestion', async () => {
    await expectRefused((m) => m.fit(X, Y, { optimizer: 'Adam' as never }), OptionsError, 'UNKNOWN_OPTIMIZER', { path: 'options.optimizer', words: ['did you mean "adam"?'] });
    await expectRefused((m) => m.fit(X, Y, { optimizer: { name: 'momentun' } as never }), OptionsError, 'UNKNOWN_OPTIMIZER', { path: 'options.optimizer', words: ['did you mean "momentum"?'] });
  });

  it('unknown keys of the spec and of a layer are errors with a suggestion', async () => {
    const cases: [unknown, string, string][] = [
      [{ ...spec, lossFunction: 'mse' }, 'lossFunction', 'loss'],
      [{ ...spec, Seed: 3 }, 'Seed', 'seed'],
      [{ ...spec, layers: [{ unit: 3, activation: 'tanh' }, { units: 2, activation: 'identity' }] }, 'layers[0].unit', 'units'],
      [{ ...spec, layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'identity', activaton: 'relu' }] }, 'layers[1].activaton', 'activation'],
      [{ ...spec, layers: [{ units: 3, activation: 'leaky_relu', slop: 0.2 }, { units: 2, activation: 'identity' }] }, 'layers[0].slop', 'slope'],
    ];
    for (const [bent, path, close] of cases) {
      const want = { path, words: [`did you mean "${close}"?`, 'expected one of'] };
      expectTyped(await rejected(() => createModel(bad(bent))), SpecError, 'UNKNOWN_KEY', want);
      expectTyped(thrown(() => createModelSync(bad(bent))), SpecError, 'UNKNOWN_KEY', want);
    }
    // the list names every valid key; no suggestion when nothing is close
    const err = await rejected(() => createModel(bad({ ...spec, colour: 'red' })));
    expectTyped(err, SpecError, 'UNKNOWN_KEY', { path: 'colour', words: ['inputs', 'layers', 'loss', 'plainLoss', 'seed', 'init', 'params', 'engine'] });
    expect((err as Error).message).not.toContain('did you mean');
  });

  it('a misspelt activation, loss or init gets a suggestion', async () => {
    const cases: [unknown, string, string, string][] = [
      [{ ...spec, layers: [{ units: 3, activation: 'sigmod' }, { units: 2, activation: 'identity' }] }, 'UNKNOWN_ACTIVATION', 'layers[0].activation', 'sigmoid'],
      [{ ...spec, loss: 'MSE' }, 'UNKNOWN_LOSS', 'loss', 'mse'],
      [{ ...spec, init: 'glorrot' }, 'UNKNOWN_INIT', 'init', 'glorot'],
    ];
    for (const [bent, code, path, close] of cases) {
      expectTyped(await rejected(() => createModel(bad(bent))), SpecError, code, { path, words: [`did you mean "${close}"?`] });
    }
  });

  it('null is not a default: seed, init, engine, plainLoss and slope', async () => {
    const cases: [unknown, string, string][] = [
      [{ ...spec, seed: null }, 'BAD_SEED', 'seed'],
      [{ ...spec, init: null }, 'UNKNOWN_INIT', 'init'],
      [{ ...spec, engine: null }, 'UNKNOWN_ENGINE', 'engine'],
      [{ ...spec, plainLoss: null }, 'BAD_PLAIN_LOSS', 'plainLoss'],
      [{ ...spec, layers: [{ units: 3, activation: 'leaky_relu', slope: null }, { units: 2, activation: 'identity' }] }, 'BAD_SLOPE', 'layers[0].slope'],
    ];
    for (const [bent, code, path] of cases) {
      expectTyped(await rejected(() => createModel(bad(bent))), SpecError, code, { path, words: ['null'] });
    }
  });

  it('null is not a default in fit options either', async () => {
    for (const key of ['optimizer', 'epochs', 'batchSize', 'learningRate', 'weightDecay', 'onDiverge', 'shuffle', 'validationSplit', 'trainable']) {
      const code = key === 'optimizer' ? 'UNKNOWN_OPTIMIZER' : 'BAD_OPTION';
      await expectRefused((m) => m.fit(X, Y, { [key]: null } as never), OptionsError, code, { path: `options.${key}`, words: ['null'] });
    }
    await expectRefused((m) => m.fit(X, Y, { optimizer: { name: 'adam', beta1: null } as never }), OptionsError, 'BAD_OPTION', { path: 'options.optimizer.beta1', words: ['null'] });
  });

  it('normalization specs: an unknown key is an error, not a side left unscaled', async () => {
    await expectRefused((m) => m.setNormalization(X, Y, { input: 'minMax' } as never), DataError, 'BAD_NORMALIZATION', { path: 'normalization.input', words: ['did you mean "inputs"?', 'targets'] });
    await expectRefused((m) => m.setNormalization(X, Y, { inputs: { kind: 'minMax', rang: [-1, 1] } } as never), DataError, 'BAD_NORMALIZATION', { path: 'normalization.inputs.rang', words: ['did you mean "range"?'] });
    await expectRefused((m) => m.setNormalization(X, Y, { targets: 'minmax' } as never), DataError, 'BAD_NORMALIZATION', { path: 'normalization.targets', words: ['did you mean "minMax"?'] });
    await expectRefused((m) => m.setNormalization(X, Y, { inputs: null } as never), DataError, 'BAD_NORMALIZATION', { path: 'normalization.inputs', words: ['null'] });
    // fit's normalize option: an options error, checked before anything is fitted
    const model = await createModel(spec);
    const before = bytes(model.getParamsFlat());
    expectTyped(thrown(() => model.fit(X, Y, { normalize: { input: 'minMax' } as never })), OptionsError, 'BAD_NORMALIZATION', { path: 'options.normalize.input', words: ['did you mean "inputs"?'] });
    expectTyped(thrown(() => model.fit(X, Y, { normalize: { targets: { kind: 'standardize', ranges: [0, 1] } } as never })), OptionsError, 'BAD_NORMALIZATION', { path: 'options.normalize.targets.ranges' });
    expectTyped(thrown(() => model.fit(X, Y, { normalize: null } as never)), OptionsError, 'BAD_NORMALIZATION', { path: 'options.normalize', words: ['null'] });
    expect(model.getNormalization()).toEqual({ inputs: undefined, targets: undefined });
    expect(bytes(model.getParamsFlat())).toEqual(before);
    // and the model still takes a normalize option afterwards
    model.fit(X, Y, { normalize: { inputs: 'minMax' } });
    expect(model.getNormalization().inputs?.kind).toBe('minMax');
    model.dispose();
  });

  it('gradCheck options: an unknown key is an error with a suggestion', async () => {
    await expectRefused((m) => m.gradCheck(X, Y, { tolerence: 1e-3 } as never), OptionsError, 'UNKNOWN_OPTION', { path: 'options.tolerence', words: ['did you mean "tolerance"?', 'epsilon', 'absoluteTolerance'] });
    await expectRefused((m) => m.gradCheck(X, Y, { absoluteTolerance: null } as never), OptionsError, 'BAD_OPTION', { path: 'options.absoluteTolerance', words: ['null'] });
  });

  it('fit options: an unknown key names the close one', async () => {
    await expectRefused((m) => m.fit(X, Y, { learningrate: 0.1 } as never), OptionsError, 'UNKNOWN_OPTION', { path: 'options.learningrate', words: ['did you mean "learningRate"?'] });
    await expectRefused((m) => m.fit(X, Y, { optimizer: { name: 'adam', beta: 0.5 } } as never), OptionsError, 'UNKNOWN_OPTION', { path: 'options.optimizer.beta', words: ['beta1', 'beta2', 'epsilon'] });
    await expectRefused((m) => m.fit(X, Y, { trainable: ['1.B'] }), OptionsError, 'UNKNOWN_PARAMETER', { path: 'options.trainable[0]', words: ['did you mean "1.b"?'] });
    await expectRefused((m) => m.fit(X, Y, { onDiverge: 'Stop' as never }), OptionsError, 'BAD_OPTION', { path: 'options.onDiverge', words: ['did you mean "stop"?'] });
  });
});
