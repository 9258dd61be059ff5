// The public surface of storage/: what other areas import.
export * from './errors.js';
export { validateKey, joinKey } from './keys.js';
export type { ObjectStore, ObjectInfo, ListEntry, PutResult, StoreOptions, S3Options } from './object-store.js';
export { openStore, closeStore } from './open-store.js';
export { parseRootUri, splitObjectUri, type ParsedRoot } from './uri.js';
export * from './record.js';
