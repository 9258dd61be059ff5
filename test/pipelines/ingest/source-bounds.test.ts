import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { IngestInputError } from '../../../pipelines/ingest/errors.js';
import { localSourceIO } from '../../../pipelines/ingest/sources/io.js';
import { openSource } from '../../../pipelines/ingest/sources/registry.js';
import { listTar } from '../../../pipelines/ingest/sources/tar.js';
import { type SourceIO } from '../../../pipelines/ingest/sources/types.js';
import { tarOf } from './tar-fixture.js';

/** Local IO that refuses (instead of allocating) any read reaching past the file: such a read is the defect. */
function boundedIO(): SourceIO & { overreads: string[] } {
  const overreads: string[] = [];
  return {
    ...localSourceIO,
    overreads,
    async readRange(p, offset, length) {
      const size = await localSourceIO.size(p);
      if (offset < 0 || length < 0 || offset + length > size) {
        overreads.push(`${offset}+${length} of ${size}`);
        throw new Error(`test IO: read ${offset}+${length} past the ${size}-byte file`);
      }
      return await localSourceIO.readRange(p, offset, length);
    },
  };
}

/** A one-member tar whose first header is rewritten to `type` with a declared size field `sizeField` (octal). */
function tarDeclaring(type: string, sizeField: string): Buffer {
  const t = tarOf([['a.jpg', 'x'.repeat(600)]]);
  t.write(sizeField.padEnd(12, '\0'), 124, 12, 'latin1');
  t.write(type, 156, 1, 'latin1');
  t.write('        ', 148);
  const sum = t.subarray(0, 512).reduce((a, b) => a + b, 0);
  t.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return t;
}

// Issue 17 defect 11: sizes read from a file are checked against the file before anything is read or allocated.
describe('source readers bound every size by the file (defect 11)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-bounds-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string, string][] = [
    ['a pax header declaring 1 GiB', 'x', (2 ** 30).toString(8).padStart(11, '0')],
    ['a GNU long name declaring 8 GiB', 'L', (2 ** 33).toString(8)],
    ['a pax header declaring 1 MiB + 1 in a small file', 'x', (2 ** 20 + 1).toString(8).padStart(11, '0')],
    ['a regular member past the end', '0', (2 ** 40).toString(8)],
    ['a size field that is not octal', '0', '12x4'],
  ];
  for (const [what, type, size] of cases) {
    it(`${what}: a non-retryable input error, no oversized read`, async () => {
      const file = path.join(dir, `t-${type}-${size}.tar`);
      writeFileSync(file, tarDeclaring(type, size));
      const io = boundedIO();
      await assert.rejects(listTar(file, io), (err: unknown) => {
        assert.ok(err instanceof IngestInputError, `got ${String(err)}`);
        assert.match(err.message, /t-.*\.tar: .*(declares|not octal)/);
        return true;
      });
      assert.deepEqual(io.overreads, []);
    });
  }

  it('localSourceIO.readRange refuses a range past the file before allocating it', async () => {
    const file = path.join(dir, 'small.bin');
    writeFileSync(file, Buffer.alloc(100));
    await assert.rejects(localSourceIO.readRange(file, 50, 2 ** 33), IngestInputError);
    await assert.rejects(localSourceIO.readRange(file, -1, 10), IngestInputError);
    assert.equal((await localSourceIO.readRange(file, 90, 10)).length, 10);
  });

  it('a Parquet list whose footer is corrupt fails as input, reading only inside the file', async () => {
    const good = Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'url', data: Array.from({ length: 50 }, (_, i) => `http://h/${i}.jpg`), type: 'STRING' },
          { name: 'caption', data: Array.from({ length: 50 }, (_, i) => `caption ${i}`), type: 'STRING' },
        ],
      }),
    );
    const footerLength = good.readUInt32LE(good.length - 8);
    const footerStart = good.length - 8 - footerLength;
    let seed = 17;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const io = boundedIO();
    let inputErrors = 0;
    for (let n = 0; n < 200; n++) {
      const bad = Buffer.from(good);
      for (let k = 0; k < 3; k++) bad[footerStart + Math.floor(rand() * footerLength)] = Math.floor(rand() * 256);
      const file = path.join(dir, `bad-${n}.parquet`);
      writeFileSync(file, bad);
      try {
        const src = await openSource(file, undefined, {}, io);
        for await (const _ of src.rows(0, Math.min(await src.count(), 100))) void _;
      } catch (err) {
        assert.ok(err instanceof IngestInputError, `mutation ${n}: ${String(err)}`);
        inputErrors++;
      }
    }
    assert.deepEqual(io.overreads, []);
    assert.ok(inputErrors > 0, 'some mutations must be caught');
  });
});
