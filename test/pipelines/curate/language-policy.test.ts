import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { allocColumns, type CurateColumns } from '../../../pipelines/curate/columns.js';
import { parseCurateConfig } from '../../../pipelines/curate/config.js';
import { languageConfidence, resolveLanguages } from '../../../pipelines/curate/language-policy.js';
import { planCuration } from '../../../pipelines/curate/plan.js';
import { renderReportHtml } from '../../../pipelines/curate/report-html.js';
import { decodeSummary, encodeSummary } from '../../../pipelines/curate/summary-file.js';
import { demoCorpus } from '../../../pipelines/demo/corpus.js';
import { createLanguageIdentifier } from '../../../pipelines/ingest/lang.js';

let demo: Promise<CurateColumns> | null = null;

/** Demo-like rows (a fresh copy each call): the demo corpus with its locale given and the identifier's guess. */
async function demoColumns(): Promise<CurateColumns> {
  demo ??= buildDemoColumns();
  const c = await demo;
  return { ...c, langGiven: [...c.langGiven] };
}

async function buildDemoColumns(): Promise<CurateColumns> {
  const rows = demoCorpus({ styles: ['google'] });
  const lid = await createLanguageIdentifier();
  const c = allocColumns(rows.length);
  rows.forEach((r, i) => {
    const guess = lid.identify(r.caption);
    c.id[i] = `demo-${i}`;
    c.caption[i] = r.caption;
    c.lang[i] = guess?.lang ?? '';
    c.langScore[i] = guess?.score ?? Number.NaN;
    c.langGiven[i] = r.lang;
    c.width[i] = 64;
    c.height[i] = 64;
  });
  return c;
}

const TARGETS = { en: 0.75, de: 0.01, ja: 0.01, '*': 0.23 };

function curate(c: CurateColumns, given: boolean): { keep: Uint8Array; shareAfter: { [g: string]: number } } {
  const cfg = parseCurateConfig({
    seed: 1,
    filters: [],
    dedup: { exact: false, near: false },
    m4: { enabled: false },
    language_mix: { mode: 'subsample', targets: TARGETS, policy: { given, min_score: 0.3 } },
  });
  const plan = planCuration(c, new Array<string>(c.n).fill(''), new Array(c.n).fill(null), cfg);
  return { keep: plan.keep, shareAfter: plan.report.language.shareAfter };
}

/** Shares of the kept rows by their true (given) language, grouped like the targets. */
function trueShares(c: CurateColumns, keep: Uint8Array): { [g: string]: number } {
  const counts: { [g: string]: number } = {};
  let n = 0;
  for (let i = 0; i < c.n; i++) {
    if (!keep[i]) continue;
    const g = c.langGiven[i]! in TARGETS ? c.langGiven[i]! : '*';
    counts[g] = (counts[g] ?? 0) + 1;
    n++;
  }
  return Object.fromEntries(Object.keys(TARGETS).map((g) => [g, (counts[g] ?? 0) / n]));
}

describe('language policy: given languages make the mix exact', () => {
  let c: CurateColumns;
  before(async () => {
    c = await demoColumns();
  });

  it('with source languages given, the curated demo-like dataset has exactly the configured shares', () => {
    const { keep, shareAfter } = curate(c, true);
    const kept = keep.reduce((s, x) => s + x, 0);
    assert.ok(kept > 1000, `kept ${kept}`);
    const truth = trueShares(c, keep);
    // Exact up to rounding: each group's quota is a whole number of rows (floor), so a share can be off by at most
    // one row per group.
    const tol = Object.keys(TARGETS).length / kept;
    for (const [g, target] of Object.entries(TARGETS)) {
      assert.ok(Math.abs(truth[g]! - target) <= tol, `${g}: true share ${truth[g]} vs target ${target} (±${tol})`);
      assert.equal(shareAfter[g], truth[g], `${g}: the report says ${shareAfter[g]}, the kept rows hold ${truth[g]}`);
    }
  });

  it('from detected languages alone the true shares miss the targets (the reason for the policy)', () => {
    const { keep } = curate(c, false);
    const truth = trueShares(c, keep);
    const kept = keep.reduce((s, x) => s + x, 0);
    const worst = Math.max(...Object.entries(TARGETS).map(([g, t]) => Math.abs(truth[g]! - t)));
    assert.ok(
      worst > (10 * Object.keys(TARGETS).length) / kept,
      `detected-only mix was exact too (worst miss ${worst})`,
    );
  });
});

describe('language policy: curation report', () => {
  it('says how sure the shares are: given, detected, low-confidence and und, before and after the mix', async () => {
    const c = await demoColumns();
    for (let i = 0; i < c.n; i += 2) c.langGiven[i] = ''; // half the rows without a source language
    const cfg = parseCurateConfig({
      filters: [],
      dedup: { exact: false, near: false },
      m4: { enabled: false },
      language_mix: { mode: 'weight', targets: { en: 0.9, '*': 0.1 }, policy: { given: true, min_score: 0.5 } },
    });
    const plan = planCuration(c, new Array<string>(c.n).fill(''), new Array(c.n).fill(null), cfg);
    const b = plan.report.language.confidenceBefore;
    assert.equal(b.rows, c.n);
    assert.ok(Math.abs(b.given - 0.5) < 0.001, `given ${b.given}`);
    assert.ok(b.low_confidence > 0.01 && b.detected > 0.2, JSON.stringify(b));
    // Every row is given, detected, or und (no language, or a detection below min_score).
    assert.ok(Math.abs(b.given + b.detected + b.und - 1) < 1e-9);
    assert.ok(b.und >= b.low_confidence);
    const sumShares = Object.values(b.shares).reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(sumShares - 1) < 1e-9);
    // After weighting, English carries 90% of the weight among the rows the policy resolves.
    assert.ok(Math.abs(plan.report.language.confidenceAfter.shares.en! - 0.9) < 1e-9);
    const html = renderReportHtml('t', plan.report);
    assert.match(html, /Language sources and confidence/);
    assert.match(html, /low-confidence \(counted as und\)/);
  });
});

describe('language policy: resolution and confidence report', () => {
  const c = allocColumns(6);
  // given | detected, score
  const rows: [string, string, number][] = [
    ['pt-BR', 'es', 0.9], // given wins, normalized
    ['', 'de', 0.8], // detected and sure
    ['', 'nl', 0.1], // detected but unsure → und
    ['', '', Number.NaN], // nothing → und
    ['', 'fr', Number.NaN], // detected without a score: trusted
    ['EN', '', Number.NaN], // given only
  ];
  rows.forEach(([g, d, s], i) => {
    c.id[i] = `r${i}`;
    c.langGiven[i] = g;
    c.lang[i] = d;
    c.langScore[i] = s;
  });

  it('takes the given language, else a sure detection, else und', () => {
    assert.deepEqual(resolveLanguages(c, { given: true, min_score: 0.5 }).lang, ['pt', 'de', 'und', 'und', 'fr', 'en']);
    assert.deepEqual(resolveLanguages(c, { given: false, min_score: 0.5 }).lang, [
      'es',
      'de',
      'und',
      'und',
      'fr',
      'und',
    ]);
    assert.deepEqual(resolveLanguages(c, { given: true, min_score: 0 }).lang, ['pt', 'de', 'nl', 'und', 'fr', 'en']);
  });

  it('reports the shares of given, detected, low-confidence and und rows', () => {
    const r = languageConfidence(resolveLanguages(c, { given: true, min_score: 0.5 }), new Uint8Array(6).fill(1));
    assert.equal(r.rows, 6);
    assert.deepEqual([r.given, r.detected, r.low_confidence, r.und], [2 / 6, 2 / 6, 1 / 6, 2 / 6]);
    assert.equal(r.shares.und, 2 / 6);
    assert.equal(r.shares.pt, 1 / 6);
    const w = Float64Array.from([3, 1, 1, 1, 1, 1]);
    assert.equal(
      languageConfidence(resolveLanguages(c, { given: true, min_score: 0.5 }), new Uint8Array(6).fill(1), w).shares.pt,
      3 / 8,
    );
  });

  it('curation summaries keep the given language (and old ones read back with none)', async () => {
    const back = await decodeSummary(
      encodeSummary({ columns: c, reason: new Array(6).fill(''), attrs: new Array(6).fill(null) }),
      't',
    );
    assert.deepEqual(back.columns.langGiven, c.langGiven);
    const old = parquetWriteBuffer({
      columnData: [
        { name: 'id', data: ['a'], type: 'STRING' },
        { name: 'lang', data: ['de'], type: 'STRING' },
        { name: 'reason', data: [''], type: 'STRING' },
      ],
    });
    assert.deepEqual((await decodeSummary(new Uint8Array(old), 'old')).columns.langGiven, ['']);
  });
});
