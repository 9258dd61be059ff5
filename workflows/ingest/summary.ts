/**
 * Partition summaries and the dataset stats built from them (rows by status and error kind, success rate,
 * bytes, languages, image size histogram).
 */
import { z } from 'zod';
import { type DataRecord } from '../../storage/record.js';

/** Longest-side buckets of the original images, in pixels (upper bounds; the last is open). */
export const SIZE_BUCKETS = [64, 128, 256, 512, 1024, 2048, 4096] as const;

/** Counts that add up across partitions. */
export const PartitionStatsSchema = z.object({
  rows: z.number(),
  ok: z.number(),
  image_bytes: z.number(),
  by_status: z.record(z.string(), z.number()),
  by_error_kind: z.record(z.string(), z.number()),
  by_lang: z.record(z.string(), z.number()),
  orig_size_histogram: z.record(z.string(), z.number()),
});
/** Counts of one partition or of a whole dataset. */
export type PartitionStats = z.infer<typeof PartitionStatsSchema>;

/** What a finished partition leaves behind (JSON beside the shard). */
export const PartitionSummarySchema = z.object({
  partition: z.number(),
  configHash: z.string(),
  shard: z.object({
    key: z.string(),
    rows: z.number(),
    bytes: z.number(),
    sha256: z.string(),
    by_status: z.record(z.string(), z.number()),
    by_lang: z.record(z.string(), z.number()),
  }),
  stats: PartitionStatsSchema,
});
/** A finished partition's summary. */
export type PartitionSummary = z.infer<typeof PartitionSummarySchema>;

/** An empty stats object. */
export function emptyStats(): PartitionStats {
  return { rows: 0, ok: 0, image_bytes: 0, by_status: {}, by_error_kind: {}, by_lang: {}, orig_size_histogram: {} };
}

const bump = (m: { [k: string]: number }, k: string, n = 1): void => {
  m[k] = (m[k] ?? 0) + n;
};

/** The error kind of a failed row: its status, refined by the HTTP code for HTTP errors. */
export function errorKind(r: Pick<DataRecord, 'status' | 'error'>): string {
  const code = r.status === 'http_error' ? /HTTP (\d{3})/.exec(r.error ?? '')?.[1] : undefined;
  return code ? `${r.status}:${code}` : r.status;
}

/** Size bucket label for a longest side. */
export function sizeBucket(side: number): string {
  const b = SIZE_BUCKETS.find((x) => side <= x);
  return b === undefined ? `>${SIZE_BUCKETS[SIZE_BUCKETS.length - 1]}` : `<=${b}`;
}

/** Adds one record to the stats (mutates). */
export function addRecord(s: PartitionStats, r: DataRecord): void {
  s.rows++;
  bump(s.by_status, r.status);
  bump(s.by_lang, r.lang ?? 'und');
  if (r.status === 'ok') {
    s.ok++;
    s.image_bytes += r.image?.byteLength ?? 0;
    bump(s.orig_size_histogram, sizeBucket(Math.max(r.orig_width ?? 0, r.orig_height ?? 0)));
  } else bump(s.by_error_kind, errorKind(r));
}

/** Sums stats (pure). */
export function mergeStats(parts: readonly PartitionStats[]): PartitionStats {
  const out = emptyStats();
  for (const p of parts) {
    out.rows += p.rows;
    out.ok += p.ok;
    out.image_bytes += p.image_bytes;
    for (const key of ['by_status', 'by_error_kind', 'by_lang', 'orig_size_histogram'] as const) {
      for (const [k, v] of Object.entries(p[key])) bump(out[key], k, v);
    }
  }
  return out;
}
