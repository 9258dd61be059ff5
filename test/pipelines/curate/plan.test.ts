import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocColumns, concatColumns, type CurateColumns } from '../../../pipelines/curate/columns.js';
import { parseCurateConfig } from '../../../pipelines/curate/config.js';
import { CurateConfigError } from '../../../pipelines/curate/errors.js';
import { createFilters } from '../../../pipelines/curate/filters/registry.js';
import { applyLanguageMix } from '../../../pipelines/curate/language-mix.js';
import { AttributeTagger, lexiconByLanguage } from '../../../pipelines/curate/lexicon.js';
import { planCuration } from '../../../pipelines/curate/plan.js';
import { runShardStep } from '../../../pipelines/curate/shard-step.js';
import { syntheticRows } from '../../../pipelines/curate/synthetic.js';

function slice(c: CurateColumns, from: number, to: number): CurateColumns {
  const s = allocColumns(to - from);
  for (let i = from; i < to; i++) {
    const j = i - from;
    s.id[j] = c.id[i]!;
    s.caption[j] = c.caption[i]!;
    s.lang[j] = c.lang[i]!;
    s.status[j] = c.status[i]!;
    s.sha256[j] = c.sha256[i]!;
    s.attrs[j] = c.attrs[i]!;
  }
  s.langScore.set(c.langScore.subarray(from, to));
  s.width.set(c.width.subarray(from, to));
  s.height.set(c.height.subarray(from, to));
  s.phashHi.set(c.phashHi.subarray(from, to));
  s.phashLo.set(c.phashLo.subarray(from, to));
  s.hasPhash.set(c.hasPhash.subarray(from, to));
  s.score.set(c.score.subarray(from, to));
  return s;
}

describe('language mix', () => {
  it('subsamples to the target shares and reports before/after', () => {
    const c = allocColumns(1000);
    for (let i = 0; i < 1000; i++) {
      c.id[i] = `r${i}`;
      c.lang[i] = i < 500 ? 'en' : i < 800 ? 'de' : 'ja';
    }
    const active = new Uint8Array(1000).fill(1);
    const rep = applyLanguageMix(c, active, new Float64Array(1000).fill(1), { en: 0.9, '*': 0.1 }, 'subsample', 3);
    assert.equal(rep.shareBefore.en, 0.5);
    assert.ok(Math.abs(rep.shareAfter.en! - 0.9) < 0.002, JSON.stringify(rep.shareAfter));
    assert.equal(
      active.reduce((s, x) => s + x, 0),
      555,
    ); // all 500 English + 55 others
  });

  it('weights instead of subsampling when asked', () => {
    const c = allocColumns(100);
    for (let i = 0; i < 100; i++) {
      c.id[i] = `r${i}`;
      c.lang[i] = i < 50 ? 'en' : 'fr';
    }
    const w = new Float64Array(100).fill(1);
    const rep = applyLanguageMix(c, new Uint8Array(100).fill(1), w, { en: 0.9, '*': 0.1 }, 'weight', 0);
    assert.ok(Math.abs(w[0]! - 1.8) < 1e-9 && Math.abs(w[99]! - 0.2) < 1e-9);
    assert.ok(Math.abs(rep.shareAfter.en! - 0.9) < 1e-9);
  });

  it('reports a target group that has no rows', () => {
    const c = allocColumns(10);
    for (let i = 0; i < 10; i++) {
      c.id[i] = `r${i}`;
      c.lang[i] = 'en';
    }
    const rep = applyLanguageMix(
      c,
      new Uint8Array(10).fill(1),
      new Float64Array(10),
      { en: 0.9, '*': 0.1 },
      'subsample',
      0,
    );
    assert.deepEqual(rep.unmet, [{ group: '*', target: 0.1, available: 0 }]);
  });
});

describe('config', () => {
  it('fills defaults and names the bad field', () => {
    const cfg = parseCurateConfig({});
    assert.equal(cfg.m4.eta, 0.9);
    assert.deepEqual(cfg.language_mix.targets, { en: 0.9, '*': 0.1 });
    const bad = (input: unknown, field: string): void =>
      assert.throws(
        () => parseCurateConfig(input),
        (e: unknown) => e instanceof CurateConfigError && e.field === field,
        field,
      );
    bad({ m4: { eta: 0 } }, 'm4.eta');
    bad({ m4: { eta: 1.5 } }, 'm4.eta');
    bad({ filters: [{ name: 'nope' }] }, 'filters');
    bad({ filters: [{ name: 'basic', min_side: -1 }] }, 'filters[0].min_side');
    bad({ language_mix: { targets: { en: 0.9, '*': 0.3 } } }, 'language_mix.targets');
    bad({ m4: { groups: { 'gender:man': 0, 'gender:woman': 0 } } }, 'm4.groups');
    bad({ dedup: { k: 99 } }, 'dedup.k');
    bad({ typo: 1 }, '(root)');
  });
});

describe('curation plan', () => {
  const cfg = parseCurateConfig({ seed: 3, filters: [{ name: 'basic' }, { name: 'hygiene' }], dedup: { k: 4 } });
  const filters = createFilters(cfg.filters.map(({ name, ...params }) => ({ name, params })));
  const tagger = new AttributeTagger(lexiconByLanguage());
  const data = syntheticRows({ rows: 6000, seed: 5, dupFraction: 0.05, k: 4, englishShare: 0.8, personFraction: 0.15 });

  it('is deterministic and drops rows for stated reasons only', () => {
    const step = runShardStep(data.columns, filters, tagger, 'lexicon');
    const a = planCuration(data.columns, step.reason, step.attrs, cfg);
    const b = planCuration(data.columns, step.reason, step.attrs, cfg);
    assert.deepEqual(a.keep, b.keep);
    assert.deepEqual(a.weight, b.weight);
    const r = a.report;
    assert.equal(r.rows_in, 6000);
    assert.equal(r.rows_out + Object.values(r.dropped).reduce((s, x) => s + x, 0), 6000);
    for (const key of Object.keys(r.dropped)) assert.match(key, /^(status|basic|hygiene|dedup|language_mix|m4)/);
    assert.ok(r.dedup.near_removed > 100, `near removed ${r.dedup.near_removed}`);
    assert.ok(Math.abs(r.language.shareAfter.en! - 0.9) < 0.01);
    assert.deepEqual(r.m4!.infeasible, []);
    const before = r.attributes.before['gender:man×occupation:doctor']! / r.attributes.before['occupation:doctor']!;
    assert.ok(before > 0.6, `planted doctor man share ${before}`);
  });

  it('incremental per-shard results give exactly the rows of a full recompute', () => {
    // Full: one shard step over everything. Incremental: the first 4000 rows were processed in an earlier run
    // (cached per shard), the new 2000 rows now; the global step runs over the concatenation either way.
    const full = runShardStep(data.columns, filters, tagger, 'lexicon');
    const fullPlan = planCuration(data.columns, full.reason, full.attrs, cfg);
    const oldShard = slice(data.columns, 0, 4000);
    const newShard = slice(data.columns, 4000, 6000);
    const cached = runShardStep(oldShard, filters, tagger, 'lexicon');
    const fresh = runShardStep(newShard, filters, tagger, 'lexicon');
    const all = concatColumns([oldShard, newShard]);
    const incPlan = planCuration(all, [...cached.reason, ...fresh.reason], [...cached.attrs, ...fresh.attrs], cfg);
    const ids = (cols: CurateColumns, keep: Uint8Array): string[] => cols.id.filter((_, i) => keep[i]).sort();
    assert.deepEqual(ids(all, incPlan.keep), ids(data.columns, fullPlan.keep));
  });

  it('removes training rows near evaluation images and counts them per eval set', () => {
    const step = runShardStep(data.columns, filters, tagger, 'lexicon');
    const kept = [...step.reason.keys()].filter((i) => step.reason[i] === '').slice(0, 25);
    const evalSet = {
      name: 'tiny-eval',
      sha256: [] as string[],
      phashHi: Uint32Array.from(kept.map((i) => data.columns.phashHi[i]!)),
      phashLo: Uint32Array.from(kept.map((i) => (data.columns.phashLo[i]! ^ 0b11) >>> 0)),
    };
    const plan = planCuration(data.columns, step.reason, step.attrs, cfg, { evalSets: [evalSet] });
    assert.ok(plan.report.decontamination['tiny-eval']! >= 25);
    for (const i of kept) assert.equal(plan.reason[i], 'decontam:tiny-eval');
  });
});
