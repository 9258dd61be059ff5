// The global step of curation over every row's cached per-shard result: model-score cut, decontamination,
// dedup against earlier versions and within the data, language mix and M4. Pure: hashes of earlier versions and
// evaluation sets are passed in. Returns per-row decisions and the report data.
import { type CurateColumns } from './columns.js';
import { type CurateConfig } from './config.js';
import { dedupRows, type HashSet, matchReference, mergedCaptions } from './dedup.js';
import { type CurateFilter } from './filters/filter.js';
import { applyLanguageMix, type LanguageMixReport } from './language-mix.js';
import { resolveLanguages } from './language-policy.js';
import { chooseLshParams, expectedRecall, type LshParams } from './lsh.js';
import { fitM4, m4Options, type M4Result, sampleKeep } from './m4.js';

/** Inputs of the global step besides the rows. */
export interface PlanInputs {
  /** Hash indexes of earlier curated versions: rows matching them are dropped as `dedup:prior`. */
  readonly prior?: readonly HashSet[];
  /** Evaluation sets: rows within k of any of their images are dropped as `decontam:<name>`. */
  readonly evalSets?: readonly HashSet[];
  /** Filters with a global cut (model_score with top_fraction). */
  readonly filters?: readonly CurateFilter[];
}

/** Per-row decisions of the global step. */
export interface CurationPlan {
  /** 1 if the row is in the curated output. */
  readonly keep: Uint8Array;
  /** Sampling weight of kept rows (1 unless a weighting mode is on). */
  readonly weight: Float64Array;
  /** Final drop reason ('' when kept). */
  readonly reason: string[];
  /** Alternative captions merged into surviving rows from their duplicates. */
  readonly altCaptions: Map<number, string[]>;
  /** Duplicate-cluster survivor of each row that took part in dedup (−1 for rows dropped before it). */
  readonly survivorOf: Int32Array;
  readonly report: PlanReport;
}

/** The data behind the curation report. */
export interface PlanReport {
  readonly rows_in: number;
  readonly rows_out: number;
  readonly dropped: { [reason: string]: number };
  readonly dedup: {
    readonly clusters: number;
    readonly cluster_sizes: { [size: string]: number };
    readonly exact_removed: number;
    readonly near_removed: number;
    readonly prior_removed: number;
    readonly lsh: LshParams | null;
    readonly expected_recall_at_k: number | null;
    readonly lsh_candidates: number;
  };
  readonly decontamination: { [evalSet: string]: number };
  readonly language: LanguageMixReport;
  readonly m4: {
    readonly enabled: boolean;
    readonly constraints: M4Result['constraints'];
    readonly infeasible: M4Result['infeasible'];
    readonly skipped_concepts: M4Result['skippedConcepts'];
    readonly expected_keep_rate: number;
    readonly realised_keep_rate: number;
    readonly iterations: number;
  } | null;
  /** Rates of each attribute, and of group × concept pairs, among rows before the global step and after. */
  readonly attributes: { readonly before: { [attr: string]: number }; readonly after: { [attr: string]: number } };
}

/** Runs the global step. `reason` holds the per-shard outcome ('' = passed the shard step) and `attrs` the tags. */
export function planCuration(
  c: CurateColumns,
  shardReason: readonly string[],
  attrs: readonly (string[] | null)[],
  cfg: CurateConfig,
  inputs: PlanInputs = {},
): CurationPlan {
  const n = c.n;
  const reason = shardReason.slice();
  const active = new Uint8Array(n);
  for (let i = 0; i < n; i++) active[i] = reason[i] === '' ? 1 : 0;
  const drop = (i: number, why: string): void => {
    active[i] = 0;
    reason[i] = why;
  };
  const attrBefore = attributeRates(attrs, active, cfg);

  for (const f of inputs.filters ?? []) {
    if (!f.globalThreshold) continue;
    const scores = c.score.filter((_, i) => active[i] === 1);
    f.globalThreshold(scores);
    for (let i = 0; i < n; i++) if (active[i] && f.test(c, i) !== null) drop(i, `${f.name}:low`);
  }

  const decontamination: { [evalSet: string]: number } = {};
  const decoParams = chooseLshParams(
    n,
    cfg.decontamination.k,
    cfg.dedup.target_recall,
    cfg.seed + 17,
    cfg.dedup.bits_per_band,
  );
  for (const ev of inputs.evalSets ?? []) {
    const hit = matchReference(c, active, ev, decoParams, true);
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (!hit[i]) continue;
      drop(i, `decontam:${ev.name}`);
      count++;
    }
    decontamination[ev.name] = count;
  }

  const lsh = cfg.dedup.near
    ? chooseLshParams(n, cfg.dedup.k, cfg.dedup.target_recall, cfg.seed, cfg.dedup.bits_per_band)
    : null;
  let priorRemoved = 0;
  for (const prior of inputs.prior ?? []) {
    const hit = matchReference(c, active, prior, lsh, cfg.dedup.exact);
    for (let i = 0; i < n; i++) {
      if (!hit[i]) continue;
      drop(i, 'dedup:prior');
      priorRemoved++;
    }
  }
  const dd = dedupRows(c, active, { exact: cfg.dedup.exact, near: lsh });
  for (let i = 0; i < n; i++) if (dd.dropKind[i]) drop(i, dd.dropKind[i] === 1 ? 'dedup:exact' : 'dedup:near');
  const altCaptions =
    cfg.dedup.max_alt_captions > 0
      ? mergedCaptions(c, dd.survivorOf, cfg.dedup.max_alt_captions)
      : new Map<number, string[]>();

  const weight = new Float64Array(n).fill(1);
  const beforeMix = active.slice();
  const resolved = resolveLanguages(c, cfg.language_mix.policy);
  const { targets, mode } = cfg.language_mix;
  const language = applyLanguageMix(c, active, weight, targets, mode, cfg.seed + 1, resolved);
  for (let i = 0; i < n; i++) if (beforeMix[i] && !active[i]) reason[i] = 'language_mix';

  let m4: PlanReport['m4'] = null;
  if (cfg.m4.enabled) {
    const res = fitM4(active, attrs, c.score.some((s) => !Number.isNaN(s)) ? c.score : null, m4Options(cfg));
    let before = 0;
    let kept = 0;
    if (cfg.m4.mode === 'subsample') {
      const pre = active.slice();
      sampleKeep(c.id, res.q, active, cfg.seed + 2);
      for (let i = 0; i < n; i++) {
        if (!pre[i]) continue;
        before++;
        if (active[i]) kept++;
        else reason[i] = 'm4';
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (!active[i]) continue;
        before++;
        kept += res.q[i]!;
        weight[i] = weight[i]! * (res.q[i]! / cfg.m4.eta);
        if (res.q[i] === 0) drop(i, 'm4');
      }
    }
    m4 = {
      enabled: true,
      constraints: res.constraints,
      infeasible: res.infeasible,
      skipped_concepts: res.skippedConcepts,
      expected_keep_rate: res.expectedKeepRate,
      realised_keep_rate: before > 0 ? kept / before : 0,
      iterations: res.iterations,
    };
  }

  const dropped: { [reason: string]: number } = {};
  let rowsOut = 0;
  for (let i = 0; i < n; i++) {
    if (active[i]) rowsOut++;
    else dropped[reason[i]!] = (dropped[reason[i]!] ?? 0) + 1;
  }
  const clusterSizes: { [size: string]: number } = {};
  for (const s of dd.clusterSizes) clusterSizes[String(s)] = (clusterSizes[String(s)] ?? 0) + 1;
  for (const ac of altCaptions.keys()) if (!active[ac]) altCaptions.delete(ac);
  return {
    keep: active,
    weight,
    reason,
    altCaptions,
    survivorOf: dd.survivorOf,
    report: {
      rows_in: n,
      rows_out: rowsOut,
      dropped,
      dedup: {
        clusters: dd.clusters,
        cluster_sizes: clusterSizes,
        exact_removed: dd.exactRemoved,
        near_removed: dd.nearRemoved,
        prior_removed: priorRemoved,
        lsh,
        expected_recall_at_k: lsh ? expectedRecall(lsh.k, lsh.bitsPerBand, lsh.bands) : null,
        lsh_candidates: dd.lshCandidates,
      },
      decontamination,
      language,
      m4,
      attributes: {
        before: attrBefore,
        after: attributeRates(attrs, active, cfg, cfg.m4.mode === 'weight' ? weight : null),
      },
    },
  };
}

/** Rate of each attribute and of each group × concept pair among active rows (weighted when weights given). */
export function attributeRates(
  attrs: readonly (string[] | null)[],
  active: Uint8Array,
  cfg: CurateConfig,
  weight: Float64Array | null = null,
): { [attr: string]: number } {
  const groups = Object.keys(cfg.m4.groups);
  const isConcept = (a: string): boolean => cfg.m4.concepts.some((p) => a.startsWith(`${p}:`));
  const sums = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < active.length; i++) {
    if (!active[i]) continue;
    const w = weight ? weight[i]! : 1;
    total += w;
    const a = attrs[i];
    if (!a) continue;
    for (const x of a) sums.set(x, (sums.get(x) ?? 0) + w);
    for (const g of groups) {
      if (!a.includes(g)) continue;
      for (const x of a) if (isConcept(x)) sums.set(`${g}×${x}`, (sums.get(`${g}×${x}`) ?? 0) + w);
    }
  }
  return Object.fromEntries(
    [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, total > 0 ? v / total : 0]),
  );
}
