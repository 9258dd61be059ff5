// Interop: DuckDB (a reader data people use, with its own Parquet implementation) reads our shards, and every
// column of every row equals what we wrote.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { openStore, RECORD_COLUMNS, writeShard } from '../../storage/index.js';
import { makeRecords } from './records.js';

describe('interop: DuckDB reads our shards', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'sigforge-duckdb-'));
  after(() => rmSync(base, { recursive: true, force: true }));

  it('every column of every row matches, across several row groups', async () => {
    const store = openStore(`file://${base}`);
    const rows = makeRecords(240, 42, 2000);
    await writeShard(store, 'd/part-00000.parquet', rows, { rowGroupBytes: 100_000 });
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const file = path.join(base, 'd/part-00000.parquet').replaceAll("'", "''");
      const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
      assert.deepEqual(
        described.map((d) => d.column_name),
        [...RECORD_COLUMNS],
      );
      const types = Object.fromEntries(described.map((d) => [d.column_name, d.column_type]));
      assert.equal(types.image, 'BLOB');
      assert.equal(types.phash, 'UBIGINT');
      assert.equal(types.fetched_at, 'TIMESTAMP WITH TIME ZONE');
      assert.equal(types.alt_captions, 'VARCHAR[]');
      assert.equal(types.extra, 'VARCHAR');
      // `extra` is JSON object text: DuckDB's built-in json functions read the source columns kept at ingest.
      const licenses = (
        await conn.runAndReadAll(
          `SELECT json_extract_string(extra, '$.license') AS license, json_extract(extra, '$.id')::INTEGER AS id FROM read_parquet('${file}') WHERE extra IS NOT NULL`,
        )
      ).getRowObjectsJS();
      const withExtra = rows.filter((r) => r.extra !== null && r.extra !== undefined);
      assert.deepEqual(
        licenses,
        withExtra.map((r) => {
          const e = JSON.parse(r.extra!) as { license: string; id: number };
          return { license: e.license, id: e.id };
        }),
      );
      const reader = await conn.runAndReadAll(
        `SELECT * EXCLUDE (fetched_at), epoch_ms(fetched_at) AS fetched_at FROM read_parquet('${file}')`,
      );
      const got = reader.getRowObjectsJS();
      assert.equal(got.length, rows.length);
      for (const [i, want] of rows.entries()) {
        const g = got[i]!;
        for (const col of RECORD_COLUMNS) {
          const a = g[col];
          const w = want[col];
          if (col === 'image') {
            assert.deepEqual(
              a === null ? null : Buffer.from(a as Uint8Array),
              w === null ? null : Buffer.from(w as Uint8Array),
              `row ${i} ${col}`,
            );
          } else if (col === 'fetched_at') {
            assert.equal(a, BigInt(w as number), `row ${i} ${col}`);
          } else {
            assert.deepEqual(a, w, `row ${i} ${col}`);
          }
        }
      }
      const counts = (
        await conn.runAndReadAll(
          `SELECT status, count(*)::INTEGER AS n FROM read_parquet('${file}') GROUP BY status ORDER BY status`,
        )
      ).getRowObjectsJS();
      const expected = new Map<string, number>();
      for (const r of rows) expected.set(r.status, (expected.get(r.status) ?? 0) + 1);
      assert.deepEqual(
        counts.map((c) => [c.status, c.n]),
        [...expected.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
      );
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});
