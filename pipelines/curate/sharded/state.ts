// Per-shard state between the sharded global step's phases: each row's drop reason ('' = still active) and
// sampling weight, one Parquet object per (phase, shard) so that a phase reruns from the previous one's state.
import { type ObjectStore } from '../../../storage/index.js';
import { decodeTable, encodeTable, partKey } from './table.js';

/** A shard's per-row state. */
export interface ShardState {
  reason: string[];
  weight: Float64Array;
}

const STATE_SCHEMA = { reason: 'string', weight: 'number' } as const;

/** Writes a shard's state after `phase`. */
export async function writeState(
  store: ObjectStore,
  prefix: string,
  phase: string,
  shard: number,
  s: ShardState,
): Promise<void> {
  const body = encodeTable(STATE_SCHEMA, { reason: s.reason, weight: Array.from(s.weight) });
  await store.put(partKey(prefix, `state-${phase}`, shard, 'state'), body);
}

/** Reads a shard's state after `phase`. */
export async function readState(store: ObjectStore, prefix: string, phase: string, shard: number): Promise<ShardState> {
  const key = partKey(prefix, `state-${phase}`, shard, 'state');
  const t = await decodeTable(STATE_SCHEMA, await store.get(key), store.uri(key));
  return { reason: t.reason, weight: Float64Array.from(t.weight) };
}

/** The active mask of a state (reason ''). */
export function activeOf(s: ShardState): Uint8Array {
  return Uint8Array.from(s.reason, (r) => (r === '' ? 1 : 0));
}
