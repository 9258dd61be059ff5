// Evaluation data read from a dataset version in our shard format: unique images (by sha256) with their attribute
// labels, and every caption with its language and image. Image bytes are read only when embeddings must be computed.
import { type Manifest, type ObjectStore, readShard, resolveDataset } from '../../storage/index.js';
import { EvalDataError } from './errors.js';

/** One unique image of an evaluation dataset. */
export interface EvalImage {
  /** Identity: the sha256 of the original bytes (rows repeating an image in other languages share it). */
  readonly key: string;
  /** Union of the `attrs` of every row showing this image, e.g. `label:1f600`, `people:none`, `gender:woman`. */
  readonly attrs: readonly string[];
}

/** One caption and the image it describes. */
export interface EvalCaption {
  readonly text: string;
  readonly lang: string;
  readonly image: number;
}

/** The index of an evaluation dataset (no image bytes). */
export interface EvalIndex {
  /** `name@version`, resolved. */
  readonly ref: string;
  readonly manifest: Manifest;
  readonly images: readonly EvalImage[];
  readonly captions: readonly EvalCaption[];
}

/** Returns the value of the first `prefix:value` attribute, or null. */
export function attrValue(attrs: readonly string[], prefix: string): string | null {
  const a = attrs.find((x) => x.startsWith(`${prefix}:`));
  return a === undefined ? null : a.slice(prefix.length + 1);
}

/** Reads the metadata columns of every ok row of a dataset version into an EvalIndex. */
export async function readEvalIndex(store: ObjectStore, ref: string): Promise<EvalIndex> {
  const manifest = await resolveDataset(store, ref);
  const byKey = new Map<string, { index: number; attrs: Set<string> }>();
  const images: { key: string; attrs: Set<string> }[] = [];
  const captions: EvalCaption[] = [];
  for (const shard of manifest.shards) {
    for await (const batch of readShard(store, shard.key, { columns: ['id', 'status', 'sha256', 'caption', 'alt_captions', 'lang', 'attrs'] })) {
      for (const row of batch) {
        if (row.status !== 'ok') continue;
        const key = row.sha256 ?? row.id;
        let entry = byKey.get(key);
        if (!entry) {
          entry = { index: images.length, attrs: new Set() };
          byKey.set(key, entry);
          images.push({ key, attrs: entry.attrs });
        }
        for (const a of row.attrs ?? []) entry.attrs.add(a);
        const lang = row.lang ?? 'und';
        for (const text of [row.caption, ...(row.alt_captions ?? [])]) if (text.trim() !== '') captions.push({ text, lang, image: entry.index });
      }
    }
  }
  if (images.length === 0) throw new EvalDataError('has no rows with status ok', `dataset ${manifest.name}@${manifest.version}`);
  return {
    ref: `${manifest.name}@${manifest.version}`,
    manifest,
    images: images.map((i) => ({ key: i.key, attrs: [...i.attrs].sort() })),
    captions,
  };
}

/**
 * Streams the index's images in chunks of at most `chunk` (first row of each image wins), so memory holds one chunk
 * of image bytes, not the dataset; every image is yielded exactly once.
 */
export async function* streamEvalImages(store: ObjectStore, index: EvalIndex, chunk = 256): AsyncIterable<{ rows: number[]; bytes: Uint8Array[] }> {
  const pos = new Map(index.images.map((im, i) => [im.key, i]));
  const seen = new Uint8Array(index.images.length);
  let rows: number[] = [];
  let bytes: Uint8Array[] = [];
  for (const shard of index.manifest.shards) {
    for await (const batch of readShard(store, shard.key, { columns: ['id', 'status', 'sha256', 'image'] })) {
      for (const row of batch) {
        if (row.status !== 'ok' || !row.image) continue;
        const i = pos.get(row.sha256 ?? row.id);
        if (i === undefined || seen[i]) continue;
        seen[i] = 1;
        rows.push(i);
        bytes.push(row.image);
        if (rows.length >= chunk) {
          yield { rows, bytes };
          rows = [];
          bytes = [];
        }
      }
    }
  }
  if (rows.length > 0) yield { rows, bytes };
  const missing = seen.indexOf(0);
  if (missing >= 0) throw new EvalDataError(`image ${index.images[missing]!.key} has no bytes`, `dataset ${index.ref}`);
}
