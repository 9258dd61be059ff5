// A small curated dataset of real images and multilingual captions from npm packages (emoji PNGs, CLDR names),
// written as Record shards with a committed manifest: the fixture for loader and training tests and the benchmark.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { buildManifest, commitManifest, datasetKeys, type ObjectStore, type DataRecord, writeShard } from '../../storage/index.js';

const require = createRequire(import.meta.url);

interface EmojiEntry {
  unified: string;
  image: string;
  has_img_google?: boolean;
}
type Annotations = { annotations: { annotations: { [emoji: string]: { tts?: string[]; default?: string[] } } } };

/** Options of {@link writeEmojiDataset}. */
export interface EmojiDatasetOptions {
  name?: string;
  version?: string;
  rows: number;
  shards: number;
  rowGroupRows: number;
  /** Re-encode at this side (JPEG) instead of the 64 px PNG, e.g. 256 or 640 for benchmarks. */
  side?: number;
  /** Languages whose names become alt captions. */
  altLangs?: string[];
  /** Give every k-th row weight 2 and every (k+1)-th weight 0.5 (exercise curation weights). */
  weighted?: boolean;
}

function emojiChar(unified: string): string {
  return String.fromCodePoint(...unified.split('-').map((h) => parseInt(h, 16)));
}

/** Writes a curated emoji dataset (name@version) and returns its manifest's shard keys. */
export async function writeEmojiDataset(store: ObjectStore, opts: EmojiDatasetOptions): Promise<{ ref: string; shardKeys: string[] }> {
  const name = opts.name ?? 'emoji';
  const version = opts.version ?? 'v1';
  const pkg = path.dirname(require.resolve('emoji-datasource-google/package.json'));
  const entries = (JSON.parse(readFileSync(path.join(pkg, 'emoji.json'), 'utf8')) as EmojiEntry[]).filter((e) => e.has_img_google !== false);
  const names = (lang: string): Annotations['annotations']['annotations'] =>
    (require(`cldr-annotations-full/annotations/${lang}/annotations.json`) as Annotations).annotations.annotations;
  const en = names('en');
  const alts = (opts.altLangs ?? ['de', 'ja', 'es']).map(names);
  const usable = entries.filter((e) => en[emojiChar(e.unified)]?.tts?.[0]);
  const rows: DataRecord[] = [];
  for (let i = 0; i < opts.rows; i++) {
    const e = usable[i % usable.length]!;
    const ch = emojiChar(e.unified);
    let image: Uint8Array = readFileSync(path.join(pkg, 'img/google/64', e.image));
    let side = 64;
    let mime = 'image/png';
    if (opts.side) {
      image = await sharp(image).flatten({ background: '#ffffff' }).resize(opts.side, Math.round(opts.side * 0.75), { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
      side = opts.side;
      mime = 'image/jpeg';
    }
    const caption = `${en[ch]!.tts![0]!}${i >= usable.length ? ` #${Math.floor(i / usable.length)}` : ''}`;
    rows.push({
      id: createHash('sha256').update(`emoji:${e.unified}:${i}`).digest('hex').slice(0, 32),
      source: 'emoji-datasource-google',
      url: `emoji/${e.image}`,
      caption,
      alt_captions: alts.map((a) => a[ch]?.tts?.[0]).filter((t): t is string => !!t),
      lang: 'en',
      lang_score: 1,
      image,
      mime,
      width: side,
      height: opts.side ? Math.round(side * 0.75) : side,
      orig_width: 64,
      orig_height: 64,
      sha256: createHash('sha256').update(image).digest('hex'),
      phash: BigInt(i),
      status: 'ok',
      error: null,
      fetched_at: 0,
      boxes: i % 3 === 0 ? [{ x0: 8, y0: 8, x1: 56, y1: 56, label: caption }] : null,
      attrs: null,
      weight: opts.weighted ? (i % 7 === 0 ? 2 : i % 7 === 1 ? 0.5 : 1) : 1,
    });
  }
  const keys = datasetKeys(name, version);
  const per = Math.ceil(rows.length / opts.shards);
  const shards = [];
  for (let s = 0; s < opts.shards; s++) {
    shards.push(await writeShard(store, keys.shard(s), rows.slice(s * per, (s + 1) * per), { rowGroupRows: opts.rowGroupRows }));
  }
  const manifest = buildManifest(store, {
    name,
    version,
    kind: 'curated',
    shards,
    lineage: { inputs: [], config: { rows: opts.rows }, config_hash: 'fixture', code_version: 'test' },
  });
  await commitManifest(store, manifest);
  return { ref: `${name}@${version}`, shardKeys: shards.map((s) => s.key) };
}
