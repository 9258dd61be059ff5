// Golden files: committed shards must keep reading back as the committed JSON, and the writer must keep producing
// the newest one byte for byte (format drift shows up here first). v1 is the layout before the image column was
// written by reference (hyparquet-writer wrote every column); v2 writes the image chunk first in each row group; v3
// adds the optional `extra` column at the end; v4 (today's) the optional `lang_given` after it. Older goldens stay as
// read-compatibility fixtures: columns they lack read back null. After an intended format change add golden-v5 and
// regenerate:
// UPDATE_GOLDEN=1 npm test -- test/storage/golden
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, readShard, type DataRecord, type RecordColumn, writeShard } from '../../storage/index.js';
import { makeRecords } from './records.js';

const fixtures = fileURLToPath(new URL('../fixtures/storage/', import.meta.url));
const goldenParquet = path.join(fixtures, 'golden-v4.parquet');
const goldenJson = path.join(fixtures, 'golden-v4.json');
/** The same fixture records without `lang_given` (v3 predates the column). */
const goldenJsonV3 = path.join(fixtures, 'golden-v3.json');
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
    assert.ok(rows.some((r) => r.lang_given === null) && rows.some((r) => typeof r.lang_given === 'string'));
    const withoutGiven = rows.map(({ lang_given: _, ...r }) => r);
    assert.equal(toJson(withoutGiven), readFileSync(goldenJsonV3, 'utf8'), 'v3 JSON is v4 JSON less `lang_given`');
    const withoutExtra = withoutGiven.map(({ extra: _, ...r }) => r);
    assert.equal(toJson(withoutExtra), readFileSync(goldenJsonNoExtra, 'utf8'), 'v1 JSON is v3 JSON less `extra`');
    assert.ok(written.equals(readFileSync(goldenParquet)), 'writer output differs from the golden shard');
  });

  for (const version of ['v1', 'v2', 'v3', 'v4']) {
    it(`the committed ${version} shard reads back as the committed JSON`, async () => {
      const store = openStore(`file://${fixtures.replace(/\/$/, '')}`);
      const back: Partial<DataRecord>[] = [];
      let groups = 0;
      for await (const batch of readShard(store, `golden-${version}.parquet`)) {
        back.push(...batch);
        groups++;
      }
      assert.ok(groups > 1, 'golden shard should hold several row groups');
      // Shards written before the `extra` or `lang_given` column read back with it null.
      const older = (file: string, fill: Partial<DataRecord>): string =>
        toJson((JSON.parse(readFileSync(file, 'utf8')) as Partial<DataRecord>[]).map((r) => ({ ...r, ...fill })));
      const want =
        version === 'v4'
          ? readFileSync(goldenJson, 'utf8')
          : version === 'v3'
            ? older(goldenJsonV3, { lang_given: null })
            : older(goldenJsonNoExtra, { extra: null, lang_given: null });
      assert.equal(toJson(back), want);
      const extraOnly: Partial<DataRecord>[] = [];
      const opts = { columns: ['extra', 'lang_given'] as RecordColumn[] };
      for await (const batch of readShard(store, `golden-${version}.parquet`, opts)) extraOnly.push(...batch);
      assert.deepEqual(
        extraOnly.map((r) => [r.extra, r.lang_given]),
        back.map((r) => [r.extra, r.lang_given]),
        'reading only the optional columns gives the same values (nulls for shards without them)',
      );
    });
  }
});
