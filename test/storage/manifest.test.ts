import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AlreadyExistsError,
  buildManifest,
  ChecksumMismatchError,
  commitManifest,
  datasetKeys,
  datasetLineage,
  listDatasets,
  type Manifest,
  ManifestError,
  NotFoundError,
  type ObjectStore,
  openStore,
  readManifest,
  resolveDataset,
  verifyDataset,
  writeShard,
} from '../../storage/index.js';
import { startMinio, type MinioServer } from '../../workflows/dev/minio.js';
import { minioStore } from './minio-store.js';
import { makeRecords } from './records.js';

const lineage = (inputs: { name: string; version: string }[] = []) => ({
  inputs,
  config: { min_side: 64 },
  config_hash: 'c0ffee',
  code_version: 'test',
});

/** Writes `shards` small shards of a dataset version and returns its (uncommitted) manifest. */
async function writeVersion(
  store: ObjectStore,
  name: string,
  version: string,
  opts: { shards?: number; created_at?: string; inputs?: { name: string; version: string }[] } = {},
): Promise<Manifest> {
  const keys = datasetKeys(name, version);
  const infos = [];
  for (let i = 0; i < (opts.shards ?? 2); i++) {
    infos.push(await writeShard(store, keys.shard(i), makeRecords(10, i + 1, 100)));
  }
  return buildManifest(store, {
    name,
    version,
    kind: opts.inputs ? 'curated' : 'raw',
    shards: infos,
    lineage: lineage(opts.inputs),
    ...(opts.created_at ? { created_at: opts.created_at } : {}),
  });
}

function manifestContract(makeStore: () => ObjectStore): void {
  it('commits, reads back validated, lists, resolves @latest and @version, and shows lineage', async () => {
    const s = makeStore();
    const v1 = await writeVersion(s, 'web', 'v1', { created_at: '2026-01-01T00:00:00.000Z' });
    await commitManifest(s, v1);
    const v2 = await writeVersion(s, 'web', 'v2', { created_at: '2026-02-01T00:00:00.000Z' });
    await commitManifest(s, v2);
    const cur = await writeVersion(s, 'web-curated', 'h-abc', { shards: 1, inputs: [{ name: 'web', version: 'v2' }] });
    await commitManifest(s, cur);
    // An uncommitted version (shards but no manifest) does not exist.
    await writeVersion(s, 'web', 'v3-uncommitted', { created_at: '2027-01-01T00:00:00.000Z' });

    // The store adds the commit sequence number at commit.
    assert.deepEqual(await readManifest(s, 'web', 'v1'), { ...v1, commit_seq: 1 });
    assert.equal(v1.stats.rows, 20);
    assert.deepEqual(v1.shards[0]?.uri, s.uri('datasets/web/v1/shards/part-00000.parquet'));
    assert.deepEqual(await listDatasets(s), [
      { name: 'web', versions: ['v1', 'v2'] },
      { name: 'web-curated', versions: ['h-abc'] },
    ]);
    assert.equal((await resolveDataset(s, 'web@latest')).version, 'v2');
    assert.equal((await resolveDataset(s, 'web')).version, 'v2');
    assert.equal((await resolveDataset(s, 'web@v1')).version, 'v1');
    await assert.rejects(resolveDataset(s, 'web@v3-uncommitted'), NotFoundError);
    await assert.rejects(resolveDataset(s, 'nothing@latest'), /dataset nothing: no committed versions/);
    const tree = await datasetLineage(s, 'web-curated@latest');
    assert.equal(tree.kind, 'curated');
    assert.deepEqual(
      tree.inputs.map((i) => [i.name, i.version, i.kind]),
      [['web', 'v2', 'raw']],
    );
    await verifyDataset(s, v2);
  });

  it('two writers committing the same version concurrently: exactly one wins, the other gets AlreadyExistsError', async () => {
    const s = makeStore();
    const a = await writeVersion(s, 'race', 'v1', { shards: 1 });
    const b = { ...a, stats: { ...a.stats, writer: 'b' } };
    const results = await Promise.allSettled([
      commitManifest(s, { ...a, stats: { ...a.stats, writer: 'a' } }),
      commitManifest(s, b),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.ok(lost?.reason instanceof AlreadyExistsError, String(lost?.reason));
    assert.match(lost.reason.message, /dataset race@v1: already committed/);
    const winner = results[0]?.status === 'fulfilled' ? 'a' : 'b';
    assert.equal((await readManifest(s, 'race', 'v1')).stats.writer, winner);
  });

  it('a manifest pointing at a missing shard, or a shard whose checksum differs: errors name both', async () => {
    const s = makeStore();
    const m = await writeVersion(s, 'broken', 'v1', { shards: 2 });
    const manifestUri = s.uri('datasets/broken/v1/manifest.json');
    await commitManifest(s, m);
    // Replace shard 1 with different bytes of the same length.
    const shardKey = m.shards[1]!.key;
    const original = await s.get(shardKey);
    const tampered = Uint8Array.from(original);
    tampered[100] = (tampered[100]! + 1) % 256;
    await s.put(shardKey, tampered);
    await assert.rejects(verifyDataset(s, m), (err: unknown) => {
      assert.ok(err instanceof ChecksumMismatchError, String(err));
      assert.ok(err.message.includes(manifestUri) && err.message.includes(s.uri(shardKey)), err.message);
      return true;
    });
    await s.delete(shardKey);
    await assert.rejects(verifyDataset(s, m, { deep: false }), (err: unknown) => {
      assert.ok(err instanceof ManifestError, String(err));
      assert.ok(err.message.includes(manifestUri) && err.message.includes(s.uri(shardKey)), err.message);
      assert.match(err.message, /which does not exist/);
      return true;
    });
    // Committing a manifest whose shard is missing is refused.
    const again = { ...m, version: 'v2' };
    await assert.rejects(commitManifest(s, again), /lists shard .*part-00001\.parquet, which does not exist/);
    assert.equal(await s.head('datasets/broken/v2/manifest.json'), null);
  });
}

describe('manifests and catalog on disk', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'sigforge-manifest-'));
  let n = 0;
  after(() => rmSync(base, { recursive: true, force: true }));
  manifestContract(() => openStore(`file://${base}/s${n++}`));

  it('rejects invalid manifests with each issue and its path', async () => {
    const s = openStore(`file://${base}/invalid`);
    const keys = datasetKeys('bad', 'v1');
    await s.put(keys.manifest, new TextEncoder().encode('{"name": "bad", "version": "v1", "kind": "weird"}'));
    await assert.rejects(readManifest(s, 'bad', 'v1'), (err: unknown) => {
      assert.ok(err instanceof ManifestError);
      assert.match(err.message, /manifest\.json: invalid manifest: kind: .*; schema_version: /);
      return true;
    });
    writeFileSync(path.join(base, 'invalid', keys.manifest), '{not json');
    await assert.rejects(readManifest(s, 'bad', 'v1'), /manifest\.json: not valid JSON/);
    assert.throws(() => datasetKeys('../etc', 'v1'), /dataset name "\.\.\/etc"/);
    assert.throws(() => datasetKeys('ok', 'latest'), /"latest" is reserved/);
  });
});

describe('manifests and catalog on MinIO', () => {
  let minio: MinioServer;
  before(async () => {
    minio = await startMinio();
  });
  after(async () => {
    await minio?.stop();
  });
  manifestContract(() => minioStore(minio));
});
