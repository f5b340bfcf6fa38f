// Two suites in one `vitest run`:
// - node: every test, in Node (including the tests that drive Chromium from Node with playwright-core:
//   cross-platform hashes, packed-package consumers, the playground);
// - browser: the library's own tests (reference cases, engine agreement, training, save/load) run
//   again inside a real headless Chromium page, through Vitest's browser mode, against the built
//   package (dist/, made by `npm test`'s build step) rather than the TypeScript sources.
// The chromium suite exists only where a Chromium binary is found (see test/helpers/chromium.ts for
// where it looks); `npm test` says plainly when it is not run, and CI requires it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS, findChromium } from './test/helpers/find-chromium.mjs';

/**
 * Tests that use Node-only APIs (child processes, fs, worker threads) stay out of the page, and so do
 * the thread tests: this page is not cross-origin isolated (models run on one thread there); threads
 * in Chromium are tested on an isolated page by test/platform/threads.test.ts.
 */
const NODE_ONLY = ['test/cli/**', 'test/demo/**', 'test/playground/**', 'test/platform/**', 'test/consumers/**', 'test/readme.test.ts', 'test/csv-library.test.ts', 'test/import-graph.test.ts', 'test/pool-layout.test.ts', 'test/threads.test.ts', 'test/threads-process.test.ts', 'test/gradients-memory.test.ts'];

const chromiumPath = findChromium();

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
        test: { name: 'node', include: ['test/**/*.test.ts'] },
      },
      ...(chromiumPath === undefined
        ? []
        : [
            {
              extends: true as const,
              resolve: { alias: [BUILT_PACKAGE] },
              test: {
                name: 'browser',
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
