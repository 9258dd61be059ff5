import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import {
  InvalidRecordError,
  NotFoundError,
  openStore,
  readShard,
  readShardMetadata,
  type DataRecord,
  type RecordColumn,
  ShardFormatError,
  writeShard,
} from '../../storage/index.js';
import { startMinio, type MinioServer } from '../../workflows/dev/minio.js';
import { countingStore } from './counting-store.js';
import { minioStore } from './minio-store.js';
import { makeRecords } from './records.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'sigforge-shard-'));
const store = openStore(`file://${base}`);

async function readAll<K extends RecordColumn>(key: string, columns?: K[], s = store): Promise<Pick<DataRecord, K>[][]> {
  const batches: Pick<DataRecord, K>[][] = [];
  for await (const b of readShard(s, key, columns ? { columns } : {})) batches.push(b);
  return batches;
}

describe('shards: Record ↔ Parquet', () => {
  after(() => rmSync(base, { recursive: true, force: true }));

  it('round-trips every field exactly, in row groups cut by bytes', async () => {
    const rows = makeRecords(300, 7, 400);
    const info = await writeShard(store, 'rt/part-00000.parquet', rows, { rowGroupBytes: 40_000 });
    assert.equal(info.rows, 300);
    assert.equal(info.bytes, (await store.head('rt/part-00000.parquet'))?.size);
    const expectStatus: { [k: string]: number } = {};
    const expectLang: { [k: string]: number } = {};
    for (const r of rows) {
      expectStatus[r.status] = (expectStatus[r.status] ?? 0) + 1;
      expectLang[r.lang ?? 'und'] = (expectLang[r.lang ?? 'und'] ?? 0) + 1;
    }
    assert.deepEqual(info.by_status, expectStatus);
    assert.deepEqual(info.by_lang, expectLang);
    const batches = await readAll('rt/part-00000.parquet');
    assert.ok(batches.length > 2, `expected several row groups, got ${batches.length}`);
    const meta = await readShardMetadata(store, 'rt/part-00000.parquet');
    assert.deepEqual(
      batches.map((b) => b.length),
      meta.rowGroups.map((g) => g.rows),
    );
    const back = batches.flat();
    assert.equal(back.length, rows.length);
    for (let i = 0; i < rows.length; i++) {
      const got = { ...back[i], image: back[i]?.image ? Buffer.from(back[i]!.image!) : null };
      const want = { ...rows[i], image: rows[i]?.image ? Buffer.from(rows[i]!.image!) : null };
      assert.deepEqual(got, want, `row ${i}`);
    }
    assert.equal(typeof back[0]?.phash, 'bigint');
    assert.equal(back[0]?.phash, (1n << 64n) - 1n);
  });

  it('reads projected columns without fetching image bytes', async () => {
    const rows = makeRecords(200, 3, 20_000);
    const info = await writeShard(store, 'proj/p.parquet', rows, { rowGroupBytes: 1_000_000 });
    const counted = countingStore(store);
    const batches = await readAll('proj/p.parquet', ['id', 'status', 'lang'], counted);
    const back = batches.flat();
    assert.deepEqual(
      back,
      rows.map((r) => ({ id: r.id, status: r.status, lang: r.lang })),
    );
    assert.ok(counted.bytesRead < info.bytes / 20, `read ${counted.bytesRead} of ${info.bytes} bytes`);
  });

  it('writes an empty shard that reads back as no rows', async () => {
    const info = await writeShard(store, 'empty/e.parquet', []);
    assert.equal(info.rows, 0);
    assert.deepEqual(await readAll('empty/e.parquet'), []);
  });

  it('accepts an async iterable of rows', async () => {
    const rows = makeRecords(20, 9);
    async function* gen(): AsyncIterable<DataRecord> {
      yield* rows;
    }
    const info = await writeShard(store, 'async/a.parquet', gen());
    assert.equal(info.rows, 20);
    assert.equal((await readAll('async/a.parquet', ['id'])).flat().length, 20);
  });

  it('writes records built without `extra` with it null; reading only `extra` works', async () => {
    const rows = makeRecords(6, 12).map(({ extra: _, ...r }) => r);
    await writeShard(store, 'noextra/a.parquet', rows);
    const back = (await readAll('noextra/a.parquet', ['id', 'extra'])).flat();
    assert.deepEqual(back, rows.map((r) => ({ id: r.id, extra: null })));
    const withExtra = makeRecords(6, 12);
    await writeShard(store, 'extra/a.parquet', withExtra);
    assert.deepEqual((await readAll('extra/a.parquet', ['extra'])).flat(), withExtra.map((r) => ({ extra: r.extra })));
  });

  it('rejects a bad record naming row and field, and writes nothing', async () => {
    const cases: [Partial<DataRecord>, string, RegExp][] = [
      [{ status: 'exploded' as DataRecord['status'] }, 'status', /"exploded" is not one of ok, /],
      [{ phash: -1n }, 'phash', /\[0, 2\^64\)/],
      [{ width: 1.5 }, 'width', /integer/],
      [{ image: 'jpeg' as unknown as Uint8Array }, 'image', /Uint8Array/],
      [{ alt_captions: null as unknown as string[] }, 'alt_captions', /array of strings/],
      [{ fetched_at: Number.NaN }, 'fetched_at', /integer milliseconds/],
      [{ extra: '{"license": cc-by}' }, 'extra', /not valid JSON/],
      [{ extra: '["cc-by"]' }, 'extra', /must be a JSON object/],
      [{ extra: { license: 'cc-by' } as unknown as string }, 'extra', /JSON object text or null/],
    ];
    for (const [patch, field, why] of cases) {
      const rows = makeRecords(5, 11);
      rows[3] = { ...rows[3]!, ...patch };
      await assert.rejects(writeShard(store, 'bad/b.parquet', rows), (err: unknown) => {
        assert.ok(err instanceof InvalidRecordError, String(err));
        assert.equal(err.row, 3);
        assert.equal(err.field, field);
        assert.match(err.message, /bad\/b\.parquet: row 3 field/);
        assert.match(err.message, why);
        return true;
      });
      assert.equal(await store.head('bad/b.parquet'), null);
    }
  });

  describe('damaged files → ShardFormatError naming the file and the invariant', () => {
    let good: Buffer;
    before(async () => {
      await writeShard(store, 'dmg/good.parquet', makeRecords(50, 5, 2000));
      good = readFileSync(path.join(base, 'dmg/good.parquet'));
    });
    const expectFormatError = async (key: string, pattern: RegExp): Promise<void> => {
      await assert.rejects(readAll(key), (err: unknown) => {
        assert.ok(err instanceof ShardFormatError, String(err));
        assert.ok(err.message.includes(store.uri(key)), err.message);
        assert.match(err.message, pattern);
        return true;
      });
    };

    it('truncated', async () => {
      writeFileSync(path.join(base, 'dmg/trunc.parquet'), good.subarray(0, Math.floor(good.length / 2)));
      await expectFormatError('dmg/trunc.parquet', /expected the PAR1 magic \(truncated\?\)/);
      writeFileSync(path.join(base, 'dmg/tiny.parquet'), good.subarray(0, 7));
      await expectFormatError('dmg/tiny.parquet', /7 bytes; a Parquet file has at least 12/);
    });

    it('not Parquet at all', async () => {
      writeFileSync(path.join(base, 'dmg/text.parquet'), 'this is not a parquet file, just text');
      await expectFormatError('dmg/text.parquet', /expected the PAR1 magic \(not Parquet\?\)/);
    });

    it('footer length beyond the file', async () => {
      const bad = Buffer.from(good);
      bad.writeUInt32LE(good.length * 2, good.length - 8);
      writeFileSync(path.join(base, 'dmg/footlen.parquet'), bad);
      await expectFormatError('dmg/footlen.parquet', /footer length \d+ exceeds the \d+ bytes available/);
    });

    it('garbage in the footer', async () => {
      const bad = Buffer.from(good);
      const footerLength = good.readUInt32LE(good.length - 8);
      bad.fill(0xff, good.length - 8 - footerLength, good.length - 8 - footerLength + 64);
      writeFileSync(path.join(base, 'dmg/footer.parquet'), bad);
      await expectFormatError('dmg/footer.parquet', /footer does not decode|outside the data region|column \w+/);
    });

    it('garbage in a data page', async () => {
      const meta = await readShardMetadata(store, 'dmg/good.parquet');
      const chunk = meta.metadata.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === 'caption')!;
      const start = Number(chunk.meta_data!.dictionary_page_offset ?? chunk.meta_data!.data_page_offset);
      const bad = Buffer.from(good);
      bad.fill(0xfe, start, start + 24);
      writeFileSync(path.join(base, 'dmg/page.parquet'), bad);
      await expectFormatError('dmg/page.parquet', /row group 0 \(rows 0\.\.50\) does not decode/);
    });

    it('a Parquet file that is not a Record shard', async () => {
      const out = new ByteWriter();
      const w = new ParquetWriter({
        writer: out,
        schema: [
          { name: 'schema', num_children: 1 },
          { name: 'x', type: 'INT32', repetition_type: 'REQUIRED' },
        ],
      });
      void w.write({ columnData: [{ name: 'x', data: [1, 2] }] });
      void w.finish();
      writeFileSync(path.join(base, 'dmg/other.parquet'), out.getBytes());
      await expectFormatError('dmg/other.parquet', /column id is missing \(not a Record shard\?\)/);
    });

    it('missing shard → NotFoundError naming it', async () => {
      await assert.rejects(readAll('dmg/nope.parquet'), (err: unknown) => {
        assert.ok(err instanceof NotFoundError);
        assert.match(err.message, /dmg\/nope\.parquet: shard not found/);
        return true;
      });
    });
  });
});

describe('shards on MinIO', () => {
  let minio: MinioServer;
  before(async () => {
    minio = await startMinio();
  });
  after(async () => {
    await minio?.stop();
  });

  it('write, full read, and a metadata-only read over ranged GETs that skips the images', async () => {
    const s3 = minioStore(minio);
    const rows = makeRecords(150, 21, 30_000);
    const info = await writeShard(s3, 'shards/part-00000.parquet', rows, { rowGroupBytes: 2_000_000 });
    // Below the multipart threshold the object carries its sha256, and get() verifies it.
    assert.equal((await s3.head('shards/part-00000.parquet'))?.sha256, info.sha256);
    const whole = await s3.get('shards/part-00000.parquet');
    assert.equal(createHash('sha256').update(whole).digest('hex'), info.sha256);
    const full = (await readAll('shards/part-00000.parquet', undefined, s3)).flat();
    assert.equal(full.length, 150);
    assert.deepEqual(Buffer.from(full[7]!.image ?? []), Buffer.from(rows[7]!.image ?? []));
    const counted = countingStore(s3);
    const meta = (await readAll('shards/part-00000.parquet', ['id', 'status', 'phash'], counted)).flat();
    assert.deepEqual(
      meta,
      rows.map((r) => ({ id: r.id, status: r.status, phash: r.phash })),
    );
    assert.ok(counted.bytesRead < info.bytes / 20, `fetched ${counted.bytesRead} of ${info.bytes} bytes`);
  });

  it('a bad record mid-stream keeps its type and leaves nothing visible, even past the multipart threshold', async () => {
    const s3 = minioStore(minio, { multipartThreshold: 5 * 1024 * 1024 });
    const rows = makeRecords(400, 4, 30_000);
    rows[390] = { ...rows[390]!, status: 'nope' as DataRecord['status'] };
    await assert.rejects(writeShard(s3, 'bad/part.parquet', rows, { rowGroupBytes: 1_000_000 }), (err: unknown) => {
      assert.ok(err instanceof InvalidRecordError, String(err));
      assert.equal(err.row, 390);
      return true;
    });
    assert.equal(await s3.head('bad/part.parquet'), null);
  });
});
