/**
 * The Record contract (record.ts) as a Parquet schema, readable by pyarrow, DuckDB and HF datasets without options:
 * strings are UTF8, `image` is plain BINARY, `phash` is UINT64, `fetched_at` a UTC millisecond timestamp,
 * lists use the standard three-level LIST layout.
 */
import { type ParquetWriter } from 'hyparquet-writer';
import { type DataRecord } from './record.js';

/** A Parquet schema element as hyparquet-writer takes it. */
export type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

/** Key-value metadata key holding the Record schema version of a shard. */
export const SCHEMA_VERSION_KEY = 'sigforge.schema_version';

/** Every Record column in file order. */
export const RECORD_COLUMNS = [
  'id',
  'source',
  'url',
  'caption',
  'alt_captions',
  'lang',
  'lang_score',
  'image',
  'mime',
  'width',
  'height',
  'orig_width',
  'orig_height',
  'sha256',
  'phash',
  'status',
  'error',
  'fetched_at',
  'boxes',
  'attrs',
  'weight',
  'extra',
  'lang_given',
] as const satisfies readonly (keyof DataRecord)[];

/** A Record column name. */
export type RecordColumn = (typeof RECORD_COLUMNS)[number];

/**
 * Columns added after the first shards were written (always at the end of RECORD_COLUMNS): a shard without one is
 * still a Record shard, and readers return null for it.
 */
export const OPTIONAL_COLUMNS: readonly RecordColumn[] = ['extra', 'lang_given'];

const string = (name: string, repetition: 'REQUIRED' | 'OPTIONAL'): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  logical_type: { type: 'STRING' },
  repetition_type: repetition,
});
const scalar = (
  name: string,
  type: 'INT32' | 'DOUBLE' | 'BYTE_ARRAY',
  repetition: 'REQUIRED' | 'OPTIONAL' = 'OPTIONAL',
): SchemaElement => ({ name, type, repetition_type: repetition });
const list = (name: string, repetition: 'REQUIRED' | 'OPTIONAL', element: SchemaElement[]): SchemaElement[] => [
  { name, repetition_type: repetition, converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  ...element,
];

const columnElements: { [K in RecordColumn]: SchemaElement[] } = {
  id: [string('id', 'REQUIRED')],
  source: [string('source', 'REQUIRED')],
  url: [string('url', 'REQUIRED')],
  caption: [string('caption', 'REQUIRED')],
  alt_captions: list('alt_captions', 'REQUIRED', [string('element', 'REQUIRED')]),
  lang: [string('lang', 'OPTIONAL')],
  lang_score: [scalar('lang_score', 'DOUBLE')],
  image: [scalar('image', 'BYTE_ARRAY')],
  mime: [string('mime', 'OPTIONAL')],
  width: [scalar('width', 'INT32')],
  height: [scalar('height', 'INT32')],
  orig_width: [scalar('orig_width', 'INT32')],
  orig_height: [scalar('orig_height', 'INT32')],
  sha256: [string('sha256', 'OPTIONAL')],
  phash: [
    {
      name: 'phash',
      type: 'INT64',
      repetition_type: 'OPTIONAL',
      // Converted type only: hyparquet-writer 0.17 encodes the INTEGER logical type's bitWidth as i32 where the
      // Thrift IDL says i8, and pyarrow/DuckDB then refuse the whole footer. UINT_64 alone reads as uint64 everywhere.
      converted_type: 'UINT_64',
    },
  ],
  status: [string('status', 'REQUIRED')],
  error: [string('error', 'OPTIONAL')],
  fetched_at: [
    {
      name: 'fetched_at',
      type: 'INT64',
      repetition_type: 'REQUIRED',
      converted_type: 'TIMESTAMP_MILLIS',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
    },
  ],
  boxes: list('boxes', 'OPTIONAL', [
    { name: 'element', repetition_type: 'REQUIRED', num_children: 5 },
    scalar('x0', 'DOUBLE', 'REQUIRED'),
    scalar('y0', 'DOUBLE', 'REQUIRED'),
    scalar('x1', 'DOUBLE', 'REQUIRED'),
    scalar('y1', 'DOUBLE', 'REQUIRED'),
    string('label', 'REQUIRED'),
  ]),
  attrs: list('attrs', 'OPTIONAL', [string('element', 'REQUIRED')]),
  weight: [scalar('weight', 'DOUBLE')],
  extra: [string('extra', 'OPTIONAL')],
  lang_given: [string('lang_given', 'OPTIONAL')],
};

/** The full flattened Parquet schema of a shard (root first, depth-first). */
export function recordParquetSchema(): SchemaElement[] {
  const elements = RECORD_COLUMNS.flatMap((c) => columnElements[c]);
  return [{ name: 'schema', num_children: RECORD_COLUMNS.length }, ...elements.map((e) => ({ ...e }))];
}

/** The top-level schema element of a column (what a reader checks a file against). */
export function columnElement(column: RecordColumn): SchemaElement {
  const el = columnElements[column][0];
  if (!el) throw new Error(`no schema element for ${column}`);
  return el;
}
