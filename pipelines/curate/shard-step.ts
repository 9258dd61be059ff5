// The per-shard step of curation: record status, filters and attribute tagging for one shard's rows.
// Pure over columns; its output (reasons + attributes) is what the per-shard cache stores.
import { type CurateColumns } from './columns.js';
import { type CurateFilter } from './filters/filter.js';
import { type AttributeTagger } from './lexicon.js';

/** Per-row outcome of the shard step: '' to keep, else the first drop reason; attributes per row. */
export interface ShardStepResult {
  readonly reason: string[];
  readonly attrs: (string[] | null)[];
}

/** Applies status, filters (in order, first failure wins) and attribute tagging to every row. */
export function runShardStep(
  c: CurateColumns,
  filters: readonly CurateFilter[],
  tagger: AttributeTagger | null,
  attrSource: 'lexicon' | 'column' | 'both',
): ShardStepResult {
  const reason = new Array<string>(c.n).fill('');
  const attrs = new Array<string[] | null>(c.n).fill(null);
  for (let i = 0; i < c.n; i++) {
    if (c.status[i] !== 'ok') reason[i] = `status:${c.status[i]}`;
    else {
      for (const f of filters) {
        const r = f.test(c, i);
        if (r !== null) {
          reason[i] = r;
          break;
        }
      }
    }
    const own = attrSource !== 'lexicon' ? c.attrs[i]! : null;
    const tagged = attrSource !== 'column' && tagger ? tagger.tag(c.caption[i]!, c.lang[i]!) : null;
    attrs[i] = own && tagged ? [...new Set([...own, ...tagged])].sort() : (tagged ?? (own ? [...own].sort() : null));
  }
  return { reason, attrs };
}
