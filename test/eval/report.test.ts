// `sigforge report`: training curves, evaluation tables and per-language bars, dataset and curation charts written
// as static HTML + SVG + PNG, then opened in a real headless Chromium (screenshot, charts loaded, no console output).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { selectBackend } from '../../model/backend.js';
import { emojiSuites } from '../../model/eval/emoji-suites.js';
import { runSuite } from '../../model/eval/run-suite.js';
import { buildEmojiBench } from '../../pipelines/eval/emoji-bench.js';
import { buildManifest, commitManifest, readManifest } from '../../storage/index.js';
import { renderReport } from '../../workflows/report/html.js';
import { barChart, lineChart } from '../../workflows/report/svg.js';
import { writeReport } from '../../workflows/report/write-report.js';
import { tempStore, tinyModel } from './helpers.js';

/** PNG pixels vary (something was drawn), checked on the decoded image. */
async function pngDrawn(file: string): Promise<{ width: number; height: number; distinct: number }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i += info.channels * 7) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  return { width: info.width, height: info.height, distinct: seen.size };
}

describe('report', () => {
  let tmp: ReturnType<typeof tempStore>;
  before(async () => {
    await selectBackend('wasm');
    tmp = tempStore();
    const { store } = tmp;
    // A training run's metric chunks, as the trainer writes them.
    const rows = Array.from({ length: 20 }, (_, i) => ({ stage: 'main', step: i + 1, loss: 20 - i * 0.5, sigmoid: 15 - i * 0.4, locca: 5 - i * 0.1, l2g: 0, mask: 0, lr: 1e-3 * Math.min(1, (i + 1) / 5), t: 10 + i * 0.1, b: -10 + i * 0.05, gradNorm: 1, imagesPerS: 40 + (i % 3), dataWaitMs: 1, backend: 'wasm', time: '2026-11-28T00:00:00Z' }));
    await store.put('runs/r1/stages/main/metrics/step-0000010.jsonl', new TextEncoder().encode(rows.slice(0, 10).map((r) => JSON.stringify(r)).join('\n') + '\n'));
    await store.put('runs/r1/stages/main/metrics/step-0000020.jsonl', new TextEncoder().encode(rows.slice(8).map((r) => JSON.stringify(r)).join('\n') + '\n'));
    // The emoji benchmark and a "curated" version of it whose lineage points back (before/after charts).
    const built = await buildEmojiBench(store, { languages: ['en', 'de', 'ja'], maxClasses: 6 });
    const src = await readManifest(store, 'emoji-bench', built.ref.split('@')[1]!);
    const shard = src.shards[0]!;
    await commitManifest(
      store,
      buildManifest(store, {
        name: 'emoji-curated',
        version: 'v1',
        kind: 'curated',
        shards: [{ key: shard.key, rows: shard.rows, bytes: shard.bytes, sha256: shard.sha256, by_status: shard.by_status, by_lang: { en: 40, de: 30 } }],
        lineage: { inputs: [{ name: src.name, version: src.version }], config: {}, config_hash: 'h', code_version: 'test' },
        stats: { curation: { rows_in: shard.rows, rows_out: 70, dropped: { near_duplicate: 20, language: shard.rows - 90 } } },
      }),
    );
    // Two models' evaluation results and a summary, as evaluateWorkflow writes them.
    const suites = emojiSuites(built.ref, built.selection);
    const results = [];
    for (const seed of [1, 2]) {
      const model = tinyModel(seed);
      for (const suite of [suites['emoji-zeroshot'], suites['emoji-retrieval']]) {
        const r = await runSuite({ store, model, modelUri: `file:///models/m${seed}`, suite, codeVersion: 'test' });
        const key = `eval/results/${r.model.id}/${suite.name}.json`;
        await store.put(key, new TextEncoder().encode(JSON.stringify(r)));
        results.push({ resultUri: store.uri(key) });
      }
      model.dispose();
    }
    await store.put('eval/runs/e1/summary.json', new TextEncoder().encode(JSON.stringify({ results })));
  });
  after(() => tmp.cleanup());

  it('SVG charts have axes, series and escaped labels', () => {
    const svg = lineChart('loss <a&b>', [{ name: 'loss', points: [[1, 3], [2, 2], [3, NaN], [4, 1]] }], { xLabel: 'step' });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /loss &lt;a&amp;b&gt;/);
    assert.equal((svg.match(/<path /g) ?? []).length, 1);
    const bars = barChart('rb', ['en', 'de'], [{ name: 'm', values: [0.25, 0.5] }], { percent: true });
    assert.equal((bars.match(/<rect x=/g) ?? []).length, 2, 'one bar per value');
    assert.match(bars, />100%</, 'percent axis');
    assert.match(renderReport({ sources: [], training: [], evals: [], datasets: [] }).html, /Nothing to report/);
  });

  it('writes index.html with SVG and PNG charts for training, evaluation and datasets', async () => {
    const r = await writeReport([tmp.store.rootUri], `${tmp.store.rootUri}/report`, { title: 'Emoji report' });
    const dir = path.join(tmp.root, 'report');
    const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    assert.match(html, /<h2>Training<\/h2>/);
    assert.match(html, /<h2>Evaluation<\/h2>/);
    assert.match(html, /<h2>Datasets<\/h2>/);
    assert.match(html, /r1 \/ main \(20 steps\)/, 'overlapping metric chunks count each step once');
    assert.match(html, /emoji-zeroshot/);
    const pngs = [...html.matchAll(/src="(charts\/[^"]+\.png)"/g)].map((m) => m[1]!);
    assert.equal(pngs.length, r.charts);
    // 4 training charts, 2 suites' per-language bars, emoji-bench (lang) + curated (lang, curation).
    assert.ok(r.charts >= 9, `charts: ${r.charts}`);
    for (const p of pngs) {
      assert.ok(existsSync(path.join(dir, p.replace(/\.png$/, '.svg'))), `${p} has its SVG`);
      const d = await pngDrawn(path.join(dir, p));
      assert.deepEqual([d.width, d.height], [640, 320]);
      assert.ok(d.distinct > 3, `${p} is not blank (${d.distinct} colours)`);
    }
    const curatedLang = readFileSync(path.join(dir, 'charts', 'data-emoji-curated-v1-lang.svg'), 'utf8');
    assert.match(curatedLang, /before curation/, 'curated datasets compare with their input');
    assert.match(curatedLang, /after curation/);
  });

  it('renders in headless Chromium: screenshot drawn, every chart loaded, no console output', async (t) => {
    const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
    if (!chromium) return t.skip('Debian chromium is not installed (scripts/debian-packages.txt lists it for CI)');
    const page = `file://${path.join(tmp.root, 'report', 'index.html')}`;
    // No network: background services off and every host name resolves to nothing.
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND', `--user-data-dir=${path.join(tmp.root, 'chromium-profile')}`];
    const shot = path.join(tmp.root, 'shot.png');
    const s = spawnSync(chromium, [...flags, `--screenshot=${shot}`, '--window-size=1400,2400', '--virtual-time-budget=5000', page], { encoding: 'utf8', timeout: 60_000 });
    assert.ok(existsSync(shot), `no screenshot: ${s.stderr}`);
    const d = await pngDrawn(shot);
    assert.ok(d.distinct > 20, `screenshot looks blank (${d.distinct} colours)`);
    const dom = spawnSync(chromium, [...flags, '--enable-logging=stderr', '--v=0', '--virtual-time-budget=5000', '--dump-dom', page], { encoding: 'utf8', timeout: 60_000 });
    const html = readFileSync(path.join(tmp.root, 'report', 'index.html'), 'utf8');
    const charts = (html.match(/<figure>/g) ?? []).length;
    assert.match(dom.stdout, new RegExp(`data-charts-ok="${charts}"`), 'every chart image loaded');
    assert.match(dom.stdout, /data-charts-broken="0"/);
    assert.deepEqual(dom.stderr.split('\n').filter((l) => /:CONSOLE/.test(l)), [], 'no console output');
  });
});
