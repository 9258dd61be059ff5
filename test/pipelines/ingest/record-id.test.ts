import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImageOptionsSchema } from '../../../pipelines/ingest/image.js';
import { buildRecords } from '../../../pipelines/ingest/record.js';
import { openSource } from '../../../pipelines/ingest/sources/registry.js';
import { type DataRecord } from '../../../storage/record.js';

// Issue 17 defect 17: rows with the same URL and caption are different records, with ids stable across reruns.
describe('record ids (defect 17)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-id-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const image = ImageOptionsSchema.parse({ size: 32, minSide: 8 });
  const lang = { identify: () => null, dispose: () => undefined };
  // Every fetch fails: a failed row is a record too, and its id must not depend on the image.
  const fetcher = { fetch: () => Promise.reject(new Error('unreachable')) };
  async function ingestIds(file: string): Promise<DataRecord[]> {
    const source = await openSource(file, undefined, {});
    return await buildRecords(source.rows(0, await source.count()), { source: 'dup', fetcher, image, lang, now: Date.now }, 4);
  }

  it('are unique within a source that repeats a row, and the same on a rerun', async () => {
    const file = path.join(dir, 'dup.csv');
    writeFileSync(file, 'url,caption\nftp://h/a.jpg,a cat\nftp://h/a.jpg,a cat\nftp://h/b.jpg,a dog\nftp://h/a.jpg,a cat\n');
    const first = await ingestIds(file);
    assert.equal(first.length, 4);
    assert.equal(new Set(first.map((r) => r.id)).size, 4, 'one id per row');
    const again = await ingestIds(file);
    assert.deepEqual(again.map((r) => r.id), first.map((r) => r.id));
  });
});
