// Where the browser tests look for Chromium. Plain JavaScript so that `npm test`'s runner
// (scripts/run-tests.mjs), the Vitest config and the tests share one answer. Never downloads a
// browser: it uses the one installed on the machine, or the one CHROMIUM_PATH names.
import { existsSync } from 'node:fs';

/** Where a Chromium binary is looked for, in order (CHROMIUM_PATH alone when it is set). */
export const CHROMIUM_CANDIDATES = process.env.CHROMIUM_PATH
  ? [process.env.CHROMIUM_PATH]
  : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Flags that let Chromium run headless as root on a machine with no outside network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium binary to use, or undefined when none is installed. */
export function findChromium() {
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path));
}

/** Why browser tests cannot run here, and how to fix it. */
export const NO_CHROMIUM_MESSAGE =
  `No Chromium found (looked for ${CHROMIUM_CANDIDATES.join(', ')}). ` +
  'Install one (Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y chromium) ' +
  'or point CHROMIUM_PATH at a Chromium or Chrome binary.';
