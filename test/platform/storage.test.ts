// model.save(target) and loadModel(target): in Node (where the browser's stores are missing: typed
// errors; Blobs, Files, Responses and URLs load; localStorage through a stand-in with a quota), and in
// a Chromium page with a reload between saving and loading (Firefox and WebKit: browser-suite.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { createModel, deleteModel, listModels, loadModel, FormatError, OptionsError, type Model } from '../../src/index.js';
import { chromiumAvailable, launchChromium, serveStatic, watchConsole, type StaticServer } from '../helpers/chromium.js';
import { expectStorage } from './storage-expect.js';
import type { LoadHalf, SaveHalf } from './storage-page.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SPEC = { inputs: 2, layers: [{ units: 3, activation: 'tanh' as const }, { units: 1, activation: 'sigmoid' as const }], loss: 'bce' as const, seed: 9, threads: 1 };
const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const Y = [[0], [1], [1], [0]];

async function trained(): Promise<Model> {
  const model = await createModel(SPEC);
  model.fit(X, Y, { epochs: 20, optimizer: 'adam', learningRate: 0.05 });
  return model;
}

const bits = (model: Model): string => Buffer.from(model.getParamsFlat().buffer).toString('base64') + Buffer.from(new Float64Array(model.predict(X).flat()).buffer).toString('base64');

async function rejection(promise: Promise<unknown>): Promise<{ name: string; code: string; message: string }> {
  const error = (await promise.then(() => null, (e: unknown) => e)) as { name: string; code: string; message: string } | null;
  expect(error, 'it rejects').not.toBeNull();
  return { name: error!.name, code: error!.code, message: error!.message };
}

/** A localStorage stand-in: a Map with a quota in characters, throwing what browsers throw when full. */
class QuotaStorage {
  private readonly items = new Map<string, string>();
  constructor(private readonly quota: number) {}
  get length(): number {
    return this.items.size;
  }
  key(i: number): string | null {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    let used = key.length + value.length;
    for (const [k, v] of this.items) if (k !== key) used += k.length + v.length;
    if (used > this.quota) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('saving and loading models in Node', () => {
  let server: Server;
  let url: string;
  let json: string;

  beforeAll(async () => {
    const model = await trained();
    json = JSON.stringify(model.toJSON());
    model.dispose();
    server = createServer((request, response) => {
      if (request.url === '/model.json') response.writeHead(200, { 'content-type': 'application/json' }).end(json);
      else response.writeHead(404).end('not found');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('loads the same bits from a Blob, a File, a Response and an http URL', async () => {
    const reference = bits(await loadModel(json));
    expect(bits(await loadModel(new Blob([json])))).toBe(reference);
    expect(bits(await loadModel(new File([json], 'm.json')))).toBe(reference);
    expect(bits(await loadModel(new Response(json)))).toBe(reference);
    expect(bits(await loadModel(`${url}/model.json`))).toBe(reference);
    expect(bits(await loadModel(`  ${url}/model.json`))).toBe(reference);
  });

  it('what was read and is not a model is a FormatError naming where it came from', async () => {
    const broken = json.replace(/"params":"[A-Za-z0-9+/]/, '"params":"!');
    expect(await rejection(loadModel(new File([broken], 'm.json')))).toMatchObject({ name: 'FormatError', code: 'BAD_MODEL_JSON', message: 'the file "m.json": params: expected valid base64, got text that is not base64' });
    expect((await rejection(loadModel(new Blob(['{"format":1'])))).message).toMatch(/^the Blob: model: the text is not valid JSON/);
    const error = await loadModel(new Response('[]')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).path).toBe('model');
  });

  it('a source that is missing, malformed or unavailable here is an OptionsError naming it', async () => {
    expect(await rejection(loadModel(`${url}/nothing.json`))).toEqual({ name: 'OptionsError', code: 'NOT_FOUND', message: `${url}/nothing.json: the server answered 404 Not Found, not a saved model` });
    expect(await rejection(loadModel('./model.json'))).toMatchObject({ name: 'OptionsError', code: 'BAD_TARGET', message: './model.json: a relative URL needs a page to be relative to (pass an absolute URL here)' });
    expect(await rejection(loadModel('ftp://host/m.json'))).toMatchObject({ name: 'OptionsError', code: 'BAD_TARGET' });
    expect(await rejection(loadModel('download://m.json'))).toMatchObject({ name: 'OptionsError', code: 'BAD_TARGET' });
    expect(await rejection(loadModel('indexeddb://m'))).toEqual({ name: 'OptionsError', code: 'UNAVAILABLE', message: 'indexeddb://m: this environment has no IndexedDB (a browser page has it)' });
    expect(await rejection(loadModel('localstorage://m'))).toMatchObject({ name: 'OptionsError', code: 'UNAVAILABLE' });
    const used = new Response(json);
    await used.text();
    expect(await rejection(loadModel(used))).toMatchObject({ name: 'OptionsError', code: 'BAD_SOURCE' });
    // the options are checked first, before anything is read
    expect(await rejection(loadModel(`${url}/model.json`, { engine: 'gpu' as never }))).toMatchObject({ name: 'OptionsError' });
    // JSON text still loads as before, and text that is neither JSON nor a location is a FormatError
    expect(await rejection(loadModel('not json'))).toMatchObject({ name: 'FormatError', code: 'BAD_MODEL_JSON' });
  });

  it('model.save checks its target first, and needs a browser for every store', async () => {
    const model = await trained();
    for (const bad of [42, '', 'indexeddb://', 'indexeddb:/m', 'sessionstorage://m', 'https://host/m.json', `indexeddb://${'x'.repeat(1025)}`, 'localstorage://a\nb']) {
      const error = await model.save(bad as string).catch((e: unknown) => e);
      expect(error, JSON.stringify(bad)).toBeInstanceOf(OptionsError);
      expect((error as OptionsError).code).toBe('BAD_TARGET');
    }
    expect(await rejection(model.save('indexeddb://m'))).toMatchObject({ code: 'UNAVAILABLE', message: 'indexeddb://m: this environment has no IndexedDB (a browser page has it)' });
    expect(await rejection(model.save('localstorage://m'))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(await rejection(model.save('download://m.json'))).toMatchObject({ code: 'UNAVAILABLE', message: 'download://m.json: downloads need a browser page (this environment has no document)' });
    expect(await rejection(model.save('indexeddb://m', { training: 'yes' } as never))).toMatchObject({ name: 'OptionsError', code: 'BAD_OPTION' });
    expect(await listModels()).toEqual([]);
    expect(await rejection(listModels('indexeddb'))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(await rejection(listModels('sessionstorage' as never))).toMatchObject({ code: 'BAD_OPTION' });
    expect(await rejection(deleteModel('download://m.json'))).toMatchObject({ code: 'BAD_TARGET' });
    model.dispose();
  });

  it('localStorage: saves, lists, loads the same bits, deletes; too large is OptionsError TOO_LARGE and keeps what was there', async () => {
    const storage = new QuotaStorage(20_000);
    (globalThis as { localStorage?: unknown }).localStorage = storage;
    const model = await trained();
    await model.save('localstorage://xor');
    await model.save('localstorage://xor, no training state', { training: false });
    expect(storage.getItem('wasmlp/models/xor')).toBe(JSON.stringify(model.toJSON()));
    expect(await listModels()).toEqual(['localstorage://xor', 'localstorage://xor, no training state']);
    expect(await listModels('localstorage://')).toEqual(['localstorage://xor', 'localstorage://xor, no training state']);
    expect(bits(await loadModel('localstorage://xor'))).toBe(bits(model));

    const big = await createModel({ inputs: 40, layers: [{ units: 40, activation: 'relu' }, { units: 1, activation: 'identity' }], loss: 'mse', threads: 1 });
    expect(await rejection(big.save('localstorage://xor'))).toMatchObject({ name: 'OptionsError', code: 'TOO_LARGE' });
    const error = (await big.save('localstorage://xor').catch((e: unknown) => e)) as OptionsError;
    expect(error.message).toMatch(/^localstorage:\/\/xor: the saved model \(\d+ characters of JSON\) is too large for localStorage here \(about 5 MB per site\); save it to indexeddb:\/\/xor instead$/);
    expect(error.path).toBe('target');
    expect(bits(await loadModel('localstorage://xor')), 'the model saved before is intact').toBe(bits(model));

    expect(await deleteModel('localstorage://xor')).toBe(true);
    expect(await deleteModel('localstorage://xor')).toBe(false);
    expect(await listModels()).toEqual(['localstorage://xor, no training state']);
    expect(await rejection(loadModel('localstorage://xor'))).toEqual({ name: 'OptionsError', code: 'NOT_FOUND', message: 'localstorage://xor: no model is saved there' });
    for (const m of [model, big]) m.dispose();
  });
});

describe.skipIf(!chromiumAvailable())('saving and loading models in Chromium, with a reload between', () => {
  let browser: Browser;
  let server: StaticServer;

  beforeAll(async () => {
    server = await serveStatic(REPO);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('IndexedDB and localStorage give the same bytes after a reload; downloads, Files, URLs; typed errors', async () => {
    const tab = await browser.newPage();
    const errors = watchConsole(tab);
    await tab.goto(`${server.url}test/platform/index.html`);
    const half = (name: 'saveHalf' | 'loadHalf') => `(async () => {
      const lib = await import('${server.url}dist/index.js');
      const { ${name} } = await import('${server.url}test/platform/storage-page.mjs');
      return ${name}(lib);
    })()`;
    const save = await tab.evaluate<SaveHalf>(half('saveHalf'));
    await tab.reload();
    const load = await tab.evaluate<LoadHalf>(half('loadHalf'));
    expectStorage(save, load);
    // the fetch of the missing model logs a 404 in the console: that one is expected
    expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
  }, 120_000);
});
