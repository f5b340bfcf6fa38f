// The model.threadsNote sentences the browser pages must show (src/engine/threads.ts writes them).

const ISOLATION = 'serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

/** `threads: n` on a page that is not cross-origin isolated (Chromium, Firefox, WebKit). */
export const notIsolatedNote = (n: number): string => `Runs on 1 thread, not the ${n} asked for: this page is not cross-origin isolated (${ISOLATION}), so it has no SharedArrayBuffer.`;

/** `threads: n` on an isolated page of a browser that gives no SharedArrayBuffer (WebKitGTK). */
export const noSharedMemoryNote = (n: number): string => `Runs on 1 thread, not the ${n} asked for: this browser gives no SharedArrayBuffer, even to a cross-origin-isolated page.`;
