// Golden files: committed shards must keep reading back as the committed JSON, and the writer must keep producing
// the newest one byte for byte (format drift shows up here first). v1 is the layout before the image column was
// written by reference (hyparquet-writer wrote every column); v2 is today's (image chunk first in each row group).
// Older goldens stay as read-compatibility fixtures. After an intended format change add golden-v3 and regenerate:
// UPDATE_GOLDEN=1 npm test -- test/storage/golden
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, readShard, type Record, writeShard } from '../../storage/index.js';
import { makeRecords } from './records.js';

const fixtures = fileURLToPath(new URL('../fixtures/storage/', import.meta.url));
const goldenParquet = path.join(fixtures, 'golden-v2.parquet');
const goldenJson = path.join(fixtures, 'golden-v1.json'); // the same fixture records for every version

/** Records as plain JSON: bytes as base64, bigints as decimal strings. */
function toJson(rows: Partial<Record>[]): string {
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
    assert.equal(toJson(rows), readFileSync(goldenJson, 'utf8'), 'fixture records drifted from golden JSON');
    assert.ok(written.equals(readFileSync(goldenParquet)), 'writer output differs from the golden shard');
  });

  for (const version of ['v1', 'v2']) {
    it(`the committed ${version} shard reads back as the committed JSON`, async () => {
      const store = openStore(`file://${fixtures.replace(/\/$/, '')}`);
      const back: Partial<Record>[] = [];
      let groups = 0;
      for await (const batch of readShard(store, `golden-${version}.parquet`)) {
        back.push(...batch);
        groups++;
      }
      assert.ok(groups > 1, 'golden shard should hold several row groups');
      assert.equal(toJson(back), readFileSync(goldenJson, 'utf8'));
    });
  }
});
