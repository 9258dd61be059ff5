// Sharded curation benchmark: synthetic metadata rows in 100k-row shards (planted near-duplicates within and
// across shards, gender/occupation captions), the shard step per shard (not timed), then the sharded global step
// over Parquet stage files on a local store. Reports rows/s, peak RSS of this process, and dedup recall (a planted
// pair counts as found when both rows reached dedup and at most one survived it).
// Usage: npm run bench -- curate-scale [--rows 1e6] [--shard-rows 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../storage/index.js';
import { parseCurateConfig } from '../pipelines/curate/config.js';
import { createFilters } from '../pipelines/curate/filters/registry.js';
import { AttributeTagger, lexiconByLanguage } from '../pipelines/curate/lexicon.js';
import { runShardStep } from '../pipelines/curate/shard-step.js';
import { planSharded } from '../pipelines/curate/sharded/global.js';
import { readState } from '../pipelines/curate/sharded/state.js';
import { decodeSummary, encodeSummary } from '../pipelines/curate/summary-file.js';
import { syntheticRows } from '../pipelines/curate/synthetic.js';

const arg = (args: string[], name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};

export default async function curateScaleBench(args: string[]): Promise<unknown> {
  const rows = arg(args, 'rows', 1e7);
  const shardRows = arg(args, 'shard-rows', 100_000);
  const k = 4;
  const log = (msg: string): void => void process.stderr.write(`[curate-scale] ${msg}\n`);
  let peakRss = process.memoryUsage().rss;
  const sample = (): void => void (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const timer = setInterval(sample, 50);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-curate-scale-'));
  const store = openStore(`file://${dir}`);
  const cfg = parseCurateConfig({
    seed: 7,
    filters: [{ name: 'basic', min_side: 200 }, { name: 'hygiene' }],
    dedup: { k },
    language_mix: { mode: 'subsample', targets: { en: 0.9, '*': 0.1 } },
    m4: { eta: 0.9 },
  });
  const filters = createFilters(cfg.filters.map(({ name, ...params }) => ({ name, params })));
  const tagger = new AttributeTagger(lexiconByLanguage(cfg.attributes.lexicon));
  const offsets = [0];
  const pairs: number[] = [];
  let prev: { hi: Uint32Array; lo: Uint32Array } | null = null;
  const tGen = performance.now();
  for (let s = 0; offsets[s]! < rows; s++) {
    const n = Math.min(shardRows, rows - offsets[s]!);
    const g0 = offsets[s]!;
    const data = syntheticRows({
      rows: n,
      seed: 1000 + s,
      dupFraction: 0.05,
      k,
      englishShare: 0.8,
      personFraction: 0.15,
    });
    const c = data.columns;
    data.dupRow.forEach((r, x) => pairs.push(g0 + data.dupSource[x]!, g0 + r));
    // Cross-shard near-duplicates: 2% of rows copy a previous-shard row's hash with one bit flipped.
    for (let i = 7; prev && i < n && i < prev.hi.length; i += 50) {
      c.phashHi[i] = prev.hi[i]!;
      c.phashLo[i] = (prev.lo[i]! ^ (1 << i % 32)) >>> 0;
      c.hasPhash[i] = 1;
      pairs.push(offsets[s - 1]! + i, g0 + i);
    }
    prev = { hi: c.phashHi.slice(), lo: c.phashLo.slice() };
    const step = runShardStep(c, filters, tagger, cfg.attributes.source);
    await store.put(`cache/${s}.parquet`, encodeSummary({ columns: c, reason: step.reason, attrs: step.attrs }));
    offsets.push(g0 + n);
  }
  const S = offsets.length - 1;
  log(
    `generated + shard step: ${rows} rows in ${S} shards, ${((performance.now() - tGen) / 1000).toFixed(1)} s (not timed)`,
  );
  sample();
  const rssBefore = peakRss;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const report = await planSharded(
    {
      store,
      prefix: 'run',
      cfg,
      space: { offsets },
      partitions: Math.max(1, Math.ceil(rows / 200_000)),
      load: async (s) => await decodeSummary(await store.get(`cache/${s}.parquet`), `cache/${s}`),
    },
    { filters, onShard: () => undefined },
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  sample();
  clearInterval(timer);
  const recall = await plantedRecall(store, offsets, pairs);
  rmSync(dir, { recursive: true, force: true });
  return {
    rows,
    shards: S,
    worker_processes: 1,
    seconds: round(seconds),
    cpu_seconds: round((cpu.user + cpu.system) / 1e6),
    load_average_1m: round(os.loadavg()[0]!, 2),
    rows_per_s: Math.round(rows / seconds),
    dedup_recall: recall.eligible > 0 ? round(recall.found / recall.eligible, 5) : null,
    dedup_planted_pairs_checked: recall.eligible,
    rows_out: report.rows_out,
    dropped: report.dropped,
    peak_rss_mb: Math.round(peakRss / 1048576),
    peak_rss_mb_before_global_step: Math.round(rssBefore / 1048576),
  };
}

/** Planted pairs (rows in the same or adjacent shards) where both reached dedup, and those dedup joined. */
async function plantedRecall(
  store: ReturnType<typeof openStore>,
  offsets: number[],
  pairs: number[],
): Promise<{ eligible: number; found: number }> {
  const reasons = new Map<number, { refs: string[]; dedup: string[] }>();
  const at = async (g: number): Promise<{ refs: string; dedup: string }> => {
    let s = 0;
    while (offsets[s + 1]! <= g) s++;
    if (!reasons.has(s)) {
      if (reasons.size > 2) reasons.delete(Math.min(...reasons.keys()));
      const refs = (await readState(store, 'run', 'refs', s)).reason;
      const dedup = (await readState(store, 'run', 'dedup', s)).reason;
      reasons.set(s, { refs, dedup });
    }
    const r = reasons.get(s)!;
    return { refs: r.refs[g - offsets[s]!]!, dedup: r.dedup[g - offsets[s]!]! };
  };
  const order = Array.from({ length: pairs.length / 2 }, (_, x) => x).sort(
    (a, b) => pairs[2 * a + 1]! - pairs[2 * b + 1]!,
  );
  let eligible = 0;
  let found = 0;
  for (const x of order) {
    const a = await at(pairs[2 * x]!);
    const b = await at(pairs[2 * x + 1]!);
    if (a.refs !== '' || b.refs !== '') continue;
    eligible++;
    if (a.dedup.startsWith('dedup:') || b.dedup.startsWith('dedup:')) found++;
  }
  return { eligible, found };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
