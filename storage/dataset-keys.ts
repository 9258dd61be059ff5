import { ManifestError } from './errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Checks a dataset name or version: letters, digits, `.`, `_`, `-`, not starting with a symbol, ≤ 128 chars. */
export function checkDatasetPart(what: 'name' | 'version', value: string): string {
  if (typeof value !== 'string' || !NAME.test(value) || value.includes('..')) {
    throw new ManifestError(
      `dataset ${what} ${JSON.stringify(value)}: use 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      { subject: String(value) },
    );
  }
  if (what === 'version' && value === 'latest') {
    throw new ManifestError('dataset version "latest" is reserved for resolving the newest version');
  }
  return value;
}

/** Keys of one dataset version: `datasets/<name>/<version>/manifest.json` and `…/shards/part-00000.parquet`. */
export function datasetKeys(
  name: string,
  version: string,
): { prefix: string; manifest: string; shard(i: number): string } {
  checkDatasetPart('name', name);
  checkDatasetPart('version', version);
  const prefix = `datasets/${name}/${version}`;
  return {
    prefix,
    manifest: `${prefix}/manifest.json`,
    shard(i: number): string {
      if (!Number.isSafeInteger(i) || i < 0)
        throw new ManifestError(`shard index ${i}: must be a non-negative integer`);
      return `${prefix}/shards/part-${String(i).padStart(5, '0')}.parquet`;
    },
  };
}
