import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { corpusJsonl, demoCorpus } from '../../../pipelines/demo/corpus.js';
import { IngestInputError, RowError } from '../../../pipelines/ingest/errors.js';
import { createLanguageIdentifier, type LanguageIdentifier } from '../../../pipelines/ingest/lang.js';
import { failedRecord } from '../../../pipelines/ingest/record.js';
import { openSource } from '../../../pipelines/ingest/sources/registry.js';
import { type SourceRow } from '../../../pipelines/ingest/sources/types.js';
import { ingestInputFromFlags } from '../../../workflows/cli/commands/ingest.js';

async function all(it: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('source language column (--lang-col)', () => {
  let dir: string;
  let lid: LanguageIdentifier;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-langcol-'));
    lid = await createLanguageIdentifier();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the column of CSV, JSONL and Parquet rows into `lang`, not into `extra`', async () => {
    const c = path.join(dir, 'l.csv');
    writeFileSync(c, 'url,caption,LANGUAGE,license\nhttp://a/1.jpg,ein Hund, de ,cc0\nhttp://a/2.jpg,a dog,,cc-by\n');
    const csv = await all((await openSource(c, undefined, { langColumn: 'LANGUAGE' })).rows(0, 10));
    assert.deepEqual(
      csv.map((r) => [r.lang, r.extra]),
      [
        ['de', undefined],
        [null, undefined],
      ],
    );
    // Asked for as an extra column too, it stays there as well; other extra columns are untouched.
    const both = await all(
      (await openSource(c, undefined, { langColumn: 'LANGUAGE', extraColumns: ['license', 'LANGUAGE'] })).rows(0, 1),
    );
    assert.deepEqual(both[0]!.extra, { license: 'cc0', LANGUAGE: ' de ' });
    const withExtra = await all(
      (await openSource(c, undefined, { langColumn: 'LANGUAGE', extraColumns: ['license'] })).rows(0, 1),
    );
    assert.deepEqual([withExtra[0]!.lang, withExtra[0]!.extra], ['de', { license: 'cc0' }]);

    const j = path.join(dir, 'l.jsonl');
    writeFileSync(
      j,
      '{"url":"http://a/1.jpg","caption":"犬","locale":"ja"}\n{"url":"http://a/2.jpg","caption":"dog"}\n',
    );
    const jsonl = await all((await openSource(j, undefined, { langColumn: 'locale' })).rows(0, 10));
    assert.deepEqual(
      jsonl.map((r) => r.lang),
      ['ja', null],
    );

    const q = path.join(dir, 'l.parquet');
    const columnData = [
      { name: 'url', data: ['http://a/1.jpg', 'http://a/2.jpg'], type: 'STRING' as const },
      { name: 'caption', data: ['um cão', 'a dog'], type: 'STRING' as const },
      { name: 'LANGUAGE', data: ['pt-BR', null], type: 'STRING' as const },
    ];
    writeFileSync(q, Buffer.from(parquetWriteBuffer({ columnData })));
    const pq = await all((await openSource(q, undefined, { langColumn: 'LANGUAGE' })).rows(0, 10));
    assert.deepEqual(
      pq.map((r) => [r.lang, r.extra]),
      [
        ['pt-BR', undefined],
        [null, undefined],
      ],
    );
    // Without the option rows carry no language.
    assert.equal((await all((await openSource(q)).rows(0, 1)))[0]!.lang, undefined);
  });

  it('a missing language column is an error naming the column and the source', async () => {
    const c = path.join(dir, 'nolang.csv');
    writeFileSync(c, 'url,caption\nhttp://a/1.jpg,one\n');
    await assert.rejects((await openSource(c, undefined, { langColumn: 'LANGUAGE' })).count(), (e: unknown) => {
      assert.ok(e instanceof IngestInputError);
      assert.match(e.message, /nolang\.csv: .*"LANGUAGE"/);
      return true;
    });
  });

  it('records keep the given language next to the detected one and its score', () => {
    const ctx = { source: 's', lang: lid, now: () => 1 };
    const err = new RowError('http_error', 'HTTP 404', 'http://a/1.jpg');
    const row: SourceRow = {
      index: 0,
      url: 'http://a/1.jpg',
      caption: 'a black cat sleeping on the sofa',
      alt_captions: [],
      lang: 'en-GB',
    };
    const r = failedRecord(row, ctx, err);
    assert.equal(r.lang_given, 'en-GB');
    assert.equal(r.lang, 'en');
    assert.ok(r.lang_score! > 0 && r.lang_score! <= 1);
    assert.equal(failedRecord({ ...row, lang: undefined }, ctx, err).lang_given, null);
  });

  it("the demo corpus's URL list gives each caption's locale, read back as the row's language", async () => {
    const rows = demoCorpus({ styles: ['google'] }).slice(0, 400);
    assert.ok(new Set(rows.map((r) => r.lang)).size > 10, 'several locales in the sample');
    const f = path.join(dir, 'demo.jsonl');
    writeFileSync(f, corpusJsonl(rows, 'http://127.0.0.1:9'));
    const opts = { urlColumn: 'url', captionColumns: ['caption', 'alt'], langColumn: 'lang' };
    const back = await all((await openSource(f, undefined, opts)).rows(0, rows.length));
    assert.deepEqual(
      back.map((r) => [r.caption, r.lang]),
      rows.map((r) => [r.caption, r.lang]),
    );
  });

  it('--lang-col takes one column name', () => {
    const input = ingestInputFromFlags({ source: 'a.csv', name: 'web', langCol: 'LANGUAGE' }, 'file:///r');
    assert.deepEqual(input.sourceOptions, { langColumn: 'LANGUAGE' });
    const declared = ingestInputFromFlags({ source: 'a.csv', name: 'web', languages: 'en, de' }, 'file:///r');
    assert.deepEqual(declared.sourceOptions, { languages: ['en', 'de'] });
    assert.throws(
      () => ingestInputFromFlags({ source: 'a.csv', name: 'web', langCol: 'a,b' }, 'file:///r'),
      /--lang-col.*one column/,
    );
  });
});
