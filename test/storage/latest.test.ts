// Issue 17 defect 5: `@latest` follows the commit sequence, not the writer's clock, and one invalid manifest is
// skipped and reported instead of breaking `@latest` for the whole name.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  buildManifest,
  commitManifest,
  datasetKeys,
  openStore,
  resolveDataset,
  writeShard,
  type ObjectStore,
  type SkippedVersion,
} from '../../storage/index.js';
import { makeRecords } from './records.js';

async function commitVersion(store: ObjectStore, name: string, version: string, created_at: string): Promise<void> {
  const shard = await writeShard(store, datasetKeys(name, version).shard(0), makeRecords(4, 7, 50));
  const lineage = { inputs: [], config: {}, config_hash: 'c0ffee', code_version: 'test' };
  await commitManifest(store, buildManifest(store, { name, version, kind: 'raw', shards: [shard], lineage, created_at }));
}

describe('@latest (defect 5)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-latest-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const store = openStore(`file://${dir}`);

  it('is the last commit even when its writer clock is behind', async () => {
    await commitVersion(store, 'web', 'a', '2030-01-01T00:00:00.000Z'); // a clock far ahead
    await commitVersion(store, 'web', 'b', '2020-01-01T00:00:00.000Z'); // a clock far behind, committed later
    assert.equal((await resolveDataset(store, 'web@latest')).version, 'b');
    await commitVersion(store, 'web', 'c', '2025-01-01T00:00:00.000Z');
    assert.equal((await resolveDataset(store, 'web@latest')).version, 'c');
  });

  it('skips and reports an invalid manifest instead of failing', async () => {
    await commitVersion(store, 'img', 'good', '2025-01-01T00:00:00.000Z');
    await store.put(datasetKeys('img', 'broken').manifest, new TextEncoder().encode('{"name": "img", "truncated'));
    const skipped: SkippedVersion[] = [];
    const latest = await resolveDataset(store, 'img@latest', { onSkipped: (s) => skipped.push(s) });
    assert.equal(latest.version, 'good');
    assert.deepEqual(skipped.map((s) => s.version), ['broken']);
    assert.match(skipped[0]!.error.message, /manifest\.json: not valid JSON/);
  });

  it('fails naming every invalid version when none is valid', async () => {
    await store.put(datasetKeys('bad', 'v1').manifest, new TextEncoder().encode('{}'));
    await assert.rejects(resolveDataset(store, 'bad@latest'), /dataset bad: no valid version \(v1: .*invalid manifest/);
  });
});
