// `npm run build:wasm`: compiles assembly/ with asc's release target (asconfig.json) through asc's
// API, then embeds the .wasm (scripts/embed-wasm.mjs).
//
// With `converge: true`, asc re-runs binaryen's optimizer until the module stops shrinking, and
// when the last round came out a few bytes larger it prints "Last converge was suboptimal." on
// stderr. That line says nothing wrong about the build (the kernels and their bits are the same),
// so it alone is dropped; every other line asc writes (warnings, errors) passes through.
import asc from 'assemblyscript/asc';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

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
const { error } = await asc.main(['--target', 'release', ...process.argv.slice(2)], { stdout, stderr });
stdout.flush();
stderr.flush();
if (error) {
  console.error(`asc failed: ${error.message}`);
  process.exit(1);
}

const embed = spawnSync(process.execPath, [join(root, 'scripts', 'embed-wasm.mjs')], { stdio: 'inherit' });
process.exit(embed.status ?? 1);
