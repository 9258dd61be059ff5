import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { IngestInputError } from '../../../pipelines/ingest/errors.js';
import { parseDelimited } from '../../../pipelines/ingest/sources/delimited.js';
import { detectFormat, openSource, SOURCE_FORMATS } from '../../../pipelines/ingest/sources/registry.js';
import { localSourceIO } from '../../../pipelines/ingest/sources/io.js';
import { type SourceIO, type SourceRow } from '../../../pipelines/ingest/sources/types.js';
import { emojiBytes, emojiNames } from './fault-server.js';
import { tarOf as tar } from './tar-fixture.js';

async function all(it: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('sources', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-src-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses RFC 4180 quoting', () => {
    assert.deepEqual(parseDelimited('a,b\n"x, ""y""",2\r\n"multi\nline",3\n', ','), [
      ['a', 'b'],
      ['x, "y"', '2'],
      ['multi\nline', '3'],
    ]);
  });

  it('reads CSV with several caption columns, by range', async () => {
    const f = path.join(dir, 'list.csv');
    writeFileSync(f, 'url,caption,caption_de\nhttp://a/1.jpg,a dog,ein Hund\nhttp://a/2.jpg,"a cat, grey",\nhttp://a/3.jpg,,eine Maus\n');
    const src = await openSource(f, undefined, { captionColumns: ['caption', 'caption_de'] });
    assert.equal(await src.count(), 3);
    const rows = await all(src.rows(1, 3));
    assert.deepEqual(
      rows.map((r) => [r.index, r.url, r.caption, r.alt_captions]),
      [
        [1, 'http://a/2.jpg', 'a cat, grey', []],
        [2, 'http://a/3.jpg', 'eine Maus', []],
      ],
    );
    const first = await all(src.rows(0, 1));
    assert.deepEqual(first[0]!.alt_captions, ['ein Hund']);
  });

  it('reads TSV and JSONL (caption arrays become alternatives)', async () => {
    const t = path.join(dir, 'list.tsv');
    writeFileSync(t, 'URL\tTEXT\nhttp://a/1.jpg\thello\n');
    const tsv = await openSource(t, 'tsv', { urlColumn: 'URL', captionColumns: ['TEXT'] });
    assert.deepEqual((await all(tsv.rows(0, 10))).map((r) => r.caption), ['hello']);
    const j = path.join(dir, 'list.jsonl');
    writeFileSync(j, '{"url":"http://a/1.jpg","caption":["one","uno"]}\n\n{"url":"http://a/2.jpg","caption":"two"}\n');
    const rows = await all((await openSource(j)).rows(0, 10));
    assert.deepEqual(rows.map((r) => [r.caption, r.alt_captions]), [
      ['one', ['uno']],
      ['two', []],
    ]);
  });

  it('reads Parquet by row range', async () => {
    const f = path.join(dir, 'list.parquet');
    const url = Array.from({ length: 10 }, (_, i) => `http://a/${i}.jpg`);
    const caption = url.map((_, i) => `caption ${i}`);
    writeFileSync(
      f,
      Buffer.from(
        parquetWriteBuffer({
          columnData: [
            { name: 'url', data: url, type: 'STRING' },
            { name: 'caption', data: caption, type: 'STRING' },
          ],
        }),
      ),
    );
    const src = await openSource(`file://${f}`);
    assert.equal(await src.count(), 10);
    const rows = await all(src.rows(7, 20));
    assert.deepEqual(rows.map((r) => [r.index, r.url, r.caption]), [
      [7, 'http://a/7.jpg', 'caption 7'],
      [8, 'http://a/8.jpg', 'caption 8'],
      [9, 'http://a/9.jpg', 'caption 9'],
    ]);
  });

  it('reads a folder with .txt and .json sidecars', async () => {
    const d = path.join(dir, 'folder');
    mkdirSync(path.join(d, 'sub'), { recursive: true });
    const [a, b] = emojiNames(2) as [string, string];
    writeFileSync(path.join(d, 'a.png'), emojiBytes(a));
    writeFileSync(path.join(d, 'a.txt'), 'first line\nzweite Zeile\n');
    writeFileSync(path.join(d, 'sub', 'b.png'), emojiBytes(b));
    writeFileSync(path.join(d, 'sub', 'b.json'), JSON.stringify({ caption: 'from json' }));
    const src = await openSource(d);
    const rows = await all(src.rows(0, 10));
    assert.deepEqual(rows.map((r) => [r.caption, r.alt_captions]), [
      ['first line', ['zweite Zeile']],
      ['from json', []],
    ]);
    assert.deepEqual(Buffer.from(await rows[1]!.load!()), emojiBytes(b));
    assert.match(rows[0]!.url, /^file:\/\//);
  });

  it('reads WebDataset / img2dataset tar shards', async () => {
    const [a, b] = emojiNames(2) as [string, string];
    const f = path.join(dir, '00000.tar');
    writeFileSync(
      f,
      tar([
        ['000000000.jpg', emojiBytes(a)],
        ['000000000.txt', 'a caption'],
        ['000000000.json', JSON.stringify({ url: 'http://origin/a.jpg', caption: 'a caption' })],
        ['000000001.png', emojiBytes(b)],
        ['000000001.json', JSON.stringify({ caption: 'second' })],
        ['000000002.txt', 'orphan text without image'],
      ]),
    );
    for (const format of ['webdataset', 'img2dataset']) {
      // img2dataset output folders hold tar shards (and parquet/json stats files beside them).
      const src = format === 'webdataset' ? await openSource(f) : await openSource(dir, 'img2dataset');
      const rows = await all(src.rows(0, 10));
      assert.deepEqual(rows.map((r) => [r.url.replace(dir, '<dir>'), r.caption, r.alt_captions]), [
        ['http://origin/a.jpg', 'a caption', []],
        ['tar://<dir>/00000.tar#000000001.png', 'second', []],
      ]);
      assert.deepEqual(Buffer.from(await rows[0]!.load!()), emojiBytes(a));
    }
  });

  it('with the plan\'s rows per tar, a reader starts at the shard of its first row and scans none before it', async () => {
    const wds = path.join(dir, 'wds');
    mkdirSync(wds);
    const names = emojiNames(9);
    // Three shards of 3, 2 and 4 samples.
    const sizes = [3, 2, 4];
    let n = 0;
    sizes.forEach((k, s) => {
      const members: [string, Uint8Array | string][] = [];
      for (let i = 0; i < k; i++, n++) members.push([`${String(n).padStart(6, '0')}.png`, emojiBytes(names[n]!)], [`${String(n).padStart(6, '0')}.txt`, `caption ${n}`]);
      writeFileSync(path.join(wds, `0000${s}.tar`), tar(members));
    });
    const reads = new Map<string, number>();
    const counting: SourceIO = {
      ...localSourceIO,
      readRange: async (p, offset, length) => {
        reads.set(path.basename(p), (reads.get(path.basename(p)) ?? 0) + 1);
        return await localSourceIO.readRange(p, offset, length);
      },
    };
    const planned = await openSource(wds, 'webdataset', {}, counting);
    assert.equal(await planned.count(), 9);
    const fileRows = await planned.fileRows!();
    assert.deepEqual(fileRows.map((f) => [path.basename(f.file), f.rows]), [['00000.tar', 3], ['00001.tar', 2], ['00002.tar', 4]]);
    const expected = (await all(planned.rows(5, 8))).map((r) => [r.index, r.caption, r.url]);
    assert.deepEqual(expected.map((e) => e[1]), ['caption 5', 'caption 6', 'caption 7']);

    reads.clear();
    const hinted = await openSource(wds, 'webdataset', {}, counting, { fileRows });
    assert.deepEqual((await all(hinted.rows(5, 8))).map((r) => [r.index, r.caption, r.url]), expected);
    assert.deepEqual([...reads.keys()].sort(), ['00002.tar'], 'only the shard holding rows 5–7 was read');
    await assert.rejects(async () => await all(hinted.rows(0, 2)), /skipped/);

    // Hints that do not describe these shards (a changed listing) are ignored: the reader scans as before.
    reads.clear();
    const stale = await openSource(wds, 'webdataset', {}, counting, { fileRows: fileRows.slice(1) });
    assert.deepEqual((await all(stale.rows(5, 8))).map((r) => [r.index, r.caption, r.url]), expected);
    assert.ok(reads.has('00000.tar'), 'stale hints: earlier shards scanned');
  });

  it('keeps extra columns of CSV, JSONL and Parquet rows as JSON values', async () => {
    const c = path.join(dir, 'extra.csv');
    writeFileSync(c, 'url,caption,license,id\nhttp://a/1.jpg,one,cc-by,7\nhttp://a/2.jpg,two,,8\n');
    const csvRows = await all((await openSource(c, undefined, { extraColumns: ['license', 'id'] })).rows(0, 10));
    assert.deepEqual(csvRows.map((r) => r.extra), [
      { license: 'cc-by', id: '7' },
      { license: '', id: '8' },
    ]);
    const j = path.join(dir, 'extra.jsonl');
    writeFileSync(j, '{"url":"http://a/1.jpg","caption":"one","license":"cc0","meta":{"w":[1,2]}}\n{"url":"http://a/2.jpg","caption":"two"}\n');
    const jsonRows = await all((await openSource(j, undefined, { extraColumns: ['license', 'meta'] })).rows(0, 10));
    assert.deepEqual(jsonRows.map((r) => r.extra), [
      { license: 'cc0', meta: { w: [1, 2] } },
      { license: null, meta: null },
    ]);
    const q = path.join(dir, 'extra.parquet');
    writeFileSync(
      q,
      Buffer.from(
        parquetWriteBuffer({
          columnData: [
            { name: 'url', data: ['http://a/1.jpg', 'http://a/2.jpg'], type: 'STRING' },
            { name: 'caption', data: ['one', 'two'], type: 'STRING' },
            { name: 'license', data: ['cc-by', null], type: 'STRING' },
            { name: 'id', data: [1n, 2n ** 60n], type: 'INT64' },
            { name: 'score', data: [0.5, 1.5], type: 'DOUBLE' },
          ],
        }),
      ),
    );
    const pqRows = await all((await openSource(q, undefined, { extraColumns: ['license', 'id', 'score'] })).rows(0, 10));
    assert.deepEqual(pqRows.map((r) => r.extra), [
      { license: 'cc-by', id: 1, score: 0.5 },
      // int64 beyond 2^53 stays exact as a decimal string.
      { license: null, id: String(2n ** 60n), score: 1.5 },
    ]);
    // Without extra columns rows carry none (records then have extra null).
    assert.equal((await all((await openSource(q)).rows(0, 1)))[0]!.extra, undefined);
  });

  it('keeps sidecar .json keys of folders and tars as extra columns', async () => {
    const d = path.join(dir, 'extra-folder');
    mkdirSync(d, { recursive: true });
    const [a, b] = emojiNames(2) as [string, string];
    writeFileSync(path.join(d, 'a.png'), emojiBytes(a));
    writeFileSync(path.join(d, 'a.json'), JSON.stringify({ caption: 'x', license: 'cc0', id: 3 }));
    writeFileSync(path.join(d, 'b.png'), emojiBytes(b));
    writeFileSync(path.join(d, 'b.txt'), 'no sidecar json');
    const folderRows = await all((await openSource(d, undefined, { extraColumns: ['license', 'id'] })).rows(0, 10));
    assert.deepEqual(folderRows.map((r) => r.extra), [{ license: 'cc0', id: 3 }, { license: null, id: null }]);
    const t = path.join(dir, 'extra-tar', '00000.tar');
    mkdirSync(path.dirname(t), { recursive: true });
    writeFileSync(
      t,
      tar([
        ['0.jpg', emojiBytes(a)],
        ['0.json', JSON.stringify({ caption: 'c', license: 'cc-by-sa', id: 'k1' })],
        ['1.png', emojiBytes(b)],
      ]),
    );
    const tarRows = await all((await openSource(t, undefined, { extraColumns: ['license', 'id'] })).rows(0, 10));
    assert.deepEqual(tarRows.map((r) => r.extra), [{ license: 'cc-by-sa', id: 'k1' }, { license: null, id: null }]);
  });

  it('a missing extra column is an error naming the column and the source', async () => {
    const c = path.join(dir, 'noextra.csv');
    writeFileSync(c, 'url,caption\nhttp://a/1.jpg,one\n');
    await assert.rejects((await openSource(c, undefined, { extraColumns: ['license'] })).count(), (e: unknown) => {
      assert.ok(e instanceof IngestInputError);
      assert.match(e.message, /noextra\.csv: no extra column "license" \(columns: url, caption\)/);
      return true;
    });
    const j = path.join(dir, 'noextra.jsonl');
    writeFileSync(j, '{"url":"http://a/1.jpg","caption":"one"}\n');
    await assert.rejects(
      (await openSource(j, undefined, { extraColumns: ['license'] })).count(),
      /noextra\.jsonl: no line has the extra column "license"/,
    );
    const q = path.join(dir, 'noextra.parquet');
    writeFileSync(
      q,
      Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'url', data: ['http://a/1.jpg'], type: 'STRING' }, { name: 'caption', data: ['x'], type: 'STRING' }] })),
    );
    await assert.rejects(
      (await openSource(q, undefined, { extraColumns: ['id', 'license'] })).count(),
      /noextra\.parquet: no extra column "id", "license" \(columns: url, caption\)/,
    );
  });

  it('names the input and the valid choices on bad input', async () => {
    await assert.rejects(openSource(path.join(dir, 'x.csv'), 'xml'), (e: unknown) => {
      return e instanceof IngestInputError && e.message.includes('xml') && SOURCE_FORMATS.every((f) => e.message.includes(f));
    });
    assert.throws(() => detectFormat('/data/list.txt', false), /csv, tsv, jsonl/);
    const f = path.join(dir, 'nourl.csv');
    writeFileSync(f, 'link,caption\nhttp://a,b\n');
    const src = await openSource(f);
    await assert.rejects(src.count(), /nourl\.csv: no column "url" \(columns: link, caption\)/);
  });
});
