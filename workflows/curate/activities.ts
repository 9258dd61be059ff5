/**
 * Curate activities, built by a factory over injected dependencies (store, optional image-text scorer):
 * prepare the run, score one shard (cached), the global step, materialize one shard, commit the manifest.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  datasetKeys,
  NotFoundError,
  readShard,
  RECORD_SCHEMA_VERSION,
  resolveDataset,
  writeShard,
  type Manifest,
  type ObjectStore,
  type DataRecord,
} from '../../storage/index.js';
import { concatColumns } from '../../pipelines/curate/columns.js';
import {
  configHash,
  filterSpecs,
  parseCurateConfig,
  type CurateConfig,
} from '../../pipelines/curate/config.js';
import { CurateConfigError, CurateInputError } from '../../pipelines/curate/errors.js';
import { type ImageTextScorer } from '../../pipelines/curate/filters/filter.js';
import { canonicalJson } from '../../pipelines/canonical-json.js';
import { createFilters } from '../../pipelines/curate/filters/registry.js';
import { AttributeTagger, lexiconByLanguage } from '../../pipelines/curate/lexicon.js';
import { planCuration } from '../../pipelines/curate/plan.js';
import { renderReportHtml } from '../../pipelines/curate/report-html.js';
import { runShardStep } from '../../pipelines/curate/shard-step.js';
import {
  decodeSummary,
  encodeSummary,
  hashSetOf,
  selectSummaryRows,
  type ShardSummary,
} from '../../pipelines/curate/summary-file.js';
import { cacheKey, decisionsKey, hashIndexKey, materializedKey, planKey, reportKeys } from './keys.js';
import { applyDecisions, type ShardDecisions } from './materialize.js';
import { commitCurated, CURATE_CODE_VERSION } from './commit.js';
import { beat, guard } from './failures.js';
import { datasetHashSet, readShardColumns, resolveDatasetRefs } from './inputs.js';
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
}

const ref = z.string().regex(/^[^@\s]+@[^@\s]+$/, 'expected name@version');
const InputSchema = z.object({
  input: ref,
  config: z.unknown(),
  name: z.string().min(1),
  version: z.string().min(1).optional(),
  evalSets: z.array(ref).default([]),
  dedupAgainst: z.array(ref).default([]),
  incremental: z.boolean().default(true),
});

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const json = (v: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(v)}\n`);

/** Creates the curate activities over the given dependencies. */
export function createCurateActivities(deps: CurateDeps) {
  const { store } = deps;

  const configOf = (plan: CuratePlanInfo): CurateConfig => parseCurateConfig(plan.config);
  // Plans are immutable per (name, version): cache the parsed JSON per worker.
  const plans = new Map<string, CuratePlanInfo>();
  async function loadPlan(ref: CuratePlanRef): Promise<CuratePlanInfo> {
    let plan = plans.get(ref.planKey);
    if (!plan) {
      plan = JSON.parse(new TextDecoder().decode(await store.get(ref.planKey))) as CuratePlanInfo;
      if (plans.size > 16) plans.clear();
      plans.set(ref.planKey, plan);
    }
    return plan;
  }

  const readColumns = (key: string, withImage: boolean) => readShardColumns(store, key, withImage);
  const resolveRefs = (refs: string[]) => resolveDatasetRefs(store, refs);
  const evalHashSet = (ev: { name: string; version: string }) => datasetHashSet(store, ev);

  return {
    /** Validates input and config, resolves datasets and fixes the output version. */
    prepareCuration: guard(async (raw: CurateInput): Promise<CuratePlanRef> => {
      const input = InputSchema.parse(raw);
      const cfg = parseCurateConfig(input.config);
      if (cfg.filters.some((f) => f.name === 'model_score') && !deps.scorer) {
        throw new CurateConfigError(
          'this worker has no image-text scorer (model checkpoint) configured',
          'filters.model_score',
        );
      }
      let manifest: Manifest;
      try {
        manifest = await resolveDataset(store, input.input);
      } catch (err) {
        if (err instanceof NotFoundError)
          throw new CurateInputError('no such dataset version', input.input, { cause: err });
        throw err;
      }
      if (manifest.schema_version !== RECORD_SCHEMA_VERSION) {
        throw new CurateInputError(
          `schema version ${manifest.schema_version} differs from this code's ${RECORD_SCHEMA_VERSION}; re-ingest or migrate it first`,
          `${manifest.name}@${manifest.version}`,
        );
      }
      const evalSets = await resolveRefs(input.evalSets);
      const dedupAgainst = await resolveRefs(input.dedupAgainst);
      const hash = configHash(cfg);
      const stepHash = sha(
        canonicalJson({ filters: cfg.filters, attributes: cfg.attributes, code: CURATE_CODE_VERSION }),
      ).slice(0, 16);
      const shards = manifest.shards.map((s, index) => ({ index, key: s.key, sha256: s.sha256, rows: s.rows }));
      const version =
        input.version ??
        sha(
          canonicalJson({ shards: shards.map((s) => s.sha256), hash, evalSets, dedupAgainst, code: CURATE_CODE_VERSION }),
        ).slice(0, 16);
      datasetKeys(input.name, version); // validates name and version
      const committed = (await store.head(datasetKeys(input.name, version).manifest)) !== null;
      const plan: CuratePlanInfo = {
        name: input.name,
        version,
        inputName: manifest.name,
        inputVersion: manifest.version,
        shards,
        config: cfg,
        configHash: hash,
        stepHash,
        evalSets,
        dedupAgainst,
        incremental: input.incremental,
        committed,
      };
      const key = planKey(input.name, version);
      const body = json(plan);
      if (!committed) await store.put(key, body);
      const digest = createHash('sha256').update(body).digest('hex');
      return { name: input.name, version, planKey: key, digest, shardCount: shards.length, committed };
    }),

    /** Status, filters and attribute tags of one input shard, cached by (shard sha256, step hash). */
    scoreShard: guard(async (input: CurateShardInput): Promise<ScoreShardResult> => {
      const { shard } = input;
      const plan = await loadPlan(input.plan);
      const ref = plan.shards[shard]!;
      const key = cacheKey(plan.stepHash, ref.sha256);
      if (plan.incremental && (await store.head(key))) {
        const s = await decodeSummary(await store.get(key), store.uri(key));
        return { shard, rows: s.columns.n, passed: s.reason.filter((r) => r === '').length, reused: true };
      }
      const cfg = configOf(plan);
      const filters = createFilters(filterSpecs(cfg), { ...(deps.scorer ? { scorer: deps.scorer } : {}) });
      const scorer = filters.find((f) => f.scorer)?.scorer;
      const { columns, images } = await readColumns(ref.key, scorer !== undefined);
      if (scorer) {
        const scores = await scorer(columns.caption.map((caption, i) => ({ caption, image: images[i] ?? null })));
        columns.score.set(scores.subarray(0, columns.n));
      }
      const tagger =
        cfg.attributes.source === 'column' ? null : new AttributeTagger(lexiconByLanguage(cfg.attributes.lexicon));
      const step = runShardStep(columns, filters, tagger, cfg.attributes.source);
      beat({ phase: 'scored' });
      await store.put(key, encodeSummary({ columns, reason: step.reason, attrs: step.attrs }));
      return { shard, rows: columns.n, passed: step.reason.filter((r) => r === '').length, reused: false };
    }),

    /** The global step over every shard's cached result; writes decisions, the report and the hash index. */
    globalStep: guard(async (ref: CuratePlanRef): Promise<GlobalStepResult> => {
      const plan = await loadPlan(ref);
      const cfg = configOf(plan);
      const summaries: ShardSummary[] = [];
      for (const ref of plan.shards) {
        const key = cacheKey(plan.stepHash, ref.sha256);
        summaries.push(await decodeSummary(await store.get(key), store.uri(key)));
        beat({ phase: 'load', shard: ref.index });
      }
      const all = concatColumns(summaries.map((s) => s.columns));
      const reason = summaries.flatMap((s) => s.reason);
      const attrs = summaries.flatMap((s) => s.attrs);
      const evalSets = await Promise.all(plan.evalSets.map(evalHashSet));
      const prior = await Promise.all(
        plan.dedupAgainst.map(async (d) => {
          const key = hashIndexKey(d.name, d.version);
          if (!(await store.head(key))) {
            throw new CurateInputError(`has no curation hash index at ${store.uri(key)}`, `${d.name}@${d.version}`);
          }
          return hashSetOf(`${d.name}@${d.version}`, await decodeSummary(await store.get(key), store.uri(key)));
        }),
      );
      const filters = createFilters(filterSpecs(cfg), { ...(deps.scorer ? { scorer: deps.scorer } : {}) });
      const result = planCuration(all, reason, attrs, cfg, { evalSets, prior, filters });
      beat({ phase: 'planned' });
      let offset = 0;
      for (const [s, summary] of summaries.entries()) {
        const decisions: ShardDecisions = { ids: [], weight: [], alt: {}, attrs: {} };
        for (let j = 0; j < summary.columns.n; j++) {
          const i = offset + j;
          if (!result.keep[i]) continue;
          decisions.ids.push(all.id[i]!);
          decisions.weight.push(result.weight[i]!);
          const alt = result.altCaptions.get(i);
          if (alt) decisions.alt[all.id[i]!] = alt;
          if (attrs[i]) decisions.attrs[all.id[i]!] = attrs[i]!;
        }
        await store.put(decisionsKey(plan.name, plan.version, s), json(decisions));
        offset += summary.columns.n;
      }
      const keys = reportKeys(plan.name, plan.version);
      await store.put(keys.json, json(result.report));
      await store.put(
        keys.html,
        new TextEncoder().encode(renderReportHtml(`Curation report: ${plan.name}@${plan.version}`, result.report)),
      );
      const index = selectSummaryRows({ columns: all, reason, attrs }, result.keep);
      await store.put(hashIndexKey(plan.name, plan.version), encodeSummary(index));
      return {
        rowsIn: result.report.rows_in,
        rowsOut: result.report.rows_out,
        dropped: result.report.dropped,
        reportUri: store.uri(keys.json),
        reportHtmlUri: store.uri(keys.html),
        infeasible: result.report.m4?.infeasible ?? [],
      };
    }),

    /** Writes one curated shard: the input shard's kept rows with weights, merged captions and attributes, shuffled. */
    materializeShard: guard(async (input: CurateShardInput): Promise<MaterializeResult> => {
      const { shard } = input;
      const plan = await loadPlan(input.plan);
      const doneKey = materializedKey(plan.name, plan.version, shard);
      if (await store.head(doneKey)) {
        const done = JSON.parse(new TextDecoder().decode(await store.get(doneKey))) as MaterializeResult;
        const intact = !done.info || (await store.head(done.info.key))?.size === done.info.bytes;
        if (done.digest === input.plan.digest && intact) return done;
      }
      const dKey = decisionsKey(plan.name, plan.version, shard);
      const decisions = JSON.parse(new TextDecoder().decode(await store.get(dKey))) as ShardDecisions;
      let result: MaterializeResult = { shard, digest: input.plan.digest, info: null };
      if (decisions.ids.length > 0) {
        const rows: DataRecord[] = [];
        for await (const batch of readShard(store, plan.shards[shard]!.key)) {
          rows.push(...batch);
          beat({ phase: 'read', rows: rows.length });
        }
        const cfg = configOf(plan);
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
      await store.put(doneKey, json(result));
      return result;
    }),

    /** Commits the curated version's manifest (last, create-if-absent); an existing one is success. */
    commitCuration: guard(
      async ({ plan, global }: { plan: CuratePlanRef; global: GlobalStepResult | null }): Promise<CurateResult> =>
        await commitCurated(store, plan, global, plan.committed || !global ? null : await loadPlan(plan)),
    ),
  };
}

/** The curate activities' type (workflows import it as a type only). */
export type CurateActivities = ReturnType<typeof createCurateActivities>;
