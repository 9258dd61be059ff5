// Applying the global step's decisions to one input shard's records: keep, weight, merge captions, tag, shuffle.
import { type DataRecord } from '../../storage/index.js';
import { mulberry32 } from '../../pipelines/curate/hash.js';
import { shuffleInPlace } from '../../pipelines/random.js';

/** Decisions for one input shard, as the global step writes them (kept rows only). */
export interface ShardDecisions {
  ids: string[];
  weight: number[];
  /** id → alternative captions merged from its duplicates. */
  alt: { [id: string]: string[] };
  /** id → attributes found at curation. */
  attrs: { [id: string]: string[] };
}

/** The kept records with curation fields set, in a seeded random order (so training reads sequentially). */
export function applyDecisions(rows: readonly DataRecord[], d: ShardDecisions, seed: number): DataRecord[] {
  const at = new Map(d.ids.map((id, i) => [id, i]));
  const out: DataRecord[] = [];
  for (const r of rows) {
    const i = at.get(r.id);
    if (i === undefined) continue;
    const merged = d.alt[r.id];
    out.push({
      ...r,
      alt_captions: merged
        ? [...new Set([...r.alt_captions, ...merged])].filter((c) => c !== r.caption)
        : r.alt_captions,
      attrs: d.attrs[r.id] ?? r.attrs,
      weight: d.weight[i]!,
    });
  }
  const rand = mulberry32(seed);
  shuffleInPlace(out, rand);
  return out;
}
