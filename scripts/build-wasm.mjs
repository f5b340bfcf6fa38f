// `npm run build:wasm`: compiles assembly/ with asc's two targets (asconfig.json) through asc's API,
// then embeds both .wasm files (scripts/embed-wasm.mjs):
//   release  the single-threaded kernels (private memory)
//   threads  the same sources with atomics, on an imported shared memory (assembly/pool.ts)
//
//   node scripts/build-wasm.mjs                 build/{release,threads}.wasm, then src/generated/kernels-wasm.ts
//   node scripts/build-wasm.mjs --out-dir DIR   DIR/{release,threads}.{wasm,wat} only (no embedding;
//                                               what the tests run, leaving the repository untouched)
//
// With `converge: true`, asc re-runs binaryen's optimizer until the module stops shrinking, and
// when the last round came out a few bytes larger it prints "Last converge was suboptimal." on
// stderr. That line says nothing wrong about the build (the kernels and their bits are the same),
// so it alone is dropped; every other line asc writes (warnings, errors) passes through.
import asc from 'assemblyscript/asc';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const HARMLESS = /^Last converge was suboptimal\.\r?$/;

/** A stream for asc that forwards whole lines to `target`, except the harmless one. */
function filtered(target) {
  let pending = '';
  const forward = (line) => {
    if (!HARMLESS.test(line)) target.write(`${line}\n`);
  };
  return {
    write(chunk) {
      pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) forward(line);
      return true;
    },
    flush() {
      if (pending !== '') forward(pending);
      pending = '';
    },
  };
}

const stdout = filtered(process.stdout);
const stderr = filtered(process.stderr);
const args = process.argv.slice(2);
const outDirAt = args.indexOf('--out-dir');
const outDir = outDirAt >= 0 ? resolve(args[outDirAt + 1] ?? '') : undefined;
if (outDirAt >= 0 && !args[outDirAt + 1]) {
  console.error('--out-dir: expected a directory');
  process.exit(1);
}
process.chdir(root); // asc reads ./asconfig.json
for (const target of ['release', 'threads']) {
  const ascArgs = ['--target', target];
  if (outDir !== undefined) ascArgs.push('--outFile', join(outDir, `${target}.wasm`), '--textFile', join(outDir, `${target}.wat`));
  const { error } = await asc.main(ascArgs, { stdout, stderr });
  stdout.flush();
  stderr.flush();
  if (error) {
    console.error(`asc failed (target ${target}): ${error.message}`);
    process.exit(1);
  }
}

if (outDir !== undefined) process.exit(0);
const embed = spawnSync(process.execPath, [join(root, 'scripts', 'embed-wasm.mjs')], { stdio: 'inherit' });
process.exit(embed.status ?? 1);
