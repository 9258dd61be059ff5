// Fuzz target for the source readers (issue 17, "Also"): seeded random and mutated bytes as CSV, TSV, JSONL, tar
// and Parquet. Every read either gives rows or fails with an IngestInputError (a clear, non-retryable input error);
// none crashes, hangs or throws anything else. Bounded: a fixed number of cases per format, a few seconds in all.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { IngestInputError } from '../../../pipelines/ingest/errors.js';
import { openSource } from '../../../pipelines/ingest/sources/registry.js';
import { tarOf } from './tar-fixture.js';
import { mulberry32 } from '../../../pipelines/random.js';

const CASES = Number(process.env.SIGFORGE_FUZZ_CASES ?? 200);

/** mulberry32: the same cases on every run (set SIGFORGE_FUZZ_SEED to explore others). */
const seeds: { [format: string]: () => Buffer } = {
  csv: () => Buffer.from('url,caption\nhttp://h/1.jpg,"a ""cat"""\nhttp://h/2.jpg,a dog\n'),
  tsv: () => Buffer.from('url\tcaption\nhttp://h/1.jpg\ta cat\nhttp://h/2.jpg\ta dog\n'),
  jsonl: () => Buffer.from('{"url":"http://h/1.jpg","caption":"a cat"}\n{"url":"http://h/2.jpg","caption":"a dog"}\n'),
  webdataset: () => tarOf([['0001.jpg', 'xxxx'], ['0001.txt', 'a cat'], ['0002.jpg', 'yyyy'], ['0002.txt', 'a dog']]),
  parquet: () =>
    Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'url', data: ['http://h/1.jpg', 'http://h/2.jpg', 'http://h/3.jpg'], type: 'STRING' },
          { name: 'caption', data: ['a cat', 'a dog', 'a cow'], type: 'STRING' },
        ],
      }),
    ),
};
const EXT: { [format: string]: string } = { csv: 'csv', tsv: 'tsv', jsonl: 'jsonl', webdataset: 'tar', parquet: 'parquet' };

/** Random bytes, or the seed file with a few bytes overwritten, inserted or cut. */
function mutate(seed: Buffer, r: () => number): Buffer {
  const mode = Math.floor(r() * 4);
  if (mode === 0) return Buffer.from(Array.from({ length: Math.floor(r() * 2048) }, () => Math.floor(r() * 256)));
  const b = Buffer.from(seed);
  if (mode === 1) {
    for (let k = 0, n = 1 + Math.floor(r() * 8); k < n; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    return b;
  }
  const at = Math.floor(r() * b.length);
  if (mode === 2) return b.subarray(0, at);
  return Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256))), b.subarray(at)]);
}

/**
 * Parquet: bytes of the footer (Thrift metadata) overwritten. Mutated data pages are left out: they make hyparquet's
 * page decoder loop forever (synchronously, so no timeout can stop it in-process); the file
 * test/fixtures/ingest/fuzz/hyparquet-hang-seed17-case83.parquet reproduces it. Not yet fixed (issue 17).
 */
function mutateFooter(seed: Buffer, r: () => number): Buffer {
  const b = Buffer.from(seed);
  const footer = b.readUInt32LE(b.length - 8);
  const start = b.length - 8 - footer;
  for (let k = 0, n = 1 + Math.floor(r() * 4); k < n; k++) b[start + Math.floor(r() * (footer + 8))] = Math.floor(r() * 256);
  return b;
}

describe('source readers under random bytes (fuzz)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sigforge-fuzz-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const baseSeed = Number(process.env.SIGFORGE_FUZZ_SEED ?? 17);

  for (const format of Object.keys(seeds)) {
    it(`${format}: ${CASES} cases, rows or an IngestInputError each time`, async () => {
      const r = mulberry32(baseSeed + format.length * 1000 + format.charCodeAt(0));
      const seed = seeds[format]!();
      const outcomes = { rows: 0, inputErrors: 0 };
      for (let n = 0; n < CASES; n++) {
        const file = path.join(dir, `${format}-${n}.${EXT[format]}`);
        writeFileSync(file, format === 'parquet' ? mutateFooter(seed, r) : mutate(seed, r));
        try {
          const src = await openSource(file, format, {});
          const count = await src.count();
          assert.ok(Number.isSafeInteger(count) && count >= 0, `case ${n}: count ${count}`);
          for await (const row of src.rows(0, Math.min(count, 1000))) assert.equal(typeof row.url, 'string');
          outcomes.rows++;
        } catch (err) {
          if (!(err instanceof IngestInputError)) assert.fail(`${format} case ${n} (seed ${baseSeed}): ${(err as Error)?.stack ?? String(err)}`);
          outcomes.inputErrors++;
        }
      }
      assert.equal(outcomes.rows + outcomes.inputErrors, CASES);
    });
  }
});
