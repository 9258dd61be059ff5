// Sharded dedup, second half: connected components of the duplicate edges by min-label propagation. Every node
// (a row with an edge) lives in its owner shard's partition with a label, initially the smallest of itself and its
// neighbours; each round sends every node's label along its edges and keeps the minimum, until no label changes.
// The fixed point labels every node with its component's smallest global row. Memory per call: one partition.
import { type ObjectStore } from '../../../storage/index.js';
import { EDGE_SCHEMA, ownerOf, type RowSpace } from './dedup-edges.js';
import { emptyTable, encodeTable, partKey, readPart, writeParts } from './table.js';

/** A partition's node labels: global row → component label. */
export const LABEL_SCHEMA = { g: 'number', label: 'number' } as const;

const labelStage = (round: number): string => `labels-r${round}`;
const msgStage = (round: number): string => `msgs-r${round}`;

async function readLabels(
  store: ObjectStore,
  prefix: string,
  round: number,
  shard: number,
): Promise<Map<number, number>> {
  const t = await readPart(store, prefix, labelStage(round), shard, LABEL_SCHEMA);
  return new Map(t.g.map((g, x) => [g, t.label[x]!]));
}

async function writeLabels(
  store: ObjectStore,
  prefix: string,
  round: number,
  shard: number,
  labels: Map<number, number>,
): Promise<void> {
  const t = emptyTable(LABEL_SCHEMA);
  for (const [g, l] of [...labels.entries()].sort((a, b) => a[0] - b[0])) {
    t.g.push(g);
    t.label.push(l);
  }
  // One object per partition even when empty, so later rounds find a state for every shard.
  await store.put(partKey(prefix, labelStage(round), shard, 'state'), encodeTable(LABEL_SCHEMA, t));
}

/** Round 0 of one shard's partition: each node's label is the smallest of itself and its neighbours. */
export async function initLabels(store: ObjectStore, prefix: string, shard: number): Promise<number> {
  const edges = await readPart(store, prefix, 'edges', shard, EDGE_SCHEMA);
  const labels = new Map<number, number>();
  edges.u.forEach((u, x) => labels.set(u, Math.min(labels.get(u) ?? u, edges.v[x]!)));
  await writeLabels(store, prefix, 0, shard, labels);
  return labels.size;
}

/** Map side of a round: sends each node's label to its neighbours' owner partitions (minimum per neighbour). */
export async function sendLabels(
  store: ObjectStore,
  prefix: string,
  round: number,
  shard: number,
  space: RowSpace,
): Promise<void> {
  const labels = await readLabels(store, prefix, round, shard);
  const edges = await readPart(store, prefix, 'edges', shard, EDGE_SCHEMA);
  const best = new Map<number, number>();
  edges.u.forEach((u, x) => {
    const v = edges.v[x]!;
    const l = labels.get(u)!;
    if (l < v && l < (best.get(v) ?? Number.POSITIVE_INFINITY)) best.set(v, l);
  });
  const parts = Array.from({ length: space.offsets.length - 1 }, () => emptyTable(LABEL_SCHEMA));
  for (const [v, l] of best) {
    const t = parts[ownerOf(space, v)]!;
    t.g.push(v);
    t.label.push(l);
  }
  await writeParts(store, prefix, msgStage(round), `s${String(shard).padStart(6, '0')}`, LABEL_SCHEMA, parts);
}

/** Reduce side of a round: keeps the minimum of each node's label and the labels sent to it; returns how many changed. */
export async function receiveLabels(store: ObjectStore, prefix: string, round: number, shard: number): Promise<number> {
  const labels = await readLabels(store, prefix, round, shard);
  const msgs = await readPart(store, prefix, msgStage(round), shard, LABEL_SCHEMA);
  let changed = 0;
  msgs.g.forEach((v, x) => {
    const l = msgs.label[x]!;
    if (l < labels.get(v)!) {
      labels.set(v, l);
      changed++;
    }
  });
  await writeLabels(store, prefix, round + 1, shard, labels);
  return changed;
}

/** The final labels of one shard's nodes (after the last round). */
export async function finalLabels(
  store: ObjectStore,
  prefix: string,
  round: number,
  shard: number,
): Promise<Map<number, number>> {
  return await readLabels(store, prefix, round, shard);
}
