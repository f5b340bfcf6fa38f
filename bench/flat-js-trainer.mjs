// A plain-JavaScript MLP trainer written as a careful JavaScript programmer would write it for speed:
// every parameter, gradient, optimizer moment and activation in one flat Float64Array each (layer l's
// W row by row at wAt[l], its b at bAt[l]; its units at uAt[l]), the rows read in place from flat
// Float64Arrays, lengths hoisted, inner loops contiguous, the activation switched once per layer, no
// allocation after creation. The same math as the textbook trainer (plain-js-trainer.mjs) in the same
// order, so the same bits: one sample at a time, each gradient one sequential sum over the batch's
// samples, each δ·W sum over the units in increasing order (here accumulated across a row of W, so
// the inner loop reads W contiguously), then the update (sgd, or Adam with its corrections computed
// once per step). The benchmark's fast plain-JS baseline, beside the textbook one.
const IDENTITY = 0, SIGMOID = 1, TANH = 2, RELU = 3, SOFTPLUS = 4, SOFTMAX = 5;
const ACTIVATIONS = { identity: IDENTITY, sigmoid: SIGMOID, tanh: TANH, relu: RELU, softplus: SOFTPLUS, softmax: SOFTMAX };

/**
 * spec: { inputs, layers: [{ units, activation }], loss }; params: [{ W: rows, b }] (copied);
 * options: { batchSize, learningRate, optimizer ('sgd' | 'adam'), beta1, beta2, epsilon }.
 */
export function createFlatTrainer(spec, params, options) {
  const o = { optimizer: 'sgd', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, ...options };
  const adam = o.optimizer === 'adam', lr = o.learningRate, beta1 = o.beta1, beta2 = o.beta2, epsilon = o.epsilon;
  const L = spec.layers.length;
  const width = Int32Array.from([spec.inputs, ...spec.layers.map((l) => l.units)]);
  const act = Int32Array.from(spec.layers, (l) => {
    if (!(l.activation in ACTIVATIONS)) throw new Error(`flat-js-trainer: activation '${l.activation}' is not one of ${Object.keys(ACTIVATIONS).join(', ')}`);
    return ACTIVATIONS[l.activation];
  });
  const wAt = new Int32Array(L), bAt = new Int32Array(L), uAt = new Int32Array(L);
  let P = 0, U = 0;
  for (let l = 0; l < L; l++) {
    wAt[l] = P;
    P += width[l] * width[l + 1];
    bAt[l] = P;
    P += width[l + 1];
    uAt[l] = U;
    U += width[l + 1];
  }
  const theta = new Float64Array(P), grad = new Float64Array(P), m = new Float64Array(P), v = new Float64Array(P);
  params.forEach((p, l) => {
    p.W.forEach((row, j) => theta.set(row, wAt[l] + j * width[l]));
    theta.set(p.b, bAt[l]);
  });
  const z = new Float64Array(U), a = new Float64Array(U), delta = new Float64Array(U);
  const K = width[L], out = uAt[L - 1], cce = spec.loss === 'cce';
  let t = 0;

  /** a = f(z) over the n units at `at`. */
  function activate(kind, at, n) {
    const end = at + n;
    switch (kind) {
      case SIGMOID: for (let k = at; k < end; k++) a[k] = 1 / (1 + Math.exp(-z[k])); break;
      case TANH: for (let k = at; k < end; k++) a[k] = Math.tanh(z[k]); break;
      case RELU: for (let k = at; k < end; k++) { const s = z[k]; a[k] = s > 0 ? s : 0; } break;
      case SOFTPLUS: for (let k = at; k < end; k++) { const s = z[k]; a[k] = Math.max(s, 0) + Math.log1p(Math.exp(-Math.abs(s))); } break;
      case SOFTMAX: {
        let max = -Infinity, sum = 0;
        for (let k = at; k < end; k++) max = Math.max(max, z[k]);
        for (let k = at; k < end; k++) { const e = Math.exp(z[k] - max); a[k] = e; sum += e; }
        for (let k = at; k < end; k++) a[k] /= sum;
        break;
      }
      default: for (let k = at; k < end; k++) a[k] = z[k];
    }
  }

  /** delta ← delta · f'(z) over the n units at `at` (softmax is only an output with cce: never here). */
  function derive(kind, at, n) {
    const end = at + n;
    switch (kind) {
      case SIGMOID: for (let k = at; k < end; k++) { const s = a[k]; delta[k] *= s * (1 - s); } break;
      case TANH: for (let k = at; k < end; k++) { const s = a[k]; delta[k] *= 1 - s * s; } break;
      case RELU: for (let k = at; k < end; k++) delta[k] *= z[k] > 0 ? 1 : 0; break;
      case SOFTPLUS: for (let k = at; k < end; k++) delta[k] *= 1 / (1 + Math.exp(-z[k])); break;
      default: break;
    }
  }

  /** Forward pass of the row of X at element offset x0. */
  function forward(X, x0) {
    let src = X, s0 = x0;
    for (let l = 0; l < L; l++) {
      const n = width[l], units = width[l + 1], b = bAt[l], u = uAt[l];
      for (let j = 0, w = wAt[l]; j < units; j++, w += n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += theta[w + i] * src[s0 + i];
        z[u + j] = s + theta[b + j];
      }
      activate(act[l], u, units);
      src = a;
      s0 = u;
    }
  }

  /** The output δ against the row of Y at y0; returns `total` plus the row's loss terms, added one by one. */
  function outputDelta(Y, y0, scale, total) {
    if (cce) {
      for (let k = 0; k < K; k++) {
        const y = Y[y0 + k];
        total -= y * Math.log(a[out + k]);
        delta[out + k] = scale * (a[out + k] - y);
      }
      return total;
    }
    const s2 = 2 * scale;
    for (let k = 0; k < K; k++) {
      const r = a[out + k] - Y[y0 + k];
      total += r * r;
      delta[out + k] = s2 * r;
    }
    derive(act[L - 1], out, K);
    return total;
  }

  /** Adds the row's gradients (input: the row of X at x0) and sets each hidden layer's δ. */
  function backward(X, x0) {
    for (let l = L - 1; l >= 0; l--) {
      const n = width[l], units = width[l + 1], u = uAt[l], b = bAt[l];
      const src = l === 0 ? X : a, s0 = l === 0 ? x0 : uAt[l - 1];
      const below = l === 0 ? -1 : uAt[l - 1];
      if (below >= 0) for (let i = 0; i < n; i++) delta[below + i] = 0;
      for (let j = 0, w = wAt[l]; j < units; j++, w += n) {
        const d = delta[u + j];
        for (let i = 0; i < n; i++) grad[w + i] += d * src[s0 + i];
        grad[b + j] += d;
        if (below >= 0) for (let i = 0; i < n; i++) delta[below + i] += d * theta[w + i];
      }
      if (below >= 0) derive(act[l - 1], below, n);
    }
  }

  function update() {
    t++;
    if (!adam) {
      for (let k = 0; k < P; k++) theta[k] -= lr * grad[k];
      return;
    }
    const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
    for (let k = 0; k < P; k++) {
      const g = grad[k];
      const mk = beta1 * m[k] + (1 - beta1) * g, vk = beta2 * v[k] + (1 - beta2) * g * g;
      m[k] = mk;
      v[k] = vk;
      theta[k] -= lr * (mk / c1) / (Math.sqrt(vk / c2) + epsilon);
    }
  }

  /** One epoch over the rows of X and Y (flat Float64Arrays, row-major) in `order`; returns the epoch's loss. */
  function epoch(X, Y, order) {
    const N = order.length, inputs = width[0];
    let total = 0;
    for (let start = 0; start < N; start += o.batchSize) {
      const end = Math.min(start + o.batchSize, N), rows = end - start;
      const scale = cce ? 1 / rows : spec.loss === 'mse' ? 1 / (rows * K) : spec.loss === 'half_se' ? 0.5 : 1;
      grad.fill(0);
      for (let s = start; s < end; s++) {
        const row = order[s];
        forward(X, row * inputs);
        total = outputDelta(Y, row * K, scale, total);
        backward(X, row * inputs);
      }
      update();
    }
    return cce ? total / N : spec.loss === 'mse' ? total / (N * K) : spec.loss === 'half_se' ? total / 2 : total;
  }

  /** The parameters as { W: rows, b } per layer. */
  function paramsOut() {
    return spec.layers.map((layer, l) => ({
      W: Array.from({ length: layer.units }, (_, j) => Array.from(theta.subarray(wAt[l] + j * width[l], wAt[l] + (j + 1) * width[l]))),
      b: Array.from(theta.subarray(bAt[l], bAt[l] + layer.units)),
    }));
  }

  return { epoch, params: paramsOut };
}
