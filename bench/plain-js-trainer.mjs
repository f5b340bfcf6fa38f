// A plain-JavaScript MLP trainer, written as a textbook would write it: parameters as arrays of rows
// (W[l][j][i], b[l][j]), one sample at a time through nested for loops, gradients summed over the
// batch, then the update; every buffer allocated once. The same math as wasmlp (mini-batch SGD or
// Adam; mse, half_se, ssr, or softmax + cce): the benchmark's baseline, and an independent check
// of the engines' losses. Nothing clever: no typed arrays, no blocking, no fused loops.
const f = (act, z) => {
  switch (act) {
    case 'sigmoid': return 1 / (1 + Math.exp(-z));
    case 'tanh': return Math.tanh(z);
    case 'relu': return z > 0 ? z : 0;
    case 'softplus': return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    default: return z;
  }
};
const df = (act, z, a) => {
  switch (act) {
    case 'sigmoid': return a * (1 - a);
    case 'tanh': return 1 - a * a;
    case 'relu': return z > 0 ? 1 : 0;
    case 'softplus': return 1 / (1 + Math.exp(-z));
    default: return 1;
  }
};
const zeros = (n) => new Array(n).fill(0);
const zerosLike = (rows) => rows.map((r) => zeros(r.length));

/**
 * spec: { inputs, layers: [{ units, activation }], loss }; params: [{ W: rows, b }] (copied);
 * options: { batchSize, learningRate, optimizer ('sgd' | 'adam'), beta1, beta2, epsilon }.
 */
export function createTrainer(spec, params, options) {
  const o = { optimizer: 'sgd', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, ...options };
  const L = spec.layers.length;
  const act = spec.layers.map((l) => l.activation);
  const W = params.map((p) => p.W.map((r) => r.slice())), b = params.map((p) => p.b.slice());
  const gW = W.map(zerosLike), gb = b.map((r) => zeros(r.length));
  const mW = W.map(zerosLike), mb = b.map((r) => zeros(r.length)), vW = W.map(zerosLike), vb = b.map((r) => zeros(r.length));
  const z = b.map((r) => zeros(r.length)), a = b.map((r) => zeros(r.length)), delta = b.map((r) => zeros(r.length));
  let t = 0;

  function forward(x) {
    for (let l = 0; l < L; l++) {
      const input = l === 0 ? x : a[l - 1];
      for (let j = 0; j < W[l].length; j++) {
        let s = 0;
        for (let i = 0; i < input.length; i++) s += W[l][j][i] * input[i];
        z[l][j] = s + b[l][j];
      }
      if (act[l] === 'softmax') {
        let max = -Infinity, sum = 0;
        for (let j = 0; j < z[l].length; j++) max = Math.max(max, z[l][j]);
        for (let j = 0; j < z[l].length; j++) { a[l][j] = Math.exp(z[l][j] - max); sum += a[l][j]; }
        for (let j = 0; j < z[l].length; j++) a[l][j] /= sum;
      } else for (let j = 0; j < z[l].length; j++) a[l][j] = f(act[l], z[l][j]);
    }
    return a[L - 1];
  }

  const update = (p, g, m, v, i) => {
    if (o.optimizer !== 'adam') { p[i] -= o.learningRate * g[i]; return; }
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * g[i];
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * g[i] * g[i];
    p[i] -= o.learningRate * (m[i] / (1 - o.beta1 ** t)) / (Math.sqrt(v[i] / (1 - o.beta2 ** t)) + o.epsilon);
  };

  /** One epoch over X, Y (arrays of rows) in `order`; returns the epoch's loss. */
  function epoch(X, Y, order) {
    const K = Y[0].length, N = X.length, cce = spec.loss === 'cce';
    let total = 0;
    for (let start = 0; start < N; start += o.batchSize) {
      const rows = Math.min(o.batchSize, N - start);
      const scale = cce ? 1 / rows : spec.loss === 'mse' ? 1 / (rows * K) : spec.loss === 'half_se' ? 0.5 : 1;
      for (let l = 0; l < L; l++) { for (const row of gW[l]) row.fill(0); gb[l].fill(0); }
      for (let s = start; s < start + rows; s++) {
        const x = X[order[s]], y = Y[order[s]];
        const out = forward(x);
        for (let k = 0; k < K; k++) { // dL/dz of the output layer
          if (cce) { total -= y[k] * Math.log(out[k]); delta[L - 1][k] = scale * (out[k] - y[k]); }
          else { total += (out[k] - y[k]) ** 2; delta[L - 1][k] = 2 * scale * (out[k] - y[k]) * df(act[L - 1], z[L - 1][k], out[k]); }
        }
        for (let l = L - 1; l >= 0; l--) {
          const input = l === 0 ? x : a[l - 1];
          for (let j = 0; j < W[l].length; j++) {
            for (let i = 0; i < input.length; i++) gW[l][j][i] += delta[l][j] * input[i];
            gb[l][j] += delta[l][j];
          }
          if (l > 0) {
            for (let i = 0; i < input.length; i++) {
              let s2 = 0;
              for (let j = 0; j < W[l].length; j++) s2 += delta[l][j] * W[l][j][i];
              delta[l - 1][i] = s2 * df(act[l - 1], z[l - 1][i], input[i]);
            }
          }
        }
      }
      t++;
      for (let l = 0; l < L; l++) {
        for (let j = 0; j < W[l].length; j++) {
          for (let i = 0; i < W[l][j].length; i++) update(W[l][j], gW[l][j], mW[l][j], vW[l][j], i);
          update(b[l], gb[l], mb[l], vb[l], j);
        }
      }
    }
    return cce ? total / N : spec.loss === 'mse' ? total / (N * K) : spec.loss === 'half_se' ? total / 2 : total;
  }

  return { epoch, forward, params: () => W.map((w, l) => ({ W: w, b: b[l] })) };
}
