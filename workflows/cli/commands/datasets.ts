import type { Command } from 'commander';
import {
  closeStore,
  datasetLineage,
  type LineageNode,
  listDatasets,
  resolveDataset,
  verifyDataset,
} from '../../../storage/index.js';
import { storesFromConfig } from '../../config.js';
import { commandConfig } from '../context.js';
import { toJson } from './shards.js';

function lineageLines(node: LineageNode, depth = 0): string[] {
  const when = node.missing ? 'manifest missing' : node.created_at;
  const config = node.config_hash ? `, config ${node.config_hash.slice(0, 12)}` : '';
  const head = `${'  '.repeat(depth)}${depth > 0 ? '← ' : ''}${node.name}@${node.version} (${node.kind}, ${when}${config})`;
  return [head, ...node.inputs.flatMap((i) => lineageLines(i, depth + 1))];
}

/** `sigforge datasets list|show`: the dataset catalog under the storage root. */
export function register(program: Command): void {
  const datasets = program.command('datasets').description('the dataset catalog under the storage root (--root)');
  datasets
    .command('list')
    .description('list datasets and their committed versions')
    .option('--json', 'print JSON (for scripts)')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const config = commandConfig(command);
      const stores = storesFromConfig(config);
      const store = stores.open(stores.rootUri!);
      try {
        const list = await listDatasets(store);
        if (opts.json) console.log(toJson(list));
        else if (list.length === 0) console.log(`no datasets under ${store.rootUri}`);
        else for (const d of list) console.log(`${d.name}\t${d.versions.join(' ')}`);
      } finally {
        closeStore(store);
      }
    });
  datasets
    .command('show <ref>')
    .description('show a dataset version (name, name@latest or name@version): shards, stats and lineage')
    .option('--json', 'print JSON (for scripts)')
    .option('--verify', 'check every shard exists and matches its recorded sha256')
    .action(async (ref: string, opts: { json?: boolean; verify?: boolean }, command: Command) => {
      const config = commandConfig(command);
      const stores = storesFromConfig(config);
      const store = stores.open(stores.rootUri!);
      try {
        const manifest = await resolveDataset(store, ref, {
          onSkipped: ({ version, error }) => console.error(`sigforge datasets show: skipped invalid version ${version}: ${error.message}`),
        });
        const lineage = await datasetLineage(store, `${manifest.name}@${manifest.version}`);
        if (opts.verify) await verifyDataset(store, manifest);
        if (opts.json) {
          console.log(toJson({ manifest, lineage, verified: opts.verify === true }));
          return;
        }
        const stats = manifest.stats as { rows?: number; bytes?: number };
        console.log(`${manifest.name}@${manifest.version} (${manifest.kind}), created ${manifest.created_at}`);
        console.log(`  ${manifest.shards.length} shards, ${stats.rows ?? '?'} rows, ${stats.bytes ?? '?'} bytes`);
        for (const s of manifest.shards) console.log(`  ${s.uri}  ${s.rows} rows  sha256 ${s.sha256.slice(0, 16)}…`);
        console.log(`  config ${manifest.lineage.config_hash}, code ${manifest.lineage.code_version}`);
        console.log('  lineage:');
        for (const line of lineageLines(lineage)) console.log(`    ${line}`);
        if (opts.verify) console.log('  verified: every shard present with its recorded sha256');
      } finally {
        closeStore(store);
      }
    });
}
