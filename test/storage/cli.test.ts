// The storage CLI verbs (`shards inspect`, `datasets list|show`) run in-process on a real local store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { buildManifest, commitManifest, datasetKeys, openStore, writeShard } from '../../storage/index.js';
import { addGlobalOptions } from '../../workflows/cli/context.js';
import { register as registerDatasets } from '../../workflows/cli/commands/datasets.js';
import { register as registerShards } from '../../workflows/cli/commands/shards.js';
import { makeRecords } from './records.js';

/** Runs `sigforge <args>` with only the storage verbs registered and returns what it printed. */
async function run(args: string[]): Promise<string> {
  const program = addGlobalOptions(new Command('sigforge'));
  registerShards(program);
  registerDatasets(program);
  program.exitOverride();
  const lines: string[] = [];
  // The commands print with console.log; capture it for the duration of the run.
  /* eslint-disable no-console */
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    await program.parseAsync(['node', 'sigforge', ...args]);
  } finally {
    console.log = log;
  }
  /* eslint-enable no-console */
  return lines.join('\n');
}

describe('CLI: shards inspect, datasets list/show', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'sigforge-cli-'));
  const root = `file://${base}`;
  const rows = makeRecords(40, 8, 500);
  after(() => rmSync(base, { recursive: true, force: true }));
  before(async () => {
    const store = openStore(root);
    const keys = datasetKeys('web', 'v1');
    const info = await writeShard(store, keys.shard(0), rows, { rowGroupBytes: 8000 });
    await commitManifest(
      store,
      buildManifest(store, {
        name: 'web',
        version: 'v1',
        kind: 'raw',
        shards: [info],
        lineage: { inputs: [], config: {}, config_hash: 'abc123', code_version: 'test' },
      }),
    );
  });

  it('shards inspect --json: rows, row groups, counts and samples without image bytes', async () => {
    const uri = `${root}/datasets/web/v1/shards/part-00000.parquet`;
    const out = JSON.parse(await run(['shards', 'inspect', uri, '--json', '--samples', '2'])) as {
      rows: number;
      row_groups: unknown[];
      by_status: { [k: string]: number };
      samples: { [k: string]: unknown }[];
      columns: { name: string }[];
    };
    assert.equal(out.rows, 40);
    assert.ok(out.row_groups.length > 1);
    const ok = rows.filter((r) => r.status === 'ok').length;
    assert.equal(out.by_status.ok, ok);
    assert.equal(out.samples.length, 2);
    assert.equal(out.samples[0]?.id, rows[0]?.id);
    assert.ok(!('image' in (out.samples[0] ?? {})));
    assert.equal(out.samples[0]?.phash, rows[0]?.phash?.toString());
    assert.ok(out.columns.some((c) => c.name === 'image'));
  });

  it('shards inspect (human) accepts a plain path', async () => {
    const text = await run(['shards', 'inspect', path.join(base, 'datasets/web/v1/shards/part-00000.parquet')]);
    assert.match(text, /40 rows, \d+ row groups, schema v1/);
    assert.match(text, /by status: ok \d+/);
    assert.match(text, /sample rows \(3, without image bytes\)/);
  });

  it('datasets list and show', async () => {
    assert.equal(await run(['datasets', 'list', '--root', root]), 'web\tv1');
    assert.deepEqual(JSON.parse(await run(['datasets', 'list', '--root', root, '--json'])), [
      { name: 'web', versions: ['v1'] },
    ]);
    const shown = await run(['datasets', 'show', 'web@latest', '--root', root, '--verify']);
    assert.match(shown, /^web@v1 \(raw\)/);
    assert.match(shown, /1 shards, 40 rows/);
    assert.match(shown, /verified/);
  });

  it('a missing shard is a clear error', async () => {
    await assert.rejects(run(['shards', 'inspect', `${root}/nope.parquet`]), /nope\.parquet: shard not found/);
  });
});
