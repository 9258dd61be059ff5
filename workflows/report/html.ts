// Turns report data into a static HTML page and its charts (SVG text; PNGs are rendered from them by the writer).
// Pure: no IO.
import { HEADLINE } from '../eval/table.js';
import { type ReportData } from './collect.js';
import { barChart, esc, lineChart, type Series } from './svg.js';

/** One chart of the report. */
export interface Chart {
  /** File stem, unique within the report (letters, digits, `-`). */
  name: string;
  title: string;
  svg: string;
}

/** A rendered report: the page and the charts it links. */
export interface RenderedReport {
  html: string;
  charts: Chart[];
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'x';
const pct = (v: number | undefined) => (v === undefined ? '' : `${(100 * v).toFixed(1)}%`);

function table(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function counts(o: unknown): { [k: string]: number } {
  return o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'number')) as { [k: string]: number } : {};
}

/** Renders the report page and charts. */
export function renderReport(data: ReportData, title = 'sigforge report'): RenderedReport {
  const charts: Chart[] = [];
  const names = new Set<string>();
  const add = (base: string, chartTitle: string, svg: string): string => {
    let name = slug(base);
    for (let i = 2; names.has(name); i++) name = `${slug(base)}-${i}`;
    names.add(name);
    charts.push({ name, title: chartTitle, svg });
    return `<figure><a href="charts/${name}.svg"><img src="charts/${name}.png" alt="${esc(chartTitle)}" width="640" height="320"></a><figcaption>${esc(chartTitle)}</figcaption></figure>`;
  };
  const parts: string[] = [];

  if (data.training.length > 0) {
    parts.push('<h2>Training</h2>');
    for (const t of data.training) {
      const label = `${t.run.split('/').slice(-1)[0]} / ${t.stage}`;
      const series = (keys: (keyof (typeof t.rows)[number])[]): Series[] =>
        keys.filter((k) => t.rows.some((r) => typeof r[k] === 'number')).map((k) => ({ name: String(k), points: t.rows.map((r) => [r.step, Number(r[k] ?? NaN)] as const) }));
      parts.push(`<h3>${esc(label)} (${t.rows.length} steps)</h3><div class="charts">`);
      parts.push(add(`train-${label}-loss`, `${label}: loss parts`, lineChart(`${label}: loss parts`, series(['loss', 'sigmoid', 'locca', 'l2g', 'mask']), { xLabel: 'step' })));
      parts.push(add(`train-${label}-lr`, `${label}: learning rate`, lineChart(`${label}: learning rate`, series(['lr']), { xLabel: 'step' })));
      parts.push(add(`train-${label}-tb`, `${label}: temperature t and bias b`, lineChart(`${label}: temperature t and bias b`, series(['t', 'b']), { xLabel: 'step' })));
      parts.push(add(`train-${label}-ips`, `${label}: images/s`, lineChart(`${label}: images/s`, series(['imagesPerS']), { xLabel: 'step', yLabel: 'images/s' })));
      parts.push('</div>');
    }
  }

  if (data.evals.length > 0) {
    parts.push('<h2>Evaluation</h2>');
    parts.push(
      table(
        ['model', 'suite', 'task', 'dataset', 'metrics (mean over languages)', 'code'],
        data.evals.map((e) => [
          e.model.uri,
          e.suite.name,
          e.suite.task,
          e.dataset.ref,
          (HEADLINE[e.suite.task] ?? []).map((k) => `${k} ${pct(e.metrics[k])}`).join('  '),
          e.code_version,
        ]),
      ),
    );
    parts.push('<div class="charts">');
    const bySuite = new Map<string, typeof data.evals>();
    for (const e of data.evals) bySuite.set(e.suite.name, [...(bySuite.get(e.suite.name) ?? []), e]);
    for (const [suite, evals] of bySuite) {
      const metric = (HEADLINE[evals[0]!.suite.task] ?? ['top1'])[0]!;
      const langs = [...new Set(evals.flatMap((e) => Object.keys(e.per_language)))].sort();
      const chartTitle = `${suite}: ${metric} per language`;
      const series = evals.map((e) => ({ name: `${e.model.name} ${e.model.id.slice(0, 6)}`, values: langs.map((l) => e.per_language[l]?.[metric] ?? NaN) }));
      parts.push(add(`eval-${suite}`, chartTitle, barChart(chartTitle, langs, series, { percent: true })));
    }
    parts.push('</div>');
  }

  if (data.datasets.length > 0) {
    parts.push('<h2>Datasets</h2>');
    parts.push(
      table(
        ['dataset', 'kind', 'rows', 'bytes', 'shards', 'created'],
        data.datasets.map(({ manifest: m }) => [`${m.name}@${m.version}`, m.kind, String(m.stats.rows ?? ''), String(m.stats.bytes ?? ''), String(m.shards.length), m.created_at]),
      ),
    );
    parts.push('<div class="charts">');
    for (const { manifest: m, input } of data.datasets) {
      const ref = `${m.name}@${m.version}`;
      const after = counts(m.stats.by_lang);
      const before = input ? counts(input.stats.by_lang) : null;
      const langs = Object.keys({ ...before, ...after }).sort((a, b) => (after[b] ?? 0) - (after[a] ?? 0)).slice(0, 16);
      const series = before ? [{ name: 'before curation', values: langs.map((l) => before[l] ?? 0) }, { name: 'after curation', values: langs.map((l) => after[l] ?? 0) }] : [{ name: 'rows', values: langs.map((l) => after[l] ?? 0) }];
      parts.push(add(`data-${ref}-lang`, `${ref}: rows by language`, barChart(`${ref}: rows by language`, langs, series)));
      const status = counts(m.stats.by_status);
      if (Object.keys(status).length > 1) parts.push(add(`data-${ref}-status`, `${ref}: rows by status`, barChart(`${ref}: rows by status`, Object.keys(status), [{ name: 'rows', values: Object.values(status) }])));
      const cur = m.stats.curation as { rows_in?: number; rows_out?: number; dropped?: unknown } | undefined;
      if (cur && typeof cur.rows_in === 'number') {
        const dropped = counts(cur.dropped);
        const cats = ['rows in', 'rows out', ...Object.keys(dropped).map((k) => `dropped: ${k}`)];
        const vals = [cur.rows_in, cur.rows_out ?? 0, ...Object.values(dropped)];
        parts.push(add(`data-${ref}-curation`, `${ref}: curation before/after`, barChart(`${ref}: curation before/after`, cats, [{ name: 'rows', values: vals }])));
      }
    }
    parts.push('</div>');
  }
  if (parts.length === 0) parts.push('<p>Nothing to report: no training metrics, evaluation results or datasets were found.</p>');

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ddd;padding:4px 8px;font-size:13px;text-align:left}th{background:#f4f4f4}.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-size:12px;color:#555}</style>
</head><body><h1>${esc(title)}</h1><p>Sources: ${data.sources.map(esc).join(', ')}</p>
${parts.join('\n')}
<script>
// Marks how many charts loaded, and says so on the page (and the console) when any did not.
window.addEventListener('load', () => {
  const imgs = [...document.querySelectorAll('figure img')];
  const broken = imgs.filter((i) => !i.complete || i.naturalWidth === 0);
  document.body.dataset.chartsOk = String(imgs.length - broken.length);
  document.body.dataset.chartsBroken = String(broken.length);
  if (broken.length > 0) {
    const p = document.createElement('p');
    p.textContent = broken.length + ' chart(s) failed to load: ' + broken.map((i) => i.getAttribute('src')).join(', ');
    p.style.color = '#b00';
    document.body.prepend(p);
    console.error('sigforge report: ' + p.textContent);
  }
});
</script>
</body></html>
`;
  return { html, charts };
}
