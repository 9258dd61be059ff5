// Writes a rendered report to storage: `index.html`, and each chart as `charts/<name>.svg` and a PNG rendered from it
// with sharp (no browser). Every object is written atomically; rewriting a report replaces it.
import sharp from 'sharp';
import { closeStore, openStore, type StoreOptions } from '../../storage/index.js';
import { collectReportData } from './collect.js';
import { renderReport } from './html.js';

/** Renders one SVG chart to PNG bytes. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  // 72 dpi: one SVG user unit per pixel, so the PNG has the size the page shows.
  return sharp(Buffer.from(svg), { density: 72 }).png().toBuffer();
}

/** Collects data from `sources`, renders the report and writes it under `outUri`; returns the page's URI. */
export async function writeReport(sources: readonly string[], outUri: string, opts: { store?: StoreOptions; title?: string } = {}): Promise<{ uri: string; charts: number }> {
  const data = await collectReportData(sources, opts.store ?? {});
  const { html, charts } = renderReport(data, opts.title);
  const out = openStore(outUri.replace(/\/+$/, ''), opts.store ?? {});
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
