// The global curate activity's work: run the sharded global step over every shard's cached result (stage files
// under the run's prefix, one shard or partition in memory at a time), then write each shard's decisions and
// hash-index part, and the report. Memory: one shard, one partition, and the reference sets.
import { type ObjectStore } from '../../storage/index.js';
import { type CurateConfig } from '../../pipelines/curate/config.js';
import { type HashSet } from '../../pipelines/curate/dedup.js';
import { CurateInputError } from '../../pipelines/curate/errors.js';
import { type CurateFilter } from '../../pipelines/curate/filters/filter.js';
import { renderReportHtml } from '../../pipelines/curate/report-html.js';
import { planCuration, type PlanReport } from '../../pipelines/curate/plan.js';
import { planSharded } from '../../pipelines/curate/sharded/global.js';
import {
  decodeSummary,
  encodeSummary,
  hashSetOf,
  selectSummaryRows,
  type ShardSummary,
} from '../../pipelines/curate/summary-file.js';
import { concatColumns } from '../../pipelines/curate/columns.js';
import { beat } from './failures.js';
import {
  cacheKey,
  decisionsKey,
  globalStagePrefix,
  hashIndexDir,
  hashIndexKey,
  hashIndexPartKey,
  reportKeys,
} from './keys.js';
import { type ShardDecisions } from './materialize.js';
import { jsonBytes } from './schemas.js';
import { type CuratePlanInfo, type GlobalStepResult } from './shared.js';

/** Rows per hash partition of the signature and cluster stages: bounds one partition's memory. */
export const ROWS_PER_PARTITION = 200_000;

async function loadSummary(store: ObjectStore, plan: CuratePlanInfo, shard: number): Promise<ShardSummary> {
  const ref = plan.shards[shard]!;
  const key = cacheKey(plan.stepHash, ref.sha256);
  const s = await decodeSummary(await store.get(key), store.uri(key));
  if (s.columns.n !== ref.rows) {
    throw new CurateInputError(`holds ${s.columns.n} rows but the input shard has ${ref.rows}`, store.uri(key));
  }
  beat({ phase: 'load', shard });
  return s;
}

/** The hash set of an earlier curated version: its single index file, or its per-shard parts. */
export async function priorHashSet(store: ObjectStore, d: { name: string; version: string }): Promise<HashSet> {
  const name = `${d.name}@${d.version}`;
  const single = hashIndexKey(d.name, d.version);
  if (await store.head(single)) return hashSetOf(name, await decodeSummary(await store.get(single), store.uri(single)));
  const parts: ShardSummary[] = [];
  for await (const e of store.list(`${hashIndexDir(d.name, d.version)}/part-`)) {
    parts.push(await decodeSummary(await store.get(e.key), store.uri(e.key)));
  }
  if (parts.length === 0) throw new CurateInputError(`has no curation hash index at ${store.uri(single)}`, name);
  return hashSetOf(name, concatColumns(parts.map((p) => p.columns)));
}

async function clearPrefix(store: ObjectStore, prefix: string): Promise<void> {
  for await (const e of store.list(`${prefix}/`)) await store.delete(e.key);
}

/** Runs the global step for a plan and writes its outputs. */
export async function runGlobalStep(
  store: ObjectStore,
  plan: CuratePlanInfo,
  cfg: CurateConfig,
  refs: { evalSets: HashSet[]; filters: CurateFilter[] },
): Promise<GlobalStepResult> {
  const prefix = globalStagePrefix(plan.name, plan.version);
  await clearPrefix(store, prefix); // a retried attempt starts from clean stage files
  const offsets = [0];
  for (const s of plan.shards) offsets.push(offsets[offsets.length - 1]! + s.rows);
  const prior = await Promise.all(plan.dedupAgainst.map((d) => priorHashSet(store, d)));
  const report = await planSharded(
    {
      store,
      prefix,
      cfg,
      space: { offsets },
      partitions: Math.max(1, Math.ceil(offsets[offsets.length - 1]! / ROWS_PER_PARTITION)),
      load: (shard) => loadSummary(store, plan, shard),
      onUnit: (phase, unit) => beat({ phase, unit }),
    },
    {
      evalSets: refs.evalSets,
      prior,
      filters: refs.filters,
      onShard: async (shard, state, alt) =>
        await writeShardOutputs(store, plan, shard, await loadSummary(store, plan, shard), state, alt),
    },
  );
  beat({ phase: 'planned' });
  await clearPrefix(store, prefix);
  return await writeReport(store, plan, report);
}

/** Writes one shard's decisions (kept ids, weights, alt captions, attributes) and its hash-index part. */
async function writeShardOutputs(
  store: ObjectStore,
  plan: CuratePlanInfo,
  shard: number,
  summary: ShardSummary,
  state: { reason: string[]; weight: ArrayLike<number> },
  alt: Map<number, string[]>,
): Promise<void> {
  const keep = Uint8Array.from(state.reason, (r) => (r === '' ? 1 : 0));
  const d: ShardDecisions = { ids: [], weight: [], alt: {}, attrs: {} };
  for (let i = 0; i < keep.length; i++) {
    if (!keep[i]) continue;
    const id = summary.columns.id[i]!;
    d.ids.push(id);
    d.weight.push(state.weight[i]!);
    if (alt.has(i)) d.alt[id] = alt.get(i)!;
    if (summary.attrs[i]) d.attrs[id] = summary.attrs[i]!;
  }
  await store.put(decisionsKey(plan.name, plan.version, shard), jsonBytes(d));
  const index = selectSummaryRows({ ...summary, reason: state.reason }, keep);
  await store.put(hashIndexPartKey(plan.name, plan.version, shard), encodeSummary(index));
}

async function writeReport(store: ObjectStore, plan: CuratePlanInfo, report: PlanReport): Promise<GlobalStepResult> {
  const keys = reportKeys(plan.name, plan.version);
  await store.put(keys.json, jsonBytes(report));
  const html = renderReportHtml(`Curation report: ${plan.name}@${plan.version}`, report);
  await store.put(keys.html, new TextEncoder().encode(html));
  return {
    rowsIn: report.rows_in,
    rowsOut: report.rows_out,
    dropped: report.dropped,
    reportUri: store.uri(keys.json),
    reportHtmlUri: store.uri(keys.html),
    infeasible: report.m4?.infeasible ?? [],
  };
}

/** Below this many rows the global step runs in one process (`planCuration`): same decisions, far less IO. */
export const IN_MEMORY_ROWS = 1_000_000;

/** The global step in one process over every shard's rows (small datasets); writes the same outputs. */
export async function runGlobalStepInMemory(
  store: ObjectStore,
  plan: CuratePlanInfo,
  cfg: CurateConfig,
  refs: { evalSets: HashSet[]; filters: CurateFilter[] },
): Promise<GlobalStepResult> {
  const summaries: ShardSummary[] = [];
  for (let s = 0; s < plan.shards.length; s++) summaries.push(await loadSummary(store, plan, s));
  const all = concatColumns(summaries.map((s) => s.columns));
  const prior = await Promise.all(plan.dedupAgainst.map((d) => priorHashSet(store, d)));
  const result = planCuration(
    all,
    summaries.flatMap((s) => s.reason),
    summaries.flatMap((s) => s.attrs),
    cfg,
    {
      ...refs,
      prior,
    },
  );
  beat({ phase: 'planned' });
  let offset = 0;
  for (const [s, summary] of summaries.entries()) {
    const n = summary.columns.n;
    const alt = new Map<number, string[]>();
    for (let j = 0; j < n; j++) if (result.altCaptions.has(offset + j)) alt.set(j, result.altCaptions.get(offset + j)!);
    const state = { reason: result.reason.slice(offset, offset + n), weight: result.weight.slice(offset, offset + n) };
    await writeShardOutputs(store, plan, s, summary, state, alt);
    offset += n;
  }
  return await writeReport(store, plan, result.report);
}
