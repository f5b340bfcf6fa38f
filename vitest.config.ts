// Four suites in one `vitest run`:
// - node: every test, in Node (including the tests that drive Chromium from Node with playwright-core:
//   cross-platform hashes, packed-package consumers, the playground);
// - chromium: the library's own tests (reference cases, engine agreement, training, save/load) run
//   again inside a real headless Chromium page, through Vitest's browser mode, against the built
//   package (dist/, made by `npm test`'s build step) rather than the TypeScript sources;
// - firefox and webkit: Node tests that drive Firefox (WebDriver BiDi) and WebKitGTK (WebDriver) to
//   run the same seeded trainings as Node, threaded where the engine allows, and the consumer pages
//   (test/platform/browser-suite.ts).
// A browser's suite exists only where its binaries are found (test/helpers/find-chromium.mjs,
// find-browsers.mjs); `npm test` says plainly which did not run, and CI requires them all.
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS, findChromium } from './test/helpers/find-chromium.mjs';
import { findFirefox, findWebKit } from './test/helpers/find-browsers.mjs';

/**
 * Tests that use Node-only APIs (child processes, fs, worker threads) stay out of the page, and so do
 * the thread tests: this page is not cross-origin isolated (models run on one thread there); threads
 * in Chromium are tested on an isolated page by test/platform/threads.test.ts.
 */
const NODE_ONLY = ['test/cli/**', 'test/demo/**', 'test/playground/**', 'test/platform/**', 'test/consumers/**', 'test/readme.test.ts', 'test/csv-library.test.ts', 'test/import-graph.test.ts', 'test/pool-layout.test.ts', 'test/pool-wait.test.ts', 'test/threads.test.ts', 'test/threads-process.test.ts', 'test/gradients-memory.test.ts', 'test/worker-model.test.ts', 'test/csv-source.test.ts', 'test/csv-browser-bundle.test.ts'];

const chromiumPath = findChromium();

/** The suites driving Firefox and WebKit from Node: each its own project, so that each is reported on its own line. */
const DRIVEN = [
  { name: 'firefox', file: 'test/platform/firefox.test.ts', installed: findFirefox() !== undefined },
  { name: 'webkit', file: 'test/platform/webkit.test.ts', installed: findWebKit() !== undefined },
];

/** In the page, the tests' imports of src/… load the built package (dist/…), as users import it. */
const BUILT_PACKAGE = { find: /^(?:\.\.\/)+src\/(.*)$/, replacement: `${fileURLToPath(new URL('./dist/', import.meta.url))}$1` };

export default defineConfig({
  // the ONNX tests import their fixtures (binary .onnx files) inlined as data URLs
  assetsInclude: ['**/*.onnx'],
  test: {
    testTimeout: 60_000,
    // expect.poll waits for what a page or a process shows; on a loaded machine that can take seconds
    expect: { poll: { timeout: 30_000 } },
    projects: [
      {
        extends: true as const,
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...DRIVEN.map((suite) => suite.file)] },
      },
      ...DRIVEN.filter((suite) => suite.installed).map((suite) => ({
        extends: true as const,
        test: { name: suite.name, include: [suite.file] },
      })),
      ...(chromiumPath === undefined
        ? []
        : [
            {
              extends: true as const,
              resolve: { alias: [BUILT_PACKAGE] },
              test: {
                name: 'chromium',
                include: ['test/**/*.test.ts'],
                exclude: NODE_ONLY,
                browser: {
                  enabled: true,
                  headless: true,
                  screenshotFailures: false,
                  provider: playwright({ launchOptions: { executablePath: chromiumPath, args: CHROMIUM_ARGS } }),
                  instances: [{ browser: 'chromium' as const }],
                },
              },
            },
          ]),
    ],
  },
});
