// Copies an object, or every object under a prefix, from one URI to another through the stores (local disk and S3
// alike): what `sigforge storage put/get` do, so an operator never needs a second S3 tool to upload URL lists or
// download a report. Each object is written atomically by its store.
import { NotFoundError, StorageError } from './errors.js';
import { closeStore } from './open-store.js';
import { type Stores } from './stores.js';
import { splitObjectUri } from './uri.js';

/** What a copy did. */
export interface CopyResult {
  objects: number;
  bytes: number;
  to: string;
}

function objectOf(uri: string): { rootUri: string; key: string } | null {
  try {
    return splitObjectUri(uri);
  } catch {
    return null; // a bucket root: only a prefix copy makes sense
  }
}

/**
 * Copies `from` to `to`: when `from` names one object it becomes the object `to` (or `to/<name>` when `to` ends with
 * a slash); otherwise every object under the prefix `from` is copied under the prefix `to`, keeping relative keys.
 */
export async function copyObjects(stores: Stores, from: string, to: string): Promise<CopyResult> {
  const single = objectOf(from.replace(/\/+$/, ''));
  if (single && !from.endsWith('/')) {
    const src = stores.open(single.rootUri);
    try {
      if (await src.head(single.key)) {
        const name = single.key.split('/').at(-1)!;
        const target = objectOf(to.endsWith('/') ? `${to}${name}` : to);
        if (!target) throw new StorageError(`copy to ${to}: names a bucket, not an object`, { subject: to });
        const dst = stores.open(target.rootUri);
        try {
          const body = await src.get(single.key);
          await dst.put(target.key, body);
          return { objects: 1, bytes: body.byteLength, to: dst.uri(target.key) };
        } finally {
          closeStore(dst);
        }
      }
    } finally {
      closeStore(src);
    }
  }
  const src = stores.open(from.replace(/\/+$/, ''));
  const dst = stores.open(to.replace(/\/+$/, ''));
  try {
    let objects = 0;
    let bytes = 0;
    for await (const { key } of src.list('')) {
      const body = await src.get(key);
      await dst.put(key, body);
      objects++;
      bytes += body.byteLength;
    }
    if (objects === 0) throw new NotFoundError(`copy from ${from}: no object there, and no objects under it`, { subject: from });
    return { objects, bytes, to: dst.rootUri };
  } finally {
    closeStore(src);
    closeStore(dst);
  }
}
