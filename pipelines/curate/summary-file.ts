// The per-shard curation cache and the hash index as small Parquet files: the metadata columns curation needs,
// the shard step's drop reason and attributes. Encodes to bytes and decodes from bytes; the caller does the IO
// through the ObjectStore. Readable by DuckDB/pyarrow like any shard.
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { allocColumns, type CurateColumns } from './columns.js';
import { CurateInputError } from './errors.js';
import { type HashSet } from './dedup.js';

/** Columns, per-row shard-step reason ('' = passed) and attributes of one shard. */
export interface ShardSummary {
  readonly columns: CurateColumns;
  readonly reason: string[];
  readonly attrs: (string[] | null)[];
}

const nanToNull = (a: Float32Array): (number | null)[] => Array.from(a, (x) => (Number.isNaN(x) ? null : x));

/** Encodes a shard summary as Parquet bytes. */
export function encodeSummary(s: ShardSummary): Uint8Array {
  const c = s.columns;
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: c.id, type: 'STRING', nullable: false },
      { name: 'caption', data: c.caption, type: 'STRING', nullable: false },
      { name: 'lang', data: c.lang, type: 'STRING', nullable: false },
      { name: 'lang_score', data: nanToNull(c.langScore), type: 'DOUBLE' },
      { name: 'lang_given', data: c.langGiven, type: 'STRING', nullable: false },
      { name: 'width', data: Array.from(c.width), type: 'INT32', nullable: false },
      { name: 'height', data: Array.from(c.height), type: 'INT32', nullable: false },
      { name: 'status', data: c.status, type: 'STRING', nullable: false },
      { name: 'sha256', data: c.sha256, type: 'STRING', nullable: false },
      // uint32 halves stored as INT32 bit patterns (read back with >>> 0).
      { name: 'phash_hi', data: Array.from(c.phashHi, (x) => x | 0), type: 'INT32', nullable: false },
      { name: 'phash_lo', data: Array.from(c.phashLo, (x) => x | 0), type: 'INT32', nullable: false },
      { name: 'has_phash', data: Array.from(c.hasPhash, (x) => x === 1), type: 'BOOLEAN', nullable: false },
      { name: 'score', data: nanToNull(c.score), type: 'DOUBLE' },
      { name: 'reason', data: s.reason, type: 'STRING', nullable: false },
      { name: 'attrs', data: s.attrs.map((a) => (a ? JSON.stringify(a) : '')), type: 'STRING', nullable: false },
    ],
    codec: 'SNAPPY',
  });
  return new Uint8Array(buf);
}

/** Decodes summary bytes (from `encodeSummary`); `source` names the file in errors. */
export async function decodeSummary(bytes: Uint8Array, source: string): Promise<ShardSummary> {
  let rows: { [k: string]: unknown }[];
  try {
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    rows = (await parquetReadObjects({ file })) as { [k: string]: unknown }[];
  } catch (err) {
    throw new CurateInputError(`not a readable curation summary (${(err as Error).message})`, source, { cause: err });
  }
  const c = allocColumns(rows.length);
  const reason = new Array<string>(rows.length);
  const attrs = new Array<string[] | null>(rows.length);
  rows.forEach((r, i) => {
    if (typeof r.id !== 'string' || typeof r.reason !== 'string') {
      throw new CurateInputError(`row ${i}: missing id or reason column`, source);
    }
    c.id[i] = r.id;
    c.caption[i] = String(r.caption ?? '');
    c.lang[i] = String(r.lang ?? '');
    c.langScore[i] = typeof r.lang_score === 'number' ? r.lang_score : Number.NaN;
    c.langGiven[i] = String(r.lang_given ?? ''); // summaries written before the column: ''
    c.width[i] = Number(r.width ?? 0);
    c.height[i] = Number(r.height ?? 0);
    c.status[i] = String(r.status ?? 'ok');
    c.sha256[i] = String(r.sha256 ?? '');
    c.phashHi[i] = Number(r.phash_hi ?? 0) >>> 0;
    c.phashLo[i] = Number(r.phash_lo ?? 0) >>> 0;
    c.hasPhash[i] = r.has_phash ? 1 : 0;
    c.score[i] = typeof r.score === 'number' ? r.score : Number.NaN;
    reason[i] = r.reason;
    attrs[i] = typeof r.attrs === 'string' && r.attrs !== '' ? (JSON.parse(r.attrs) as string[]) : null;
  });
  return { columns: c, reason, attrs };
}

/** The hash set (sha256 + phash) of a summary's rows, for dedup against earlier versions or decontamination. */
export function hashSetOf(name: string, s: ShardSummary | CurateColumns): HashSet {
  const c = 'columns' in s ? s.columns : s;
  const rows = [...Array(c.n).keys()].filter((i) => c.hasPhash[i] === 1);
  return {
    name,
    sha256: c.sha256.filter((x) => x !== ''),
    phashHi: Uint32Array.from(rows, (i) => c.phashHi[i]!),
    phashLo: Uint32Array.from(rows, (i) => c.phashLo[i]!),
  };
}

/** Keeps only the rows with `keep[i] = 1` (for writing a curated version's hash index). */
export function selectSummaryRows(s: ShardSummary, keep: Uint8Array): ShardSummary {
  const idx = [...Array(s.columns.n).keys()].filter((i) => keep[i] === 1);
  const c = allocColumns(idx.length);
  idx.forEach((i, j) => {
    c.id[j] = s.columns.id[i]!;
    c.caption[j] = s.columns.caption[i]!;
    c.lang[j] = s.columns.lang[i]!;
    c.langScore[j] = s.columns.langScore[i]!;
    c.langGiven[j] = s.columns.langGiven[i]!;
    c.width[j] = s.columns.width[i]!;
    c.height[j] = s.columns.height[i]!;
    c.status[j] = s.columns.status[i]!;
    c.sha256[j] = s.columns.sha256[i]!;
    c.phashHi[j] = s.columns.phashHi[i]!;
    c.phashLo[j] = s.columns.phashLo[i]!;
    c.hasPhash[j] = s.columns.hasPhash[i]!;
    c.score[j] = s.columns.score[i]!;
  });
  return { columns: c, reason: idx.map((i) => s.reason[i]!), attrs: idx.map((i) => s.attrs[i]!) };
}
