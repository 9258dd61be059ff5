// Columnar tables as Parquet objects on the store: the files the sharded global step's stages exchange.
// A stage writes one object per (producer, destination partition) and a consumer reads every producer's
// object of its partition, so no process ever holds more than one partition of one stage.
import { parquetRead } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { type ObjectStore } from '../../../storage/index.js';
import { CurateInputError } from '../errors.js';

/** Column kinds: numbers are stored as DOUBLE (exact for integers below 2^53). */
export type ColumnKind = 'number' | 'string';

/** A table's schema: column name → kind. */
export type TableSchema = Readonly<{ [column: string]: ColumnKind }>;

/** A table's data: one array per column, all of the same length. */
export type Table<S extends TableSchema> = { [K in keyof S]: S[K] extends 'number' ? number[] : string[] };

/** An empty table of the schema. */
export function emptyTable<S extends TableSchema>(schema: S): Table<S> {
  return Object.fromEntries(Object.keys(schema).map((k) => [k, []])) as unknown as Table<S>;
}

/** Rows in a table (length of its first column). */
export function tableRows<S extends TableSchema>(t: Table<S>): number {
  const first = Object.values(t)[0] as unknown[] | undefined;
  return first?.length ?? 0;
}

/** Encodes a table as Parquet bytes. */
export function encodeTable<S extends TableSchema>(schema: S, t: Table<S>): Uint8Array {
  const columnData = Object.entries(schema).map(([name, kind]) => ({
    name,
    data: t[name] as unknown[],
    type: kind === 'number' ? ('DOUBLE' as const) : ('STRING' as const),
    nullable: false,
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, codec: 'SNAPPY' }));
}

/** Decodes Parquet bytes written by `encodeTable`; `source` names the object in errors. */
export async function decodeTable<S extends TableSchema>(
  schema: S,
  bytes: Uint8Array,
  source: string,
): Promise<Table<S>> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const out = emptyTable(schema) as { [k: string]: unknown[] };
  try {
    // Chunks may arrive in any order; each is placed at its row range.
    await parquetRead({
      file,
      columns: Object.keys(schema),
      onChunk: ({ columnName, columnData, rowStart }) => {
        const kind = schema[columnName];
        const col = out[columnName];
        if (!kind || !col) return;
        for (let x = 0; x < columnData.length; x++) {
          const v: unknown = columnData[x];
          col[rowStart + x] = kind === 'number' ? Number(v) : String(v);
        }
      },
    });
  } catch (err) {
    throw new CurateInputError(`not a readable stage table (${(err as Error).message})`, source, { cause: err });
  }
  return out as Table<S>;
}

/** Storage key of one producer's object for one partition of a stage. */
export function partKey(prefix: string, stage: string, part: number, producer: string): string {
  return `${prefix}/${stage}/p${String(part).padStart(5, '0')}/${producer}.parquet`;
}

/** Writes a producer's rows of a stage, split into partitions (an empty partition writes nothing). */
export async function writeParts<S extends TableSchema>(
  store: ObjectStore,
  prefix: string,
  stage: string,
  producer: string,
  schema: S,
  parts: readonly Table<S>[],
): Promise<void> {
  for (const [p, t] of parts.entries()) {
    if (tableRows(t) === 0) continue;
    await store.put(partKey(prefix, stage, p, producer), encodeTable(schema, t));
  }
}

/** Reads every producer's rows of one partition of a stage, concatenated in producer-key order. */
export async function readPart<S extends TableSchema>(
  store: ObjectStore,
  prefix: string,
  stage: string,
  part: number,
  schema: S,
): Promise<Table<S>> {
  const out = emptyTable(schema) as { [k: string]: unknown[] };
  const dir = partKey(prefix, stage, part, '').replace(/\.parquet$/, '');
  for await (const entry of store.list(dir)) {
    const t = (await decodeTable(schema, await store.get(entry.key), store.uri(entry.key))) as {
      [k: string]: unknown[];
    };
    for (const name of Object.keys(schema)) for (const v of t[name]!) out[name]!.push(v);
  }
  return out as Table<S>;
}

/** Deletes every object of a stage (before a stage is rerun from scratch, and after the step). */
export async function clearStage(store: ObjectStore, prefix: string, stage: string): Promise<void> {
  for await (const entry of store.list(`${prefix}/${stage}/`)) await store.delete(entry.key);
}
