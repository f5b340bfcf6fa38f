// The Firefox suite (`npm test` reports it as `suite firefox`): Firefox driven over WebDriver BiDi.
// What it runs: ./browser-suite.ts. A cross-origin-isolated page has SharedArrayBuffer there, so
// threaded models run on the threads asked for.
import { browserSuite } from './browser-suite.js';

browserSuite('firefox', { sharedMemory: true });
