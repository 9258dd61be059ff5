// Integration: sources on S3 (a real MinIO), ingested end to end through the ingest activities (plan, every
// partition in a mock activity context, commit) with images from a loopback server, give the same records as the
// same files on local disk. Errors name the URI; the plan's fingerprint follows the S3 object's content.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { openStore, type ObjectStore, type DataRecord, type S3Options } from '../../../storage/index.js';
import { createIngestActivities } from '../../../workflows/ingest/activities.js';
import { type IngestInput } from '../../../workflows/ingest/shared.js';
import { startMinio, type MinioServer } from '../../../workflows/dev/minio.js';
import { emojiBytes, emojiNames, startFaultServer, type FaultServer } from './fault-server.js';
import { readDataset } from './read-dataset.js';
import { tarOf } from './tar-fixture.js';

/** What must match between an S3 and a local ingest of the same file (id and source name the source URI). */
function comparable(r: DataRecord): unknown {
  const { id: _id, source: _source, fetched_at: _at, ...rest } = r;
  return { ...rest, image: r.image && Buffer.from(r.image).toString('base64') };
}

describe('S3 sources (real MinIO): CSV, Parquet, WebDataset tars and folders ingest like local files', () => {
  let minio: MinioServer;
  let server: FaultServer;
  let dir: string;
  let store: ObjectStore;
  let s3: S3Options;
  let activities: ReturnType<typeof createIngestActivities>;
  const names = emojiNames(6);
  const bucket = 'sigforge-sources';

  /** Writes a file both on local disk (under dir/local) and to the bucket (a plain PUT, as the AWS CLI would). */
  async function both(key: string, body: Uint8Array | string): Promise<{ local: string; s3: string }> {
    const local = path.join(dir, 'local', key);
    mkdirSync(path.dirname(local), { recursive: true });
    writeFileSync(local, body);
    const client = minio.client();
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: typeof body === 'string' ? Buffer.from(body) : body }));
    } finally {
      client.destroy();
    }
    return { local, s3: `s3://${bucket}/${key}` };
  }

  const settings = (): Omit<IngestInput, 'name'> => ({
    fetch: { timeoutMs: 2000, retries: 0, concurrency: 4 },
    image: { size: 48, minSide: 16 },
    partitionRows: 4,
    chunkRows: 2,
  });

  /** Plans, runs every partition (in a mock activity context, as a worker would) and commits; returns the records. */
  async function ingest(input: IngestInput): Promise<DataRecord[]> {
    const plan = await activities.planIngest(input);
    for (let partition = 0; partition < plan.partitions; partition++) {
      await new MockActivityEnvironment().run(activities.ingestPartition, { plan, partition });
    }
    const result = await activities.commitIngest(plan);
    return await readDataset(store, result.name, result.version);
  }

  before(async () => {
    [minio, server] = await Promise.all([startMinio(), startFaultServer()]);
    await minio.createBucket(bucket);
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-s3src-'));
    store = openStore(`file://${dir}/store`);
    s3 = {
      endpoint: minio.endpoint,
      region: minio.region,
      credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
      maxAttempts: 2,
    };
    activities = createIngestActivities({ store, ssrfAllow: ['127.0.0.1/32'], s3 });
  });
  after(async () => {
    await server?.close();
    await minio?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a CSV URL list on S3 gives the records of the same list on disk, extra columns included', async () => {
    const lines = names.map((n, i) => `${server.base}/img/${n},"emoji ${i}, ein Bild",cc-by-${i},${i}`);
    const csv = `url,caption,license,id\n${lines.join('\n')}\n${server.base}/404,missing image,cc0,99\n`;
    const f = await both('lists/urls.csv', csv);
    const sourceOptions = { extraColumns: ['license', 'id'] };
    const fromS3 = await ingest({ ...settings(), source: f.s3, sourceOptions, name: 'csv-s3' });
    const fromDisk = await ingest({ ...settings(), source: f.local, sourceOptions, name: 'csv-local' });
    assert.equal(fromS3.length, names.length + 1);
    assert.deepEqual(fromS3.map(comparable), fromDisk.map(comparable));
    assert.deepEqual(
      fromS3.map((r) => r.status),
      [...names.map(() => 'ok'), 'http_error'],
    );
    assert.ok(fromS3.every((r) => r.source === f.s3));
    assert.deepEqual(JSON.parse(fromS3[2]!.extra!), { license: 'cc-by-2', id: '2' });
    assert.deepEqual(JSON.parse(fromS3.at(-1)!.extra!), { license: 'cc0', id: '99' }, 'failed rows keep their extra columns');
  });

  it('--retry-failed of an S3-sourced dataset fetches the failures again and keeps every extra column', async () => {
    const csv = `url,caption,license\n${server.base}/img/${names[0]},fine,cc0\n${server.base}/down/x1,later,cc-by\n`;
    const f = await both('lists/retry.csv', csv);
    const sourceOptions = { extraColumns: ['license'] };
    const plan = await activities.planIngest({ ...settings(), source: f.s3, sourceOptions, name: 'retry' });
    await new MockActivityEnvironment().run(activities.ingestPartition, { plan, partition: 0 });
    await activities.commitIngest(plan);
    const first = await readDataset(store, 'retry', plan.version);
    assert.deepEqual(first.map((r) => r.status), ['ok', 'http_error']);
    server.down = false;
    try {
      const again = await ingest({ ...settings(), retryFailed: `retry@${plan.version}`, name: 'retry' });
      assert.deepEqual(again.map((r) => r.status), ['ok', 'ok']);
      assert.deepEqual(again.map((r) => r.extra), [JSON.stringify({ license: 'cc0' }), JSON.stringify({ license: 'cc-by' })]);
      assert.deepEqual(again.map((r) => r.id), first.map((r) => r.id));
    } finally {
      server.down = true;
    }
  });

  it('a Parquet URL list on S3 gives the records of the same file on disk', async () => {
    const url = names.map((n) => `${server.base}/img/${n}`);
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'url', data: url, type: 'STRING' },
        { name: 'caption', data: url.map((_, i) => `parquet emoji ${i}`), type: 'STRING' },
        { name: 'license', data: url.map((_, i) => (i % 2 ? 'cc0' : null)), type: 'STRING' },
      ],
      rowGroupSize: 4,
    });
    const f = await both('lists/urls.parquet', new Uint8Array(bytes));
    const sourceOptions = { extraColumns: ['license'] };
    const fromS3 = await ingest({ ...settings(), source: f.s3, sourceOptions, name: 'pq-s3' });
    const fromDisk = await ingest({ ...settings(), source: f.local, sourceOptions, name: 'pq-local' });
    assert.equal(fromS3.length, names.length);
    assert.ok(fromS3.every((r) => r.status === 'ok'));
    assert.deepEqual(fromS3.map(comparable), fromDisk.map(comparable));
    assert.deepEqual(fromS3.map((r) => r.extra), url.map((_, i) => JSON.stringify({ license: i % 2 ? 'cc0' : null })));
  });

  it('WebDataset tars under an S3 prefix give the records of the same folder on disk; rows name their s3:// member', async () => {
    for (const shard of [0, 1]) {
      const members: [string, Uint8Array | string][] = [];
      for (const [i, n] of names.slice(shard * 3, shard * 3 + 3).entries()) {
        const key = `${shard}${String(i).padStart(4, '0')}`;
        members.push([`${key}.png`, emojiBytes(n)]);
        members.push([`${key}.txt`, `tar emoji ${key}`]);
        members.push([`${key}.json`, JSON.stringify({ caption: `tar emoji ${key}`, license: `lic-${key}` })]);
      }
      await both(`shards/0000${shard}.tar`, tarOf(members));
    }
    const sourceOptions = { extraColumns: ['license'] };
    const fromS3 = await ingest({ ...settings(), source: `s3://${bucket}/shards`, format: 'webdataset', sourceOptions, name: 'wds-s3' });
    const local = path.join(dir, 'local', 'shards');
    const fromDisk = await ingest({ ...settings(), source: local, format: 'webdataset', sourceOptions, name: 'wds-local' });
    assert.equal(fromS3.length, 6);
    assert.ok(fromS3.every((r) => r.status === 'ok'), fromS3.map((r) => r.error).join());
    assert.deepEqual(fromS3.map((r) => r.url), [0, 1].flatMap((s) => [0, 1, 2].map((i) => `s3://${bucket}/shards/0000${s}.tar#${s}000${i}.png`)));
    assert.deepEqual(fromDisk.map((r) => r.url), [0, 1].flatMap((s) => [0, 1, 2].map((i) => `tar://${local}/0000${s}.tar#${s}000${i}.png`)));
    const noUrl = (r: DataRecord): unknown => ({ ...(comparable(r) as object), url: null });
    assert.deepEqual(fromS3.map(noUrl), fromDisk.map(noUrl));
    assert.equal(JSON.parse(fromS3[4]!.extra!).license, 'lic-10001');
    // The plan stored rows per tar, so partition 1 (rows 4–5) started at the second tar (see sources.test.ts).
    const plan = await activities.planIngest({ ...settings(), source: `s3://${bucket}/shards`, format: 'webdataset', sourceOptions, name: 'wds-plan' });
    assert.ok(plan.sourceFilesKey, 'a multi-tar source stores its rows per file');
    const files = JSON.parse(new TextDecoder().decode(await store.get(plan.sourceFilesKey))) as { file: string; rows: number }[];
    assert.deepEqual(files, [0, 1].map((sh) => ({ file: `s3://${bucket}/shards/0000${sh}.tar`, rows: 3 })));
  });

  it('a folder of images under an S3 prefix reads like the folder on disk', async () => {
    for (const [i, n] of names.slice(0, 3).entries()) {
      await both(`folder/img${i}.png`, emojiBytes(n));
      await both(`folder/img${i}.txt`, `folder emoji ${i}`);
    }
    const fromS3 = await ingest({ ...settings(), source: `s3://${bucket}/folder`, name: 'folder-s3' });
    const fromDisk = await ingest({ ...settings(), source: path.join(dir, 'local', 'folder'), name: 'folder-local' });
    assert.deepEqual(fromS3.map((r) => r.url), [0, 1, 2].map((i) => `s3://${bucket}/folder/img${i}.png`));
    assert.deepEqual(fromS3.map((r) => [r.caption, r.status, r.sha256]), fromDisk.map((r) => [r.caption, r.status, r.sha256]));
  });

  it('a changed S3 object means a new version; the same one reuses the plan', async () => {
    const a = await both('lists/changing.csv', `url,caption\n${server.base}/img/${names[0]},aaaa\n`);
    const first = await activities.planIngest({ ...settings(), source: a.s3, name: 'changing' });
    const again = await activities.planIngest({ ...settings(), source: a.s3, name: 'changing' });
    assert.equal(again.version, first.version);
    // Same size, different bytes: only the ETag tells them apart.
    await both('lists/changing.csv', `url,caption\n${server.base}/img/${names[0]},bbbb\n`);
    const changed = await activities.planIngest({ ...settings(), source: a.s3, name: 'changing' });
    assert.notEqual(changed.version, first.version);
  });

  it('errors name the URI: missing object, missing bucket, bad credentials, missing extra column', async () => {
    const plan = (source: string, deps = activities, sourceOptions = {}): Promise<unknown> =>
      deps.planIngest({ ...settings(), source, sourceOptions, name: 'bad' });
    await assert.rejects(plan(`s3://${bucket}/lists/nope.csv`), (e: Error) => {
      assert.equal(e.message, `s3://${bucket}/lists/nope.csv: no such object`);
      assert.equal((e as { nonRetryable?: boolean }).nonRetryable, true);
      return true;
    });
    await assert.rejects(plan('s3://no-such-bucket-x/lists/urls.csv'), /^.*s3:\/\/no-such-bucket-x\/lists\/urls\.csv: bucket "no-such-bucket-x" does not exist/);
    const wrongKey = createIngestActivities({
      store,
      s3: { ...s3, credentials: { accessKeyId: 'nobody', secretAccessKey: 'wrong-secret-1234' } },
    });
    await assert.rejects(plan(`s3://${bucket}/lists/urls.csv`, wrongKey), (e: Error) => {
      assert.match(e.message, new RegExp(`^s3://${bucket}/lists/urls\\.csv: access denied by the server .*check the S3 credentials`));
      assert.ok(!e.message.includes('wrong-secret-1234'));
      return true;
    });
    await assert.rejects(
      plan(`s3://${bucket}/lists/urls.csv`, activities, { extraColumns: ['licence'] }),
      new RegExp(`s3://${bucket}/lists/urls\\.csv: no extra column "licence" \\(columns: url, caption, license, id\\)`),
    );
  });
});
