// Curation keeps the `extra` column (source columns kept at ingest): the materialize step's records, written and
// read back as a curated shard, carry each input record's `extra` unchanged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore, readShard, type DataRecord, writeShard } from '../../../storage/index.js';
import { applyDecisions } from '../../../workflows/curate/materialize.js';
import { makeRecords } from '../../storage/records.js';

describe('curation keeps extra columns', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sigforge-curate-extra-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('materialized records carry `extra` through write and read', async () => {
    const store = openStore(`file://${dir}`);
    const raw = makeRecords(30, 7);
    await writeShard(store, 'raw.parquet', raw);
    const rows: DataRecord[] = [];
    for await (const b of readShard(store, 'raw.parquet')) rows.push(...b);
    const kept = raw.filter((_, i) => i % 2 === 0);
    const out = applyDecisions(
      rows,
      { ids: kept.map((r) => r.id), weight: kept.map(() => 2), alt: { [kept[0]!.id]: ['merged caption'] }, attrs: {} },
      1,
    );
    await writeShard(store, 'curated.parquet', out);
    const back = new Map<string, Pick<DataRecord, 'id' | 'extra' | 'weight'>>();
    for await (const b of readShard(store, 'curated.parquet', { columns: ['id', 'extra', 'weight'] })) for (const r of b) back.set(r.id, r);
    assert.equal(back.size, kept.length);
    assert.ok(kept.some((r) => typeof r.extra === 'string') && kept.some((r) => r.extra === null));
    for (const r of kept) assert.deepEqual(back.get(r.id), { id: r.id, extra: r.extra, weight: 2 });
  });
});
