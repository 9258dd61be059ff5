import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Command } from 'commander';
import { writeReport } from '../../report/write-report.js';
import { commandConfig } from '../context.js';

const asUri = (p: string) => (p.includes('://') ? p : pathToFileURL(path.resolve(p)).href);

/** `sigforge report <uri...>`: writes a static HTML report with PNG/SVG charts. */
export function register(program: Command): void {
  program
    .command('report')
    .description('write a static HTML report (training curves, evaluation tables and per-language bars, dataset and curation charts)')
    .argument('<uri...>', 'training run, evaluation run (summary.json), dataset version or storage root; paths or file:// / s3:// URIs')
    .option('--out <dir>', 'where to write index.html and charts/ (default <first uri>/report)')
    .option('--title <text>', 'page title', 'sigforge report')
    .action(async (uris: string[], o: { out?: string; title: string }, command: Command) => {
      const s3 = commandConfig(command).storage.s3;
      const sources = uris.map(asUri);
      const out = o.out ? asUri(o.out) : `${sources[0]!.replace(/\/+$/, '')}/report`;
      const r = await writeReport(sources, out, { title: o.title, ...(s3 && { store: { s3 } }) });
      console.log(`${r.uri} (${r.charts} charts)`);
    });
}
