// Where the browser tests look for Firefox and WebKit (Chromium: find-chromium.mjs). Plain JavaScript
// so that `npm test`'s runner (scripts/run-tests.mjs), the Vitest config and the tests share one
// answer. Never downloads a browser: it uses the ones installed on the machine (Debian's packages
// firefox-esr, webkit2gtk-driver and xvfb), or the ones FIREFOX_PATH / WEBKIT_DRIVER_PATH name.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findChromium, NO_CHROMIUM_MESSAGE } from './find-chromium.mjs';

/** Where a Firefox binary is looked for, in order (FIREFOX_PATH alone when it is set). */
export const FIREFOX_CANDIDATES = process.env.FIREFOX_PATH ? [process.env.FIREFOX_PATH] : ['/usr/bin/firefox-esr', '/usr/bin/firefox'];

/** Where WebKitGTK's WebDriver is looked for (WEBKIT_DRIVER_PATH alone when it is set). */
export const WEBKIT_DRIVER_CANDIDATES = process.env.WEBKIT_DRIVER_PATH ? [process.env.WEBKIT_DRIVER_PATH] : ['/usr/bin/WebKitWebDriver'];

/** The browser WebKitWebDriver starts (WebKitGTK's MiniBrowser; WEBKIT_BROWSER_PATH overrides). */
export const WEBKIT_BROWSER_CANDIDATES = process.env.WEBKIT_BROWSER_PATH
  ? [process.env.WEBKIT_BROWSER_PATH]
  : ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/libexec/webkit2gtk-4.1/MiniBrowser'];

/** A program on PATH, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The Firefox binary to use, or undefined when none is installed. */
export function findFirefox() {
  return FIREFOX_CANDIDATES.find((path) => existsSync(path));
}

/**
 * What the WebKit tests need: WebKitWebDriver, MiniBrowser and, where there is no display (MiniBrowser
 * has no headless mode), xvfb-run. Undefined when any of them is missing.
 */
export function findWebKit() {
  const driver = WEBKIT_DRIVER_CANDIDATES.find((path) => existsSync(path));
  const browser = WEBKIT_BROWSER_CANDIDATES.find((path) => existsSync(path));
  const xvfbRun = process.env.DISPLAY ? null : onPath('xvfb-run');
  if (driver === undefined || browser === undefined || xvfbRun === undefined) return undefined;
  return { driver, browser, xvfbRun };
}

export const NO_FIREFOX_MESSAGE =
  `No Firefox found (looked for ${FIREFOX_CANDIDATES.join(', ')}). ` +
  'Install one (Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y firefox-esr) or point FIREFOX_PATH at a Firefox binary.';

export const NO_WEBKIT_MESSAGE =
  `No WebKit found (looked for WebKitWebDriver at ${WEBKIT_DRIVER_CANDIDATES.join(', ')}, MiniBrowser at ${WEBKIT_BROWSER_CANDIDATES.join(', ')}` +
  `${process.env.DISPLAY ? '' : ', and xvfb-run on PATH since there is no DISPLAY'}). ` +
  'Install them (Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y webkit2gtk-driver xvfb) ' +
  'or point WEBKIT_DRIVER_PATH and WEBKIT_BROWSER_PATH at them.';

/**
 * Every browser `npm test` runs a suite in, by the name of its Vitest project (and of its line in
 * `npm test`'s report): whether it is installed here, and what to say when it is not (in full, and
 * in a few words for the suite's line).
 */
export const BROWSER_SUITES = [
  { suite: 'chromium', installed: () => findChromium() !== undefined, missing: NO_CHROMIUM_MESSAGE, hint: 'no Chromium: apt-get install chromium, or set CHROMIUM_PATH' },
  { suite: 'firefox', installed: () => findFirefox() !== undefined, missing: NO_FIREFOX_MESSAGE, hint: 'no Firefox: apt-get install firefox-esr, or set FIREFOX_PATH' },
  { suite: 'webkit', installed: () => findWebKit() !== undefined, missing: NO_WEBKIT_MESSAGE, hint: 'no WebKitWebDriver, MiniBrowser or xvfb-run: apt-get install webkit2gtk-driver xvfb' },
];
