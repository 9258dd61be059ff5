// Sharded dedup, last part: clusters → decisions. Each shard sends its labelled rows (with what survivor choice
// and caption merging need) to the partition of their component label; each partition picks every cluster's
// survivor (largest image, then smallest id), marks the others exact or near duplicates, collects the survivor's
// alternative captions (members in row order, distinct, at most `maxAlt`, sorted), and writes the decisions to
// the members' owner shards.
import { type ObjectStore } from '../../../storage/index.js';
import { type CurateColumns } from '../columns.js';
import { fmix32 } from '../hash.js';
import { ownerOf, type RowSpace } from './dedup-edges.js';
import { emptyTable, readPart, type Table, writeParts } from './table.js';

/** A cluster member as sent to its label's partition. */
export const MEMBER_SCHEMA = {
  label: 'number',
  g: 'number',
  id: 'string',
  area: 'number',
  sha: 'string',
  caption: 'string',
} as const;
/** A member's decision: its survivor and drop kind (0 survivor, 1 exact, 2 near). */
export const DECISION_SCHEMA = { g: 'number', survivor: 'number', kind: 'number' } as const;
/** An alternative caption of a survivor, in order. */
export const ALT_SCHEMA = { g: 'number', caption: 'string' } as const;

/** Sends one shard's labelled active rows to the `members` stage. */
export async function emitMembers(
  store: ObjectStore,
  prefix: string,
  shard: number,
  offset: number,
  c: CurateColumns,
  active: Uint8Array,
  labels: Map<number, number>,
  partitions: number,
): Promise<void> {
  const parts = Array.from({ length: partitions }, () => emptyTable(MEMBER_SCHEMA));
  for (let i = 0; i < c.n; i++) {
    const label = labels.get(offset + i);
    if (!active[i] || label === undefined) continue;
    const t = parts[fmix32(label % 4294967296 ^ Math.floor(label / 4294967296)) % partitions]!;
    t.label.push(label);
    t.g.push(offset + i);
    t.id.push(c.id[i]!);
    t.area.push(c.width[i]! * c.height[i]!);
    t.sha.push(c.sha256[i]!);
    t.caption.push(c.caption[i]!);
  }
  await writeParts(store, prefix, 'members', `s${String(shard).padStart(6, '0')}`, MEMBER_SCHEMA, parts);
}

/** Cluster totals one partition found. */
export interface ClusterStats {
  clusterSizes: number[];
  exactRemoved: number;
  nearRemoved: number;
}

/** Decides one `members` partition's clusters and writes decisions and alternative captions per owner shard. */
export async function decideClusters(
  store: ObjectStore,
  prefix: string,
  part: number,
  space: RowSpace,
  maxAlt: number,
): Promise<ClusterStats> {
  const m = await readPart(store, prefix, 'members', part, MEMBER_SCHEMA);
  const order = m.g.map((_, x) => x).sort((x, y) => m.label[x]! - m.label[y]! || m.g[x]! - m.g[y]!);
  const shards = space.offsets.length - 1;
  const dec = Array.from({ length: shards }, () => emptyTable(DECISION_SCHEMA));
  const alt = Array.from({ length: shards }, () => emptyTable(ALT_SCHEMA));
  const stats: ClusterStats = { clusterSizes: [], exactRemoved: 0, nearRemoved: 0 };
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && m.label[order[end]!] === m.label[order[start]!]) end++;
    decideOne(m, order.slice(start, end), space, dec, alt, maxAlt, stats);
    start = end;
  }
  const producer = `c${String(part).padStart(6, '0')}`;
  await writeParts(store, prefix, 'decisions', producer, DECISION_SCHEMA, dec);
  await writeParts(store, prefix, 'alt', producer, ALT_SCHEMA, alt);
  return stats;
}

function decideOne(
  m: Table<typeof MEMBER_SCHEMA>,
  members: number[],
  space: RowSpace,
  dec: Table<typeof DECISION_SCHEMA>[],
  alt: Table<typeof ALT_SCHEMA>[],
  maxAlt: number,
  stats: ClusterStats,
): void {
  let s = members[0]!;
  for (const x of members) {
    if (m.area[x]! !== m.area[s]!) {
      if (m.area[x]! > m.area[s]!) s = x;
    } else if (m.id[x]! < m.id[s]!) s = x;
  }
  if (members.length > 1) stats.clusterSizes.push(members.length);
  const captions: string[] = [];
  for (const x of members) {
    const exact = m.sha[x] !== '' && m.sha[x] === m.sha[s];
    const kind = x === s ? 0 : exact ? 1 : 2;
    if (kind === 1) stats.exactRemoved++;
    if (kind === 2) stats.nearRemoved++;
    const t = dec[ownerOf(space, m.g[x]!)]!;
    t.g.push(m.g[x]!);
    t.survivor.push(m.g[s]!);
    t.kind.push(kind);
    const cap = m.caption[x]!;
    if (x !== s && cap !== m.caption[s] && captions.length < maxAlt && !captions.includes(cap)) captions.push(cap);
  }
  const ta = alt[ownerOf(space, m.g[s]!)]!;
  for (const cap of captions.sort()) {
    ta.g.push(m.g[s]!);
    ta.caption.push(cap);
  }
}

/** One shard's dedup decisions: drop kind and survivor per local row (−1 when not in a cluster) and alt captions. */
export async function readShardDecisions(
  store: ObjectStore,
  prefix: string,
  shard: number,
  offset: number,
  n: number,
): Promise<{ kind: Uint8Array; survivor: Float64Array; alt: Map<number, string[]> }> {
  const d = await readPart(store, prefix, 'decisions', shard, DECISION_SCHEMA);
  const kind = new Uint8Array(n);
  const survivor = new Float64Array(n).fill(-1);
  d.g.forEach((g, x) => {
    kind[g - offset] = d.kind[x]!;
    survivor[g - offset] = d.survivor[x]!;
  });
  const a = await readPart(store, prefix, 'alt', shard, ALT_SCHEMA);
  const alt = new Map<number, string[]>();
  a.g.forEach((g, x) => {
    const list = alt.get(g - offset) ?? [];
    list.push(a.caption[x]!);
    alt.set(g - offset, list);
  });
  return { kind, survivor, alt };
}
