// Issue 17 defects 1 and 2: an existing version counts as done only with the same inputs, and two writers of one
// partition (a second run of the same ingest, a timed-out attempt still running) cannot make a commit record bytes
// that are not the shard's. The activities run here without a Temporal server: plan and commit take no activity
// context, and partitions run through runPartition, which the ingestPartition activity wraps.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { NotFoundError, openStore, readManifest, verifyDataset, type ObjectStore } from '../../../storage/index.js';
import { defaultIngestWorkflowId, ingestInputFromFlags } from '../../../workflows/cli/commands/ingest.js';
import { createIngestActivities } from '../../../workflows/ingest/activities.js';
import { summaryKey } from '../../../workflows/ingest/keys.js';
import { runPartition, type PartitionIO } from '../../../workflows/ingest/partition.js';
import { type IngestPlan } from '../../../workflows/ingest/shared.js';

const lang = { identify: () => null, dispose: () => undefined };

async function writeImages(dir: string, colours: string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [i, c] of colours.entries()) {
    const jpeg = await sharp({ create: { width: 40, height: 32, channels: 3, background: c } }).jpeg().toBuffer();
    writeFileSync(path.join(dir, `img-${i}.jpg`), jpeg);
    writeFileSync(path.join(dir, `img-${i}.txt`), `a ${c} square`);
  }
}

describe('ingest commit integrity (defects 1, 2)', () => {
  let dir: string;
  let store: ObjectStore;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-commit-'));
    store = openStore(`file://${dir}/store`);
    await writeImages(path.join(dir, 'a'), ['#ff0000', '#00ff00', '#0000ff']);
    await writeImages(path.join(dir, 'b'), ['#ffff00', '#00ffff']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const activities = () => createIngestActivities({ store, lang });
  const io = (over: Partial<PartitionIO> = {}): PartitionIO => ({ store, lang, ssrfAllow: [], heartbeat: () => undefined, ...over });
  async function ingest(source: string, version: string): Promise<IngestPlan> {
    const acts = activities();
    const plan = await acts.planIngest({ source, name: 'sq', version, image: { size: 32, minSide: 8 } });
    for (let i = 0; i < plan.partitions; i++) await runPartition(plan, i, io());
    await acts.commitIngest(plan);
    return plan;
  }

  it('defect 1: --version of an existing version with another source is an error, not the old data', async () => {
    await ingest(path.join(dir, 'a'), 'v1');
    const acts = activities();
    await assert.rejects(
      async () => await acts.commitIngest(await acts.planIngest({ source: path.join(dir, 'b'), name: 'sq', version: 'v1', image: { size: 32, minSide: 8 } })),
      (err: Error) => {
        assert.match(err.message, /sq@v1: already exists with different inputs or settings/);
        assert.equal((err as { nonRetryable?: boolean }).nonRetryable, true);
        return true;
      },
    );
    // The same inputs again are the existing version, untouched.
    const again = await acts.planIngest({ source: path.join(dir, 'a'), name: 'sq', version: 'v1', image: { size: 32, minSide: 8 } });
    assert.equal(again.committed, true);
    assert.equal((await acts.commitIngest(again)).rows, 3);
    // A plan that claims "committed" with another config hash is refused too.
    await assert.rejects(acts.commitIngest({ ...again, configHash: 'f'.repeat(64) }), /already exists with different inputs/);
  });

  it('defect 2: a second writer of the same partition cannot make the commit record bytes the shard does not hold', async () => {
    const acts = activities();
    const plan = await acts.planIngest({ source: path.join(dir, 'a'), name: 'sq', version: 'v2', image: { size: 32, minSide: 8 } });
    assert.equal(plan.partitions, 1);
    // Writer A finishes the partition (shard, summary, chunks removed).
    await runPartition(plan, 0, io({ now: () => 1_000 }));
    // Writer B looked for the summary before A wrote it, so it builds the partition again (its own fetched_at, so
    // other bytes); its summary write is held back until after the commit below.
    const sKey = summaryKey(plan.name, plan.version, 0);
    let release!: () => void;
    let reached!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const atSummary = new Promise<void>((r) => (reached = r));
    let looked = false;
    const bStore: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      get: async (key: string) => {
        if (key === sKey && !looked) {
          looked = true;
          throw new NotFoundError(`${key}: not yet written`);
        }
        return await store.get(key);
      },
      put: async (key: string, body: Parameters<ObjectStore['put']>[1]) => {
        if (key === sKey) {
          reached();
          await held;
        }
        return await store.put(key, body);
      },
    });
    const b = runPartition(plan, 0, io({ store: bStore, now: () => 2_000 }));
    await atSummary; // B's shard is stored; its summary is not.
    await acts.commitIngest(plan);
    release();
    await b;
    // The committed manifest still describes the bytes it names, after both writers are done.
    const manifest = await readManifest(store, 'sq', 'v2');
    await verifyDataset(store, manifest);
    // The second writer's shard, which no manifest lists, was removed at commit.
    const stored: string[] = [];
    for await (const e of store.list('datasets/sq/v2/shards/')) stored.push(e.key);
    assert.deepEqual(stored, manifest.shards.map((s) => s.key));
  });

  it("defect 2: the CLI's default workflow id is the same for the same command, so it never starts a second writer", () => {
    const id = (flags: Parameters<typeof ingestInputFromFlags>[0]): string => defaultIngestWorkflowId(ingestInputFromFlags(flags, 'file:///r'));
    const base = { name: 'web', source: '/data/a.csv', imageSize: '256' };
    assert.equal(id(base), id({ ...base }));
    assert.match(id(base), /^ingest-web-[0-9a-f]{16}$/);
    assert.notEqual(id(base), id({ ...base, source: '/data/b.csv' }));
    assert.notEqual(id(base), id({ ...base, version: 'v2' }));
    assert.notEqual(id(base), id({ ...base, imageSize: '512' }));
  });
});
