// One language-ID candidate scored in its own process (so its memory is its own): loads it, identifies every test
// string, and sends accuracy per kind and language, throughput and memory back to the parent over IPC.
import { performance } from 'node:perf_hooks';
import { LANGID_CANDIDATES } from './_langid-candidates.js';
import { LANGID_KINDS, langidItems, type LangidKind } from './_langid-data.js';

/** What one run of a candidate reports. */
export interface WorkerResult {
  candidate: string;
  pkg: string;
  restricted: boolean;
  maxPerLang: number;
  loadMs: number;
  /** Resident memory the candidate added (after loading and scoring, minus before loading). */
  rssMb: number;
  /** Strings identified per second on one core, per kind. */
  perSecond: { [kind: string]: number };
  /**
   * Strings identified per second of this process's CPU time, per kind: the per-core rate even when the machine is
   * shared (wall-clock rates fall with every other process that runs meanwhile).
   */
  perCpuSecond: { [kind: string]: number };
  kinds: { [kind: string]: { n: number; right: number; perLang: { [lang: string]: [right: number, n: number] } } };
}

async function run(name: string, languages: string[] | undefined, maxPerLang: number): Promise<WorkerResult> {
  const c = LANGID_CANDIDATES.find((x) => x.name === name);
  if (!c) throw new Error(`langid worker: unknown candidate ${name}`);
  const sets = Object.fromEntries(LANGID_KINDS.map((k) => [k, langidItems(k, maxPerLang)])) as {
    [k in LangidKind]: ReturnType<typeof langidItems>;
  };
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const lid = await c.load(languages);
  lid.identify('warm up: a dog in the park');
  const loadMs = performance.now() - t0;
  const out: WorkerResult = {
    candidate: c.name,
    pkg: c.pkg,
    restricted: !!languages,
    maxPerLang,
    loadMs,
    rssMb: 0,
    perSecond: {},
    perCpuSecond: {},
    kinds: {},
  };
  for (const kind of LANGID_KINDS) {
    const items = sets[kind];
    const got: (string | null)[] = new Array(items.length);
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < items.length; i++) got[i] = lid.identify(items[i]!.text);
    let dt = (performance.now() - t) / 1000;
    let done = items.length;
    // Short sets finish in milliseconds: repeat until a second has passed so the rate is not timer noise.
    while (dt < 1) {
      for (let i = 0; i < items.length; i++) lid.identify(items[i]!.text);
      done += items.length;
      dt = (performance.now() - t) / 1000;
    }
    out.perSecond[kind] = done / dt;
    const cpu = process.cpuUsage(cpu0);
    out.perCpuSecond[kind] = done / ((cpu.user + cpu.system) / 1e6);
    const perLang: { [lang: string]: [number, number] } = {};
    let right = 0;
    items.forEach((it, i) => {
      const ok = got[i] !== null && it.accept.includes(got[i]!);
      const p = (perLang[it.lang] ??= [0, 0]);
      p[1]++;
      if (ok) {
        p[0]++;
        right++;
      }
    });
    out.kinds[kind] = { n: items.length, right, perLang };
  }
  out.rssMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
  lid.dispose();
  return out;
}

process.once('message', (msg: { name: string; languages?: string[]; maxPerLang: number }) => {
  run(msg.name, msg.languages, msg.maxPerLang).then(
    (r) => process.send!({ ok: r }, () => process.exit(0)),
    (e: unknown) => process.send!({ error: String((e as Error).stack ?? e) }, () => process.exit(1)),
  );
});
