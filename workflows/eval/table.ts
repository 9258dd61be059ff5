// A plain-text results table for the terminal: one row per (model, suite), the task's headline metrics.
import { type EvalJobResult } from './shared.js';

/** Headline metrics of each task, in display order (fractions shown as percentages). */
export const HEADLINE: { [task: string]: string[] } = {
  zeroshot: ['top1', 'top5'],
  retrieval: ['i2t_r1', 'i2t_r5', 't2i_r1', 't2i_r5'],
  representation_bias: ['rb', 'p_first'],
  association_bias: ['mean_accuracy_gap', 'prediction_gap'],
};

/** A model's short name: `<run> (<stage>, step N)` for a run's checkpoint, else the last two path parts. */
export function shortModel(uri: string): string {
  const m = /([^/]+)\/stages\/([^/]+)\/checkpoints\/step-0*(\d+)\/?$/.exec(uri);
  if (m) return `${m[1]} (${m[2]}, step ${m[3]})`;
  const parts = uri.split('/').filter(Boolean);
  return parts.slice(-2).join('/');
}

/** Formats results as an aligned table (mean over languages; lower is better for the bias columns). */
export function formatResultsTable(results: readonly EvalJobResult[]): string {
  const header = ['model', 'suite', 'metrics (mean over languages)'];
  const rows = results.map((r) => {
    const keys = HEADLINE[r.task] ?? Object.keys(r.metrics);
    const cells = keys.filter((k) => r.metrics[k] !== undefined).map((k) => `${k} ${(100 * r.metrics[k]!).toFixed(1)}%`);
    return [shortModel(r.modelUri), r.suite, cells.join('  ') + (r.reused ? '  (cached)' : '')];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
