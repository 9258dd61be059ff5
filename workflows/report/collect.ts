// Gathers what a report shows from storage: training metrics of runs, evaluation results, dataset manifests (and the
// inputs of curated ones, for before/after). A URI may name a training run, an evaluation run (summary.json), a
// dataset version (manifest.json) or a whole storage root.
import { z } from 'zod';
import { type EvalResult } from '../../model/eval/run-suite.js';
import { closeStore, listDatasets, LOCAL_STORES, type Manifest, type ObjectStore, parseManifest, readManifest, splitObjectUri, type Stores } from '../../storage/index.js';

/** One training step as the report reads it (fields written by the training area's metrics chunks). */
export const trainRowSchema = z.object({
  stage: z.string(),
  step: z.number(),
  loss: z.number(),
  sigmoid: z.number().optional(),
  locca: z.number().optional(),
  l2g: z.number().optional(),
  mask: z.number().optional(),
  lr: z.number().optional(),
  t: z.number().optional(),
  b: z.number().optional(),
  imagesPerS: z.number().optional(),
});
export type TrainCurveRow = z.infer<typeof trainRowSchema>;

/** Everything a report renders. */
export interface ReportData {
  sources: string[];
  training: { run: string; stage: string; rows: TrainCurveRow[] }[];
  evals: EvalResult[];
  datasets: { manifest: Manifest; input: Manifest | null }[];
}

const METRICS = /^(?:(.*)\/)?stages\/([^/]+)\/metrics\/[^/]+\.jsonl$/;

async function json(store: ObjectStore, key: string): Promise<unknown> {
  return JSON.parse(new TextDecoder().decode(await store.get(key)));
}

async function readTraining(store: ObjectStore, runUri: string, prefix: string, out: ReportData): Promise<void> {
  const byStage = new Map<string, { run: string; stage: string; rows: TrainCurveRow[] }>();
  const keys: string[] = [];
  for await (const { key } of store.list(prefix)) if (METRICS.test(key)) keys.push(key);
  keys.sort();
  for (const key of keys) {
    const m = METRICS.exec(key)!;
    const run = m[1] ? `${runUri}/${m[1]}` : runUri;
    const id = `${run}#${m[2]}`;
    const entry = byStage.get(id) ?? { run, stage: m[2]!, rows: [] };
    byStage.set(id, entry);
    for (const line of new TextDecoder().decode(await store.get(key)).split('\n')) {
      if (!line.trim()) continue;
      const r = trainRowSchema.safeParse(JSON.parse(line));
      // Chunks of an interval trained twice overlap: keep the first row of each step.
      if (r.success && (entry.rows.length === 0 || r.data.step > entry.rows.at(-1)!.step)) entry.rows.push(r.data);
    }
  }
  out.training.push(...byStage.values());
}

async function readEvalSummary(store: ObjectStore, key: string, stores: Stores, out: ReportData): Promise<void> {
  const summary = (await json(store, key)) as { results?: { resultUri: string }[] };
  for (const r of summary.results ?? []) {
    const { rootUri, key: k } = splitObjectUri(r.resultUri);
    const s = stores.open(rootUri);
    try {
      out.evals.push((await json(s, k)) as EvalResult);
    } finally {
      closeStore(s);
    }
  }
}

async function addDataset(store: ObjectStore, m: Manifest, out: ReportData): Promise<void> {
  const inp = m.kind === 'curated' ? m.lineage.inputs[0] : undefined;
  let input: Manifest | null = null;
  if (inp) input = await readManifest(store, inp.name, inp.version).catch(() => null);
  out.datasets.push({ manifest: m, input });
}

/** Reads everything under one URI into `out`. */
async function collectOne(uri: string, stores: Stores, out: ReportData): Promise<void> {
  const store = stores.open(uri);
  try {
    out.sources.push(uri);
    if (await store.head('summary.json')) return await readEvalSummary(store, 'summary.json', stores, out);
    if (await store.head('manifest.json')) {
      const m = parseManifest(await json(store, 'manifest.json'), store.uri('manifest.json'));
      const root = uri.replace(/\/datasets\/[^/]+\/[^/]+\/?$/, '');
      const rootStore = root !== uri ? stores.open(root) : store;
      try {
        return await addDataset(rootStore, m, out);
      } finally {
        if (rootStore !== store) closeStore(rootStore);
      }
    }
    await readTraining(store, uri, '', out);
    for (const { name, versions } of await listDatasets(store).catch(() => [])) {
      for (const v of versions) await addDataset(store, await readManifest(store, name, v), out);
    }
    for await (const { key } of store.list('eval/runs/')) if (key.endsWith('/summary.json')) await readEvalSummary(store, key, stores, out);
  } finally {
    closeStore(store);
  }
}

/** Collects report data from one or more URIs (runs, eval runs, dataset versions or storage roots). */
export async function collectReportData(uris: readonly string[], stores: Stores = LOCAL_STORES): Promise<ReportData> {
  const out: ReportData = { sources: [], training: [], evals: [], datasets: [] };
  for (const u of uris) await collectOne(u.replace(/\/+$/, ''), stores, out);
  return out;
}
