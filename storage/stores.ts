// The one place production code opens object stores. Every `s3://` URI a worker or the CLI touches — the storage
// root, ingest sources, models to evaluate, report sources — is opened with the same configured S3 settings
// (endpoint, region, path style, credentials), so no code path falls back to AWS defaults and sends a MinIO key id
// to amazonaws.com. Without settings, `s3://` URIs are refused instead of guessed.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidUriError } from './errors.js';
import { type ObjectStore, type S3Options } from './object-store.js';
import { openStore } from './open-store.js';
import { parseRootUri } from './uri.js';

/** Opens stores with one worker's storage settings and resolves the references users type. */
export interface Stores {
  /** The storage root URI (`file:///…` or `s3://bucket/prefix`), or null when these stores have no root. */
  readonly rootUri: string | null;
  /** Opens any `file://` or `s3://` URI with the configured settings. */
  open(uri: string): ObjectStore;
  /** A URI for what a user typed: URIs as they are, `/abs` and `./rel` local paths, `runs/x` under the root. */
  resolve(ref: string): string;
}

/** Storage settings the stores are made from (the config's `storage` section). */
export interface StoreSettings {
  root?: string;
  /** The configured S3 settings; when absent, `s3://` URIs use the standard AWS chain (env, profile, role). */
  s3?: S3Options;
  /** False (the default) means s3:// works with the AWS chain; true refuses s3:// (tests, local-only tools). */
  localOnly?: boolean;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** True for a reference that names a local path rather than a key under the storage root. */
export function isLocalPath(ref: string): boolean {
  return path.isAbsolute(ref) || ref === '.' || ref === '..' || /^\.\.?[\\/]/.test(ref) || ref.startsWith('~');
}

/**
 * Resolves a reference against a storage root: a `file://` or `s3://` URI is kept (trailing slashes dropped), an
 * absolute or `./`-relative path is a local directory, and anything else (`runs/a`, `datasets/x`) is a key prefix
 * under the root — the rule every verb uses, so `train --out runs/a` and `eval --model runs/a` mean the same place.
 */
export function resolveRef(ref: string, rootUri: string | null): string {
  const fail = (why: string): never => {
    throw new InvalidUriError(`${JSON.stringify(ref)}: ${why}`, { subject: ref });
  };
  if (ref.trim() === '') fail('is empty');
  if (SCHEME.test(ref) || ref.startsWith('file:')) {
    if (!ref.startsWith('file:') && !ref.startsWith('s3://')) fail('use a file:// or s3:// URI, a local path (/abs, ./rel) or a path under the storage root');
    parseRootUri(ref.replace(/\/+$/, '') || ref);
    return ref.replace(/\/+$/, '');
  }
  if (isLocalPath(ref)) {
    if (ref.startsWith('~')) fail('"~" is not expanded here: give an absolute path');
    return pathToFileURL(path.resolve(ref)).href.replace(/\/+$/, '');
  }
  if (rootUri === null) fail('is relative but no storage root is configured (--root or SIGFORGE_ROOT); write ./path for a local path');
  const key = ref.replace(/^\/+|\/+$/g, '');
  if (key.split('/').some((part) => part === '..' || part === '.')) fail('a path under the storage root must not contain "." or ".." segments');
  return `${rootUri!.replace(/\/+$/, '')}/${key}`;
}

/** Creates the stores of one process from its storage settings. */
export function createStores(settings: StoreSettings): Stores {
  const rootUri = settings.root === undefined ? null : settings.root.replace(/\/+$/, '');
  return {
    rootUri,
    open(uri: string): ObjectStore {
      const parsed = parseRootUri(uri);
      if (parsed.kind === 's3' && settings.localOnly) {
        throw new InvalidUriError(`storage URI ${JSON.stringify(uri)}: these stores open local files only (no S3 settings were given)`, { subject: uri });
      }
      return openStore(uri, parsed.kind === 's3' && settings.s3 ? { s3: settings.s3 } : {});
    },
    resolve: (ref: string) => resolveRef(ref, rootUri),
  };
}

/** Stores for tools with no configuration: local files only; an `s3://` URI is refused, never sent to AWS defaults. */
export const LOCAL_STORES: Stores = createStores({ localOnly: true });
