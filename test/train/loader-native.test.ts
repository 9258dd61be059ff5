// The streaming loader on JPEG records, where the native image addon decodes, crops, resizes and flips: batches
// resume exactly (fixed with random-resized crops and flips, self-distillation views, NaFlex), and a run with the
// addon off (sharp) draws the same rows, captions, crops and flips, its pixels within 30 dB of the native ones.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { imageAddonStatus } from '../../native/image/index.js';
import { parseLoaderConfig, type LoaderConfigInput } from '../../pipelines/loader/config.js';
import { type LoaderBatch, StreamingLoader } from '../../pipelines/loader/loader.js';
import { parsePosition } from '../../pipelines/loader/position.js';
import { type ObjectStore, openStore } from '../../storage/index.js';
import { psnr } from '../helpers/jpegs.js';
import { writeEmojiDataset } from '../../workflows/dev/emoji-dataset.js';

const status = imageAddonStatus();
if (!status.enabled && process.env.SIGFORGE_REQUIRE_NATIVE === '1' && !/disabled by/.test(status.reason)) {
  throw new Error(`SIGFORGE_REQUIRE_NATIVE=1 but ${status.reason}`);
}
const skip = status.enabled ? false : status.reason;

const tokenize = (texts: readonly string[]): Int32Array =>
  new Int32Array(texts.length * 4).map((_, i) => texts[i >> 2]!.length + i);

async function take(
  store: ObjectStore,
  shards: string[],
  cfg: LoaderConfigInput,
  n: number,
  position?: unknown,
): Promise<LoaderBatch[]> {
  const loader = await StreamingLoader.open({
    store,
    shards,
    config: parseLoaderConfig(cfg),
    tokenize,
    seed: 11,
    ...(position !== undefined && { position: parsePosition(JSON.parse(JSON.stringify(position))) }),
  });
  const out: LoaderBatch[] = [];
  for (let i = 0; i < n; i++) out.push(await loader.next());
  await loader.close();
  return out;
}

function sameBatches(a: LoaderBatch[], b: LoaderBatch[]): void {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => {
    assert.deepEqual(x.ids, b[i]!.ids, `batch ${i} ids`);
    assert.deepEqual(x.images, b[i]!.images, `batch ${i} pixels`);
    assert.deepEqual(x.views, b[i]!.views, `batch ${i} views`);
    assert.deepEqual(x.position, b[i]!.position, `batch ${i} position`);
  });
}

/** [−1, 1] floats back to bytes (what toUnitRange was given). */
const toBytes = (f: Float32Array): Uint8Array => Uint8Array.from(f, (v) => Math.round((v + 1) * 127.5));

const fixed: LoaderConfigInput = {
  batchSize: 8,
  resolution: { kind: 'fixed', size: 48 },
  cropScale: [0.35, 1],
  flip: true,
  windowGroups: 2,
};

describe('streaming loader on JPEG records (native image path)', { skip }, () => {
  let dir: string;
  let store: ObjectStore;
  let shards: string[];
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-loader-native-'));
    store = openStore(pathToFileURL(dir).href);
    // 96×72 JPEGs: crops of 35–100% are larger than 48 px on both sides only sometimes, so both downscales and
    // enlargements occur.
    shards = (await writeEmojiDataset(store, { name: 'emoji-jpeg', rows: 40, shards: 2, rowGroupRows: 8, side: 96 }))
      .shardKeys;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes exactly: fixed size with crops and flips, views, NaFlex', async () => {
    const whole = await take(store, shards, fixed, 7);
    assert.ok(whole.at(-1)!.position.epoch >= 1, 'crosses an epoch');
    for (const k of [2, 5])
      sameBatches(await take(store, shards, fixed, 7 - k, whole[k - 1]!.position), whole.slice(k));
    const views: LoaderConfigInput = { ...fixed, views: { globalSize: 32, localSize: 16, locals: 2 } };
    const v = await take(store, shards, views, 3);
    sameBatches(await take(store, shards, views, 1, v[1]!.position), v.slice(2));
    const naflex: LoaderConfigInput = {
      batchSize: 4,
      resolution: { kind: 'naflex', patchSize: 8, seqLens: [16, 36] },
      windowGroups: 2,
    };
    const nf = await take(store, shards, naflex, 4);
    sameBatches(await take(store, shards, naflex, 2, nf[1]!.position), nf.slice(2));
  });

  it("draws the same rows, crops and flips as the sharp path; pixels within 30 dB of sharp's", async () => {
    const native = await take(store, shards, fixed, 3);
    const script = `
      import { openStore } from './storage/index.ts';
      import { parseLoaderConfig } from './pipelines/loader/config.ts';
      import { StreamingLoader } from './pipelines/loader/loader.ts';
      const loader = await StreamingLoader.open({
        store: openStore(${JSON.stringify(pathToFileURL(dir).href)}), shards: ${JSON.stringify(shards)},
        config: parseLoaderConfig(${JSON.stringify(fixed)}), tokenize: (t) => new Int32Array(t.length * 4), seed: 11 });
      const out = [];
      for (let i = 0; i < 3; i++) {
        const b = await loader.next();
        out.push({ ids: b.ids, captions: b.captions, position: b.position, pixels: Buffer.from(b.images.pixels.buffer).toString('base64') });
      }
      await loader.close();
      process.stdout.write(JSON.stringify(out));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, SIGFORGE_NATIVE_IMAGE: '0' },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    assert.equal(run.status, 0, run.stderr);
    const viaSharp = JSON.parse(run.stdout.slice(run.stdout.indexOf('['))) as {
      ids: string[];
      captions: string[];
      position: unknown;
      pixels: string;
    }[];
    const n = 48 * 48 * 3;
    native.forEach((b, i) => {
      const s = viaSharp[i]!;
      assert.deepEqual([b.ids, b.captions, b.position], [s.ids, s.captions, s.position], `batch ${i}: same stream`);
      assert.equal(b.images.kind, 'fixed');
      const ours = toBytes(b.images.kind === 'fixed' ? b.images.pixels : new Float32Array());
      const buf = Buffer.from(s.pixels, 'base64');
      const theirs = toBytes(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4));
      for (let k = 0; k < b.ids.length; k++) {
        const p = psnr(ours.subarray(k * n, (k + 1) * n), theirs.subarray(k * n, (k + 1) * n));
        assert.ok(
          p >= 30 && p < Infinity,
          `batch ${i} image ${k}: ${p.toFixed(1)} dB (a different crop or flip would be far lower; equal would mean the native path did not run)`,
        );
      }
    });
  });
});
