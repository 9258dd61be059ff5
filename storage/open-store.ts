import { LocalStore } from './local-store.js';
import { type ObjectStore, type StoreOptions } from './object-store.js';
import { S3Store } from './s3-store.js';
import { parseRootUri } from './uri.js';

/** Opens the store for a root URI: `file:///abs/dir` (local disk) or `s3://bucket/prefix`. */
export function openStore(rootUri: string, options: StoreOptions = {}): ObjectStore {
  const root = parseRootUri(rootUri);
  if (root.kind === 'file') return new LocalStore(root.path);
  return new S3Store(root.bucket, root.prefix, options.s3);
}

/** Releases a store's network resources (S3 connections); a no-op for local stores. */
export function closeStore(store: ObjectStore): void {
  if (store instanceof S3Store) store.close();
}
