// Writes a rendered report to storage: `index.html`, and each chart as `charts/<name>.svg` and a PNG rendered from it
// with sharp (no browser). Every object is written atomically; rewriting a report replaces it.
import sharp from 'sharp';
import { closeStore, LOCAL_STORES, type Stores } from '../../storage/index.js';
import { collectReportData } from './collect.js';
import { renderReport } from './html.js';

/** Raised when the sources hold nothing a report could show (a mistyped path, a run on another root). */
export class ReportEmptyError extends Error {
  override readonly name = 'ReportEmptyError';
  readonly exitCode = 1;
}

/** Renders one SVG chart to PNG bytes. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  // 72 dpi: one SVG user unit per pixel, so the PNG has the size the page shows.
  return sharp(Buffer.from(svg), { density: 72 }).png().toBuffer();
}

/** Collects data from `sources`, renders the report and writes it under `outUri`; returns the page's URI. */
export async function writeReport(sources: readonly string[], outUri: string, opts: { stores?: Stores; title?: string } = {}): Promise<{ uri: string; charts: number }> {
  const stores = opts.stores ?? LOCAL_STORES;
  const data = await collectReportData(sources, stores);
  if (data.training.length === 0 && data.evals.length === 0 && data.datasets.length === 0) {
    throw new ReportEmptyError(`nothing to report in ${sources.join(', ')}: no training run, evaluation summary or dataset manifest found there`);
  }
  const { html, charts } = renderReport(data, opts.title);
  const out = stores.open(outUri.replace(/\/+$/, ''));
  try {
    for (const c of charts) {
      await out.put(`charts/${c.name}.svg`, new TextEncoder().encode(c.svg));
      await out.put(`charts/${c.name}.png`, await svgToPng(c.svg));
    }
    await out.put('index.html', new TextEncoder().encode(html));
    return { uri: out.uri('index.html'), charts: charts.length };
  } finally {
    closeStore(out);
  }
}
