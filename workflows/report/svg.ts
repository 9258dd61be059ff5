// Static SVG charts (line and grouped bar), rendered as strings at build time: no browser, no chart library.
// Pure functions: data in, SVG text out.

/** Escapes text for SVG/HTML content and attributes. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const W = 640;
const H = 320;
const M = { top: 36, right: 16, bottom: 58, left: 60 };

/** Rounds a tick value for display. */
function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/** Nice evenly spaced ticks covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function frame(title: string, body: string, legend: string[]): string {
  const items = legend
    .map((name, i) => `<g transform="translate(${M.left + i * 110},${H - 14})"><rect width="10" height="10" y="-9" fill="${PALETTE[i % PALETTE.length]}"/><text x="14" font-size="11">${esc(name)}</text></g>`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">` +
    `<rect width="${W}" height="${H}" fill="#ffffff"/><text x="${M.left}" y="22" font-size="14" font-weight="bold">${esc(title)}</text>` +
    `${body}${items}</svg>`
  );
}

/** One named series of (x, y) points. */
export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

/** A line chart of one or more series sharing axes; non-finite y values are skipped. */
export function lineChart(title: string, series: readonly Series[], opts: { xLabel?: string; yLabel?: string } = {}): string {
  const pts = series.flatMap((s) => s.points.filter(([, y]) => Number.isFinite(y)));
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => y);
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (x1 === x0 ? pw / 2 : ((x - x0) / (x1 - x0)) * pw);
  const sy = (y: number) => M.top + ph - ((y - y0) / (y1 - y0)) * ph;
  let body = `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#cccccc"/>`;
  for (const t of ticks(y0, y1)) body += `<line x1="${M.left}" x2="${M.left + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eeeeee"/><text x="${M.left - 6}" y="${sy(t) + 4}" font-size="10" text-anchor="end">${fmt(t)}</text>`;
  for (const t of ticks(x0, x1)) body += `<text x="${sx(t)}" y="${M.top + ph + 14}" font-size="10" text-anchor="middle">${fmt(t)}</text>`;
  if (opts.xLabel) body += `<text x="${M.left + pw / 2}" y="${M.top + ph + 28}" font-size="11" text-anchor="middle">${esc(opts.xLabel)}</text>`;
  if (opts.yLabel) body += `<text transform="translate(14,${M.top + ph / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(opts.yLabel)}</text>`;
  series.forEach((s, i) => {
    const p = s.points.filter(([, y]) => Number.isFinite(y));
    if (p.length === 0) return;
    const color = PALETTE[i % PALETTE.length];
    const d = p.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
    body += `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"/>`;
    if (p.length === 1) body += `<circle cx="${sx(p[0]![0])}" cy="${sy(p[0]![1])}" r="3" fill="${color}"/>`;
  });
  return frame(title, body, series.map((s) => s.name));
}

/** A grouped bar chart: one group per category, one bar per series (values ≥ 0). */
export function barChart(title: string, categories: readonly string[], series: readonly { name: string; values: readonly number[] }[], opts: { yLabel?: string; percent?: boolean } = {}): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const max = Math.max(opts.percent ? 1 : 0, ...series.flatMap((s) => s.values.filter(Number.isFinite))) || 1;
  const sy = (v: number) => M.top + ph - (v / max) * ph;
  const gw = pw / Math.max(1, categories.length);
  const bw = Math.max(1, (gw * 0.8) / Math.max(1, series.length));
  let body = `<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#999999"/>`;
  for (const t of ticks(0, max)) {
    body += `<line x1="${M.left}" x2="${M.left + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eeeeee"/><text x="${M.left - 6}" y="${sy(t) + 4}" font-size="10" text-anchor="end">${opts.percent ? `${Math.round(t * 100)}%` : fmt(t)}</text>`;
  }
  if (opts.yLabel) body += `<text transform="translate(14,${M.top + ph / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(opts.yLabel)}</text>`;
  categories.forEach((c, ci) => {
    const gx = M.left + ci * gw + gw * 0.1;
    series.forEach((s, si) => {
      const v = s.values[ci] ?? 0;
      if (!Number.isFinite(v)) return;
      body += `<rect x="${(gx + si * bw).toFixed(1)}" y="${sy(v).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(M.top + ph - sy(v)).toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${esc(`${s.name} ${c}: ${fmt(v)}`)}</title></rect>`;
    });
    body += `<text x="${(M.left + ci * gw + gw / 2).toFixed(1)}" y="${M.top + ph + 14}" font-size="10" text-anchor="middle">${esc(c.length > 10 ? `${c.slice(0, 9)}…` : c)}</text>`;
  });
  return frame(title, body, series.map((s) => s.name));
}
