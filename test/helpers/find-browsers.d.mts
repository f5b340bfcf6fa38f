export const FIREFOX_CANDIDATES: string[];
export const WEBKIT_DRIVER_CANDIDATES: string[];
export const WEBKIT_BROWSER_CANDIDATES: string[];
export function findFirefox(): string | undefined;
export interface WebKitInstall {
  driver: string;
  browser: string;
  /** xvfb-run, or null where a display is set */
  xvfbRun: string | null;
}
export function findWebKit(): WebKitInstall | undefined;
export const NO_FIREFOX_MESSAGE: string;
export const NO_WEBKIT_MESSAGE: string;
export interface BrowserSuite {
  suite: 'chromium' | 'firefox' | 'webkit';
  installed(): boolean;
  missing: string;
  hint: string;
}
export const BROWSER_SUITES: BrowserSuite[];
