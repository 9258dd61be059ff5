import { type Command } from 'commander';
import { storesFromConfig } from '../../config.js';
import { writeReport } from '../../report/write-report.js';
import { commandConfig } from '../context.js';

/** `sigforge report <ref...>`: writes a static HTML report with PNG/SVG charts. */
export function register(program: Command): void {
  program
    .command('report')
    .description('write a static HTML report (training curves, evaluation tables and per-language bars, dataset and curation charts)')
    .argument(
      '<ref...>',
      'training run, evaluation run (summary.json), dataset version or storage root: file:// or s3:// URIs, local paths (/abs, ./rel) or paths under the storage root (runs/x)',
    )
    .option('--out <dir>', 'where to write index.html and charts/ (default <first ref>/report)')
    .option('--title <text>', 'page title', 'sigforge report')
    .action(async (refs: string[], o: { out?: string; title: string }, command: Command) => {
      const stores = storesFromConfig(commandConfig(command));
      const sources = refs.map((r) => stores.resolve(r));
      const out = o.out ? stores.resolve(o.out) : `${sources[0]!}/report`;
      const r = await writeReport(sources, out, { title: o.title, stores });
      console.log(`${r.uri} (${r.charts} charts)`);
    });
}
