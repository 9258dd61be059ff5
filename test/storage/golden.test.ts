// Golden files: committed shards must keep reading back as the committed JSON, and the writer must keep producing
// the newest one byte for byte (format drift shows up here first). v1 is the layout before the image column was
// written by reference (hyparquet-writer wrote every column); v2 writes the image chunk first in each row group; v3
// (today's) adds the optional `extra` column at the end. Older goldens stay as read-compatibility fixtures: they lack
// `extra` and read back with it null. After an intended format change add golden-v4 and regenerate:
// UPDATE_GOLDEN=1 npm test -- test/storage/golden
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, readShard, type DataRecord, writeShard } from '../../storage/index.js';
import { makeRecords } from './records.js';

const fixtures = fileURLToPath(new URL('../fixtures/storage/', import.meta.url));
const goldenParquet = path.join(fixtures, 'golden-v3.parquet');
const goldenJson = path.join(fixtures, 'golden-v3.json');
/** The same fixture records without `extra` (v1 and v2 predate the column; v3 holds the same values plus `extra`). */
const goldenJsonNoExtra = path.join(fixtures, 'golden-v1.json');

/** Records as plain JSON: bytes as base64, bigints as decimal strings. */
function toJson(rows: Partial<DataRecord>[]): string {
  const plain = rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        v instanceof Uint8Array
          ? { base64: Buffer.from(v).toString('base64') }
          : typeof v === 'bigint'
            ? { u64: v.toString() }
            : v,
      ]),
    ),
  );
  return `${JSON.stringify(plain, null, 1)}\n`;
}

describe('golden shard', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'sigforge-golden-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  const rows = makeRecords(12, 2026, 40);

  it('writing the fixture records reproduces the committed file byte for byte', async () => {
    const store = openStore(`file://${base}`);
    await writeShard(store, 'golden.parquet', rows, { rowGroupBytes: 200 });
    const written = readFileSync(path.join(base, 'golden.parquet'));
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(goldenParquet)) writeFileSync(goldenParquet, written);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(goldenJson)) writeFileSync(goldenJson, toJson(rows));
    assert.equal(toJson(rows), readFileSync(goldenJson, 'utf8'), 'fixture records drifted from golden JSON');
    assert.ok(rows.some((r) => r.extra === null) && rows.some((r) => typeof r.extra === 'string'), 'extra: both shapes');
    const withoutExtra = rows.map(({ extra: _, ...r }) => r);
    assert.equal(toJson(withoutExtra), readFileSync(goldenJsonNoExtra, 'utf8'), 'v1 JSON is v3 JSON less `extra`');
    assert.ok(written.equals(readFileSync(goldenParquet)), 'writer output differs from the golden shard');
  });

  for (const version of ['v1', 'v2', 'v3']) {
    it(`the committed ${version} shard reads back as the committed JSON`, async () => {
      const store = openStore(`file://${fixtures.replace(/\/$/, '')}`);
      const back: Partial<DataRecord>[] = [];
      let groups = 0;
      for await (const batch of readShard(store, `golden-${version}.parquet`)) {
        back.push(...batch);
        groups++;
      }
      assert.ok(groups > 1, 'golden shard should hold several row groups');
      // Shards written before the `extra` column read back with it null.
      const want =
        version === 'v3'
          ? readFileSync(goldenJson, 'utf8')
          : toJson((JSON.parse(readFileSync(goldenJsonNoExtra, 'utf8')) as Partial<DataRecord>[]).map((r) => ({ ...r, extra: null })));
      assert.equal(toJson(back), want);
      const extraOnly: Partial<DataRecord>[] = [];
      for await (const batch of readShard(store, `golden-${version}.parquet`, { columns: ['extra'] })) extraOnly.push(...batch);
      assert.deepEqual(
        extraOnly.map((r) => r.extra),
        back.map((r) => r.extra),
        'reading only `extra` gives the same values (nulls for shards without the column)',
      );
    });
  }
});
