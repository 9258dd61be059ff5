/**
 * Turns one source row into a Record: fetch or load the bytes, decode/resize, hash, identify the caption's
 * language. Never throws for row-level failures: they become rows with a non-ok status and no image.
 */
import { createHash } from 'node:crypto';
import { type DataRecord } from '../../storage/record.js';
import { RowError } from './errors.js';
import { type Fetcher } from './fetcher.js';
import { sha256Hex } from './hash.js';
import { processImage, type ImageOptions } from './image.js';
import { type LanguageIdentifier } from './lang.js';
import { redactUrl } from './redact.js';
import { sniffImage } from './sniff.js';
import { type SourceRow } from './sources/types.js';

/** What building a record needs; passed in so the transform stays testable. */
export interface RecordContext {
  /** Source identifier written to each record (and hashed into its id). */
  source: string;
  fetcher: Pick<Fetcher, 'fetch'>;
  image: ImageOptions;
  lang: LanguageIdentifier;
  now: () => number;
  /** How a URL is stored and shown (userinfo and secret query values removed); default {@link redactUrl}. */
  redactUrl?: (url: string) => string;
}

/**
 * Stable record id: the first 128 bits of sha256(source, row index, url, caption), hex. The row index makes two rows
 * with the same URL and caption two records (curation decides per id); it is the row's position in its source, so
 * a rerun of the same source gives the same ids.
 */
export function recordId(source: string, index: number, url: string, caption: string): string {
  return createHash('sha256').update(`${source}\0${index}\0${url}\0${caption}`).digest('hex').slice(0, 32);
}

type RowFields = Pick<
  DataRecord,
  | 'id' | 'source' | 'url' | 'caption' | 'alt_captions' | 'lang' | 'lang_score' | 'fetched_at' | 'boxes' | 'attrs' | 'weight'
  | 'extra' | 'lang_given'
>;

/** The fields every record of a source row has, whether its image came through or not. */
function rowFields(row: SourceRow, ctx: Pick<RecordContext, 'source' | 'lang' | 'now' | 'redactUrl'>): RowFields {
  const guess = ctx.lang.identify(row.caption);
  return {
    id: row.id ?? recordId(ctx.source, row.index, row.url, row.caption),
    source: ctx.source,
    url: (ctx.redactUrl ?? redactUrl)(row.url),
    caption: row.caption,
    alt_captions: row.alt_captions,
    lang: guess?.lang ?? null,
    lang_score: guess?.score ?? null,
    fetched_at: ctx.now(),
    boxes: null,
    attrs: null,
    weight: null,
    extra: row.extra === undefined ? null : JSON.stringify(row.extra),
    lang_given: row.lang ?? null,
  };
}

/** A record with no image: the shape of every failed row. */
export function failedRecord(row: SourceRow, ctx: Pick<RecordContext, 'source' | 'lang' | 'now' | 'redactUrl'>, err: RowError): DataRecord {
  const fields = rowFields(row, ctx);
  return {
    ...fields,
    image: null,
    mime: null,
    width: null,
    height: null,
    orig_width: null,
    orig_height: null,
    sha256: null,
    phash: null,
    status: err.status,
    error: fields.url === row.url ? err.message : err.message.split(row.url).join(fields.url),
  };
}

async function bytesOf(row: SourceRow, ctx: RecordContext): Promise<Uint8Array> {
  if (row.load) {
    const bytes = await row.load();
    if (!sniffImage(bytes)) throw new RowError('not_image', 'file is not a known raster image format', row.url);
    return bytes;
  }
  if (row.url === '') throw new RowError('invalid_input', 'row has an empty url', row.url);
  return (await ctx.fetcher.fetch(row.url)).bytes;
}

/** Builds the Record for one source row; row failures become failed records. */
export async function buildRecord(row: SourceRow, ctx: RecordContext): Promise<DataRecord> {
  try {
    const original = await bytesOf(row, ctx);
    const img = await processImage(original, ctx.image, row.url);
    return {
      ...rowFields(row, ctx),
      image: img.image,
      mime: img.mime,
      width: img.width,
      height: img.height,
      orig_width: img.origWidth,
      orig_height: img.origHeight,
      sha256: sha256Hex(original),
      phash: img.phash,
      status: 'ok',
      error: null,
    };
  } catch (err) {
    if (err instanceof RowError) return failedRecord(row, ctx, err);
    const message = err instanceof Error ? err.message : String(err);
    // Local read errors and the like: keep the row, mark it, never lose it.
    return failedRecord(row, ctx, new RowError('network_error', `unexpected: ${message}`, row.url, { cause: err }));
  }
}

/** Builds records for rows with at most `concurrency` in flight; results keep input order. */
export async function buildRecords(
  rows: AsyncIterable<SourceRow> | Iterable<SourceRow>,
  ctx: RecordContext,
  concurrency: number,
  onRecord?: (r: DataRecord, done: number) => void,
): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  let done = 0;
  for await (const row of rows) {
    const slot = out.length;
    out.push(undefined as unknown as DataRecord);
    const p: Promise<void> = buildRecord(row, ctx).then((r) => {
      out[slot] = r;
      done++;
      onRecord?.(r, done);
      inFlight.delete(p);
    });
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return out;
}
