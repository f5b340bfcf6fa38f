// Where a saved model goes and comes from besides a JSON value: the browser's IndexedDB and
// localStorage, a download, and a File, Blob, Response or URL to load. One text each time, exactly
// `JSON.stringify(model.toJSON())`, read back through the same verified decoder as loadModel(json).
// This module only moves text; model.save and loadModel (./model.ts, ./factory.ts) encode and decode.
//
//   indexeddb://name      the database 'wasmlp', object store 'models', key `name`, the text as value
//   localstorage://name   the key `wasmlp/models/name`; over the origin's quota: OptionsError TOO_LARGE
//   download://file.json  saving only: the browser downloads the text as file.json
//   http(s)://…, blob:…, data:…, /…, ./…, ../…   loading only: fetched
//
// Every error is an OptionsError (a target that is malformed, unknown, unavailable here, empty or
// too large for its store) or a FormatError (what was read is not a saved model), naming the target.
import { FormatError, OptionsError, WasmlpError, describe } from '../errors.js';

/** What loadModel reads a saved model from, besides its JSON (object or text). */
export type ModelSource = string | Blob | Response;

/** The stores that listModels and deleteModel know. */
export type ModelStore = 'indexeddb' | 'localstorage';

const SCHEMES = ['indexeddb', 'localstorage', 'download'] as const;
type Scheme = (typeof SCHEMES)[number];
const URL_SCHEMES = ['http', 'https', 'blob', 'data'];
const TARGET_FORMS = "'indexeddb://name', 'localstorage://name' or 'download://file.json'";
const SOURCE_FORMS = "'indexeddb://name', 'localstorage://name', an http(s), blob: or data: URL, a relative URL ('/…', './…', '../…'), a File, Blob or Response";

const DB_NAME = 'wasmlp';
const DB_STORE = 'models';
const LOCAL_PREFIX = 'wasmlp/models/';
/** Longest name in a target: names are keys, not documents. */
const MAX_NAME = 1024;

interface Target {
  scheme: Scheme;
  name: string;
  /** The target as given, for messages. */
  text: string;
}

function badTarget(path: string, message: string, expected: string, received: string): OptionsError {
  return new OptionsError('BAD_TARGET', message, { path, expected, received });
}

/** `scheme://name`, checked: a known scheme and a name of 1 … 1024 characters without control characters. */
function parseTarget(text: string, path: string, forms: string): Target | null {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(text);
  if (match === null) return null;
  const scheme = match[1].toLowerCase();
  if (!(SCHEMES as readonly string[]).includes(scheme)) return null;
  const name = match[2];
  if (name.length === 0 || name.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(name)) {
    throw badTarget(path, `${path}: ${describe(text)} needs a name of 1 to ${MAX_NAME} characters without control characters after '${scheme}://' (${forms})`, `${scheme}://name`, describe(text));
  }
  return { scheme: scheme as Scheme, name, text };
}

/** The target of model.save, checked (before the model is encoded). */
export function saveTarget(target: unknown): Target {
  if (typeof target !== 'string') throw badTarget('target', `target: expected ${TARGET_FORMS}, got ${describe(target)}`, TARGET_FORMS, describe(target));
  const parsed = parseTarget(target, 'target', TARGET_FORMS);
  if (parsed === null) throw badTarget('target', `target: expected ${TARGET_FORMS}, got ${describe(target)}`, TARGET_FORMS, describe(target));
  return parsed;
}

/**
 * True when loadModel's string is a place to read from rather than JSON text: a scheme and a colon
 * (JSON text starts with `{`, `[`, `"`, a digit, `-`, true, false or null) or a relative URL.
 */
export function isModelLocation(value: unknown): value is ModelSource {
  if (typeof value !== 'string') {
    return (typeof Blob === 'function' && value instanceof Blob) || (typeof Response === 'function' && value instanceof Response);
  }
  const text = value.trimStart();
  return /^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith('/') || text.startsWith('./') || text.startsWith('../');
}

// ---------------------------------------------------------------------------------------------------
// the stores

function unavailable(target: string, what: string, cause?: unknown): OptionsError {
  return new OptionsError('UNAVAILABLE', `${target}: ${what}`, { path: 'target', expected: 'a browser page with this storage', received: target, cause });
}

/** True for the error a store throws when it is full (names and codes across Chromium, Firefox and WebKit). */
function isQuotaError(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown } | null;
  return e !== null && typeof e === 'object' && (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED' || e.code === 22 || e.code === 1014);
}

function tooLarge(target: Target, text: string, store: string, cause: unknown): OptionsError {
  return new OptionsError('TOO_LARGE', `${target.text}: the saved model (${text.length} characters of JSON) is too large for ${store} here${target.scheme === 'localstorage' ? ` (about 5 MB per site); save it to indexeddb://${target.name} instead` : ''}`, {
    path: 'target', expected: `a model that fits in ${store}`, received: `${text.length} characters`, cause,
  });
}

function localStore(target: string): Storage {
  let storage: Storage | undefined;
  try {
    storage = (globalThis as { localStorage?: Storage }).localStorage;
  } catch (cause) {
    // a page whose storage is blocked (sandboxed iframe, cookies off) throws on access
    throw unavailable(target, `localStorage is not available here (${String(cause)})`, cause);
  }
  if (storage === undefined || storage === null) throw unavailable(target, 'this environment has no localStorage (a browser page has it)');
  return storage;
}

/** A promise of an IDBRequest's result. */
function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Opens wasmlp's database (creating its store), runs `work` in one transaction, waits for it to commit, and closes it. */
async function withStore<T>(target: string, mode: IDBTransactionMode, work: (store: IDBObjectStore) => Promise<T>): Promise<T> {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (idb === undefined || idb === null) throw unavailable(target, 'this environment has no IndexedDB (a browser page has it)');
  let db: IDBDatabase;
  try {
    const open = idb.open(DB_NAME, 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(DB_STORE)) open.result.createObjectStore(DB_STORE);
    };
    db = await request(open);
  } catch (cause) {
    throw unavailable(target, `IndexedDB could not be opened (${String(cause)})`, cause);
  }
  // another page upgrading or deleting the database: let it
  db.onversionchange = () => db.close();
  try {
    const tx = db.transaction(DB_STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error);
    });
    // a failing `work` aborts the transaction too: its rejection is the one reported
    done.catch(() => undefined);
    const result = await work(tx.objectStore(DB_STORE));
    await done;
    return result;
  } finally {
    db.close();
  }
}

/** Saves `text` (a saved model's JSON) to a checked target; nothing is half-written. */
export async function writeModelText(target: Target, text: string): Promise<void> {
  switch (target.scheme) {
    case 'indexeddb':
      try {
        await withStore(target.text, 'readwrite', async (store) => {
          store.put(text, target.name);
        });
      } catch (cause) {
        if (cause instanceof WasmlpError) throw cause;
        if (isQuotaError(cause)) throw tooLarge(target, text, 'IndexedDB', cause);
        throw unavailable(target.text, `IndexedDB refused the model (${String(cause)})`, cause);
      }
      return;
    case 'localstorage': {
      const storage = localStore(target.text);
      try {
        storage.setItem(LOCAL_PREFIX + target.name, text);
      } catch (cause) {
        if (isQuotaError(cause)) throw tooLarge(target, text, 'localStorage', cause);
        throw unavailable(target.text, `localStorage refused the model (${String(cause)})`, cause);
      }
      return;
    }
    case 'download': {
      const doc = (globalThis as { document?: Document }).document;
      if (doc === undefined || typeof URL.createObjectURL !== 'function') throw unavailable(target.text, 'downloads need a browser page (this environment has no document)');
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const link = doc.createElement('a');
      link.href = url;
      link.download = target.name;
      link.style.display = 'none';
      (doc.body ?? doc.documentElement).appendChild(link);
      link.click();
      link.remove();
      // the browser reads the Blob after click() returns: keep it for a while
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return;
    }
  }
}

/** Where loadModel read from, for messages: the target or URL, or what the object was. */
function sourceName(source: ModelSource): string {
  if (typeof source === 'string') return source;
  if (typeof File === 'function' && source instanceof File) return `the file ${describe(source.name)}`;
  if (typeof Response === 'function' && source instanceof Response) return source.url ? `the response from ${source.url}` : 'the Response';
  return 'the Blob';
}

async function readResponse(response: Response, from: string): Promise<string> {
  if (!response.ok) {
    throw new OptionsError('NOT_FOUND', `${from}: the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}, not a saved model`, {
      path: 'source', expected: 'a 2xx response with a saved model', received: `HTTP ${response.status}`,
    });
  }
  if (response.bodyUsed) throw new OptionsError('BAD_SOURCE', `${from}: its body was already read`, { path: 'source', expected: 'a Response whose body is unread', received: 'a used Response' });
  return response.text();
}

/**
 * Reads a saved model's text from `source` (see isModelLocation). Returns it with the name of the
 * source, which loadModel puts in front of a FormatError's message.
 */
export async function readModelText(source: ModelSource): Promise<{ text: string; from: string }> {
  const from = sourceName(source);
  if (typeof source !== 'string') {
    if (typeof Response === 'function' && source instanceof Response) return { text: await readResponse(source, from), from };
    return { text: await source.text(), from };
  }
  const location = source.trim();
  const target = parseTarget(location, 'source', SOURCE_FORMS);
  if (target !== null) {
    const missing = () => new OptionsError('NOT_FOUND', `${location}: no model is saved there`, { path: 'source', expected: 'a saved model', received: location });
    if (target.scheme === 'download') {
      throw badTarget('source', `${location}: a download is where model.save sends a model, not a place to load one from; load the downloaded file (a File from an <input type="file">, or its URL)`, SOURCE_FORMS, describe(location));
    }
    if (target.scheme === 'localstorage') {
      const text = localStore(location).getItem(LOCAL_PREFIX + target.name);
      if (text === null) throw missing();
      return { text, from };
    }
    let text: unknown;
    try {
      text = await withStore(location, 'readonly', (store) => request(store.get(target.name)));
    } catch (cause) {
      if (cause instanceof WasmlpError) throw cause;
      throw unavailable(location, `IndexedDB could not be read (${String(cause)})`, cause);
    }
    if (text === undefined) throw missing();
    if (typeof text !== 'string') throw new FormatError('BAD_MODEL_JSON', `${location}: the stored value is ${describe(text)}, not a saved model's text`, { path: 'model', expected: 'a saved model (JSON text)', received: describe(text) });
    return { text, from };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(location)?.[1].toLowerCase();
  if (scheme !== undefined && !URL_SCHEMES.includes(scheme)) {
    throw badTarget('source', `source: expected ${SOURCE_FORMS}, got ${describe(location)}`, SOURCE_FORMS, describe(location));
  }
  let url: URL;
  try {
    url = new URL(location, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    throw badTarget('source', `${location}: a relative URL needs a page to be relative to (pass an absolute URL here)`, 'an absolute URL', describe(location));
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new OptionsError('NOT_FOUND', `${location}: the model could not be fetched (${String(cause)})`, { path: 'source', expected: 'a reachable URL', received: location, cause });
  }
  return { text: await readResponse(response, location), from };
}

/** A FormatError about what was read from `from`, with `from` in front of its message; other errors unchanged. */
export function namingSource(error: unknown, from: string): unknown {
  if (!(error instanceof FormatError)) return error;
  return new FormatError(error.code, `${from}: ${error.message}`, { path: error.path, expected: error.expected, received: error.received, cause: error });
}

// ---------------------------------------------------------------------------------------------------
// listing and deleting

function storeOf(store: unknown): ModelStore {
  const name = typeof store === 'string' ? store.replace(/:\/\/$/, '').toLowerCase() : store;
  if (name === 'indexeddb' || name === 'localstorage') return name;
  throw new OptionsError('BAD_OPTION', `store: expected 'indexeddb' or 'localstorage', got ${describe(store)}`, { path: 'store', expected: "'indexeddb' or 'localstorage'", received: describe(store) });
}

/**
 * The models saved in a store of this page's origin, as targets (`'indexeddb://name'`,
 * `'localstorage://name'`), sorted. Without `store`: both stores, those this environment has (none
 * in Node: []). A store named but missing here is an OptionsError UNAVAILABLE.
 */
export async function listModels(store?: ModelStore | 'indexeddb://' | 'localstorage://'): Promise<string[]> {
  const stores: ModelStore[] = store === undefined ? ['indexeddb', 'localstorage'] : [storeOf(store)];
  const found: string[] = [];
  for (const kind of stores) {
    const prefix = `${kind}://`;
    if (store === undefined && !hasStore(kind)) continue;
    if (kind === 'localstorage') {
      const storage = localStore(prefix);
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        if (key !== null && key.startsWith(LOCAL_PREFIX)) found.push(prefix + key.slice(LOCAL_PREFIX.length));
      }
    } else {
      const keys = await withStore(prefix, 'readonly', (s) => request(s.getAllKeys()));
      for (const key of keys) if (typeof key === 'string') found.push(prefix + key);
    }
  }
  return found.sort();
}

function hasStore(kind: ModelStore): boolean {
  try {
    const g = globalThis as { indexedDB?: unknown; localStorage?: unknown };
    return kind === 'indexeddb' ? g.indexedDB !== undefined && g.indexedDB !== null : g.localStorage !== undefined && g.localStorage !== null;
  } catch {
    return false;
  }
}

/** Deletes the model saved at `target` ('indexeddb://name' or 'localstorage://name'); true when there was one. */
export async function deleteModel(target: string): Promise<boolean> {
  const forms = "'indexeddb://name' or 'localstorage://name'";
  const parsed = typeof target === 'string' ? parseTarget(target, 'target', forms) : null;
  if (parsed === null || parsed.scheme === 'download') throw badTarget('target', `target: expected ${forms}, got ${describe(target)}`, forms, describe(target));
  if (parsed.scheme === 'localstorage') {
    const storage = localStore(target);
    const key = LOCAL_PREFIX + parsed.name;
    const had = storage.getItem(key) !== null;
    storage.removeItem(key);
    return had;
  }
  return withStore(target, 'readwrite', async (store) => {
    // both requests now, in this order: the count is taken before the delete
    const count = request(store.count(parsed.name));
    store.delete(parsed.name);
    return (await count) > 0;
  });
}
