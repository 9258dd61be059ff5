// The embedding cache: embeddings stored per (model, data, pre-processing) so a new suite over the same data, or a
// second evaluation of the same checkpoint, runs no forward pass. Entries are written atomically and are idempotent
// (same key ⇒ same content).
import { createHash } from 'node:crypto';
import { type ObjectStore } from '../../storage/index.js';
import { decodeSafetensors, encodeSafetensors } from '../safetensors.js';
import { EvalDataError } from './errors.js';
import { type Matrix } from './matrix.js';

/** Where embedding cache entries live under a store root. */
export const CACHE_PREFIX = 'eval/embeddings';

/** The key of one cache entry: model id, kind and a hash of everything else that shapes the embeddings. */
export function cacheKey(modelId: string, kind: 'images' | 'texts', parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(createHash('sha256').update(p).digest());
  return `${CACHE_PREFIX}/${modelId}/${kind}/${h.digest('hex').slice(0, 32)}.safetensors`;
}

/** Result of a cache lookup-or-compute. */
export interface Cached {
  readonly matrix: Matrix;
  readonly hit: boolean;
  readonly key: string;
}

/** Returns the cached embeddings at `key`, or computes, stores and returns them; `rows` is checked on a hit. */
export async function cachedEmbeddings(store: ObjectStore, key: string, rows: number, compute: () => Promise<Matrix>): Promise<Cached> {
  if (await store.head(key)) {
    const bytes = await store.get(key);
    const t = decodeSafetensors(bytes, store.uri(key)).tensors.get('embeddings');
    if (!t || t.shape.length !== 2 || t.dtype !== 'float32') throw new EvalDataError('cache entry has no float32 [N, E] "embeddings" tensor', store.uri(key));
    if (t.shape[0] !== rows) throw new EvalDataError(`cache entry holds ${t.shape[0]} rows, expected ${rows}`, store.uri(key));
    return { matrix: { rows: t.shape[0]!, cols: t.shape[1]!, data: t.data as Float32Array }, hit: true, key };
  }
  const matrix = await compute();
  const tensors = new Map([['embeddings', { dtype: 'float32' as const, shape: [matrix.rows, matrix.cols], data: matrix.data }]]);
  await store.put(key, encodeSafetensors(tensors, { kind: 'sigforge-embeddings' }));
  return { matrix, hit: false, key };
}
