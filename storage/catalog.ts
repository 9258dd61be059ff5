import { createHash } from 'node:crypto';
import { ChecksumMismatchError, ManifestError, NotFoundError } from './errors.js';
import { checkDatasetPart, datasetKeys } from './dataset-keys.js';
import { type Manifest, readManifest } from './manifest.js';
import { type ObjectStore } from './object-store.js';

const MANIFEST_KEY = /^datasets\/([^/]+)\/([^/]+)\/manifest\.json$/;

/** Every dataset with its committed versions (those with a manifest), names and versions in key order. */
export async function listDatasets(store: ObjectStore): Promise<{ name: string; versions: string[] }[]> {
  const byName = new Map<string, string[]>();
  for await (const { key } of store.list('datasets/')) {
    const m = MANIFEST_KEY.exec(key);
    if (!m?.[1] || !m[2]) continue;
    const versions = byName.get(m[1]) ?? [];
    versions.push(m[2]);
    byName.set(m[1], versions);
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, versions]) => ({ name, versions: versions.sort() }));
}

/** Parses `name`, `name@latest` or `name@<version>`. */
export function parseDatasetRef(ref: string): { name: string; version: string | 'latest' } {
  const at = ref.lastIndexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const version = at < 0 ? 'latest' : ref.slice(at + 1);
  checkDatasetPart('name', name);
  if (version !== 'latest') checkDatasetPart('version', version);
  return { name, version };
}

/** A version `@latest` passed over because its manifest does not read or validate. */
export interface SkippedVersion {
  version: string;
  error: Error;
}

/** Newest first: by commit sequence; versions committed before sequences existed come after, newest created_at first. */
function newestFirst(a: Manifest, b: Manifest): number {
  if ((a.commit_seq ?? 0) !== (b.commit_seq ?? 0)) return (b.commit_seq ?? 0) - (a.commit_seq ?? 0);
  const t = Date.parse(b.created_at) - Date.parse(a.created_at);
  return t !== 0 ? t : a.version < b.version ? 1 : a.version > b.version ? -1 : 0;
}

/**
 * Resolves `name@<version>` to its manifest, or `name@latest` to the version with the highest commit sequence
 * (see commitManifest; never a writer's clock). A version whose manifest is invalid is skipped and reported through
 * `onSkipped` instead of breaking `@latest` for the whole name; when none is valid, the error lists them all.
 */
export async function resolveDataset(
  store: ObjectStore,
  ref: string,
  opts: { onSkipped?: (skipped: SkippedVersion) => void } = {},
): Promise<Manifest> {
  const { name, version } = parseDatasetRef(ref);
  if (version !== 'latest') return readManifest(store, name, version);
  const versions: string[] = [];
  for await (const { key } of store.list(`datasets/${name}/`)) {
    const m = MANIFEST_KEY.exec(key);
    if (m?.[1] === name && m[2]) versions.push(m[2]);
  }
  if (versions.length === 0) {
    throw new NotFoundError(`dataset ${name}: no committed versions under ${store.uri(`datasets/${name}`)}`, {
      subject: name,
    });
  }
  const manifests: Manifest[] = [];
  const skipped: SkippedVersion[] = [];
  for (const v of versions) {
    try {
      manifests.push(await readManifest(store, name, v));
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      skipped.push({ version: v, error: err });
      opts.onSkipped?.({ version: v, error: err });
    }
  }
  if (manifests.length === 0) {
    throw new ManifestError(`dataset ${name}: no valid version (${skipped.map((s) => `${s.version}: ${s.error.message}`).join('; ')})`, {
      subject: name,
    });
  }
  return manifests.sort(newestFirst)[0] as Manifest;
}

/** One node of a lineage tree. */
export interface LineageNode {
  name: string;
  version: string;
  kind: Manifest['kind'];
  created_at: string;
  config_hash: string;
  inputs: LineageNode[];
  /** Set when an input's manifest is missing (deleted or never committed). */
  missing?: true;
}

/** The lineage tree of a dataset version: its inputs, their inputs, and so on. */
export async function datasetLineage(store: ObjectStore, ref: string, maxDepth = 32): Promise<LineageNode> {
  const walk = async (m: Manifest, depth: number): Promise<LineageNode> => {
    const inputs: LineageNode[] = [];
    for (const input of m.lineage.inputs) {
      if (depth >= maxDepth) throw new ManifestError(`lineage of ${ref}: deeper than ${maxDepth} (a cycle?)`);
      try {
        inputs.push(await walk(await readManifest(store, input.name, input.version), depth + 1));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        inputs.push({ ...input, kind: 'raw', created_at: '', config_hash: '', inputs: [], missing: true });
      }
    }
    return {
      name: m.name,
      version: m.version,
      kind: m.kind,
      created_at: m.created_at,
      config_hash: m.lineage.config_hash,
      inputs,
    };
  };
  return walk(await resolveDataset(store, ref), 0);
}

/** Streams an object in ranges and returns its hex sha256. */
async function hashObject(store: ObjectStore, key: string, size: number, chunk = 8 * 1024 * 1024): Promise<string> {
  const hash = createHash('sha256');
  for (let offset = 0; offset < size; offset += chunk) {
    hash.update(await store.getRange(key, offset, Math.min(chunk, size - offset)));
  }
  return hash.digest('hex');
}

/**
 * Checks that every shard a manifest lists exists with the recorded size and (when `deep`, the default)
 * the recorded sha256; errors name both the manifest and the shard.
 */
export async function verifyDataset(
  store: ObjectStore,
  manifest: Manifest,
  opts: { deep?: boolean } = {},
): Promise<void> {
  const manifestUri = store.uri(datasetKeys(manifest.name, manifest.version).manifest);
  for (const shard of manifest.shards) {
    const shardUri = store.uri(shard.key);
    const info = await store.head(shard.key);
    if (!info) {
      throw new ManifestError(`manifest ${manifestUri} lists shard ${shardUri}, which does not exist`, {
        subject: shardUri,
      });
    }
    if (info.size !== shard.bytes) {
      throw new ManifestError(
        `manifest ${manifestUri} says shard ${shardUri} is ${shard.bytes} bytes; it is ${info.size}`,
        { subject: shardUri },
      );
    }
    if (opts.deep ?? true) {
      const actual = await hashObject(store, shard.key, info.size);
      if (actual !== shard.sha256) {
        throw new ChecksumMismatchError(
          `manifest ${manifestUri} records sha256 ${shard.sha256} for shard ${shardUri}; the shard hashes to ${actual}`,
          shard.sha256,
          actual,
          { subject: shardUri },
        );
      }
    }
  }
}
