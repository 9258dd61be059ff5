// The object-storage SourceIO, with a local store standing in for the bucket (counting what it fetches): ranged
// Parquet reads, tar scans served from blocks, reads across block edges, errors naming the URI. The same sources on
// a real MinIO are in s3-sources.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { openStore, StoreAccessError } from '../../../storage/index.js';
import { IngestInputError } from '../../../pipelines/ingest/errors.js';
import { openSource } from '../../../pipelines/ingest/sources/registry.js';
import { BLOCK_BYTES, storeSourceIO } from '../../../pipelines/ingest/sources/store-io.js';
import { sourceIO } from '../../../pipelines/ingest/sources/io.js';
import { readAheadReader } from '../../../pipelines/ingest/sources/read-ahead.js';
import { type SourceRow } from '../../../pipelines/ingest/sources/types.js';
import { countingStore } from '../../storage/counting-store.js';
import { tarOf } from './tar-fixture.js';

async function all(it: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const plain = (rows: SourceRow[]): unknown[] => rows.map(({ load: _, ...r }) => r);

describe('object-storage SourceIO (a local store standing in for a bucket)', () => {
  let dir: string;
  let store: ReturnType<typeof countingStore>;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-storeio-'));
    store = countingStore(openStore(`file://${dir}`));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const io = () => storeSourceIO(() => store);

  it('reads a Parquet list by ranges: the unselected big column is never fetched', async () => {
    const n = 2000;
    const url = Array.from({ length: n }, (_, i) => `http://a/${i}.jpg`);
    const caption = url.map((_, i) => `caption ${i}`);
    const blob = url.map(() => randomBytes(2000).toString('base64'));
    const bytes = Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'url', data: url, type: 'STRING' },
          { name: 'caption', data: caption, type: 'STRING' },
          { name: 'blob', data: blob, type: 'STRING' },
        ],
        rowGroupSize: 500,
      }),
    );
    mkdirSync(path.join(dir, 'lists'), { recursive: true });
    writeFileSync(path.join(dir, 'lists', 'urls.parquet'), bytes);
    store.bytesRead = 0;
    const src = await openSource('s3://bucket/lists/urls.parquet', undefined, {}, io());
    assert.equal(await src.count(), n);
    const rows = await all(src.rows(1200, 1210));
    assert.deepEqual(rows.map((r) => r.url), url.slice(1200, 1210));
    assert.deepEqual(rows.map((r) => r.caption), caption.slice(1200, 1210));
    assert.ok(store.bytesRead < bytes.length / 4, `read ${store.bytesRead} of ${bytes.length} bytes`);
    // The same file on local disk gives the same rows.
    const local = await openSource(path.join(dir, 'lists', 'urls.parquet'));
    assert.deepEqual(plain(await all(local.rows(1200, 1210))), plain(rows));
  });

  it('scans a tar with one request per block, not one per member; rows carry s3:// URIs', async () => {
    const members: [string, Uint8Array | string][] = [];
    for (let i = 0; i < 300; i++) {
      members.push([`${String(i).padStart(5, '0')}.jpg`, randomBytes(700)]);
      members.push([`${String(i).padStart(5, '0')}.txt`, `caption ${i}`]);
    }
    const bytes = tarOf(members);
    mkdirSync(path.join(dir, 'shards'), { recursive: true });
    writeFileSync(path.join(dir, 'shards', '00000.tar'), bytes);
    store.requests = 0;
    const src = await openSource('s3://bucket/shards', 'webdataset', {}, io());
    assert.equal(await src.count(), 300);
    const blocks = Math.ceil(bytes.length / BLOCK_BYTES);
    assert.ok(store.requests <= blocks + 1, `${store.requests} requests for ${blocks} blocks and 600 members`);
    const rows = await all(src.rows(298, 300));
    assert.deepEqual(rows.map((r) => [r.url, r.caption]), [
      ['s3://bucket/shards/00000.tar#00298.jpg', 'caption 298'],
      ['s3://bucket/shards/00000.tar#00299.jpg', 'caption 299'],
    ]);
    assert.deepEqual(Buffer.from(await rows[1]!.load!()), Buffer.from(members[599 - 1]![1]));
  });

  it('read-ahead serves small reads from blocks (across block edges too) and large ones exactly', async () => {
    const bytes = randomBytes(BLOCK_BYTES * 2 + 777);
    writeFileSync(path.join(dir, 'blob.bin'), bytes);
    const s = io();
    const read = readAheadReader(s);
    store.requests = 0;
    store.bytesRead = 0;
    for (const [offset, length] of [
      [BLOCK_BYTES - 10, 20],
      [0, 1],
      [BLOCK_BYTES * 2 + 700, 77],
      [5, 512],
    ] as const) {
      assert.deepEqual(Buffer.from(await read('s3://bucket/blob.bin', offset, length)), bytes.subarray(offset, offset + length));
    }
    assert.equal(store.requests, 3, 'three blocks, each fetched once');
    store.bytesRead = 0;
    const big = await read('s3://bucket/blob.bin', BLOCK_BYTES - 5, 300_000);
    assert.deepEqual(Buffer.from(big), bytes.subarray(BLOCK_BYTES - 5, BLOCK_BYTES - 5 + 300_000));
    assert.equal(store.bytesRead, 300_000, 'large reads are fetched exactly');
    assert.deepEqual(Buffer.from(await s.readFile('s3://bucket/blob.bin')), bytes);
    await assert.rejects(read('s3://bucket/blob.bin', BLOCK_BYTES * 2 + 700, 100), /s3:\/\/bucket\/blob\.bin: range .* past the end/);
    // Local disk has no read-ahead: the reader reads exactly.
    assert.deepEqual(Buffer.from(await readAheadReader(sourceIO())(path.join(dir, 'blob.bin'), 3, 4)), bytes.subarray(3, 7));
  });

  it('lists folders as s3:// URIs and tells objects from prefixes', async () => {
    const s = io();
    assert.equal(await s.isDirectory('s3://bucket/shards'), true);
    assert.equal(await s.isDirectory('s3://bucket/blob.bin'), false);
    assert.deepEqual(await s.listFiles('s3://bucket/shards'), ['s3://bucket/shards/00000.tar']);
  });

  it('errors name the URI: missing object, a bucket with no key, access denied; no S3 access at all', async () => {
    await assert.rejects(openSource('s3://bucket/lists/missing.csv', undefined, {}, io()).then((s) => s.count()), (e: unknown) => {
      assert.ok(e instanceof IngestInputError, String(e));
      assert.equal(e.message, 's3://bucket/lists/missing.csv: no such object');
      return true;
    });
    await assert.rejects(io().size('s3://bucket'), /s3:\/\/bucket: names a bucket, not an object/);
    const denied = storeSourceIO(() => {
      throw new StoreAccessError('get s3://locked/a.csv: access denied by the server (AccessDenied (HTTP 403))');
    });
    await assert.rejects(denied.readFile('s3://locked/a.csv'), /^IngestInputError: s3:\/\/locked\/a\.csv: access denied by the server/);
    await assert.rejects(
      openSource('s3://bucket/lists/urls.parquet').then((s) => s.count()),
      /s3:\/\/bucket\/lists\/urls\.parquet: reading an s3:\/\/ source needs S3 access/,
    );
    await assert.rejects(openSource('gs://bucket/a.csv', undefined, {}, sourceIO()), /gs:\/\/bucket\/a\.csv: unsupported scheme/);
  });
});
