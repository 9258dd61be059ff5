// Streaming CSV/TSV/JSONL list sources: rows equal a whole-file parse across block boundaries (quoted newlines,
// doubled quotes, CRLF, BOM, blank lines), partitions opened with the plan's split points read exactly their
// range, and bad input is reported by file, line and column without its contents.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDelimited } from '../../../pipelines/ingest/sources/delimited.js';
import { localSourceIO } from '../../../pipelines/ingest/sources/io.js';
import { BLOCK_BYTES, MAX_CAPTION_CHARS, SPLIT_ROWS } from '../../../pipelines/ingest/sources/list-scan.js';
import { openSource } from '../../../pipelines/ingest/sources/registry.js';
import { type SourceIO, type SourceRow } from '../../../pipelines/ingest/sources/types.js';

async function all(it: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const r of it) out.push(r);
  return out;
}

/** Local IO that counts bytes read (a partition must not read the whole file). */
function countingIO(): SourceIO & { bytes: number } {
  const io = { ...localSourceIO, bytes: 0 };
  io.readRange = async (p, o, l) => {
    const b = await localSourceIO.readRange(p, o, l);
    io.bytes += b.length;
    return b;
  };
  return io;
}

describe('streaming list sources', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'sigforge-list-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a multi-block CSV like a whole-file parse, and a partition from the split points reads only its range', async () => {
    const n = 2 * SPLIT_ROWS + 1234;
    const lines = ['\uFEFFurl,caption,n'];
    for (let i = 0; i < n; i++) {
      const cap = i % 7 === 0 ? `"line one\nline ""two"", ${i}"` : i % 11 === 0 ? `"a,b ${i}"` : `plain ${i} ü`;
      lines.push(`http://h/${i}.jpg,${cap},${i}`);
      if (i % 1000 === 0) lines.push('');
    }
    const text = lines.join(n % 2 ? '\n' : '\r\n') + '\n';
    const file = path.join(dir, 'big.csv');
    writeFileSync(file, text);
    assert.ok(Buffer.byteLength(text) > 3 * BLOCK_BYTES, 'spans several blocks');
    const [, ...ref] = parseDelimited(text.replace(/^\uFEFF/, ''), ',');
    const src = await openSource(file, undefined, { extraColumns: ['n'] });
    assert.equal(await src.count(), n);
    const got = await all(src.rows(0, n));
    assert.deepEqual(
      got.map((r) => [r.url, r.caption, r.extra?.n]),
      ref.map((c) => [c[0], c[1]!.trim(), c[2]]),
    );
    const splits = await src.fileRows!();
    assert.equal(splits.length, 3);
    const io = countingIO();
    const part = await openSource(file, undefined, { extraColumns: ['n'] }, io, { fileRows: splits });
    const mid = await all(part.rows(2 * SPLIT_ROWS + 10, 2 * SPLIT_ROWS + 20));
    assert.deepEqual(mid, got.slice(2 * SPLIT_ROWS + 10, 2 * SPLIT_ROWS + 20));
    assert.ok(io.bytes < Buffer.byteLength(text) / 2, `partition read ${io.bytes} bytes of ${Buffer.byteLength(text)}`);
  });

  it('states its policy: invalid UTF-8 becomes U+FFFD, captions are cut to MAX_CAPTION_CHARS', async () => {
    const file = path.join(dir, 'bytes.tsv');
    const long = 'x'.repeat(MAX_CAPTION_CHARS + 50);
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('url\tcaption\nhttp://h/1\tbad '),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(`\nhttp://h/2\t${long}\n`),
      ]),
    );
    const rows = await all((await openSource(file)).rows(0, 2));
    assert.equal(rows[0]!.caption, 'bad \uFFFD\uFFFD');
    assert.equal(rows[1]!.caption.length, MAX_CAPTION_CHARS);
  });

  it('names file, line and column of bad JSONL and CSV, never their contents', async () => {
    const j = path.join(dir, 'bad.jsonl');
    writeFileSync(j, '{"url":"http://h/1","caption":"a"}\n\n{"url": SECRET-TOKEN}\n');
    const err = await openSource(j)
      .then((s) => s.count())
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    assert.ok(err, 'rejected');
    assert.match(err.message, /bad\.jsonl: line 3, column \d+: not valid JSON/);
    assert.doesNotMatch(err.message, /SECRET/);
    assert.equal(err.cause, undefined);
    const c = path.join(dir, 'bad.csv');
    writeFileSync(c, 'url,caption\nhttp://h/1,ok\nhttp://h/2,"SECRET never closed\nmore\n');
    const err2 = await openSource(c)
      .then((s) => s.count())
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    assert.ok(err2, 'rejected');
    assert.match(err2.message, /bad\.csv: line 3, column 12: a quoted cell is never closed/);
    assert.doesNotMatch(err2.message, /SECRET/);
  });
});
