// Integration: curateWorkflow on a real Temporal dev server over real local storage: raw shards in, a curated
// version out (decontaminated, deduplicated, language-mixed, M4-balanced), incremental rerun = full recompute.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  buildManifest,
  commitManifest,
  datasetKeys,
  openStore,
  readManifest,
  readShard,
  writeShard,
  type ObjectStore,
  type DataRecord,
  type ShardInfo,
} from '../../../storage/index.js';
import { joinU64 } from '../../../pipelines/curate/hash.js';
import { syntheticRows } from '../../../pipelines/curate/synthetic.js';
import { createCurateActivities } from '../../../workflows/curate/activities.js';
import { type CurateInput, type CurateResult } from '../../../workflows/curate/shared.js';
import { startTemporal } from '../../helpers/temporal.js';

const workflowsPath = fileURLToPath(new URL('../../../workflows/curate/workflows.ts', import.meta.url));
/** The innermost failure message (workflow → activity → application failure). */
function rootMessage(e: unknown): string {
  let cur = e as { cause?: unknown; message?: string } | undefined;
  while (cur?.cause) cur = cur.cause as { cause?: unknown; message?: string };
  return String(cur?.message);
}
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Synthetic raw records (tiny fake image bytes; curation never decodes images). */
function records(n: number, seed: number): DataRecord[] {
  const { columns: c } = syntheticRows({
    rows: n,
    seed,
    dupFraction: 0.08,
    k: 3,
    englishShare: 0.8,
    personFraction: 0.3,
  });
  return Array.from({ length: n }, (_, i) => {
    const ok = c.status[i] === 'ok';
    return {
      id: c.id[i]!,
      source: 'synthetic',
      url: `http://127.0.0.1/${i}.jpg`,
      caption: c.caption[i]!,
      alt_captions: [],
      lang: c.lang[i]!,
      lang_score: c.langScore[i]!,
      image: ok ? Uint8Array.from([i & 255, (i >> 8) & 255, seed]) : null,
      mime: ok ? 'image/jpeg' : null,
      width: ok ? c.width[i]! : null,
      height: ok ? c.height[i]! : null,
      orig_width: ok ? c.width[i]! : null,
      orig_height: ok ? c.height[i]! : null,
      sha256: ok ? hex(c.sha256[i]!) : null,
      phash: ok ? joinU64(c.phashHi[i]!, c.phashLo[i]!) : null,
      status: c.status[i] as DataRecord['status'],
      error: ok ? null : 'HTTP 404',
      fetched_at: 1_700_000_000_000 + i,
      boxes: null,
      attrs: null,
      weight: null,
    };
  });
}

async function writeDataset(store: ObjectStore, name: string, version: string, shards: DataRecord[][]): Promise<void> {
  const infos: ShardInfo[] = [];
  for (const [i, rows] of shards.entries())
    infos.push(await writeShard(store, datasetKeys(name, version).shard(i), rows));
  await commitManifest(
    store,
    buildManifest(store, {
      name,
      version,
      kind: 'raw',
      shards: infos,
      lineage: { inputs: [], config: {}, config_hash: 'test', code_version: 'test' },
    }),
  );
}

async function datasetRows(
  store: ObjectStore,
  name: string,
  version: string,
): Promise<Pick<DataRecord, 'id' | 'weight' | 'alt_captions' | 'attrs' | 'phash'>[]> {
  const m = await readManifest(store, name, version);
  const out: Pick<DataRecord, 'id' | 'weight' | 'alt_captions' | 'attrs' | 'phash'>[] = [];
  for (const s of m.shards)
    for await (const b of readShard(store, s.key, { columns: ['id', 'weight', 'alt_captions', 'attrs', 'phash'] }))
      out.push(...b);
  return out;
}

describe('curateWorkflow (real Temporal, local storage)', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let store: ObjectStore;
  let worker: Worker;
  let running: Promise<void>;
  const shards = [records(400, 1), records(400, 2), records(400, 3)];
  const extra = records(400, 4);
  const config = {
    seed: 1,
    filters: [{ name: 'basic', min_side: 200 }, { name: 'hygiene' }],
    dedup: { k: 3 },
    language_mix: { targets: { en: 0.9, '*': 0.1 } },
    m4: { eta: 0.9, eps_association: 0.03, min_concept_rows: 5 },
  };

  before(async () => {
    env = await startTemporal();
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-curate-'));
    store = openStore(`file://${dir}/store`);
    await writeDataset(store, 'raw', 'v1', shards);
    await writeDataset(store, 'raw', 'v2', [...shards, extra]);
    // Evaluation set: near copies (2 bits off) of 10 raw rows.
    const evalRows = shards[0]!
      .filter((r) => r.status === 'ok')
      .slice(0, 10)
      .map((r) => ({ ...r, id: `eval-${r.id}`, phash: r.phash! ^ 0b101n }));
    await writeDataset(store, 'evalset', 'v1', [evalRows]);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'etl',
      workflowsPath,
      // Every global step here takes the sharded path (the CLI tests take the in-memory one).
      activities: createCurateActivities({ store, globalInMemoryRows: 0 }),
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (input: CurateInput, id: string): Promise<CurateResult> =>
    env.client.workflow.execute('curateWorkflow', {
      taskQueue: 'etl',
      workflowId: id,
      args: [input],
    }) as Promise<CurateResult>;

  it('writes a curated version with lineage, weights, merged captions, a report and no eval near-duplicates', async () => {
    const res = await run(
      { input: 'raw@v1', config, name: 'cur', version: 'a', evalSets: ['evalset@v1'], maxConcurrentShards: 2 },
      'curate-a',
    );
    assert.equal(res.version, 'a');
    assert.equal(res.rowsIn, 1200);
    assert.ok(res.rowsOut > 200 && res.rowsOut < 1200, `rows out ${res.rowsOut}`);
    const m = await readManifest(store, 'cur', 'a');
    assert.equal(m.kind, 'curated');
    assert.deepEqual(m.lineage.inputs, [{ name: 'raw', version: 'v1' }]);
    const rows = await datasetRows(store, 'cur', 'a');
    assert.equal(rows.length, res.rowsOut);
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'ids unique');
    const evalIds = new Set(
      shards[0]!
        .filter((r) => r.status === 'ok')
        .slice(0, 10)
        .map((r) => r.id),
    );
    assert.ok(!rows.some((r) => evalIds.has(r.id)), 'decontaminated');
    assert.ok(rows.every((r) => r.weight === 1));
    assert.ok(
      rows.some((r) => r.alt_captions.length > 0),
      'duplicate captions merged',
    );
    assert.ok(rows.some((r) => r.attrs?.includes('gender:woman')));
    const report = JSON.parse(new TextDecoder().decode(await store.get('curation/runs/cur/a/report.json'))) as {
      decontamination: { [k: string]: number };
      dedup: { near_removed: number };
    };
    assert.ok(report.decontamination['evalset@v1']! >= 1);
    assert.ok(report.dedup.near_removed > 0);
    const html = new TextDecoder().decode(await store.get('curation/runs/cur/a/report.html'));
    assert.match(html, /<svg[^>]*aria-label="Rows dropped per reason"/);
    // Shuffled at write time: output order is not input order.
    const inputOrder = shards[0]!.map((r) => r.id).filter((id) => rows.some((r) => r.id === id));
    const outputOrder = rows.map((r) => r.id).filter((id) => id.startsWith('syn-1-'));
    assert.notDeepEqual(outputOrder, inputOrder);
    // The recorded history replays against the workflow code (determinism).
    const history = await env.client.workflow.getHandle('curate-a').fetchHistory();
    await Worker.runReplayHistory({ workflowsPath }, history, 'curate-a');
    // Rerun: same version, nothing redone.
    const again = await run(
      { input: 'raw@v1', config, name: 'cur', version: 'a', evalSets: ['evalset@v1'] },
      'curate-a2',
    );
    assert.equal(again.rowsOut, res.rowsOut);
  });

  it('an incremental rerun on new shards scores only those and gives exactly the rows of a full recompute', async () => {
    await run({ input: 'raw@v1', config, name: 'inc', version: 'v1' }, 'curate-inc-1');
    const inc = await run({ input: 'raw@v2', config, name: 'inc', version: 'v2', incremental: true }, 'curate-inc-2');
    assert.equal(inc.shardsReused, 3);
    assert.equal(inc.shardsScored, 1);
    const full = await run({ input: 'raw@v2', config, name: 'full', version: 'v2', incremental: false }, 'curate-full');
    assert.equal(full.shardsReused, 0);
    const ids = async (name: string): Promise<string[]> =>
      (await datasetRows(store, name, 'v2')).map((r) => r.id).sort();
    assert.deepEqual(await ids('inc'), await ids('full'));
  });

  it('rejects a bad config naming the field, and an input with another schema version', async () => {
    await assert.rejects(
      run({ input: 'raw@v1', config: { ...config, m4: { eta: 1.5 } }, name: 'bad' }, 'curate-bad'),
      (e: unknown) => e instanceof WorkflowFailedError && /config m4\.eta/.test(rootMessage(e)),
    );
    const m = await readManifest(store, 'raw', 'v1');
    await store.put(
      datasetKeys('old', 'v1').manifest,
      new TextEncoder().encode(JSON.stringify({ ...m, name: 'old', schema_version: 99 })),
    );
    await assert.rejects(
      run({ input: 'old@v1', config, name: 'bad2' }, 'curate-bad2'),
      (e: unknown) => e instanceof WorkflowFailedError && /old@v1: schema version 99 differs/.test(rootMessage(e)),
    );
    assert.equal(await store.head(datasetKeys('bad2', 'x').manifest), null);
  });

  it('continues as new after shardsPerRun shard activities and gives the rows of a single run', async () => {
    const base = { input: 'raw@v1', config, name: 'cont', evalSets: ['evalset@v1'], maxConcurrentShards: 2 };
    const one = await run({ ...base, version: 'one' }, 'curate-cont-one');
    const handle = await env.client.workflow.start('curateWorkflow', {
      taskQueue: 'etl',
      workflowId: 'curate-cont-many',
      args: [{ ...base, version: 'many', shardsPerRun: 1 } satisfies CurateInput],
    });
    const many = (await handle.result()) as CurateResult;
    // 3 shards scored + 3 materialized, one per run: the first run continued as new (several times).
    const last = await env.client.workflow.getHandle('curate-cont-many').describe();
    assert.notEqual(last.runId, handle.firstExecutionRunId, 'continued as new');
    assert.equal(many.shardsScored + many.shardsReused, 3);
    assert.equal(many.rowsOut, one.rowsOut);
    const key = (r: { id: string; weight: number | null; alt_captions: string[] }): string =>
      `${r.id}|${r.weight}|${[...r.alt_captions].sort().join('/')}`;
    const a = (await datasetRows(store, 'cont', 'one')).map(key).sort();
    const b = (await datasetRows(store, 'cont', 'many')).map(key).sort();
    assert.ok(a.length > 0);
    assert.deepEqual(b, a);
    // A continued run's history replays against the workflow code.
    const history = await env.client.workflow.getHandle('curate-cont-many').fetchHistory();
    await Worker.runReplayHistory({ workflowsPath }, history, 'curate-cont-many');
  });
});
