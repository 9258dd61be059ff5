// `sigforge storage init`: make a storage root ready and prove it supports what the code relies on — the bucket
// exists (created when missing), objects can be written, listed, read back and deleted under the prefix, and
// conditional PUT (If-None-Match: *) is honoured, which every manifest and checkpoint commit depends on.
import { randomBytes } from 'node:crypto';
import { AlreadyExistsError, StorageError } from './errors.js';
import { type ObjectStore } from './object-store.js';
import { S3Store } from './s3-store.js';

/** What {@link initStore} found and did, one line per check. */
export interface StoreInitReport {
  rootUri: string;
  bucket: 'created' | 'exists' | null;
  checks: string[];
}

/** Raised when a root lacks something the pipeline needs (conditional PUT, list-after-write). */
export class StoreInitError extends StorageError {
  override readonly name = 'StoreInitError';
}

/** Prepares and checks a store's root; throws StoreInitError naming the missing capability. */
export async function initStore(store: ObjectStore): Promise<StoreInitReport> {
  const bucket = store instanceof S3Store ? await store.ensureBucket() : null;
  const checks: string[] = [];
  const probe = `.sigforge-init/${randomBytes(8).toString('hex')}`;
  const body = new TextEncoder().encode('sigforge storage init probe\n');
  try {
    await store.putIfAbsent(probe, body);
    checks.push('write: ok');
    let conditional = false;
    try {
      await store.putIfAbsent(probe, body);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      conditional = true;
    }
    if (!conditional) {
      throw new StoreInitError(
        `${store.rootUri}: conditional PUT (If-None-Match: *) is not honoured: a second create of the same key succeeded; ` +
          'commits of manifests and checkpoints cannot be fenced on this server (MinIO and AWS S3 support it)',
        { subject: store.rootUri },
      );
    }
    checks.push('conditional put (If-None-Match: *): ok');
    const listed: string[] = [];
    for await (const e of store.list('.sigforge-init/')) listed.push(e.key);
    if (!listed.includes(probe)) throw new StoreInitError(`${store.rootUri}: a written object is missing from the listing`, { subject: store.rootUri });
    checks.push('list: ok');
    const back = await store.get(probe);
    if (Buffer.compare(Buffer.from(back), Buffer.from(body)) !== 0) throw new StoreInitError(`${store.rootUri}: an object read back differs from what was written`, { subject: store.rootUri });
    checks.push('read: ok');
  } finally {
    await store.delete(probe).catch(() => undefined);
  }
  checks.push('delete: ok');
  return { rootUri: store.rootUri, bucket, checks };
}
