// Language-ID benchmark: every candidate side by side (each in its own process, with and without a restriction to the
// 25 declared demo languages) on CLDR emoji names and keywords, short captions joined from names, and UDHR sentences.
// Usage: npm run bench -- langid [--max-per-lang N (400; 0 = all)] [--slow-max-per-lang N (40)] [--only SUBSTRING]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEMO_LANGUAGES } from '../pipelines/demo/corpus.js';
import { LANGID_CANDIDATES } from './_langid-candidates.js';
import { LANGID_KINDS } from './_langid-data.js';
import type { WorkerResult } from './_langid-worker.js';

/** The targets: accuracy on names (overall and English), on sentences, and captions per second per core. */
export const LANGID_TARGETS = { namesOverall: 0.85, namesEnglish: 0.9, sentences: 0.97, captionsPerSecond: 20_000 };

function runWorker(name: string, languages: string[] | undefined, maxPerLang: number): Promise<WorkerResult> {
  const file = fileURLToPath(new URL('./_langid-worker.ts', import.meta.url));
  const child = fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ok?: WorkerResult; error?: string }) =>
      m.ok ? resolve(m.ok) : reject(new Error(`langid bench: ${name} failed: ${m.error}`)),
    );
    child.once('exit', (code) => reject(new Error(`langid bench: ${name} worker exited with ${code}`)));
    child.send({ name, languages, maxPerLang });
  });
}

const pct = (right: number, n: number): number => (n > 0 ? Math.round((1000 * right) / n) / 10 : 0);

/** One row of the summary: accuracy per kind (overall and English) and speed. */
function summarize(r: WorkerResult): { [k: string]: unknown } {
  const acc: { [k: string]: unknown } = {};
  for (const kind of LANGID_KINDS) {
    const k = r.kinds[kind]!;
    const en = k.perLang.en ?? [0, 0];
    acc[kind] = { overall: pct(k.right, k.n), en: pct(en[0], en[1]), n: k.n };
  }
  const names = r.kinds.names!;
  const en = names.perLang.en ?? [0, 0];
  const meets =
    names.right / names.n >= LANGID_TARGETS.namesOverall &&
    en[0] / en[1] >= LANGID_TARGETS.namesEnglish &&
    r.kinds.sentences!.right / r.kinds.sentences!.n >= LANGID_TARGETS.sentences &&
    r.perCpuSecond.captions! >= LANGID_TARGETS.captionsPerSecond;
  return {
    candidate: r.candidate,
    pkg: r.pkg,
    restricted: r.restricted,
    max_per_lang: r.maxPerLang,
    ...acc,
    captions_per_cpu_s: Math.round(r.perCpuSecond.captions!),
    names_per_cpu_s: Math.round(r.perCpuSecond.names!),
    captions_per_wall_s: Math.round(r.perSecond.captions!),
    load_ms: Math.round(r.loadMs),
    rss_added_mb: Math.round(r.rssMb),
    meets_targets: meets,
  };
}

function perLanguageTable(r: WorkerResult): { [lang: string]: { [kind: string]: number } } {
  return Object.fromEntries(
    DEMO_LANGUAGES.map((l) => [
      l,
      Object.fromEntries(LANGID_KINDS.map((k) => [k, pct(...(r.kinds[k]!.perLang[l] ?? [0, 0]))])),
    ]),
  );
}

function arg(args: string[], flag: string, fallback: string): string {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

export default async function langidBench(args: string[]): Promise<unknown> {
  const maxPerLang = Number(arg(args, '--max-per-lang', '400'));
  const slowMax = Number(arg(args, '--slow-max-per-lang', '40'));
  const only = arg(args, '--only', '');
  const log = (msg: string): void => void process.stderr.write(`[langid bench] ${msg}\n`);
  const results: WorkerResult[] = [];
  for (const c of LANGID_CANDIDATES.filter((x) => x.name.includes(only))) {
    for (const languages of c.restrictable ? [undefined, [...DEMO_LANGUAGES]] : [undefined]) {
      // Workers run one at a time so each has the core to itself (throughput is per core).
      const r = await runWorker(c.name, languages, c.slow ? slowMax : maxPerLang);
      const s = summarize(r);
      log(
        `${c.name}${languages ? ' [25 declared]' : ''}: ` +
          LANGID_KINDS.map(
            (k) => `${k} ${(s[k] as { overall: number }).overall}% (en ${(s[k] as { en: number }).en}%)`,
          ).join(', ') +
          `; ${s.captions_per_cpu_s} captions/CPU-s (${s.captions_per_wall_s}/wall-s); load ${s.load_ms} ms; +${s.rss_added_mb} MB rss`,
      );
      results.push(r);
    }
  }
  for (const r of results.filter((x) => x.candidate === LANGID_CANDIDATES[0]!.name)) {
    log(
      `per language, ${r.candidate}${r.restricted ? ' [25 declared]' : ''} (names / keywords / captions / sentences %):`,
    );
    for (const [lang, row] of Object.entries(perLanguageTable(r)))
      log(`  ${lang}  ${LANGID_KINDS.map((k) => row[k]).join(' / ')}`);
  }
  return {
    bench: 'langid',
    targets: LANGID_TARGETS,
    languages: DEMO_LANGUAGES,
    note: 'accuracy in %, a string several languages share exactly counts as right for any of them; one process per row',
    summary: results.map(summarize),
    per_language: results.map((r) => ({
      candidate: r.candidate,
      restricted: r.restricted,
      table: perLanguageTable(r),
    })),
  };
}
