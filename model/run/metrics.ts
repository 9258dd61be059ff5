// Per-step metrics as JSONL chunks on storage: one object per checkpoint interval, written just before the
// checkpoint commits and rewritten identically if the interval is trained again, so the series never has gaps or
// repeats after a crash.
import { joinKey, type ObjectStore } from '../../storage/index.js';
import { type RunLocation } from './checkpoint.js';

/** One training step as reports read it. */
export interface MetricRow {
  stage: string;
  step: number;
  loss: number;
  sigmoid: number;
  locca: number;
  l2g: number;
  mask: number;
  lr: number;
  /** Temperature exp(t′) and bias b after the step. */
  t: number;
  b: number;
  gradNorm: number;
  imagesPerS: number;
  /** Milliseconds the step waited for its batch. */
  dataWaitMs: number;
  backend: string;
  time: string;
}

function chunkKey(run: RunLocation, stage: string, endStep: number): string {
  return joinKey(run.prefix, 'stages', stage, 'metrics', `step-${String(endStep).padStart(7, '0')}.jsonl`);
}

/** Writes the rows of one checkpoint interval (ending at `endStep`). */
export async function writeMetricsChunk(run: RunLocation, stage: string, endStep: number, rows: readonly MetricRow[]): Promise<void> {
  if (rows.length === 0) return;
  await run.store.put(chunkKey(run, stage, endStep), new TextEncoder().encode(rows.map((r) => JSON.stringify(r)).join('\n') + '\n'));
}

/** Every metric row of a stage in step order; overlapping chunks (an interval trained twice) count once. */
export async function readMetrics(store: ObjectStore, prefix: string, stage: string): Promise<MetricRow[]> {
  const keys: string[] = [];
  for await (const { key } of store.list(`${joinKey(prefix, 'stages', stage, 'metrics')}/`)) if (key.endsWith('.jsonl')) keys.push(key);
  keys.sort();
  const out: MetricRow[] = [];
  for (const key of keys) {
    const text = new TextDecoder().decode(await store.get(key));
    for (const line of text.split('\n')) {
      if (!line) continue;
      const row = JSON.parse(line) as MetricRow;
      if (out.length === 0 || row.step > out[out.length - 1]!.step) out.push(row);
    }
  }
  return out;
}
