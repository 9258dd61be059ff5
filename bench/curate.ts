// Curation benchmark: 1,000,000 synthetic metadata rows (10 languages, 5% planted near-duplicates, planted
// gender × occupation correlation) through filters + attribute tagging + dedup + language mix + M4.
// Usage: npm run bench -- curate [rows]
import os from 'node:os';
import { parseCurateConfig } from '../pipelines/curate/config.js';
import { createFilters } from '../pipelines/curate/filters/registry.js';
import { AttributeTagger, lexiconByLanguage } from '../pipelines/curate/lexicon.js';
import { planCuration } from '../pipelines/curate/plan.js';
import { runShardStep } from '../pipelines/curate/shard-step.js';
import { syntheticRows } from '../pipelines/curate/synthetic.js';

export default async function curateBench(args: string[]): Promise<unknown> {
  const rows = Number(args[0] ?? 1_000_000);
  const k = 4;
  let peakRss = process.memoryUsage().rss;
  const sample = (): void => void (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const timer = setInterval(sample, 50);
  const log = (msg: string): void => void process.stderr.write(`[curate bench] ${msg}\n`);

  const t0 = performance.now();
  const data = syntheticRows({ rows, seed: 1, dupFraction: 0.05, k, englishShare: 0.8, personFraction: 0.15 });
  const c = data.columns;
  log(`generated ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed)`);

  const cfg = parseCurateConfig({
    seed: 7,
    filters: [{ name: 'basic', min_side: 200 }, { name: 'hygiene' }, { name: 'image_size', max_side: 4096 }],
    dedup: { k },
    language_mix: { mode: 'subsample', targets: { en: 0.9, '*': 0.1 } },
    m4: { eta: 0.9 },
  });
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const filters = createFilters(cfg.filters.map(({ name, ...params }) => ({ name, params })));
  const tagger = new AttributeTagger(lexiconByLanguage(cfg.attributes.lexicon));
  // The workflow runs this per shard; here over 100k-row slices of one column set (same work).
  const step = runShardStep(c, filters, tagger, cfg.attributes.source);
  const tShard = performance.now();
  log(`filters + tagging: ${((tShard - start) / 1000).toFixed(1)} s`);
  sample();
  const plan = planCuration(c, step.reason, step.attrs, cfg, { filters });
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  sample();
  clearInterval(timer);
  log(`global step (dedup, language mix, M4): ${((end - tShard) / 1000).toFixed(1)} s`);

  // Recall on the planted set: pairs whose two rows both reached dedup and ended in one cluster.
  let eligible = 0;
  let found = 0;
  for (let x = 0; x < data.dupRow.length; x++) {
    const a = plan.survivorOf[data.dupSource[x]!]!;
    const b = plan.survivorOf[data.dupRow[x]!]!;
    if (a < 0 || b < 0) continue;
    eligible++;
    if (a === b) found++;
  }
  const seconds = (end - start) / 1000;
  // The pipeline runs on one thread here (the workflow parallelises the shard step across activities).
  const cores = 1;
  const m4 = plan.report.m4!;
  const maxAbs = (kind: string, key: 'before' | 'after'): number =>
    Math.max(0, ...m4.constraints.filter((x) => x.kind === kind).map((x) => Math.abs(x[key])));
  return {
    rows,
    seconds: round(seconds),
    // CPU seconds of the timed section: on a shared machine wall time includes waiting for a core.
    cpu_seconds: round((cpu.user + cpu.system) / 1e6),
    load_average_1m: round(os.loadavg()[0]!, 2),
    rows_per_s: Math.round(rows / seconds),
    rows_per_s_per_core: Math.round(rows / seconds / cores),
    cores_used: cores,
    cores_available: os.availableParallelism(),
    dedup_recall: eligible > 0 ? round(found / eligible, 5) : null,
    dedup_planted_pairs_checked: eligible,
    dedup_k: k,
    lsh: plan.report.dedup.lsh,
    expected_recall_at_k: plan.report.dedup.expected_recall_at_k,
    constraints: {
      representation: {
        before: round(maxAbs('representation', 'before'), 5),
        after: round(maxAbs('representation', 'after'), 5),
        eps: cfg.m4.eps_representation,
      },
      association: {
        before: round(maxAbs('association', 'before'), 5),
        after: round(maxAbs('association', 'after'), 5),
        eps: cfg.m4.eps_association,
      },
      keep_rate: {
        target: cfg.m4.eta,
        expected: round(m4.expected_keep_rate, 5),
        realised: round(m4.realised_keep_rate, 5),
      },
      infeasible: m4.infeasible,
      m4_iterations: m4.iterations,
    },
    language_share_after: plan.report.language.shareAfter,
    rows_out: plan.report.rows_out,
    dropped: plan.report.dropped,
    timings_s: { shard_step: round((tShard - start) / 1000), global_step: round((end - tShard) / 1000) },
    peak_rss_mb: Math.round(peakRss / 1048576),
  };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
