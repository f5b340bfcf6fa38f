export interface Caught {
  name: string;
  code: string | null;
  message: string;
}
export interface Fingerprint {
  params: string;
  predictions: string;
}
export interface Resumed {
  params: string;
  loss: string;
}
export interface SaveHalf {
  saved: Fingerprint;
  continued: Resumed;
  listed: string[];
  listedIndexedDB: string[];
  download: { name: string; inDocument: boolean; sameText: boolean; isBlobUrl: boolean };
  fromFile: Fingerprint;
  fromUrl: Fingerprint;
  fromResponse: Fingerprint;
  tooLarge: Caught | null;
  errors: Record<'unknownScheme' | 'noName' | 'loadDownload' | 'missing' | 'notFound', Caught | null>;
}
export interface LoadHalf {
  listed: string[];
  indexeddb: Fingerprint & { continued: Resumed };
  localstorage: Fingerprint & { continued: Resumed };
  broken: Caught | null;
  deleted: [string, boolean][];
  deletedAgain: boolean;
  afterDelete: string[];
  missingAfterDelete: Caught | null;
}
export function saveHalf(lib: unknown): Promise<SaveHalf>;
export function loadHalf(lib: unknown): Promise<LoadHalf>;
