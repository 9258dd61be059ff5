// The Arrow batch stream over loopback HTTP: the loader's batches with resume tokens, exact resume, refusal of
// tokens from another dataset version or loader config, a client that goes away mid-stream, export to IPC files,
// and a shard read as an apache-arrow Table.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Table, tableFromIPC } from 'apache-arrow';
import { exportBatches } from '../../pipelines/feed/export.js';
import { type FeedSpec } from '../../pipelines/feed/schema.js';
import { startFeedServer, type FeedServer } from '../../pipelines/feed/server.js';
import { readShardTable } from '../../pipelines/feed/shard-table.js';
import { type FeedSource } from '../../pipelines/feed/source.js';
import { encodeToken } from '../../pipelines/feed/token.js';
import { parseLoaderConfig } from '../../pipelines/loader/config.js';
import { StreamingLoader } from '../../pipelines/loader/loader.js';
import { type ObjectStore, openStore, readShard } from '../../storage/index.js';
import { writeEmojiDataset } from '../../workflows/dev/emoji-dataset.js';

const LEN = 8;
const tokenize = (texts: readonly string[]): Int32Array => {
  const out = new Int32Array(texts.length * LEN);
  texts.forEach((t, i) => [...t].slice(0, LEN).forEach((ch, j) => (out[i * LEN + j] = ch.codePointAt(0)! % 1000)));
  return out;
};
const spec = (over: Partial<FeedSpec> = {}): FeedSpec => ({
  data: 'emoji@v1',
  config: parseLoaderConfig({ batchSize: 4, resolution: { kind: 'fixed', size: 16 }, windowGroups: 2, flip: true }),
  tokenizer: { name: 'test-codepoints', vocabSize: 1000, length: LEN },
  pixels: 'float32',
  ...over,
});

async function get(url: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

const ids = (t: Table): string[] => t.getChild('id')!.toArray() as string[];
const tokensOf = (t: Table): string[] => t.getChild('resume_token')!.toArray() as string[];

describe('arrow batch stream', () => {
  let dir: string;
  let store: ObjectStore;
  let src: FeedSource;
  let server: FeedServer;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-feed-'));
    store = openStore(pathToFileURL(dir).href);
    const shards = (await writeEmojiDataset(store, { rows: 40, shards: 2, rowGroupRows: 6, weighted: true })).shardKeys;
    src = { store, shards, spec: spec(), tokenize, seed: 7, rank: 0, worldSize: 1 };
    server = await startFeedServer(src);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams the loader’s batches with a resume token after each, and a token resumes exactly', async () => {
    const { status, body } = await get(`${server.url}/batches?limit=6`);
    assert.equal(status, 200);
    const t = tableFromIPC(body);
    assert.equal(t.batches.length, 6);
    const loader = await StreamingLoader.open({ store, shards: src.shards, config: src.spec.config, tokenize, seed: 7 });
    for (const rb of t.batches) {
      const b = await loader.next();
      assert.deepEqual(rb.getChild('id')!.toArray(), b.ids);
      assert.deepEqual(rb.getChild('image')!.data[0]!.children[0]!.values, b.images.kind === 'fixed' ? b.images.pixels : null);
      assert.deepEqual(rb.getChild('tokens')!.data[0]!.children[0]!.values, b.tokens);
      assert.equal(rb.getChild('resume_token')!.get(0), encodeToken(src.spec, b.position));
    }
    await loader.close();
    const meta = JSON.parse(t.schema.metadata.get('sigforge.feed')!) as { data: string; tokenizer: { name: string } };
    assert.equal(meta.data, 'emoji@v1');
    assert.equal(meta.tokenizer.name, 'test-codepoints');
    const token = tokensOf(t)[2 * 4]!; // the token on batch 2's rows: the position after batch 2
    const resumed = tableFromIPC((await get(`${server.url}/batches?limit=3&token=${token}`)).body);
    assert.deepEqual(ids(resumed), ids(t).slice(4 * 3));
    assert.deepEqual(tokensOf(resumed), tokensOf(t).slice(4 * 3));
  });

  it('refuses a token from another dataset version or loader config, and malformed input, naming what is wrong', async () => {
    const [b] = await (async () => {
      const l = await StreamingLoader.open({ store, shards: src.shards, config: src.spec.config, tokenize, seed: 7 });
      const x = await l.next();
      await l.close();
      return [x];
    })();
    const other = encodeToken(spec({ data: 'emoji@v2' }), b!.position);
    const r1 = await get(`${server.url}/batches?limit=1&token=${other}`);
    assert.equal(r1.status, 400);
    assert.match(r1.body.toString(), /resume token: belongs to dataset emoji@v2, but this stream serves emoji@v1/);
    const cfg = encodeToken(spec({ config: parseLoaderConfig({ batchSize: 8, resolution: { kind: 'fixed', size: 16 } }) }), b!.position);
    const r2 = await get(`${server.url}/batches?limit=1&token=${cfg}`);
    assert.equal(r2.status, 400);
    assert.match(r2.body.toString(), /resume token: was made with another loader config/);
    const r3 = await get(`${server.url}/batches?token=not-a-token`);
    assert.equal(r3.status, 400);
    assert.match(r3.body.toString(), /resume token: is not a sigforge batch-stream token/);
    const r4 = await get(`${server.url}/batches?limit=0`);
    assert.match(r4.body.toString(), /limit: must be an integer ≥ 1/);
    const r5 = await get(`${server.url}/batches?limit=1&token=${encodeToken(src.spec, b!.position)}&world_size=2`);
    assert.match(r5.body.toString(), /world size 1, not 2/);
  });

  it('keeps serving others after a client disconnects mid-stream', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${server.url}/batches`, (res) => {
        res.once('data', () => {
          req.destroy(); // gone after the first bytes of an endless stream
          resolve();
        });
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    });
    const again = tableFromIPC((await get(`${server.url}/batches?limit=2`)).body);
    assert.equal(again.batches.length, 2);
    for (let i = 0; i < 100 && server.active > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server.active, 0, 'the abandoned stream ended');
  });

  it('exports the same batches as Arrow IPC files, idempotently', async () => {
    const outDir = path.join(dir, 'export');
    const out = openStore(pathToFileURL(outDir).href);
    const sum = await exportBatches(src, { out, batches: 5, perFile: 2 });
    assert.deepEqual(sum.files, ['part-000000.arrow', 'part-000001.arrow', 'part-000002.arrow']);
    const first = readFileSync(path.join(outDir, 'part-000000.arrow'));
    const parts = sum.files.map((f) => tableFromIPC(readFileSync(path.join(outDir, f))));
    const streamed = tableFromIPC((await get(`${server.url}/batches?limit=5`)).body);
    assert.deepEqual(parts.flatMap(ids), ids(streamed));
    assert.equal(sum.token, tokensOf(streamed).at(-1));
    await exportBatches(src, { out, batches: 5, perFile: 2 });
    assert.deepEqual(readFileSync(path.join(outDir, 'part-000000.arrow')), first);
    const index = JSON.parse(readFileSync(path.join(outDir, 'feed.json'), 'utf8')) as { rows: number };
    assert.equal(index.rows, 20);
  });

  it('reads a shard, or selected columns, as an apache-arrow Table', async () => {
    const key = src.shards[0]!;
    const t = await readShardTable(store, key, ['id', 'caption', 'weight', 'width', 'boxes']);
    const rows = [];
    for await (const g of readShard(store, key, { columns: ['id', 'caption', 'weight'] })) rows.push(...g);
    assert.equal(t.numRows, rows.length);
    assert.deepEqual(t.schema.fields.map((f) => f.name), ['id', 'caption', 'weight', 'width', 'boxes']);
    assert.deepEqual(ids(t), rows.map((r) => r.id));
    assert.deepEqual([...(t.getChild('weight')!.toArray() as Float64Array)], rows.map((r) => r.weight));
    const all = await readShardTable(store, key);
    assert.ok((all.getChild('image')!.get(0) as Uint8Array).length > 100, 'image bytes as Binary');
  });
});
