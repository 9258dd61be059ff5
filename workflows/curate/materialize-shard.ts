// The materialize activity's work: one curated shard from the input shard's kept rows (decisions from the
// global step), written once per plan digest; a rerun with an intact earlier result returns it.
import { datasetKeys, readShard, writeShard, type ObjectStore, type DataRecord } from '../../storage/index.js';
import { type CurateConfig } from '../../pipelines/curate/config.js';
import { CurateInputError } from '../../pipelines/curate/errors.js';
import { beat } from './failures.js';
import { decisionsKey, materializedKey } from './keys.js';
import { applyDecisions } from './materialize.js';
import { DecisionsSchema, jsonBytes, MaterializeResultSchema, readStoredJson } from './schemas.js';
import { type CuratePlanInfo, type CurateShardInput, type MaterializeResult } from './shared.js';

/** Writes one curated shard (or returns the intact result of an earlier attempt with the same plan). */
export async function materializeOneShard(
  store: ObjectStore,
  plan: CuratePlanInfo,
  cfg: CurateConfig,
  input: CurateShardInput,
): Promise<MaterializeResult> {
  const { shard } = input;
  const doneKey = materializedKey(plan.name, plan.version, shard);
  if (await store.head(doneKey)) {
    const done = await readStoredJson(store, doneKey, MaterializeResultSchema);
    const intact = !done.info || (await store.head(done.info.key))?.size === done.info.bytes;
    if (done.digest === input.plan.digest && intact) return done;
  }
  const decisions = await readStoredJson(store, decisionsKey(plan.name, plan.version, shard), DecisionsSchema);
  let result: MaterializeResult = { shard, digest: input.plan.digest, info: null };
  if (decisions.ids.length > 0) {
    const rows: DataRecord[] = [];
    for await (const batch of readShard(store, plan.shards[shard]!.key)) {
      rows.push(...batch);
      beat({ phase: 'read', rows: rows.length });
    }
    const out = applyDecisions(rows, decisions, cfg.shuffle_seed ^ Math.imul(shard + 1, 0x9e3779b1));
    if (out.length !== decisions.ids.length) {
      throw new CurateInputError(
        `holds ${out.length} of the ${decisions.ids.length} rows the plan kept; the input changed since planning`,
        store.uri(plan.shards[shard]!.key),
      );
    }
    const info = await writeShard(store, datasetKeys(plan.name, plan.version).shard(shard), out);
    result = { shard, digest: input.plan.digest, info };
  }
  await store.put(doneKey, jsonBytes(result));
  return result;
}
