// Golden files: a committed shard written by this code must keep reading back as the committed JSON, and the
// writer must keep producing it byte for byte (format drift shows up here first).
// Regenerate after an intended format change: UPDATE_GOLDEN=1 npm test -- test/storage/golden
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, readShard, type Record, writeShard } from '../../storage/index.js';
import { makeRecords } from './records.js';

const fixtures = fileURLToPath(new URL('../fixtures/storage/', import.meta.url));
const goldenParquet = path.join(fixtures, 'golden-v1.parquet');
const goldenJson = path.join(fixtures, 'golden-v1.json');

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
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(goldenParquet)) {
      writeFileSync(goldenParquet, written);
      writeFileSync(goldenJson, toJson(rows));
    }
    assert.equal(toJson(rows), readFileSync(goldenJson, 'utf8'), 'fixture records drifted from golden JSON');
    assert.ok(written.equals(readFileSync(goldenParquet)), 'writer output differs from the golden shard');
  });

  it('the committed shard reads back as the committed JSON', async () => {
    const store = openStore(`file://${fixtures.replace(/\/$/, '')}`);
    const back: Partial<Record>[] = [];
    let groups = 0;
    for await (const batch of readShard(store, 'golden-v1.parquet')) {
      back.push(...batch);
      groups++;
    }
    assert.ok(groups > 1, 'golden shard should hold several row groups');
    assert.equal(toJson(back), readFileSync(goldenJson, 'utf8'));
  });
});
