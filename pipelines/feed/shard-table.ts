// A shard (or selected columns of it) as an apache-arrow Table, for users who analyse data in JavaScript: the
// Record contract's columns with their Arrow types, read over ranged reads (metadata columns skip image bytes).
import {
  Binary,
  type DataType,
  Field,
  Float32,
  Float64,
  Int32,
  List,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Uint64,
  Utf8,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import { type ObjectStore, RECORD_COLUMNS, type RecordColumn, readShard } from '../../storage/index.js';

const list = (t: DataType): List => new List(new Field('item', t, true));
const box = new Struct([...['x0', 'y0', 'x1', 'y1'].map((k) => new Field<DataType>(k, new Float32(), false)), new Field('label', new Utf8(), false)]);

/** The Arrow type of every Record column. */
export const RECORD_ARROW_TYPES: { readonly [K in RecordColumn]: DataType } = {
  id: new Utf8(),
  source: new Utf8(),
  url: new Utf8(),
  caption: new Utf8(),
  alt_captions: list(new Utf8()),
  lang: new Utf8(),
  lang_score: new Float64(),
  lang_given: new Utf8(),
  image: new Binary(),
  mime: new Utf8(),
  width: new Int32(),
  height: new Int32(),
  orig_width: new Int32(),
  orig_height: new Int32(),
  sha256: new Utf8(),
  phash: new Uint64(),
  status: new Utf8(),
  error: new Utf8(),
  fetched_at: new TimestampMillisecond(),
  boxes: list(box),
  attrs: list(new Utf8()),
  weight: new Float64(),
  extra: new Utf8(),
};

/** Reads a shard as an Arrow Table with one record batch per row group; `columns` defaults to all. */
export async function readShardTable(store: ObjectStore, key: string, columns: readonly RecordColumn[] = RECORD_COLUMNS): Promise<Table> {
  const schema = new Schema(columns.map((c) => new Field(c, RECORD_ARROW_TYPES[c], true)));
  const text = (v: unknown): unknown => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v);
  const batches: RecordBatch[] = [];
  for await (const rows of readShard(store, key, { columns: [...columns] })) {
    const children = schema.fields.map((f) => {
      // The reader keeps byte columns as bytes (utf8: false); text columns are decoded here.
      const values = rows.map((r) => {
        const v = (r as Record<string, unknown>)[f.name] ?? null;
        if (f.typeId === new Utf8().typeId) return text(v);
        if (Array.isArray(v) && f.name !== 'boxes') return v.map(text);
        if (Array.isArray(v)) return v.map((b: Record<string, unknown>) => ({ ...b, label: text(b.label) }));
        return v;
      });
      return vectorFromArray(values, f.type).data[0]!;
    });
    batches.push(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children })));
  }
  return new Table(schema, batches);
}
