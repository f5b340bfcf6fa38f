// `npm test`: runs the Node suite and the browser suites (chromium, firefox, webkit) in one
// `vitest run`, prints one line per suite, and ends with the totals on a line of their own,
// `N passed, N failed`, which CI reads. Exits non-zero on any failure or when no test ran.
//
// A browser whose binaries are not installed cannot run its suite: this says so plainly (which
// binaries it looked for, how to install them) and reports that suite as NOT RUN; without Chromium,
// the Node tests that drive it are reported skipped. With WASMLP_REQUIRE_BROWSER=1 (CI) each missing
// browser is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSER_SUITES } from '../test/helpers/find-browsers.mjs';

const browserRequired = process.env.WASMLP_REQUIRE_BROWSER === '1';
const missing = BROWSER_SUITES.filter((browser) => !browser.installed());
for (const browser of missing) console.warn(`\n*** ${browser.suite} suite NOT RUN: ${browser.missing}\n`);

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
  // node first, then the browsers in a fixed order, then any other suite
  const order = ['node', ...BROWSER_SUITES.map((browser) => browser.suite)];
  const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
  const suites = Object.entries(report.suites).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  for (const [name, s] of suites) {
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
for (const browser of missing) {
  console.log(`suite ${browser.suite}: NOT RUN (${browser.hint}${browserRequired ? '; required here: counted as a failure' : ''})`);
  if (browserRequired) failed += 1;
}
if (skipped > 0) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(vitest.status !== 0 || failed > 0 || passed === 0 ? 1 : 0);
