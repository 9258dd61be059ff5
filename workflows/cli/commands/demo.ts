import path from 'node:path';
import type { Command } from 'commander';
import { DEMO_EVAL } from '../../demo/demo-config.js';
import { runDemo } from '../../demo/run-demo.js';
import { collectReportData } from '../../report/collect.js';
import { intFlag } from '../context.js';

/** `sigforge demo`: the whole pipeline on embedded defaults with real multilingual data. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run ingest → curate → train → evaluate → report on real multilingual emoji data, on this machine')
    .option('--minutes <n>', 'training time budget', '15')
    .option('--dir <dir>', 'working folder (data, Temporal state, logs)', path.join('.sigforge', 'demo'))
    .option('--every <n>', 'use every n-th corpus image (quick runs)', '1')
    .option('--eval-classes <n>', 'emoji benchmark classes besides the occupation pairs', String(DEMO_EVAL.emoji.maxClasses))
    .option('--http-port <n>', 'port of the loopback corpus server (a busy port is replaced)', '18080')
    .option('--temporal-port <n>', 'gRPC port of the embedded Temporal dev server', '7233')
    .option('--ui-port <n>', 'web UI port of the embedded Temporal dev server', '8233')
    .action(async (o: { minutes: string; dir: string; every: string; evalClasses: string; httpPort: string; temporalPort: string; uiPort: string }) => {
      const started = Date.now();
      const minutes = Number(o.minutes);
      if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error(`--minutes: expected a number of minutes in (0, 1440], got ${o.minutes}`);
      const { result, reportPath, uiUrl } = await runDemo({
        dir: o.dir,
        minutes,
        every: intFlag(o.every, '--every', 1, 1000),
        evalClasses: intFlag(o.evalClasses, '--eval-classes', 1, 5000),
        httpPort: intFlag(o.httpPort, '--http-port', 1, 65535),
        temporalPort: intFlag(o.temporalPort, '--temporal-port', 1, 65535),
        uiPort: intFlag(o.uiPort, '--ui-port', 1, 65535),
        log: (line) => console.log(line),
      });
      const zs = result.evaluate.results.find((r) => r.task === 'zeroshot');
      const ret = result.evaluate.results.find((r) => r.task === 'retrieval');
      const rb = result.evaluate.results.find((r) => r.task === 'representation_bias');
      const fmt = (m: { [k: string]: number } | undefined) =>
        m ? Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ') : 'n/a';
      console.log('');
      console.log(`sigforge demo finished in ${((Date.now() - started) / 60000).toFixed(1)} min`);
      console.log(`  data:      ${result.ingest.name}@${result.ingest.version} (${result.ingest.ok}/${result.ingest.rows} ok) → ${result.curate.name}@${result.curate.version} (${result.curate.rowsOut} rows)`);
      // The loss curve from the run's metrics (a resumed or already finished run reports no live loss).
      const curves = (await collectReportData([result.train.run])).training;
      const rows = curves.flatMap((c) => c.rows).sort((a, b) => a.step - b.step);
      const avg = (xs: { loss: number }[]) => xs.reduce((s, r) => s + r.loss, 0) / Math.max(1, xs.length);
      const window = Math.max(1, Math.floor(rows.length / 20));
      console.log(`  training:  ${result.train.stages.map((s) => `${s.stage} to step ${s.step}`).join('; ')}`);
      if (rows.length > 0) {
        const sig = (xs: typeof rows) => avg(xs.map((r) => ({ loss: r.sigmoid ?? r.loss })));
        const [head, tail] = [rows.slice(0, window), rows.slice(-window)];
        console.log(
          `  loss:      total ${avg(head).toFixed(3)} → ${avg(tail).toFixed(3)}, sigmoid ${sig(head).toFixed(3)} → ${sig(tail).toFixed(3)}` +
            ` (mean of the first vs last ${window} steps; distillation terms join the total at 80%)`,
        );
      }
      const classes = zs?.metrics.classes;
      const chance = classes ? ` — ${(zs.metrics.top1! * classes).toFixed(1)}× chance (1/${classes}), held-out facebook style, mean of ${DEMO_EVAL.emoji.languages.length} languages` : '';
      console.log(`  zero-shot: ${fmt(zs?.metrics)}${chance}`);
      console.log(`  retrieval: ${fmt(ret?.metrics)}`);
      console.log(`  bias:      ${fmt(rb?.metrics)}`);
      console.log(`  report:    ${reportPath}`);
      console.log(`  Temporal UI (while a dev server runs): ${uiUrl}`);
    });
}
