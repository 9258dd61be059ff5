// Language mix: bring language shares to targets (default 90% English, 10% the rest) by deterministic
// subsampling (largest feasible total, rows chosen by a seeded hash of their id) or by sampling weights. Rows count
// as the language the policy resolves (language-policy.ts: given, else detected if sure, else `und`).
import { type CurateColumns } from './columns.js';
import { uniform53 } from './hash.js';
import { languageConfidence, type LanguageConfidence, LANG_FROM, type ResolvedLanguages } from './language-policy.js';

/** Language targets: language code → share, with '*' for every other language (and unknown). */
export type LanguageTargets = Readonly<{ [lang: string]: number }>;

/** Per-group counts and shares before and after, and any group that could not reach its target. */
export interface LanguageMixReport {
  readonly mode: 'subsample' | 'weight' | 'off';
  readonly before: { [lang: string]: number };
  readonly after: { [lang: string]: number };
  readonly shareBefore: { [group: string]: number };
  readonly shareAfter: { [group: string]: number };
  readonly unmet: { group: string; target: number; available: number }[];
  /** How sure the languages are among the rows before and after the mix (after: by weight in weight mode). */
  readonly confidenceBefore: LanguageConfidence;
  readonly confidenceAfter: LanguageConfidence;
}

/** Languages as the identifier left them (no source languages, every score trusted): `und` when none. */
export function detectedLanguages(c: CurateColumns): ResolvedLanguages {
  const lang = c.lang.map((l) => l || 'und');
  return { lang, from: Uint8Array.from(c.lang, (l) => (l ? LANG_FROM.detected : LANG_FROM.none)) };
}

/** The target group of a language: itself if named, else '*'. */
export function languageGroup(lang: string, targets: LanguageTargets): string {
  return lang !== '' && lang !== '*' && lang in targets ? lang : '*';
}

/**
 * Applies the mix to active rows: in subsample mode clears `active` for rows not kept; in weight mode
 * multiplies `weight` so weighted shares meet the targets. Returns the report.
 */
export function applyLanguageMix(
  c: CurateColumns,
  active: Uint8Array,
  weight: Float64Array,
  targets: LanguageTargets,
  mode: 'subsample' | 'weight' | 'off',
  seed: number,
  resolved: ResolvedLanguages = detectedLanguages(c),
): LanguageMixReport {
  const langOf = resolved.lang;
  const confidenceBefore = languageConfidence(resolved, active);
  const groups = Object.keys(targets);
  const groupOf = new Int32Array(c.n).fill(-1);
  const counts = new Float64Array(groups.length);
  const gIndex = new Map(groups.map((g, i) => [g, i]));
  const before: { [lang: string]: number } = {};
  for (let i = 0; i < c.n; i++) {
    if (!active[i]) continue;
    const key = langOf[i]!;
    before[key] = (before[key] ?? 0) + 1;
    const g = gIndex.get(languageGroup(key, targets));
    if (g === undefined) continue; // no '*' target: other languages have share 0
    groupOf[i] = g;
    counts[g]!++;
  }
  const total = counts.reduce((s, x) => s + x, 0) + countUngrouped(active, groupOf);
  const unmet: LanguageMixReport['unmet'] = [];
  groups.forEach((g, k) => {
    if (targets[g]! > 0 && counts[k] === 0) unmet.push({ group: g, target: targets[g]!, available: 0 });
  });
  if (mode === 'subsample') {
    // Largest N with target_g·N ≤ available_g for every group that has rows.
    let nTotal = Number.POSITIVE_INFINITY;
    groups.forEach((g, k) => {
      if (targets[g]! > 0 && counts[k]! > 0) nTotal = Math.min(nTotal, counts[k]! / targets[g]!);
    });
    if (!Number.isFinite(nTotal)) nTotal = 0;
    const quota = groups.map((g) => Math.floor(targets[g]! * nTotal + 1e-9));
    const u = new Float64Array(c.n);
    const perGroup: number[][] = groups.map(() => []);
    for (let i = 0; i < c.n; i++) {
      if (!active[i]) continue;
      const g = groupOf[i]!;
      if (g < 0) {
        active[i] = 0;
        continue;
      }
      u[i] = uniform53(c.id[i]!, seed);
      perGroup[g]!.push(u[i]!);
    }
    const thr = perGroup.map((list, g) => {
      if (quota[g]! >= list.length) return Number.POSITIVE_INFINITY;
      if (quota[g]! <= 0) return Number.NEGATIVE_INFINITY;
      const sorted = Float64Array.from(list).sort();
      return sorted[quota[g]! - 1]!;
    });
    for (let i = 0; i < c.n; i++) if (active[i] && u[i]! > thr[groupOf[i]!]!) active[i] = 0;
  } else if (mode === 'weight') {
    const w = groups.map((g, k) => (counts[k]! > 0 ? (targets[g]! * total) / counts[k]! : 0));
    for (let i = 0; i < c.n; i++) if (active[i]) weight[i] = weight[i]! * (groupOf[i]! >= 0 ? w[groupOf[i]!]! : 0);
  }
  const after: { [lang: string]: number } = {};
  const wAfter = new Float64Array(groups.length);
  let wTotal = 0;
  for (let i = 0; i < c.n; i++) {
    if (!active[i]) continue;
    const key = langOf[i]!;
    const wi = mode === 'weight' ? weight[i]! : 1;
    after[key] = (after[key] ?? 0) + wi;
    if (groupOf[i]! >= 0) wAfter[groupOf[i]!] = wAfter[groupOf[i]!]! + wi;
    wTotal += wi;
  }
  const share = (arr: Float64Array, tot: number): { [g: string]: number } =>
    Object.fromEntries(groups.map((g, k) => [g, tot > 0 ? arr[k]! / tot : 0]));
  const confidenceAfter = languageConfidence(resolved, active, mode === 'weight' ? weight : undefined);
  return {
    mode,
    before,
    after,
    shareBefore: share(counts, total),
    shareAfter: share(wAfter, wTotal),
    unmet,
    confidenceBefore,
    confidenceAfter,
  };
}

function countUngrouped(active: Uint8Array, groupOf: Int32Array): number {
  let n = 0;
  for (let i = 0; i < active.length; i++) if (active[i] && groupOf[i]! < 0) n++;
  return n;
}
