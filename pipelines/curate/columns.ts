// The metadata columns curation needs, held column-wise (typed arrays where numeric) so that a million rows
// cost a few arrays rather than a million objects. Images never enter here.
import { type DataRecord } from '../../storage/record.js';
import { splitU64 } from './hash.js';

/** Column-wise metadata of n rows: the input of filters, dedup, language mix and M4. */
export interface CurateColumns {
  readonly n: number;
  readonly id: string[];
  readonly caption: string[];
  /** Language code, or '' when unknown. */
  readonly lang: string[];
  /** Language confidence in [0, 1]; NaN when unknown. */
  readonly langScore: Float32Array;
  /** The language the source gave (record `lang_given`), or '' when none. */
  readonly langGiven: string[];
  /** Stored image size; 0 when unknown (failed rows). */
  readonly width: Int32Array;
  readonly height: Int32Array;
  /** Record status (`ok` or an error kind). */
  readonly status: string[];
  /** Hex sha256 of the original bytes, or '' when unknown. */
  readonly sha256: string[];
  /** 64-bit perceptual hash halves; `hasPhash[i]` is 0 when the row has none. */
  readonly phashHi: Uint32Array;
  readonly phashLo: Uint32Array;
  readonly hasPhash: Uint8Array;
  /** Attributes already on the row (user-supplied columns), or null. */
  readonly attrs: (string[] | null)[];
  /** Image-text score from a model-score filter; NaN when not scored. */
  readonly score: Float32Array;
}

/** Allocates empty columns for n rows (to be filled by a reader or a generator). */
export function allocColumns(n: number): CurateColumns {
  return {
    n,
    id: new Array<string>(n).fill(''),
    caption: new Array<string>(n).fill(''),
    lang: new Array<string>(n).fill(''),
    langScore: new Float32Array(n).fill(Number.NaN),
    langGiven: new Array<string>(n).fill(''),
    width: new Int32Array(n),
    height: new Int32Array(n),
    status: new Array<string>(n).fill('ok'),
    sha256: new Array<string>(n).fill(''),
    phashHi: new Uint32Array(n),
    phashLo: new Uint32Array(n),
    hasPhash: new Uint8Array(n),
    attrs: new Array<string[] | null>(n).fill(null),
    score: new Float32Array(n).fill(Number.NaN),
  };
}

/** Builds columns from records (the metadata fields only). */
export function columnsFromRecords(records: readonly Pick<DataRecord, ColumnField>[]): CurateColumns {
  const c = allocColumns(records.length);
  records.forEach((r, i) => {
    c.id[i] = r.id;
    c.caption[i] = r.caption ?? '';
    c.lang[i] = r.lang ?? '';
    c.langScore[i] = r.lang_score ?? Number.NaN;
    c.langGiven[i] = r.lang_given ?? '';
    c.width[i] = r.width ?? 0;
    c.height[i] = r.height ?? 0;
    c.status[i] = r.status;
    c.sha256[i] = r.sha256 ?? '';
    if (r.phash !== null && r.phash !== undefined) {
      const [hi, lo] = splitU64(r.phash);
      c.phashHi[i] = hi;
      c.phashLo[i] = lo;
      c.hasPhash[i] = 1;
    }
    c.attrs[i] = r.attrs ?? null;
  });
  return c;
}

/** The Record fields curation reads before materialization (never `image`). */
export const COLUMN_FIELDS = [
  'id',
  'caption',
  'lang',
  'lang_score',
  'lang_given',
  'width',
  'height',
  'status',
  'sha256',
  'phash',
  'attrs',
] as const;
/** One of the Record fields curation reads. */
export type ColumnField = (typeof COLUMN_FIELDS)[number];

/** Concatenates column sets (e.g. per-shard summaries) into one, in the given order. */
export function concatColumns(parts: readonly CurateColumns[]): CurateColumns {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const c = allocColumns(n);
  let o = 0;
  for (const p of parts) {
    for (let i = 0; i < p.n; i++) {
      c.id[o + i] = p.id[i]!;
      c.caption[o + i] = p.caption[i]!;
      c.lang[o + i] = p.lang[i]!;
      c.langGiven[o + i] = p.langGiven[i]!;
      c.status[o + i] = p.status[i]!;
      c.sha256[o + i] = p.sha256[i]!;
      c.attrs[o + i] = p.attrs[i]!;
    }
    c.langScore.set(p.langScore, o);
    c.width.set(p.width, o);
    c.height.set(p.height, o);
    c.phashHi.set(p.phashHi, o);
    c.phashLo.set(p.phashLo, o);
    c.hasPhash.set(p.hasPhash, o);
    c.score.set(p.score, o);
    o += p.n;
  }
  return c;
}
