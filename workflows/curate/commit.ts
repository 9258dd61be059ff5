// Committing a curated version: the manifest is written last and only if absent, listing the materialized
// shards in a seeded order, with lineage and the curation stats.
import {
  AlreadyExistsError,
  buildManifest,
  commitManifest,
  datasetKeys,
  readManifest,
  type ObjectStore,
} from '../../storage/index.js';
import { parseCurateConfig } from '../../pipelines/curate/config.js';
import { mulberry32 } from '../../pipelines/curate/hash.js';
import { shuffleInPlace } from '../../pipelines/random.js';
import { hashIndexDir, materializedKey, reportKeys } from './keys.js';
import { MaterializeResultSchema, readStoredJson } from './schemas.js';
import {
  type CuratePlanInfo,
  type CuratePlanRef,
  type CurateResult,
  type GlobalStepResult,
  type MaterializeResult,
} from './shared.js';

/** Code version written into lineage and cache keys (bump when curation results change for the same config). */
export const CURATE_CODE_VERSION = 'sigforge-curate/1';

/** Commits the manifest of a curated version; with no global result (or a committed plan) reads the existing one. */
export async function commitCurated(
  store: ObjectStore,
  ref: CuratePlanRef,
  global: GlobalStepResult | null,
  full: CuratePlanInfo | null,
): Promise<CurateResult> {
  const keys = datasetKeys(ref.name, ref.version);
  const existing = async (): Promise<CurateResult> => {
    const m = await readManifest(store, ref.name, ref.version);
    const stats = m.stats as { curation?: { rows_in?: number }; rows?: number };
    return {
      name: m.name,
      version: m.version,
      manifestUri: store.uri(keys.manifest),
      rowsIn: stats.curation?.rows_in ?? 0,
      rowsOut: Number(stats.rows ?? 0),
      shardsReused: 0,
      shardsScored: 0,
      reportUri: store.uri(reportKeys(ref.name, ref.version).json),
    };
  };
  if (!global || !full) return await existing();
  const infos: NonNullable<MaterializeResult['info']>[] = [];
  for (let shard = 0; shard < ref.shardCount; shard++) {
    const done = await readStoredJson(store, materializedKey(ref.name, ref.version, shard), MaterializeResultSchema);
    if (done.info) infos.push(done.info);
  }
  // Rows are shuffled inside each shard at write time; the manifest lists shards in a seeded order too, so
  // that reading the version front to back does not follow input order.
  const rand = mulberry32(parseCurateConfig(full.config).shuffle_seed ^ 0x51f7);
  shuffleInPlace(infos, rand);
  const manifest = buildManifest(store, {
    name: ref.name,
    version: ref.version,
    kind: 'curated',
    shards: infos,
    lineage: {
      inputs: [{ name: full.inputName, version: full.inputVersion }],
      config: { curate: full.config, eval_sets: full.evalSets, dedup_against: full.dedupAgainst },
      config_hash: full.configHash,
      code_version: CURATE_CODE_VERSION,
    },
    stats: {
      curation: {
        rows_in: global.rowsIn,
        rows_out: global.rowsOut,
        dropped: global.dropped,
        infeasible: global.infeasible,
        report: global.reportUri,
        report_html: global.reportHtmlUri,
        hash_index: store.uri(hashIndexDir(ref.name, ref.version)),
      },
    },
  });
  try {
    await commitManifest(store, manifest);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    return await existing();
  }
  return {
    name: ref.name,
    version: ref.version,
    manifestUri: store.uri(keys.manifest),
    rowsIn: global.rowsIn,
    rowsOut: global.rowsOut,
    shardsReused: 0,
    shardsScored: 0,
    reportUri: global.reportUri,
  };
}
