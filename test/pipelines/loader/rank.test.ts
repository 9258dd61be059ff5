// Rank sharding: ranks take disjoint shares whose union is exactly the single-loader epoch (same samples, same
// captions and pixels), each rank resumes exactly, and a changed world size or rank at resume is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseLoaderConfig, type LoaderConfigInput } from '../../../pipelines/loader/config.js';
import { type LoaderBatch, StreamingLoader } from '../../../pipelines/loader/loader.js';
import { parsePosition } from '../../../pipelines/loader/position.js';
import { type ObjectStore, openStore } from '../../../storage/index.js';
import { writeEmojiDataset } from '../../../workflows/dev/emoji-dataset.js';

const tokenize = (texts: readonly string[]): Int32Array => new Int32Array(texts.length * 4).map((_, i) => texts[i >> 2]!.length + i);
const cfg: LoaderConfigInput = { batchSize: 1, resolution: { kind: 'fixed', size: 8 }, windowGroups: 2, flip: true, prefetch: 4 };

interface Opened {
  rank?: number;
  worldSize?: number;
  position?: unknown;
}

async function open(store: ObjectStore, shards: string[], o: Opened): Promise<StreamingLoader> {
  return StreamingLoader.open({
    store,
    shards,
    config: parseLoaderConfig(cfg),
    tokenize,
    seed: 3,
    ...(o.rank !== undefined && { rank: o.rank }),
    ...(o.worldSize !== undefined && { worldSize: o.worldSize }),
    ...(o.position !== undefined && { position: parsePosition(JSON.parse(JSON.stringify(o.position))) }),
  });
}

/** Batches until the first one of epoch `until` (exclusive), or n batches when n is given. */
async function take(store: ObjectStore, shards: string[], o: Opened, n: number | null, until = 1): Promise<LoaderBatch[]> {
  const loader = await open(store, shards, o);
  const out: LoaderBatch[] = [];
  try {
    for (;;) {
      if (n !== null && out.length >= n) break;
      const b = await loader.next();
      if (n === null && b.position.epoch >= until) break;
      out.push(b);
    }
  } finally {
    await loader.close();
  }
  return out;
}

/** One string per sample: id, sampled caption and a pixel digest (all keyed by the sample's place in the stream). */
const samples = (batches: LoaderBatch[]): string[] =>
  batches.map((b) => `${b.ids[0]}|${b.captions[0]}|${b.images.kind === 'fixed' ? Array.from(b.images.pixels).join(',') : ''}`);

describe('loader rank sharding', () => {
  let dir: string;
  let store: ObjectStore;
  let shards: string[];
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-rank-'));
    store = openStore(pathToFileURL(dir).href);
    shards = (await writeEmojiDataset(store, { rows: 60, shards: 3, rowGroupRows: 7, weighted: true })).shardKeys;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives ranks disjoint shares whose union is exactly the single-loader epoch, weights included', async () => {
    const single = samples(await take(store, shards, {}, null));
    assert.ok(single.length > 50, `an epoch has ${single.length} samples`);
    const ids = single.map((s) => s.split('|')[0]);
    assert.ok(new Set(ids).size < ids.length, 'weights repeat some rows within the epoch');
    for (const worldSize of [2, 3]) {
      const shares = await Promise.all(Array.from({ length: worldSize }, (_, rank) => take(store, shards, { rank, worldSize }, null)));
      const union = shares.flatMap(samples);
      assert.deepEqual([...union].sort(), [...single].sort(), `world size ${worldSize}: the union is the epoch`);
      for (const s of shares) assert.ok(Math.abs(s.length - single.length / worldSize) <= 4, `balanced shares (${s.length} of ${single.length})`);
    }
  });

  it('resumes each rank exactly from its saved position, across the epoch end', async () => {
    const whole = await take(store, shards, { rank: 1, worldSize: 3 }, 30);
    assert.ok(whole.at(-1)!.position.epoch >= 1, 'the run crossed into the next epoch');
    for (const k of [5, 19]) {
      const resumed = await take(store, shards, { position: whole[k - 1]!.position }, 30 - k);
      assert.deepEqual(samples(resumed), samples(whole.slice(k)), `resume after batch ${k}`);
      assert.deepEqual(
        resumed.map((b) => b.position),
        whole.slice(k).map((b) => b.position),
      );
    }
  });

  it('refuses a changed world size or rank at resume, a rank outside the world, and reads old positions as rank 0 of 1', async () => {
    const [b] = await take(store, shards, { rank: 1, worldSize: 2 }, 1);
    await assert.rejects(open(store, shards, { position: b!.position, worldSize: 4, rank: 1 }), /world size 2, not 4/);
    await assert.rejects(open(store, shards, { position: b!.position, worldSize: 2, rank: 0 }), /belongs to rank 1, not 0/);
    await assert.rejects(open(store, shards, { rank: 2, worldSize: 2 }), /loader rank: must be an integer in \[0, 1\]/);
    const old = parsePosition({ seed: 3, epoch: 0, window: 0, offset: 2, batches: 2, samples: 2 });
    assert.equal(old.rank, 0);
    assert.equal(old.worldSize, 1);
  });
});
