import type { Command } from 'commander';
import { closeStore, inspectShard, type ShardInspection, splitObjectUri } from '../../../storage/index.js';
import { storesFromConfig } from '../../config.js';
import { commandConfig, intFlag } from '../context.js';

/** JSON.stringify that writes bigints (phash) as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
const counts = (c: { [k: string]: number }): string =>
  Object.entries(c)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || '(none)';

/** Formats a shard summary for people. */
export function formatSummary(s: ShardInspection): string {
  const lines = [
    `shard ${s.uri}`,
    `  ${mb(s.bytes)}, ${s.rows} rows, ${s.row_groups.length} row groups, schema v${s.schema_version}` +
      (s.created_by ? `, written by ${s.created_by}` : ''),
    '  row groups:',
    ...s.row_groups.map(
      (g, i) => `    #${i}: ${g.rows} rows, ${mb(g.uncompressed_bytes)} (${mb(g.compressed_bytes)} stored)`,
    ),
    '  columns:',
    ...s.columns.map((c) => {
      const el = s.schema.find((e) => e.name === c.name);
      const type = el ? `${el.type}${el.logical ? `/${el.logical}` : ''} ${el.repetition.toLowerCase()}` : '';
      return `    ${c.name.padEnd(12)} ${type.padEnd(28)} ${mb(c.compressed_bytes).padStart(12)} ${c.codec}`;
    }),
    `  by status: ${counts(s.by_status)}`,
    `  by lang:   ${counts(s.by_lang)}`,
    `  sample rows (${s.samples.length}, without image bytes):`,
    ...s.samples.map((r) => `    ${toJson(r).replace(/\n\s*/g, ' ')}`),
  ];
  return lines.join('\n');
}


/** `sigforge shards inspect <uri>`: schema, rows, row groups, sizes, counts by status and language, sample rows. */
export function register(program: Command): void {
  const shards = program.command('shards').description('look inside Parquet shards');
  shards
    .command('inspect <uri>')
    .description('show a shard: schema, rows, row groups, sizes, counts by status and language, sample rows')
    .option('--json', 'print one JSON object (for scripts)')
    .option('--samples <n>', 'sample rows to show (no image bytes)', '3')
    .action(async (uri: string, opts: { json?: boolean; samples: string }, command: Command) => {
      const samples = intFlag(opts.samples, '--samples', 0, 1000);
      const config = commandConfig(command);
      const stores = storesFromConfig(config);
      const { rootUri, key } = splitObjectUri(stores.resolve(uri));
      const store = stores.open(rootUri);
      try {
        const summary = await inspectShard(store, key, { samples });
        console.log(opts.json ? toJson(summary) : formatSummary(summary));
      } finally {
        closeStore(store);
      }
    });
}
