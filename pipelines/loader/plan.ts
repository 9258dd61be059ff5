// The epoch plan: shard order shuffled per epoch, cut into windows of row groups whose rows are shuffled
// together (the shuffle buffer), and the weighted sample order of one window — all pure functions of the seed.
import { parquetRead } from 'hyparquet';
import { type Box, type ObjectStore, readShardMetadata, type ShardMetadata, StorageError, storeAsyncBuffer } from '../../storage/index.js';
import { LoaderInputError } from './errors.js';
import { keyedRandom, shuffled } from './random.js';

/** One row group of one shard: the unit of reading. */
export interface ShardUnit {
  readonly shard: number;
  readonly key: string;
  readonly group: number;
  readonly rowStart: number;
  readonly rowEnd: number;
}

/** Row groups of every shard, with the footers needed to read them. */
export interface DatasetLayout {
  readonly units: readonly ShardUnit[];
  readonly metas: ReadonlyMap<string, ShardMetadata>;
  readonly shards: number;
}

/** The columns training reads (metadata columns stay small; `image` is the payload). */
export const TRAIN_COLUMNS = ['id', 'caption', 'alt_captions', 'image', 'width', 'height', 'status', 'weight', 'boxes'] as const;

/** A row as the loader uses it. */
export interface TrainRow {
  id: string;
  caption: string;
  alt_captions: string[] | null;
  image: Uint8Array | null;
  width: number | null;
  height: number | null;
  status: string;
  weight: number | null;
  boxes: Box[] | null;
}

/** Reads every shard's footer (ranged reads, no image bytes) and lists its row groups. */
export async function readLayout(store: ObjectStore, shardKeys: readonly string[]): Promise<DatasetLayout> {
  if (shardKeys.length === 0) throw new LoaderInputError('has no shards', 'dataset');
  const metas = new Map<string, ShardMetadata>();
  const units: ShardUnit[] = [];
  for (const [shard, key] of shardKeys.entries()) {
    const meta = await readShardMetadata(store, key);
    metas.set(key, meta);
    let rowStart = 0;
    meta.rowGroups.forEach((g, group) => {
      units.push({ shard, key, group, rowStart, rowEnd: rowStart + g.rows });
      rowStart += g.rows;
    });
  }
  return { units, metas, shards: shardKeys.length };
}

/** The windows of one epoch: unit indices, shards in a seeded order, `windowGroups` row groups per window. */
export function epochWindows(layout: DatasetLayout, seed: number, epoch: number, windowGroups: number): number[][] {
  const order = shuffled(
    Array.from({ length: layout.shards }, (_, i) => i),
    keyedRandom(seed, 'shards', epoch),
  );
  const byShard = new Map<number, number[]>();
  layout.units.forEach((u, i) => byShard.set(u.shard, [...(byShard.get(u.shard) ?? []), i]));
  const flat = order.flatMap((s) => byShard.get(s) ?? []);
  const windows: number[][] = [];
  for (let i = 0; i < flat.length; i += windowGroups) windows.push(flat.slice(i, i + windowGroups));
  return windows;
}

/** Reads one row group's training columns over ranged reads. */
export async function readUnit(store: ObjectStore, layout: DatasetLayout, unit: ShardUnit): Promise<TrainRow[]> {
  const meta = layout.metas.get(unit.key)!;
  let rows: TrainRow[] = [];
  try {
    await parquetRead({
      file: storeAsyncBuffer(store, unit.key, meta.size),
      metadata: meta.metadata,
      columns: [...TRAIN_COLUMNS],
      rowStart: unit.rowStart,
      rowEnd: unit.rowEnd,
      rowFormat: 'object',
      utf8: false,
      onComplete: (r) => {
        rows = r as unknown as TrainRow[];
      },
    });
  } catch (err) {
    // A failed read is the store's (retryable or not, as it says); only bytes that do not parse are bad input.
    if (err instanceof StorageError) throw err;
    throw new LoaderInputError(`does not decode: ${(err as Error).message}`, `${meta.uri} row group ${unit.group}`, { cause: err });
  }
  // utf8: false keeps the image column as bytes, so text columns come back as bytes too.
  const text = (v: unknown): string => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v));
  for (const r of rows as unknown as { [k: string]: unknown }[]) {
    r.id = text(r.id);
    r.caption = text(r.caption);
    r.status = text(r.status);
    if (Array.isArray(r.alt_captions)) r.alt_captions = r.alt_captions.map(text);
    if (Array.isArray(r.boxes)) r.boxes = r.boxes.map((b: Box) => ({ ...b, label: text(b.label) }));
  }
  return rows;
}

/** Copies of a row this epoch: ⌊w⌋ plus one more with probability frac(w), keyed by the row id. */
export function copiesOf(weight: number | null, seed: number, epoch: number, id: string): number {
  const w = weight === null || !Number.isFinite(weight) ? 1 : Math.max(0, weight);
  const whole = Math.floor(w);
  return whole + (keyedRandom(seed, 'weight', epoch, id)() < w - whole ? 1 : 0);
}

/** The sample order of a window: usable rows (status ok, with an image) repeated by weight, then shuffled. */
export function windowOrder(rows: readonly TrainRow[], seed: number, epoch: number, window: number, useWeights: boolean): TrainRow[] {
  const expanded: TrainRow[] = [];
  for (const r of rows) {
    if (r.status !== 'ok' || !r.image) continue;
    const n = useWeights ? copiesOf(r.weight, seed, epoch, r.id) : 1;
    for (let k = 0; k < n; k++) expanded.push(r);
  }
  return shuffled(expanded, keyedRandom(seed, 'window', epoch, window));
}
