// What a fresh clone's `npm install && npm start` (and CI's `npm ci && npm test`) runs: installing
// builds nothing (no `prepare`), the one build comes from the start/test/bench pre-scripts or from
// `prepack` when packing, and the WebAssembly build is quiet.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const scripts = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts as Record<string, string>;

describe('building', () => {
  it('npm install builds nothing and npm start builds once', () => {
    // npm install/ci run `prepare` (and npm warns about it when a consumer installs the tarball)
    for (const lifecycle of ['preinstall', 'install', 'postinstall', 'prepare']) expect(scripts[lifecycle], lifecycle).toBeUndefined();
    expect(scripts.prestart).toBe('npm run build');
    expect(scripts.pretest).toMatch(/^npm run build(?: &&|$)/);
    expect(scripts.prepack).toBe('npm run build');
    expect(scripts.build).toContain('npm run build:wasm');
    expect(scripts['build:wasm']).toBe('node scripts/build-wasm.mjs');
  });

  it('the WebAssembly build prints nothing from asc, and gives the same bytes as the build', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wasmlp-build-'));
    try {
      const { stdout, stderr } = await run(process.execPath, [join(REPO, 'scripts', 'build-wasm.mjs'), '--out-dir', out], { cwd: out });
      // asc with `converge: true` says "Last converge was suboptimal." when the last optimizer round
      // grew the module by a few bytes: harmless, and dropped
      expect(stdout + stderr).not.toContain('converge');
      expect(stdout + stderr).toBe('');
      // the filter changes what is printed, never what is built: `npm test`'s build wrote build/release.wasm
      expect(readFileSync(join(out, 'release.wasm')).equals(readFileSync(join(REPO, 'build', 'release.wasm')))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
