// Zod schemas of the JSON curation writes to the store and reads back (plan, per-shard decisions, materialize
// records): what comes back is parsed, never cast, and a damaged object is a clear error naming it.
import { z } from 'zod';
import { type ObjectStore } from '../../storage/index.js';
import { CurateInputError } from '../../pipelines/curate/errors.js';
import { type CuratePlanInfo, type MaterializeResult } from './shared.js';
import { type ShardDecisions } from './materialize.js';

const ref = z.object({ name: z.string(), version: z.string() });

/** The stored plan. */
export const PlanInfoSchema: z.ZodType<CuratePlanInfo> = z.object({
  name: z.string(),
  version: z.string(),
  inputName: z.string(),
  inputVersion: z.string(),
  shards: z.array(z.object({ index: z.number().int(), key: z.string(), sha256: z.string(), rows: z.number().int() })),
  config: z.unknown(),
  configHash: z.string(),
  stepHash: z.string(),
  evalSets: z.array(ref),
  dedupAgainst: z.array(ref),
  incremental: z.boolean(),
  committed: z.boolean(),
});

/** One shard's decisions. */
export const DecisionsSchema: z.ZodType<ShardDecisions> = z.object({
  ids: z.array(z.string()),
  weight: z.array(z.number()),
  alt: z.record(z.string(), z.array(z.string())),
  attrs: z.record(z.string(), z.array(z.string())),
});

/** The record of a materialized shard. */
export const MaterializeResultSchema: z.ZodType<MaterializeResult> = z.object({
  shard: z.number().int(),
  digest: z.string().optional(),
  info: z
    .object({
      key: z.string(),
      rows: z.number().int(),
      bytes: z.number().int(),
      sha256: z.string(),
      by_status: z.record(z.string(), z.number()),
      by_lang: z.record(z.string(), z.number()),
    })
    .nullable(),
});

/** Reads and validates a JSON object; a missing or damaged one names its URI (never its contents). */
export async function readStoredJson<T>(store: ObjectStore, key: string, schema: z.ZodType<T>): Promise<T> {
  const text = new TextDecoder().decode(await store.get(key));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CurateInputError('is not valid JSON', store.uri(key), { cause: err });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || '(root)';
    throw new CurateInputError(
      `does not match its schema at ${where}: ${parsed.error.issues[0]?.message}`,
      store.uri(key),
    );
  }
  return parsed.data;
}

/** JSON bytes of a value (one line, newline-terminated). */
export const jsonBytes = (v: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(v)}\n`);
