// `npm test`: runs the Node suite and the Chromium suite in one `vitest run` and ends with the
// totals on a line of their own, `N passed, N failed`, which CI reads. Exits non-zero on any failure
// or when no test ran.
//
// Without a Chromium binary the browser suite cannot run: this says so plainly (which binaries it
// looked for, how to install one, CHROMIUM_PATH) and reports the browser suite as NOT RUN; the
// Node tests that drive Chromium are reported skipped. With WASMLP_REQUIRE_BROWSER=1 (CI) a missing
// browser is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium, NO_CHROMIUM_MESSAGE } from '../test/helpers/find-chromium.mjs';

const chromium = findChromium();
const browserRequired = process.env.WASMLP_REQUIRE_BROWSER === '1';
if (chromium === undefined) {
  console.warn(`\n*** browser suite NOT RUN: ${NO_CHROMIUM_MESSAGE}\n`);
} else {
  console.log(`browser suite: ${chromium}`);
}

const countsFile = join(tmpdir(), `wasmlp-counts-${process.pid}.json`);
const vitest = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=./scripts/count-reporter.mjs', ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, WASMLP_COUNTS: countsFile } },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(countsFile)) {
  const report = JSON.parse(readFileSync(countsFile, 'utf8'));
  rmSync(countsFile);
  for (const [name, s] of Object.entries(report.suites)) {
    const broken = s.brokenFiles.length ? `, ${s.brokenFiles.length} file(s) failed to load or set up` : '';
    console.log(`suite ${name}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${broken}`);
    passed += s.passed;
    failed += s.failed + s.brokenFiles.length;
    skipped += s.skipped;
  }
  failed += report.unhandledErrors;
} else {
  failed = 1;
}
if (chromium === undefined) {
  console.log(`suite browser: NOT RUN (no Chromium; ${browserRequired ? 'required here: counted as a failure' : 'set CHROMIUM_PATH or install chromium'})`);
  if (browserRequired) failed += 1;
}
if (skipped > 0) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(vitest.status !== 0 || failed > 0 || passed === 0 ? 1 : 0);
