// The curation report as one self-contained HTML page with inline SVG bar charts (no scripts, no network).
import { type PlanReport } from './plan.js';

interface Bar {
  readonly label: string;
  readonly values: readonly number[];
}

const COLORS = ['#8da0cb', '#fc8d62'];

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function fmt(x: number): string {
  return Math.abs(x) >= 1000 || Number.isInteger(x) ? String(Math.round(x)) : x.toFixed(4);
}

/** A horizontal bar chart; one bar per series per label. */
function barChart(title: string, bars: readonly Bar[], series: readonly string[]): string {
  const rowH = 18 * series.length + 6;
  const labelW = 260;
  const plotW = 420;
  const max = Math.max(1e-12, ...bars.flatMap((b) => b.values.map(Math.abs)));
  const h = bars.length * rowH + 30;
  const parts = bars.map((b, r) => {
    const y = 24 + r * rowH;
    const rects = b.values.map((v, s) => {
      const w = (Math.abs(v) / max) * plotW;
      return (
        `<rect x="${labelW}" y="${y + s * 18}" width="${w.toFixed(1)}" height="15" fill="${COLORS[s % COLORS.length]}"/>` +
        `<text x="${labelW + w + 4}" y="${y + s * 18 + 12}" font-size="11">${fmt(v)}</text>`
      );
    });
    return `<text x="${labelW - 6}" y="${y + 12}" font-size="12" text-anchor="end">${esc(b.label)}</text>${rects.join('')}`;
  });
  const legend =
    series.length > 1
      ? series
          .map(
            (s, i) =>
              `<rect x="${labelW + i * 110}" y="4" width="12" height="12" fill="${COLORS[i]}"/><text x="${labelW + 16 + i * 110}" y="14" font-size="12">${esc(s)}</text>`,
          )
          .join('')
      : '';
  return `<h2>${esc(title)}</h2><svg xmlns="http://www.w3.org/2000/svg" width="${labelW + plotW + 80}" height="${h}" role="img" aria-label="${esc(title)}">${legend}${parts.join('')}</svg>`;
}

/** How sure the language shares are: given / detected / low-confidence / und shares and the top languages. */
function languageConfidenceHtml(l: PlanReport['language']): string {
  const b = l.confidenceBefore;
  const a = l.confidenceAfter;
  const row = (name: string, x: number, y: number): string =>
    `<tr><td>${esc(name)}</td><td>${fmt(x)}</td><td>${fmt(y)}</td></tr>`;
  const langs = Object.keys(a.shares).slice(0, 12);
  return (
    '<h2>Language sources and confidence</h2><table><tr><th></th><th>before</th><th>after</th></tr>' +
    row('given by the source', b.given, a.given) +
    row('detected (score ≥ min_score)', b.detected, a.detected) +
    row('low-confidence (counted as und)', b.low_confidence, a.low_confidence) +
    row('und', b.und, a.und) +
    langs.map((k) => row(`share ${k}`, b.shares[k] ?? 0, a.shares[k] ?? 0)).join('') +
    '</table>'
  );
}

/** Renders the curation report (JSON data from `planCuration`) as HTML. */
export function renderReportHtml(title: string, r: PlanReport): string {
  const sections: string[] = [];
  sections.push(
    `<p>${r.rows_in} rows in, ${r.rows_out} rows out (${((100 * r.rows_out) / Math.max(1, r.rows_in)).toFixed(1)}%).</p>`,
  );
  const dropped = Object.entries(r.dropped).sort((a, b) => b[1] - a[1]);
  sections.push(
    barChart(
      'Rows dropped per reason',
      dropped.map(([k, v]) => ({ label: k, values: [v] })),
      ['rows'],
    ),
  );
  const sizes = Object.entries(r.dedup.cluster_sizes).sort((a, b) => Number(a[0]) - Number(b[0]));
  sections.push(
    barChart(
      `Duplicate clusters by size (${r.dedup.clusters} clusters; ${r.dedup.exact_removed} exact, ${r.dedup.near_removed} near, ${r.dedup.prior_removed} earlier-version rows removed)`,
      sizes.map(([k, v]) => ({ label: `size ${k}`, values: [v] })),
      ['clusters'],
    ),
  );
  if (Object.keys(r.decontamination).length) {
    sections.push(
      barChart(
        'Rows removed per evaluation set',
        Object.entries(r.decontamination).map(([k, v]) => ({ label: k, values: [v] })),
        ['rows'],
      ),
    );
  }
  const groups = Object.keys(r.language.shareBefore);
  sections.push(
    barChart(
      `Language shares (${r.language.mode})`,
      groups.map((g) => ({ label: g, values: [r.language.shareBefore[g] ?? 0, r.language.shareAfter[g] ?? 0] })),
      ['before', 'after'],
    ),
  );
  sections.push(languageConfidenceHtml(r.language));
  const attrKeys = [...new Set([...Object.keys(r.attributes.before), ...Object.keys(r.attributes.after)])].sort();
  sections.push(
    barChart(
      'Attribute and attribute × concept rates',
      attrKeys.map((k) => ({ label: k, values: [r.attributes.before[k] ?? 0, r.attributes.after[k] ?? 0] })),
      ['before', 'after'],
    ),
  );
  if (r.m4) {
    sections.push(
      barChart(
        'M4 constraint residuals |E[q·(s−π) | C]|',
        r.m4.constraints.map((c) => ({ label: c.name, values: [Math.abs(c.before), Math.abs(c.after)] })),
        ['before', 'after'],
      ),
    );
    const bad = r.m4.infeasible.length
      ? `<ul>${r.m4.infeasible.map((c) => `<li><b>${esc(c.name)}</b> not met: residual ${fmt(c.residual)} exceeds ε ${fmt(c.eps)} by ${fmt(c.excess)}</li>`).join('')}</ul>`
      : '<p>All M4 constraints met.</p>';
    sections.push(
      `<p>Keep rate: expected ${fmt(r.m4.expected_keep_rate)}, realised ${fmt(r.m4.realised_keep_rate)}.</p>${bad}`,
    );
  }
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
    `<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:900px}h2{font-size:1.1em;margin-top:2em}</style></head>` +
    `<body><h1>${esc(title)}</h1>${sections.join('\n')}</body></html>\n`
  );
}
