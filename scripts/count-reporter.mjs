// A Vitest reporter that only counts: per suite (project), how many tests passed, failed and were
// skipped, plus test files that failed to load and errors outside tests. `npm test`'s runner reads
// the file it writes (path in WASMLP_COUNTS) to print the totals CI expects.
import { writeFileSync } from 'node:fs';

export default class CountReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    const suites = {};
    for (const module of testModules) {
      // a browser-mode project is named after its instance too, `chromium (chromium)`: once is enough
      const name = (module.project.name || 'default').replace(/^(.+) \((.+)\)$/, (all, project, instance) => (project === instance ? project : all));
      const counts = (suites[name] ??= { passed: 0, failed: 0, skipped: 0, brokenFiles: [] });
      let tests = 0;
      for (const test of module.children.allTests()) {
        tests++;
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      // a file that failed to load (or whose hooks threw) contributes no passing test: count it once
      if (module.state() === 'failed' && (tests === 0 || module.errors().length > 0)) counts.brokenFiles.push(module.moduleId);
    }
    writeFileSync(process.env.WASMLP_COUNTS, JSON.stringify({ suites, unhandledErrors: unhandledErrors.length }));
  }
}
