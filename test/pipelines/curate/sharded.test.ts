// The sharded global step (Parquet stage files on a real local store, hash partitions, label propagation,
// two-pass selections, M4 from merged statistics) gives the same decisions and report as planCuration.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../../../storage/index.js';
import { allocColumns, type CurateColumns } from '../../../pipelines/curate/columns.js';
import { parseCurateConfig } from '../../../pipelines/curate/config.js';
import { type HashSet } from '../../../pipelines/curate/dedup.js';
import { createFilters } from '../../../pipelines/curate/filters/registry.js';
import { AttributeTagger, lexiconByLanguage } from '../../../pipelines/curate/lexicon.js';
import { planCuration } from '../../../pipelines/curate/plan.js';
import { planSharded } from '../../../pipelines/curate/sharded/global.js';
import { runShardStep } from '../../../pipelines/curate/shard-step.js';
import { type ShardSummary } from '../../../pipelines/curate/summary-file.js';
import { syntheticRows } from '../../../pipelines/curate/synthetic.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function sliceSummary(
  c: CurateColumns,
  reason: string[],
  attrs: (string[] | null)[],
  from: number,
  to: number,
): ShardSummary {
  const s = allocColumns(to - from);
  for (let i = from; i < to; i++) {
    const j = i - from;
    for (const k of ['id', 'caption', 'lang', 'status', 'sha256', 'attrs'] as const) (s[k] as unknown[])[j] = c[k][i];
  }
  for (const k of ['langScore', 'width', 'height', 'phashHi', 'phashLo', 'hasPhash', 'score'] as const) {
    (s[k] as Float32Array).set((c[k] as Float32Array).subarray(from, to));
  }
  return { columns: s, reason: reason.slice(from, to), attrs: attrs.slice(from, to) };
}

function refSet(name: string, c: CurateColumns, rows: number[], flip: number): HashSet {
  return {
    name,
    sha256: rows.filter((_, x) => x % 2 === 0).map((i) => c.sha256[i]!),
    phashHi: Uint32Array.from(rows, (i) => c.phashHi[i]!),
    phashLo: Uint32Array.from(rows, (i) => (c.phashLo[i]! ^ flip) >>> 0),
  };
}

async function compare(config: unknown, withScores: boolean): Promise<void> {
  const cfg = parseCurateConfig(config);
  // Scores are filled below; the scorer only has to exist for the model_score filter to be created.
  const scorer = async (): Promise<Float32Array> => await Promise.reject(new Error('not called: scores are given'));
  const makeFilters = () =>
    createFilters(
      cfg.filters.map(({ name, ...params }) => ({ name, params })),
      { scorer },
    );
  const filters = makeFilters();
  const data = syntheticRows({ rows: 5000, seed: 11, dupFraction: 0.08, k: 4, englishShare: 0.7, personFraction: 0.3 });
  const c = data.columns;
  // Planted exact duplicates (same bytes' sha256, across shard boundaries too).
  for (let i = 60; i < c.n; i += 53) c.sha256[i] = c.sha256[i - 59]!;
  if (withScores) for (let i = 0; i < c.n; i++) c.score[i] = ((i * 2654435761) % 1000) / 1000;
  const step = runShardStep(c, filters, new AttributeTagger(lexiconByLanguage()), 'lexicon');
  const evalSets = [refSet('ev', c, [3, 50, 700, 1200, 4321], 0b101)];
  const prior = [refSet('old@1', c, [10, 11, 2500, 2600, 4999], 0b1)];
  const whole = planCuration(c, step.reason, step.attrs, cfg, { evalSets, prior, filters: makeFilters() });

  const cuts = [0, 700, 701, 2100, 3900, 5000];
  const shards = cuts.slice(1).map((to, s) => sliceSummary(c, step.reason, step.attrs, cuts[s]!, to));
  const dir = mkdtempSync(path.join(tmpdir(), 'sigforge-sharded-'));
  dirs.push(dir);
  const store = openStore(`file://${dir}`);
  const reason: string[] = [];
  const weight: number[] = [];
  const alt = new Map<number, string[]>();
  const report = await planSharded(
    { store, prefix: 'run', cfg, space: { offsets: cuts }, partitions: 3, load: async (s) => shards[s]! },
    {
      evalSets,
      prior,
      filters: makeFilters(),
      onShard: (s, state, a) => {
        reason.push(...state.reason);
        weight.push(...state.weight);
        for (const [i, list] of a) alt.set(cuts[s]! + i, list);
      },
    },
  );
  assert.deepEqual(reason, whole.reason);
  for (let i = 0; i < c.n; i++) {
    assert.ok(Math.abs(weight[i]! - whole.weight[i]!) <= 1e-12 * Math.abs(whole.weight[i]!), `weight of row ${i}`);
  }
  assert.deepEqual(
    [...alt.entries()].sort((a, b) => a[0] - b[0]),
    [...whole.altCaptions.entries()].sort((a, b) => a[0] - b[0]),
  );
  // LSH candidates are a diagnostic that depends on bucket layout; every decision and count must match.
  const strip = (r: typeof report): unknown =>
    JSON.parse(JSON.stringify({ ...r, dedup: { ...r.dedup, lsh_candidates: 0 } }));
  assert.deepEqual(roundFloats(strip(report)), roundFloats(strip(whole.report)));
  // The comparison is meaningful: every stage dropped something.
  if (cfg.filters.some((f) => f.name === 'model_score')) assert.ok(whole.report.dropped['model_score:low']! > 0);
  for (const k of ['dedup:exact', 'dedup:near', 'dedup:prior', 'decontam:ev', 'language_mix', 'm4']) {
    if (k === 'language_mix' && cfg.language_mix.mode !== 'subsample') continue;
    if (k === 'm4' && cfg.m4.mode !== 'subsample') continue;
    if (k === 'decontam:ev' && cfg.filters.some((f) => f.name === 'model_score')) continue; // cut by score first
    assert.ok((whole.report.dropped[k] ?? 0) > 0, `${k} dropped rows: ${JSON.stringify(whole.report.dropped)}`);
  }
  assert.ok(whole.altCaptions.size > 0, 'some survivors merged captions');
}

/** Floats to 12 significant digits (sums added per shard differ from one running sum in the last bits). */
function roundFloats(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? v : Number(v.toPrecision(12));
  if (Array.isArray(v)) return v.map(roundFloats);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundFloats(x)]));
  return v;
}

describe('sharded global step', () => {
  it('equals the single-process plan: subsampling language mix and M4', async () => {
    await compare(
      { seed: 3, filters: [{ name: 'basic' }, { name: 'hygiene' }], dedup: { k: 4 }, m4: { enabled: true } },
      false,
    );
  });

  it('equals the single-process plan: weighting modes with a utility (β > 0, utility bins)', async () => {
    await compare(
      {
        seed: 4,
        filters: [{ name: 'basic' }],
        dedup: { k: 4, max_alt_captions: 2 },
        language_mix: { mode: 'weight' },
        m4: { enabled: true, mode: 'weight', beta: 0.2 },
      },
      true,
    );
  });

  it('equals the single-process plan: a global model-score cut (top fraction)', async () => {
    await compare(
      { seed: 5, filters: [{ name: 'basic' }, { name: 'model_score', top_fraction: 0.7 }], dedup: { k: 4 } },
      true,
    );
  });
});
