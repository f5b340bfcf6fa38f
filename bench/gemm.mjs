// GEMM throughput: the WASM kernels (build/release.wasm, from `npm run build:wasm`) against plain-JS
// triple loops on Float64Array, for square products of size 64, 128, 256 and 512.
//
//   node bench/gemm.mjs            full run (about 16 s)
//   node bench/gemm.mjs --quick    shorter time budgets (about 6 s)
//
// GFLOP/s = 2n³ / median time of a tinybench task. Each (shape, n) is checked first to give identical
// results in WASM and JS: the kernels sum every element sequentially over k (assembly/blas.ts), and
// so do these JS loops.
//
// The JS tasks run in their own tinybench run, BEFORE the WebAssembly instance exists; the WASM tasks
// follow in a second run. Growing a WebAssembly.Memory detaches its previous ArrayBuffer, and the
// first detach anywhere in a V8 process permanently switches optimized typed-array code to a slower,
// detach-checking path: these JS loops lose about 20 % (Node 20: 1.9 → 1.5 GFLOP/s for nt) for the
// rest of the process. Interleaving the tasks would therefore understate plain JS. (A caller that has
// already grown a WebAssembly memory gets the slower JS numbers regardless.)
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { mulberry32 } from '../test/helpers/mulberry32.mjs';

const WASM_URL = new URL('../build/release.wasm', import.meta.url);
const SIZES = [64, 128, 256, 512]; // multiples of 4 (the JS baselines step by 2 and 4)
const SHAPES = ['nt', 'nn', 'tn'];
/** Upper bound of gemmScratchBytes(m, n, k) (src/layout/scratch.ts) over all sizes: 8·256·(512+128) + 128. */
const SCRATCH_BYTES = 8 * 256 * (512 + 128) + 128;

async function loadKernels() {
  const { instance } = await WebAssembly.instantiate(readFileSync(WASM_URL), {
    env: {
      abort(_message, _file, line, column) {
        throw new Error(`a WebAssembly kernel aborted at ${line}:${column}`);
      },
    },
  });
  return instance.exports;
}

// Plain-JS baselines, n × n row-major with n a multiple of 4: honest, reasonably tuned loops (the
// obvious one-element-at-a-time versions run 2-4x slower here). The innermost loop walks contiguous
// memory, and each C element is still one sequential sum over p, like the kernels'.

/** C = A · Bᵀ as dot products of rows of A and rows of B, 2 × 2 elements of C at a time. */
function jsNT(n, A, B, C) {
  for (let i = 0; i < n; i += 2) {
    const a0 = i * n, a1 = a0 + n;
    for (let j = 0; j < n; j += 2) {
      const b0 = j * n, b1 = b0 + n;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let p = 0; p < n; p++) {
        const x0 = A[a0 + p], x1 = A[a1 + p], y0 = B[b0 + p], y1 = B[b1 + p];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      C[a0 + j] = s00;
      C[a0 + j + 1] = s01;
      C[a1 + j] = s10;
      C[a1 + j + 1] = s11;
    }
  }
}

/** C = A · B in i-k-j order: four broadcasts A[i][p..p+3] stream rows p..p+3 of B into row i of C. */
function jsNN(n, A, B, C) {
  C.fill(0);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let p = 0; p < n; p += 4) {
      const x0 = A[ci + p], x1 = A[ci + p + 1], x2 = A[ci + p + 2], x3 = A[ci + p + 3];
      const b0 = p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        C[ci + j] = C[ci + j] + x0 * B[b0 + j] + x1 * B[b1 + j] + x2 * B[b2 + j] + x3 * B[b3 + j];
      }
    }
  }
}

/** C = Aᵀ · B in k-i-j order: rows p..p+3 of A and of B make four rank-1 updates of C per pass. */
function jsTN(n, A, B, C) {
  C.fill(0);
  for (let p = 0; p < n; p += 4) {
    const r0 = p * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    for (let i = 0; i < n; i++) {
      const x0 = A[r0 + i], x1 = A[r1 + i], x2 = A[r2 + i], x3 = A[r3 + i], ci = i * n;
      for (let j = 0; j < n; j++) {
        C[ci + j] = C[ci + j] + x0 * B[r0 + j] + x1 * B[r1 + j] + x2 * B[r2 + j] + x3 * B[r3 + j];
      }
    }
  }
}

const JS = { nt: jsNT, nn: jsNN, tn: jsTN };

/** Seeded values in [-1, 1), so every run multiplies the same matrices. */
function fillRandom(array, seed) {
  const rand = mulberry32(seed);
  for (let i = 0; i < array.length; i++) array[i] = rand() * 2 - 1;
}

/**
 * Runs the benchmark and returns one row per (shape, n): { shape, n, wasm, js, ratio } with GFLOP/s
 * from the median time of each task. `quick` shortens the time budgets (same sizes); `print` also
 * writes tinybench's own tables and the summary to the console.
 */
export async function runGemmBench({ quick = false, print = false } = {}) {
  const options = quick
    ? { time: 120, warmupTime: 40, iterations: 2, warmupIterations: 1 }
    : { time: 400, warmupTime: 100, iterations: 3, warmupIterations: 2 };
  const name = (shape, n, side) => `${shape} n=${n} ${side}`;

  // The operands of each size (seeded), and the JS result of each product as the expected value.
  const inputs = SIZES.map((n) => {
    const A = new Float64Array(n * n), B = new Float64Array(n * n);
    fillRandom(A, n);
    fillRandom(B, n + 1);
    return { n, A, B };
  });
  const expected = new Map();

  // Phase 1: plain JS, before any WebAssembly memory has grown (see the header).
  const jsBench = new Bench(options);
  for (const { n, A, B } of inputs) {
    const C = new Float64Array(n * n);
    for (const shape of SHAPES) {
      const js = () => JS[shape](n, A, B, C);
      js();
      expected.set(name(shape, n, 'js'), C.slice());
      jsBench.add(name(shape, n, 'js'), js);
    }
  }
  await jsBench.run();

  // Phase 2: WASM. Each size gets its own A, B, C in linear memory (16-byte aligned), then one
  // scratch region shared by all.
  const kernels = await loadKernels();
  let top = (kernels.heapBase() + 15) & ~15;
  const regions = inputs.map(({ n }) => {
    const bytes = n * n * 8;
    const region = { a: top, b: top + bytes, c: top + 2 * bytes };
    top += 3 * bytes;
    return region;
  });
  const scratch = top;
  const needBytes = scratch + SCRATCH_BYTES;
  const haveBytes = kernels.memory.buffer.byteLength;
  if (needBytes > haveBytes) kernels.memory.grow(Math.ceil((needBytes - haveBytes) / 65536));
  const memory = new Float64Array(kernels.memory.buffer); // created after growing: earlier views detach

  const wasmBench = new Bench(options);
  inputs.forEach(({ n, A, B }, s) => {
    const { a, b, c } = regions[s];
    memory.set(A, a / 8);
    memory.set(B, b / 8);
    for (const shape of SHAPES) {
      const kernel = kernels[`gemm_${shape}`];
      const wasm = () => kernel(n, n, n, a, n, b, n, c, n, 0, scratch);
      wasm();
      const got = memory.subarray(c / 8, c / 8 + n * n), want = expected.get(name(shape, n, 'js'));
      for (let e = 0; e < n * n; e++) {
        if (!Object.is(got[e], want[e])) throw new Error(`gemm_${shape} n=${n}: wasm and js differ at ${e}: ${got[e]} vs ${want[e]}`);
      }
      wasmBench.add(name(shape, n, 'wasm'), wasm);
    }
  });
  await wasmBench.run();

  const medianMs = (bench, taskName) => {
    const result = bench.tasks.find((t) => t.name === taskName)?.result;
    if (!result || !('latency' in result)) throw new Error(`task ${taskName} did not complete (${result?.state})`);
    return result.latency.p50;
  };
  const gflops = (n, ms) => (2 * n ** 3) / (ms * 1e6);
  const rows = [];
  for (const n of SIZES) {
    for (const shape of SHAPES) {
      const wasm = gflops(n, medianMs(wasmBench, name(shape, n, 'wasm')));
      const js = gflops(n, medianMs(jsBench, name(shape, n, 'js')));
      rows.push({ shape, n, wasm, js, ratio: wasm / js });
    }
  }

  if (print) {
    console.table(jsBench.table());
    console.table(wasmBench.table());
    console.log('GEMM, square n × n × n, float64, one thread; GFLOP/s = 2n³ / median time');
    console.table(
      rows.map((r) => ({
        shape: r.shape,
        n: r.n,
        'wasm GFLOP/s': r.wasm.toFixed(2),
        'js GFLOP/s': r.js.toFixed(2),
        ratio: `${r.ratio.toFixed(1)}x`,
      })),
    );
  }
  return rows;
}

function isMainModule() {
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false; // no script path (REPL, -e) or an unresolvable one
  }
}

if (isMainModule()) {
  await runGemmBench({ quick: process.argv.includes('--quick'), print: true });
}
