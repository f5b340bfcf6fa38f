// Models saved in a browser page and loaded after a reload: the two halves, run in the page (Chromium,
// Firefox, WebKit) with the built package it imported; the test reloads the page between them and
// compares what each half reports. Plain JavaScript, loaded unchanged by every page.
import { mulberry32 } from '../helpers/mulberry32.mjs';

const SPEC = {
  inputs: 3,
  layers: [{ units: 6, activation: 'tanh' }, { units: 2, activation: 'softmax' }],
  loss: 'cce',
  seed: 21,
  threads: 1,
};
const FIT = { epochs: 5, batchSize: 8, optimizer: 'adam', learningRate: 0.01, normalize: { inputs: 'standardize' } };
/** Too large for localStorage anywhere (about 19 million characters with its training state). */
const HUGE = { inputs: 1000, layers: [{ units: 600, activation: 'relu' }, { units: 1, activation: 'identity' }], loss: 'mse', seed: 1, threads: 1 };

function data() {
  const rand = mulberry32(77);
  const X = Array.from({ length: 48 }, () => [4 * rand() - 2, 4 * rand() - 2, 4 * rand() - 2]);
  const Y = X.map(([a, b, c]) => (a + b * c > 0 ? [1, 0] : [0, 1]));
  return { X, Y };
}

async function sha256(typed) {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What must be the same bytes after saving and loading: the parameters and the predictions. */
async function fingerprint(model) {
  const { X } = data();
  return { params: await sha256(model.getParamsFlat()), predictions: await sha256(model.predict(new Float64Array(X.flat()))) };
}

/** Two more epochs: the same bytes when the optimizer and shuffler state were saved and loaded too. */
async function resumed(model) {
  const { X, Y } = data();
  const history = model.fit(X, Y, { ...FIT, normalize: undefined, epochs: 2 });
  return { params: await sha256(model.getParamsFlat()), loss: await sha256(Float64Array.from(history.loss)) };
}

function caught(error) {
  return { name: error?.name ?? typeof error, code: error?.code ?? null, message: String(error?.message ?? error) };
}

async function attempt(fn) {
  try {
    await fn();
    return null;
  } catch (error) {
    return caught(error);
  }
}

/** The first half: clear what an earlier run left, train, save everywhere, and load back what needs no reload. */
export async function saveHalf(lib) {
  for (const target of await lib.listModels()) await lib.deleteModel(target);
  const model = await lib.createModel(SPEC);
  const { X, Y } = data();
  model.fit(X, Y, FIT);
  const json = JSON.stringify(model.toJSON());
  const saved = await fingerprint(model);
  await model.save('indexeddb://seeded');
  await model.save('localstorage://seeded');
  await model.save('indexeddb://second model');

  // a download: what the link hands the browser, read back through its blob: URL and as a File
  const click = HTMLAnchorElement.prototype.click;
  let link = null;
  HTMLAnchorElement.prototype.click = function () {
    link = { download: this.download, href: this.href, inDocument: this.isConnected };
  };
  try {
    await model.save('download://seeded-model.json');
  } finally {
    HTMLAnchorElement.prototype.click = click;
  }
  const downloaded = await (await fetch(link.href)).text();
  const fromFile = await fingerprint(await lib.loadModel(new File([downloaded], 'seeded-model.json', { type: 'application/json' })));
  const fromUrl = await fingerprint(await lib.loadModel(link.href));
  const fromResponse = await fingerprint(await lib.loadModel(new Response(downloaded)));

  // too large for localStorage: a typed error naming the target, and nothing saved
  const huge = await lib.createModel(HUGE);
  const tooLarge = await attempt(() => huge.save('localstorage://huge'));
  huge.dispose();

  const errors = {
    unknownScheme: await attempt(() => model.save('sessionstorage://x')),
    noName: await attempt(() => model.save('indexeddb://')),
    loadDownload: await attempt(() => lib.loadModel('download://seeded-model.json')),
    missing: await attempt(() => lib.loadModel('indexeddb://never saved')),
    notFound: await attempt(() => lib.loadModel('/no/such/model.json')),
  };
  const continued = await resumed(model);
  model.dispose();
  return {
    saved,
    continued,
    listed: await lib.listModels(),
    listedIndexedDB: await lib.listModels('indexeddb'),
    download: { name: link.download, inDocument: link.inDocument, sameText: downloaded === json, isBlobUrl: link.href.startsWith('blob:') },
    fromFile,
    fromUrl,
    fromResponse,
    tooLarge,
    errors,
  };
}

/** The second half, after a reload: load from each store, resume training, break one, delete them all. */
export async function loadHalf(lib) {
  const listed = await lib.listModels();
  const fromIndexedDB = await lib.loadModel('indexeddb://seeded');
  const fromLocalStorage = await lib.loadModel('localstorage://seeded');
  const result = {
    listed,
    indexeddb: { ...(await fingerprint(fromIndexedDB)), continued: await resumed(fromIndexedDB) },
    localstorage: { ...(await fingerprint(fromLocalStorage)), continued: await resumed(fromLocalStorage) },
  };
  fromIndexedDB.dispose();
  fromLocalStorage.dispose();
  localStorage.setItem('wasmlp/models/broken', '{"format":"not a model"}');
  result.broken = await attempt(() => lib.loadModel('localstorage://broken'));
  result.deleted = [];
  for (const target of await lib.listModels()) result.deleted.push([target, await lib.deleteModel(target)]);
  result.deletedAgain = await lib.deleteModel('indexeddb://seeded');
  result.afterDelete = await lib.listModels();
  result.missingAfterDelete = await attempt(() => lib.loadModel('localstorage://seeded'));
  return result;
}
