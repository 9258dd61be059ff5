/**
 * Ingest activities, built by a factory over injected dependencies (store, language identifier, SSRF
 * allow-list): plan the run, ingest one partition (heartbeating and resuming), commit the manifest.
 */
import { pathToFileURL } from 'node:url';
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import {
  AlreadyExistsError,
  buildManifest,
  commitManifest,
  datasetKeys,
  NotFoundError,
  readManifest,
  resolveDataset,
  verifyDataset,
  type Manifest,
  type ObjectStore,
  type S3Options,
} from '../../storage/index.js';
import { hashJson } from '../../pipelines/canonical-json.js';
import { IngestError, IngestInputError } from '../../pipelines/ingest/errors.js';
import { FetchOptionsSchema } from '../../pipelines/ingest/fetcher.js';
import { ImageOptionsSchema } from '../../pipelines/ingest/image.js';
import { createLanguageIdentifier, type LanguageIdentifier } from '../../pipelines/ingest/lang.js';
import { openSource } from '../../pipelines/ingest/sources/registry.js';
import { type FileRows } from '../../pipelines/ingest/sources/types.js';
import { toLocalPath } from '../../pipelines/ingest/sources/io.js';
import { readSummary, runPartition } from './partition.js';
import { openIngestSourceIO } from './source-io.js';
import { asActivityFailure } from '../failures.js';
import { sourceFilesKey as sourceFilesKeyOf, summaryKey } from './keys.js';
import { type IngestInput, type IngestPlan, type IngestResult, type PartitionInput, type PartitionResult } from './shared.js';
import { mergeStats } from './summary.js';

/** Code version written into lineage. */
export const CODE_VERSION = 'sigforge-ingest/1';

/** What the ingest activities are built from. */
export interface IngestDeps {
  store: ObjectStore;
  /** Addresses the SSRF guard lets through on this worker (tests, internal mirrors); default none. */
  ssrfAllow?: readonly string[];
  /** Language identifier; default CLD3, loaded once. */
  lang?: LanguageIdentifier;
  /** S3 settings for `s3://` sources (the worker's `storage.s3`); credentials come from the AWS chain. */
  s3?: S3Options;
}

const InputSchema = z.object({
  source: z.string().min(1).optional(),
  format: z.string().optional(),
  sourceOptions: z
    .object({
      urlColumn: z.string().optional(),
      captionColumns: z.array(z.string()).min(1).optional(),
      extraColumns: z.array(z.string().min(1)).optional(),
      langColumn: z.string().min(1).optional(),
      languages: z.array(z.string().min(1)).min(1).optional(),
    })
    .default({}),
  root: z.string().optional(),
  name: z.string().min(1),
  version: z.string().min(1).optional(),
  retryFailed: z.string().min(3).optional(),
  fetch: z.record(z.string(), z.unknown()).default({}),
  image: z.record(z.string(), z.unknown()).default({}),
  partitionRows: z.number().int().min(1).max(1_000_000).default(2000),
  chunkRows: z.number().int().min(1).default(500),
});

/** The error for a version that exists with other inputs or settings (never silently the old data). */
function differentSettings(ref: string, existing: string, wanted: string): IngestInputError {
  return new IngestInputError(
    `already exists with different inputs or settings (its config hash ${existing.slice(0, 16)}…, this run's ${wanted.slice(0, 16)}…); choose another --version`,
    ref,
  );
}

/**
 * Deletes the shards of a committed version that its manifest does not list: those of a second writer of a
 * partition (see writerShardKey) or of an attempt that died before its summary. A writer still running may leave
 * one more, which `gc` removes.
 */
async function removeUnlistedShards(store: ObjectStore, manifest: Manifest): Promise<void> {
  const listed = new Set(manifest.shards.map((s) => s.key));
  const prefix = datasetKeys(manifest.name, manifest.version).shard(0).replace(/[^/]*$/, '');
  const stale: string[] = [];
  for await (const { key } of store.list(prefix)) if (!listed.has(key)) stale.push(key);
  for (const key of stale) await store.delete(key);
}

/** Builds the ingest activities over `deps`. */
export function createIngestActivities(deps: IngestDeps) {
  const { store } = deps;
  // One identifier per declared-language list (models load once per process; identifiers are cheap).
  const langs = new Map<string, Promise<LanguageIdentifier>>();
  const getLang = (languages?: string[]): Promise<LanguageIdentifier> => {
    if (deps.lang) return Promise.resolve(deps.lang);
    const key = languages?.join(',') ?? '';
    if (!langs.has(key)) langs.set(key, createLanguageIdentifier(languages ? { languages } : {}));
    return langs.get(key)!;
  };

  async function plan(raw: IngestInput): Promise<IngestPlan> {
    const input = InputSchema.parse(raw);
    if (input.root !== undefined && input.root.replace(/\/+$/, '') !== store.rootUri.replace(/\/+$/, '')) {
      throw new IngestInputError(`this worker writes to ${store.rootUri}; start a worker with that root`, input.root);
    }
    const fetch = FetchOptionsSchema.omit({ ssrfAllow: true }).partial().strict().parse(input.fetch);
    const image = ImageOptionsSchema.partial().strict().parse(input.image);
    let base: Omit<IngestPlan, 'version' | 'configHash' | 'committed'>;
    let fingerprint: unknown;
    let fileRows: FileRows[] = [];
    if (input.retryFailed) {
      const prev: Manifest = await resolveDataset(store, input.retryFailed);
      const cfg = z
        .object({ source: z.string(), format: z.string().nullable(), partitionRows: z.number(), sourceOptions: z.object({}).passthrough() })
        .passthrough()
        .safeParse(prev.lineage.config);
      if (!cfg.success) throw new IngestInputError('is not an ingest output (its lineage has no ingest config)', input.retryFailed);
      const sizes = prev.shards.map((s) => s.rows);
      if (sizes.slice(0, -1).some((n) => n !== cfg.data.partitionRows)) {
        throw new IngestInputError(`shards do not all hold ${cfg.data.partitionRows} rows`, input.retryFailed);
      }
      base = {
        name: input.name,
        source: cfg.data.source,
        format: cfg.data.format,
        sourceOptions: cfg.data.sourceOptions,
        fetch,
        image: { ...((prev.lineage.config as { image?: object }).image ?? {}), ...image },
        partitionRows: cfg.data.partitionRows,
        chunkRows: input.chunkRows,
        totalRows: sizes.reduce((a, b) => a + b, 0),
        partitions: prev.shards.length,
        retryOf: `${prev.name}@${prev.version}`,
      };
      fingerprint = prev.shards.map((s) => s.sha256);
    } else {
      if (!input.source) throw new IngestInputError('give a source URI or --retry-failed <dataset@version>', 'ingest input');
      const access = openIngestSourceIO(deps.s3);
      let totalRows: number;
      try {
        const source = await openSource(input.source, input.format, input.sourceOptions, access.io);
        totalRows = await source.count();
        fileRows = (await source.fileRows?.()) ?? [];
        fingerprint = await access.fingerprint(input.source);
      } finally {
        access.close();
      }
      base = {
        name: input.name,
        source: input.source.includes('://') ? input.source : pathToFileURL(toLocalPath(input.source)).href,
        format: input.format ?? null,
        sourceOptions: input.sourceOptions,
        fetch,
        image,
        partitionRows: input.partitionRows,
        chunkRows: input.chunkRows,
        totalRows,
        partitions: Math.max(1, Math.ceil(totalRows / input.partitionRows)),
        retryOf: null,
      };
    }
    const configHash = hashJson({ ...base, fingerprint, code: CODE_VERSION });
    const version = input.version ?? `v-${configHash.slice(0, 16)}`;
    let committed = false;
    try {
      const existing = await readManifest(store, input.name, version);
      // An existing version counts as done only when the same inputs and settings made it.
      if (existing.lineage.config_hash !== configHash) throw differentSettings(`${input.name}@${version}`, existing.lineage.config_hash, configHash);
      committed = true;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    // Rows per tar shard, stored once: partitions start at their own shard instead of scanning all earlier ones.
    let sourceFilesKey: string | null = null;
    if (!committed && fileRows.length > 1) {
      sourceFilesKey = sourceFilesKeyOf(input.name, version);
      await store.put(sourceFilesKey, new TextEncoder().encode(JSON.stringify(fileRows)));
    }
    return { ...base, version, configHash, committed, sourceFilesKey };
  }

  return {
    /** Validates the input, counts the source and fixes version, partitions and config hash. */
    async planIngest(input: IngestInput): Promise<IngestPlan> {
      try {
        return await plan(input);
      } catch (err) {
        throw asActivityFailure(err);
      }
    },

    /** Ingests one partition, heartbeating per stored chunk and resuming after the last one on retry. */
    async ingestPartition({ plan: p, partition }: PartitionInput): Promise<PartitionResult> {
      const ctx = Context.current();
      const details = ctx.info.heartbeatDetails as { chunksDone?: number } | undefined;
      try {
        // The identifier's models load once per worker (seconds): heartbeat meanwhile, keeping the resume point.
        const beat = setInterval(() => ctx.heartbeat(details), 1000);
        const lang = await getLang(p.sourceOptions.languages).finally(() => clearInterval(beat));
        return await runPartition(p, partition, {
          store,
          lang,
          ssrfAllow: deps.ssrfAllow ?? [],
          ...(deps.s3 ? { s3: deps.s3 } : {}),
          heartbeat: (d) => ctx.heartbeat(d),
          signal: ctx.cancellationSignal,
          resumeFromChunk: details?.chunksDone ?? 0,
        });
      } catch (err) {
        throw asActivityFailure(err);
      }
    },

    /** Commits the manifest from the partition summaries; an existing manifest for the version is success. */
    async commitIngest(p: IngestPlan): Promise<IngestResult> {
      try {
        if (p.committed) {
          // Already committed (a rerun): answer from the manifest, never rewrite it.
          const m = await readManifest(store, p.name, p.version);
          if (m.lineage.config_hash !== p.configHash) throw differentSettings(`${p.name}@${p.version}`, m.lineage.config_hash, p.configHash);
          const byStatus = (m.stats.by_status ?? {}) as { [status: string]: number };
          const rows = m.shards.reduce((a, s) => a + s.rows, 0);
          const ok = byStatus.ok ?? 0;
          const manifestUri = store.uri(`datasets/${p.name}/${p.version}/manifest.json`);
          return { name: p.name, version: p.version, manifestUri, rows, ok, successRate: rows ? ok / rows : 0, byStatus };
        }
        const summaries = [];
        for (let i = 0; i < p.partitions; i++) {
          const s = await readSummary(store, summaryKey(p.name, p.version, i));
          if (!s || s.configHash !== p.configHash) throw new IngestError(`partition ${i} of ${p.name}@${p.version} is not finished`);
          summaries.push(s);
        }
        const stats = mergeStats(summaries.map((s) => s.stats));
        const manifest = buildManifest(store, {
          name: p.name,
          version: p.version,
          kind: 'raw',
          shards: summaries.map((s) => s.shard),
          lineage: {
            inputs: p.retryOf ? [{ name: p.retryOf.split('@')[0]!, version: p.retryOf.split('@')[1]! }] : [],
            config: {
              source: p.source,
              format: p.format,
              sourceOptions: p.sourceOptions,
              fetch: p.fetch,
              image: p.image,
              partitionRows: p.partitionRows,
              retryOf: p.retryOf,
            },
            config_hash: p.configHash,
            code_version: CODE_VERSION,
          },
          stats: {
            success_rate: stats.rows ? stats.ok / stats.rows : 0,
            image_bytes: stats.image_bytes,
            by_error_kind: stats.by_error_kind,
            orig_size_histogram: stats.orig_size_histogram,
          },
        });
        // Every shard must still hash to what its summary recorded: nothing unverified is committed.
        await verifyDataset(store, manifest);
        try {
          await commitManifest(store, manifest);
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
          const existing = await readManifest(store, p.name, p.version);
          if (existing.lineage.config_hash !== p.configHash) throw differentSettings(`${p.name}@${p.version}`, existing.lineage.config_hash, p.configHash);
        }
        await removeUnlistedShards(store, await readManifest(store, p.name, p.version));
        return {
          name: p.name,
          version: p.version,
          manifestUri: store.uri(`datasets/${p.name}/${p.version}/manifest.json`),
          rows: stats.rows,
          ok: stats.ok,
          successRate: stats.rows ? stats.ok / stats.rows : 0,
          byStatus: stats.by_status,
        };
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  };
}

/** The activity functions' types (for `proxyActivities`). */
export type IngestActivities = ReturnType<typeof createIngestActivities>;
