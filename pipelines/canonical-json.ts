// Canonical JSON: the one key-order-independent rendering that dataset versions, config hashes, cache keys and suite
// hashes are computed from. Changing its output renames every ingest and curation version: don't.
import { createHash } from 'node:crypto';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as { [k: string]: unknown })[k])]),
    );
  }
  return v;
}

/** JSON text of `value` with object keys sorted at every level (otherwise exactly `JSON.stringify`). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Hex sha256 of the canonical JSON of `value`: a stable hash of a config or input, whatever its key order. */
export function hashJson(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
