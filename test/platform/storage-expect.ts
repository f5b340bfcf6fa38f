// What the storage pages (storage-page.mjs) must report, in every browser: the same bytes after a
// reload from IndexedDB and localStorage, a download that is the model's JSON, typed errors naming
// their target, and stores that list and delete.
import { expect } from 'vitest';
import type { LoadHalf, SaveHalf } from './storage-page.mjs';

export function expectStorage(save: SaveHalf, load: LoadHalf): void {
  expect(save.listed).toEqual(['indexeddb://second model', 'indexeddb://seeded', 'localstorage://seeded']);
  expect(save.listedIndexedDB).toEqual(['indexeddb://second model', 'indexeddb://seeded']);
  expect(save.download).toEqual({ name: 'seeded-model.json', inDocument: true, sameText: true, isBlobUrl: true });
  expect(save.fromFile, 'loaded from a File').toEqual(save.saved);
  expect(save.fromUrl, 'loaded from the blob: URL').toEqual(save.saved);
  expect(save.fromResponse, 'loaded from a Response').toEqual(save.saved);

  expect(save.tooLarge).toMatchObject({ name: 'OptionsError', code: 'TOO_LARGE' });
  expect(save.tooLarge?.message).toMatch(/^localstorage:\/\/huge: the saved model \(\d+ characters of JSON\) is too large for localStorage here .*indexeddb:\/\/huge/);
  expect(save.errors.unknownScheme).toMatchObject({ name: 'OptionsError', code: 'BAD_TARGET' });
  expect(save.errors.unknownScheme?.message).toContain('"sessionstorage://x"');
  expect(save.errors.noName).toMatchObject({ name: 'OptionsError', code: 'BAD_TARGET' });
  expect(save.errors.loadDownload).toMatchObject({ name: 'OptionsError', code: 'BAD_TARGET' });
  expect(save.errors.loadDownload?.message).toMatch(/^download:\/\/seeded-model\.json: /);
  expect(save.errors.missing).toEqual({ name: 'OptionsError', code: 'NOT_FOUND', message: 'indexeddb://never saved: no model is saved there' });
  expect(save.errors.notFound).toMatchObject({ name: 'OptionsError', code: 'NOT_FOUND' });
  expect(save.errors.notFound?.message).toMatch(/^\/no\/such\/model\.json: the server answered 404/);

  expect(load.listed, 'after the reload').toEqual(save.listed);
  expect(load.indexeddb, 'from IndexedDB after the reload: parameters, predictions, two more epochs').toEqual({ ...save.saved, continued: save.continued });
  expect(load.localstorage, 'from localStorage after the reload: parameters, predictions, two more epochs').toEqual({ ...save.saved, continued: save.continued });
  expect(load.broken).toMatchObject({ name: 'FormatError' });
  expect(load.broken?.message).toMatch(/^localstorage:\/\/broken: format: /);
  expect(load.deleted).toEqual([
    ['indexeddb://second model', true],
    ['indexeddb://seeded', true],
    ['localstorage://broken', true],
    ['localstorage://seeded', true],
  ]);
  expect(load.deletedAgain).toBe(false);
  expect(load.afterDelete).toEqual([]);
  expect(load.missingAfterDelete).toMatchObject({ name: 'OptionsError', code: 'NOT_FOUND' });
}
