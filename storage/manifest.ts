import { z } from 'zod';
import { AlreadyExistsError, ManifestError, NotFoundError } from './errors.js';
import { checkDatasetPart, datasetKeys } from './dataset-keys.js';
import { type ObjectStore } from './object-store.js';
import { RECORD_SCHEMA_VERSION } from './record.js';
import { type ShardInfo } from './shard-writer.js';

const counts = z.record(z.string(), z.number().int().nonnegative());
const datasetPart = (what: 'name' | 'version') =>
  z.string().refine(
    (v) => {
      try {
        checkDatasetPart(what, v);
        return true;
      } catch {
        return false;
      }
    },
    { message: `invalid dataset ${what}` },
  );

/** One shard as a manifest lists it. */
export const ManifestShardSchema = z.object({
  /** Key relative to the store root (what readers resolve). */
  key: z.string().min(1),
  /** Full URI at commit time (for people and external tools). */
  uri: z.string().min(1),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  by_status: counts,
  by_lang: counts,
});

/** Where a dataset version came from. */
export const LineageSchema = z.object({
  /** Input dataset versions (empty for raw ingests). */
  inputs: z.array(z.object({ name: datasetPart('name'), version: datasetPart('version') })),
  /** The config that produced this version (JSON). */
  config: z.unknown(),
  config_hash: z.string().min(1),
  code_version: z.string().min(1),
});

/** The manifest of one dataset version (ARCHITECTURE.md): written last, atomically; the version exists iff it does. */
export const ManifestSchema = z.object({
  name: datasetPart('name'),
  version: datasetPart('version'),
  kind: z.enum(['raw', 'curated']),
  schema_version: z.number().int().positive(),
  created_at: z.iso.datetime({ offset: true }),
  shards: z.array(ManifestShardSchema),
  lineage: LineageSchema,
  stats: z.record(z.string(), z.unknown()),
  /**
   * Commit sequence of this version among its dataset's versions (1, 2, …), taken from the store at commit time,
   * never from a clock: `@latest` is the highest. Absent in manifests committed before it existed.
   */
  commit_seq: z.number().int().positive().optional(),
});

/** A validated manifest. */
export type Manifest = z.infer<typeof ManifestSchema>;
/** One shard entry of a manifest. */
export type ManifestShard = z.infer<typeof ManifestShardSchema>;
/** Lineage of a dataset version. */
export type Lineage = z.infer<typeof LineageSchema>;

/** Inputs of {@link buildManifest}. */
export interface ManifestInput {
  name: string;
  version: string;
  kind: 'raw' | 'curated';
  shards: ShardInfo[];
  lineage: Lineage;
  /** Extra stats merged over the computed totals (rows, bytes, by_status, by_lang). */
  stats?: { [key: string]: unknown };
  created_at?: string;
}

function addCounts(into: { [k: string]: number }, from: { [k: string]: number }): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** Builds a manifest from written shards: fills URIs, totals, schema version and creation time. */
export function buildManifest(store: ObjectStore, input: ManifestInput): Manifest {
  const by_status: { [k: string]: number } = {};
  const by_lang: { [k: string]: number } = {};
  let rows = 0;
  let bytes = 0;
  for (const s of input.shards) {
    rows += s.rows;
    bytes += s.bytes;
    addCounts(by_status, s.by_status);
    addCounts(by_lang, s.by_lang);
  }
  return {
    name: input.name,
    version: input.version,
    kind: input.kind,
    schema_version: RECORD_SCHEMA_VERSION,
    created_at: input.created_at ?? new Date().toISOString(),
    shards: input.shards.map((s) => ({ ...s, uri: store.uri(s.key) })),
    lineage: input.lineage,
    stats: { rows, bytes, shards: input.shards.length, by_status, by_lang, ...input.stats },
  };
}

/** Validates a manifest object; throws ManifestError listing each issue with its path. */
export function parseManifest(value: unknown, source: string): Manifest {
  const parsed = ManifestSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ManifestError(`${source}: invalid manifest: ${issues}`, { subject: source, cause: parsed.error });
  }
  const keys = new Set<string>();
  for (const s of parsed.data.shards) {
    if (keys.has(s.key)) throw new ManifestError(`${source}: shard ${s.key} is listed twice`, { subject: source });
    keys.add(s.key);
  }
  return parsed.data;
}

const seqPrefix = (name: string): string => `datasets/${checkDatasetPart('name', name)}/_commits/`;

/**
 * Takes the next commit sequence number of dataset `name`: creates `datasets/<name>/_commits/<n>` only if absent,
 * so two concurrent commits never get the same number (the loser tries the next one).
 */
async function nextCommitSeq(store: ObjectStore, name: string, version: string): Promise<number> {
  let max = 0;
  for await (const { key } of store.list(seqPrefix(name))) {
    const n = Number(key.slice(seqPrefix(name).length));
    if (Number.isSafeInteger(n)) max = Math.max(max, n);
  }
  for (let n = max + 1; n < max + 1000; n++) {
    try {
      await store.putIfAbsent(`${seqPrefix(name)}${String(n).padStart(12, '0')}`, new TextEncoder().encode(version));
      return n;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }
  throw new ManifestError(`dataset ${name}: could not take a commit sequence number after 1000 tries`, { subject: name });
}

/**
 * Commits a dataset version: validates the manifest, checks every listed shard exists with the recorded size,
 * then creates `datasets/<name>/<version>/manifest.json` only if absent. A concurrent or repeated commit of the
 * same version gets AlreadyExistsError (read the existing manifest to decide whether that is success).
 */
export async function commitManifest(store: ObjectStore, manifest: Manifest): Promise<void> {
  const keys = datasetKeys(manifest.name, manifest.version);
  const uri = store.uri(keys.manifest);
  const valid = parseManifest(manifest, uri);
  for (const shard of valid.shards) {
    const info = await store.head(shard.key);
    if (!info) {
      throw new ManifestError(`${uri}: lists shard ${store.uri(shard.key)}, which does not exist`, { subject: uri });
    }
    if (info.size !== shard.bytes) {
      throw new ManifestError(
        `${uri}: shard ${store.uri(shard.key)} is ${info.size} bytes, manifest says ${shard.bytes}`,
        { subject: uri },
      );
    }
  }
  if (await store.head(keys.manifest)) {
    throw new AlreadyExistsError(`dataset ${manifest.name}@${manifest.version}: already committed at ${uri}`, { subject: uri });
  }
  const commit_seq = await nextCommitSeq(store, manifest.name, manifest.version);
  const body = new TextEncoder().encode(`${JSON.stringify({ ...valid, commit_seq }, null, 2)}\n`);
  try {
    await store.putIfAbsent(keys.manifest, body);
  } catch (err) {
    if (err instanceof AlreadyExistsError) {
      throw new AlreadyExistsError(`dataset ${manifest.name}@${manifest.version}: already committed at ${uri}`, {
        subject: uri,
        cause: err,
      });
    }
    throw err;
  }
}

/** Reads and validates the manifest of one dataset version; NotFoundError if that version does not exist. */
export async function readManifest(store: ObjectStore, name: string, version: string): Promise<Manifest> {
  const key = datasetKeys(name, version).manifest;
  const uri = store.uri(key);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(key);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new NotFoundError(`dataset ${name}@${version}: no manifest at ${uri}`, { subject: uri, cause: err });
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new ManifestError(`${uri}: not valid JSON (${(err as Error).message})`, { subject: uri, cause: err });
  }
  const manifest = parseManifest(json, uri);
  if (manifest.name !== name || manifest.version !== version) {
    throw new ManifestError(`${uri}: says it is ${manifest.name}@${manifest.version}, expected ${name}@${version}`, {
      subject: uri,
    });
  }
  return manifest;
}
