/**
 * One partition of an ingest run: read its slice of the source (or of the dataset being retried), build records
 * chunk by chunk (each chunk stored, so a restarted attempt resumes after the last stored chunk), then write the
 * partition's shard and its summary. Idempotent: a summary with the same config hash means done.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, readManifest, type ObjectStore, type S3Options } from '../../storage/index.js';
import { type DataRecord } from '../../storage/record.js';
import { readShard } from '../../storage/shard-reader.js';
import { writeShard } from '../../storage/shard-writer.js';
import { IngestInputError, isRetryableStatus } from '../../pipelines/ingest/errors.js';
import { Fetcher, FetchOptionsSchema } from '../../pipelines/ingest/fetcher.js';
import { ImageOptionsSchema } from '../../pipelines/ingest/image.js';
import { type LanguageIdentifier } from '../../pipelines/ingest/lang.js';
import { buildRecord, buildRecords, type RecordContext } from '../../pipelines/ingest/record.js';
import { openSource } from '../../pipelines/ingest/sources/registry.js';
import { type Source, type SourceHints, type SourceRow } from '../../pipelines/ingest/sources/types.js';
import { chunkKey, chunkPrefix, summaryKey, writerShardKey } from './keys.js';
import { openIngestSourceIO } from './source-io.js';
import { type IngestPlan, type PartitionResult } from './shared.js';
import { addRecord, emptyStats, PartitionSummarySchema, type PartitionSummary } from './summary.js';

/** What a partition run needs from its environment. */
export interface PartitionIO {
  store: ObjectStore;
  lang: LanguageIdentifier;
  /** SSRF allow-list of this worker (callers cannot widen it). */
  ssrfAllow: readonly string[];
  /** S3 settings for `s3://` sources (the worker's `storage.s3`). */
  s3?: S3Options;
  /** Reports progress (chunks stored); an activity heartbeats with it. */
  heartbeat: (details: { partition: number; chunksDone: number; rowsDone: number }) => void;
  /** Aborts between chunks (activity cancellation). */
  signal?: AbortSignal;
  /**
   * Names this writer's shard (see {@link writerShardKey}). Default: random per call, so two attempts or runs of the
   * same partition (a timed-out attempt still running beside its retry) never share a shard key.
   */
  writer?: string;
  /** Chunks an earlier attempt reported stored (from heartbeat details); they are skipped. */
  resumeFromChunk?: number;
  now?: () => number;
}

/** Reads a stored partition summary, or null when absent. */
export async function readSummary(store: ObjectStore, key: string): Promise<PartitionSummary | null> {
  try {
    return PartitionSummarySchema.parse(JSON.parse(new TextDecoder().decode(await store.get(key))));
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

/** Rows [start, end) of a stored shard, in order. */
async function* shardRows(store: ObjectStore, key: string, start: number, end: number): AsyncIterable<DataRecord> {
  let at = 0;
  for await (const batch of readShard(store, key)) {
    for (const r of batch) {
      if (at >= start && at < end) yield r;
      at++;
    }
    if (at >= end) return;
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Builds one chunk's records: fresh rows from the source, or retryable failures of the dataset being retried. */
async function chunkRecords(
  plan: IngestPlan,
  start: number,
  end: number,
  ctx: RecordContext & { store: ObjectStore; input: () => Promise<Source> },
  concurrency: number,
): Promise<DataRecord[]> {
  if (plan.retryOf === null) return await buildRecords((await ctx.input()).rows(start, end), ctx, concurrency);
  const [prevName, prevVersion] = plan.retryOf.split('@') as [string, string];
  const partition = Math.floor(start / plan.partitionRows);
  const offset = partition * plan.partitionRows;
  // The manifest names the shard: its key carries the writer that produced it.
  const prevShard = (await readManifest(ctx.store, prevName, prevVersion)).shards[partition];
  if (!prevShard) throw new IngestInputError(`has no shard ${partition}`, plan.retryOf);
  const prev = await collect(shardRows(ctx.store, prevShard.key, start - offset, end - offset));
  const out: DataRecord[] = new Array<DataRecord>(prev.length);
  const inFlight = new Set<Promise<void>>();
  for (const [i, r] of prev.entries()) {
    if (r.status === 'ok' || !isRetryableStatus(r.status, r.error) || !/^https?:/.test(r.url)) {
      out[i] = r;
      continue;
    }
    const row: SourceRow = {
      index: start + i,
      id: r.id,
      url: r.url,
      caption: r.caption,
      alt_captions: r.alt_captions,
      ...(r.extra ? { extra: JSON.parse(r.extra) as SourceRow['extra'] } : {}),
    };
    const p: Promise<void> = buildRecord(row, { ...ctx, source: r.source }).then((rec) => {
      out[i] = rec;
      inFlight.delete(p);
    });
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return out;
}

/** The plan's rows per source file, when it stored them (an absent or unreadable object only costs a rescan). */
async function sourceHints(store: ObjectStore, plan: IngestPlan): Promise<SourceHints> {
  if (!plan.sourceFilesKey) return {};
  try {
    const parsed = FileRowsSchema.safeParse(JSON.parse(new TextDecoder().decode(await store.get(plan.sourceFilesKey))));
    return parsed.success ? { fileRows: parsed.data } : {};
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof SyntaxError) return {};
    throw err;
  }
}

const FileRowsSchema = z.array(z.object({ file: z.string(), rows: z.number().int().nonnegative() }));

/** Runs partition `partition` of `plan`; returns counts. Safe to call again after a crash or on a finished one. */
export async function runPartition(plan: IngestPlan, partition: number, io: PartitionIO): Promise<PartitionResult> {
  const { store } = io;
  const sKey = summaryKey(plan.name, plan.version, partition);
  const existing = await readSummary(store, sKey);
  if (existing && existing.configHash === plan.configHash) {
    return { partition, rows: existing.stats.rows, ok: existing.stats.ok, reused: true };
  }
  const start = partition * plan.partitionRows;
  const end = Math.min(start + plan.partitionRows, plan.totalRows);
  const fetchOptions = FetchOptionsSchema.parse({ ...plan.fetch, ssrfAllow: [...io.ssrfAllow] });
  const fetcher = new Fetcher(fetchOptions);
  const access = openIngestSourceIO(io.s3);
  // Opened once per partition: a tar's index or a Parquet footer is read once, not once per chunk.
  let opened: Promise<Source> | null = null;
  const ctx: RecordContext & { store: ObjectStore; input: () => Promise<Source> } = {
    store,
    input: () => (opened ??= sourceHints(store, plan).then((hints) => openSource(plan.source, plan.format ?? undefined, plan.sourceOptions, access.io, hints))),
    source: plan.source,
    fetcher,
    image: ImageOptionsSchema.parse(plan.image),
    lang: io.lang,
    now: io.now ?? Date.now,
    redactUrl: (url) => fetcher.redact(url),
  };
  const chunks = Math.max(1, Math.ceil((end - start) / plan.chunkRows));
  // Heartbeat on a timer too: a chunk of slow URLs can take longer than the heartbeat timeout.
  let last = { partition, chunksDone: io.resumeFromChunk ?? 0, rowsDone: 0 };
  const beat = (d: typeof last): void => {
    last = d;
    io.heartbeat(d);
  };
  const timer = setInterval(() => io.heartbeat(last), 5_000);
  try {
    let rowsDone = 0;
    for (let c = 0; c < chunks; c++) {
      io.signal?.throwIfAborted();
      const cStart = start + c * plan.chunkRows;
      const cEnd = Math.min(cStart + plan.chunkRows, end);
      const key = chunkKey(plan.name, plan.version, plan.configHash, partition, c);
      // A stored chunk is complete (puts are atomic): resume after the last one.
      if (c >= (io.resumeFromChunk ?? 0) && !(await store.head(key))) {
        const records = await chunkRecords(plan, cStart, cEnd, ctx, fetchOptions.concurrency);
        await writeShard(store, key, records);
      }
      rowsDone += cEnd - cStart;
      beat({ partition, chunksDone: c + 1, rowsDone });
    }
    const stats = emptyStats();
    const chunkKeys = Array.from({ length: chunks }, (_, c) => chunkKey(plan.name, plan.version, plan.configHash, partition, c));
    async function* merged(): AsyncIterable<DataRecord> {
      for (const key of chunkKeys) {
        for await (const batch of readShard(store, key)) {
          for (const r of batch) {
            addRecord(stats, r);
            yield r;
          }
        }
      }
    }
    const writer = io.writer ?? randomBytes(8).toString('hex');
    const shard = await writeShard(store, writerShardKey(plan.name, plan.version, partition, writer), merged());
    const summary: PartitionSummary = { partition, configHash: plan.configHash, shard, stats };
    await store.put(sKey, new TextEncoder().encode(JSON.stringify(summary)));
    for await (const { key } of store.list(chunkPrefix(plan.name, plan.version, plan.configHash, partition))) {
      await store.delete(key);
    }
    return { partition, rows: stats.rows, ok: stats.ok, reused: false };
  } finally {
    clearInterval(timer);
    access.close();
    await fetcher.close();
  }
}
