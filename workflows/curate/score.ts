// The per-shard scoring activity's work: status, filters and attribute tags of one input shard, cached by
// (shard sha256, step hash) so that a rerun or an incremental run reuses it.
import { type ObjectStore } from '../../storage/index.js';
import { type CurateConfig, filterSpecs } from '../../pipelines/curate/config.js';
import { type ImageTextScorer } from '../../pipelines/curate/filters/filter.js';
import { createFilters } from '../../pipelines/curate/filters/registry.js';
import { AttributeTagger, lexiconByLanguage } from '../../pipelines/curate/lexicon.js';
import { runShardStep } from '../../pipelines/curate/shard-step.js';
import { decodeSummary, encodeSummary } from '../../pipelines/curate/summary-file.js';
import { beat } from './failures.js';
import { readShardColumns } from './inputs.js';
import { cacheKey } from './keys.js';
import { type CuratePlanInfo, type ScoreShardResult } from './shared.js';

/** Scores one shard (or reuses its cached result). */
export async function scoreOneShard(
  store: ObjectStore,
  scorer: ImageTextScorer | undefined,
  plan: CuratePlanInfo,
  cfg: CurateConfig,
  shard: number,
): Promise<ScoreShardResult> {
  const ref = plan.shards[shard]!;
  const key = cacheKey(plan.stepHash, ref.sha256);
  if (plan.incremental && (await store.head(key))) {
    const s = await decodeSummary(await store.get(key), store.uri(key));
    return { shard, rows: s.columns.n, passed: s.reason.filter((r) => r === '').length, reused: true };
  }
  const filters = createFilters(filterSpecs(cfg), { ...(scorer ? { scorer } : {}) });
  const modelScorer = filters.find((f) => f.scorer)?.scorer;
  const { columns, images } = await readShardColumns(store, ref.key, modelScorer !== undefined);
  if (modelScorer) {
    const scores = await modelScorer(columns.caption.map((caption, i) => ({ caption, image: images[i] ?? null })));
    columns.score.set(scores.subarray(0, columns.n));
  }
  const tagger =
    cfg.attributes.source === 'column' ? null : new AttributeTagger(lexiconByLanguage(cfg.attributes.lexicon));
  const step = runShardStep(columns, filters, tagger, cfg.attributes.source);
  beat({ phase: 'scored' });
  await store.put(key, encodeSummary({ columns, reason: step.reason, attrs: step.attrs }));
  return { shard, rows: columns.n, passed: step.reason.filter((r) => r === '').length, reused: false };
}
