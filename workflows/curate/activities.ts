/**
 * Curate activities, built by a factory over injected dependencies (store, optional image-text scorer):
 * prepare the run, score one shard (cached), the global step, materialize one shard, commit the manifest.
 * Thin: each delegates to its own module (prepare, score, global-step, materialize-shard, commit).
 */
import { type ObjectStore } from '../../storage/index.js';
import { filterSpecs, parseCurateConfig, type CurateConfig } from '../../pipelines/curate/config.js';
import { type ImageTextScorer } from '../../pipelines/curate/filters/filter.js';
import { createFilters } from '../../pipelines/curate/filters/registry.js';
import { commitCurated, CURATE_CODE_VERSION } from './commit.js';
import { guard } from './failures.js';
import { IN_MEMORY_ROWS, runGlobalStep, runGlobalStepInMemory } from './global-step.js';
import { datasetHashSet } from './inputs.js';
import { materializeOneShard } from './materialize-shard.js';
import { prepareCurationPlan } from './prepare.js';
import { PlanInfoSchema, readStoredJson } from './schemas.js';
import { scoreOneShard } from './score.js';
import {
  type CurateInput,
  type CuratePlanInfo,
  type CuratePlanRef,
  type CurateResult,
  type CurateShardInput,
  type GlobalStepResult,
  type MaterializeResult,
  type ScoreShardResult,
} from './shared.js';

export { CURATE_CODE_VERSION };

/** What the curate activities are built from. */
export interface CurateDeps {
  store: ObjectStore;
  /** Image-text scorer for the `model_score` filter (a sigforge checkpoint); absent: that filter is refused. */
  scorer?: ImageTextScorer;
  /** Datasets up to this many rows take the in-memory global step, larger ones the sharded one; default IN_MEMORY_ROWS. */
  globalInMemoryRows?: number;
}

/** Creates the curate activities over the given dependencies. */
export function createCurateActivities(deps: CurateDeps) {
  const { store } = deps;
  // Plans are immutable per (name, version): cache the parsed plan and config per worker.
  const plans = new Map<string, { plan: CuratePlanInfo; cfg: CurateConfig }>();
  async function loadPlan(ref: CuratePlanRef): Promise<{ plan: CuratePlanInfo; cfg: CurateConfig }> {
    let entry = plans.get(ref.planKey);
    if (!entry) {
      const plan = await readStoredJson(store, ref.planKey, PlanInfoSchema);
      entry = { plan, cfg: parseCurateConfig(plan.config) };
      if (plans.size > 16) plans.clear();
      plans.set(ref.planKey, entry);
    }
    return entry;
  }
  const scorerDeps = deps.scorer ? { scorer: deps.scorer } : {};

  return {
    /** Validates input and config, resolves datasets and fixes the output version. */
    prepareCuration: guard(
      async (raw: CurateInput): Promise<CuratePlanRef> => await prepareCurationPlan(store, !!deps.scorer, raw),
    ),

    /** Status, filters and attribute tags of one input shard, cached by (shard sha256, step hash). */
    scoreShard: guard(async (input: CurateShardInput): Promise<ScoreShardResult> => {
      const { plan, cfg } = await loadPlan(input.plan);
      return await scoreOneShard(store, deps.scorer, plan, cfg, input.shard);
    }),

    /** The global step over every shard's cached result; writes decisions, the report and the hash index. */
    globalStep: guard(async (ref: CuratePlanRef): Promise<GlobalStepResult> => {
      const { plan, cfg } = await loadPlan(ref);
      const evalSets = await Promise.all(plan.evalSets.map((ev) => datasetHashSet(store, ev)));
      const filters = createFilters(filterSpecs(cfg), scorerDeps);
      const rows = plan.shards.reduce((n, s) => n + s.rows, 0);
      const run = rows <= (deps.globalInMemoryRows ?? IN_MEMORY_ROWS) ? runGlobalStepInMemory : runGlobalStep;
      return await run(store, plan, cfg, { evalSets, filters });
    }),

    /** Writes one curated shard: the input shard's kept rows with weights, merged captions and attributes, shuffled. */
    materializeShard: guard(async (input: CurateShardInput): Promise<MaterializeResult> => {
      const { plan, cfg } = await loadPlan(input.plan);
      return await materializeOneShard(store, plan, cfg, input);
    }),

    /** Commits the curated version's manifest (last, create-if-absent); an existing one is success. */
    commitCuration: guard(
      async ({ plan, global }: { plan: CuratePlanRef; global: GlobalStepResult | null }): Promise<CurateResult> =>
        await commitCurated(store, plan, global, plan.committed || !global ? null : (await loadPlan(plan)).plan),
    ),
  };
}

/** The curate activities' type (workflows import it as a type only). */
export type CurateActivities = ReturnType<typeof createCurateActivities>;
