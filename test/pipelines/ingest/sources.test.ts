import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { IngestInputError } from '../../../pipelines/ingest/errors.js';
import { parseDelimited } from '../../../pipelines/ingest/sources/delimited.js';
import { detectFormat, openSource, SOURCE_FORMATS } from '../../../pipelines/ingest/sources/registry.js';
import { type SourceRow } from '../../../pipelines/ingest/sources/types.js';
import { emojiBytes, emojiNames } from './fault-server.js';

async function all(it: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const r of it) out.push(r);
  return out;
}

/** Builds a ustar archive from named members (enough of the format for WebDataset shards). */
function tar(members: [string, Uint8Array | string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, body] of members) {
    const data = Buffer.from(body);
    const h = Buffer.alloc(512);
    h.write(name, 0, 100);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    const sum = h.reduce((a, b) => a + b, 0);
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
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
