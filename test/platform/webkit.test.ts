// The WebKit suite (`npm test` reports it as `suite webkit`): WebKitGTK's MiniBrowser driven over
// classic WebDriver. What it runs: ./browser-suite.ts. WebKitGTK gives no SharedArrayBuffer, even to
// a cross-origin-isolated page: models asked for threads run on one, with the same bytes.
import { browserSuite } from './browser-suite.js';

browserSuite('webkit', { sharedMemory: false });
