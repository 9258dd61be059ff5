// The one store factory: reference resolution (one rule for every verb), the s3:// refusal without settings, a static
// check that production code opens stores only through it, and a MinIO run in which evaluation resolves and reads an
// s3:// model with the worker's settings and no AWS_* endpoint variables in the environment.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createStores, LOCAL_STORES, resolveRef, type Stores } from '../../storage/index.js';
import { createEvalActivities } from '../../workflows/eval/activities.js';
import { finalCheckpoint, resolveModelDir } from '../../workflows/eval/models.js';
import { shortModel } from '../../workflows/eval/table.js';
import { startMinio, type MinioServer } from '../../workflows/dev/minio.js';
import { clearAwsEnv } from '../helpers/aws-env.js';

const repo = path.resolve(import.meta.dirname, '../..');

describe('resolveRef: one rule for references across verbs', () => {
  it('keeps URIs, makes local paths file:// and puts bare relative paths under the root', () => {
    assert.equal(resolveRef('s3://b-1/x/runs/a/', 's3://root-b/p'), 's3://b-1/x/runs/a');
    assert.equal(resolveRef('file:///tmp/m', 's3://root-b/p'), 'file:///tmp/m');
    assert.equal(resolveRef('runs/a', 's3://root-b/p'), 's3://root-b/p/runs/a');
    assert.equal(resolveRef('runs/a/', 'file:///data/'), 'file:///data/runs/a');
    assert.equal(resolveRef('/abs/model', 's3://root-b/p'), pathToFileURL('/abs/model').href);
    assert.equal(resolveRef('./rel/model', 's3://root-b/p'), pathToFileURL(path.resolve('rel/model')).href);
  });

  it('refuses what it cannot place, naming the reference', () => {
    assert.throws(() => resolveRef('https://example.invalid/m', 's3://root-b/p'), /"https:\/\/example.invalid\/m": use a file:\/\/ or s3:\/\/ URI/);
    assert.throws(() => resolveRef('runs/a', null), /"runs\/a": is relative but no storage root is configured/);
    assert.throws(() => resolveRef('runs/../../etc', 's3://root-b/p'), /must not contain "\." or "\.\." segments/);
    assert.throws(() => resolveRef('', 's3://root-b/p'), /is empty/);
  });
});

describe('stores without settings', () => {
  it('refuse s3:// instead of falling back to AWS defaults', () => {
    assert.throws(() => LOCAL_STORES.open('s3://some-bucket/x'), /open local files only/);
  });
});

/** Production source files (what users run), relative to the repo. */
function productionFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(repo, dir))) {
      const rel = path.join(dir, e);
      if (statSync(path.join(repo, rel)).isDirectory()) walk(rel);
      else if (/\.(ts|mjs)$/.test(e)) out.push(rel);
    }
  };
  for (const d of ['storage', 'pipelines', 'model', 'workflows', 'bin']) walk(d);
  return out;
}

describe('no S3 client outside the shared factory', () => {
  it('production code creates S3 clients and stores only in storage/{s3-store,open-store,stores}.ts', () => {
    const allowed: Record<string, RegExp> = {
      'storage/s3-store.ts': /new S3Client\(/,
      'storage/open-store.ts': /new S3Store\(|new LocalStore\(|\bopenStore\(/, // its definition
      'storage/stores.ts': /\bopenStore\(/,
      'workflows/dev/minio.ts': /new S3Client\(/, // the dev/test MinIO's own admin client (bucket creation), never a worker's
    };
    const patterns = [/new S3Client\(/, /new S3Store\(/, /\bopenStore\(/];
    const offenders: string[] = [];
    const files = productionFiles();
    assert.ok(files.length > 100, `expected the production tree, found ${files.length} files`);
    for (const f of files) {
      const text = readFileSync(path.join(repo, f), 'utf8');
      for (const p of patterns) {
        if (!p.test(text)) continue;
        if (!(allowed[f]?.source.split('|').includes(p.source) ?? false)) offenders.push(`${f}: ${p.source}`);
      }
    }
    assert.deepEqual(offenders, [], 'open stores through storage/stores.ts (createStores / storesFromConfig) so the worker settings apply');
  });
});

describe('evaluation opens s3:// models with the worker settings (MinIO, no AWS_* variables)', () => {
  let minio: MinioServer;
  let stores: Stores;
  let restoreAws = (): void => undefined;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigforge-stores-'));

  before(async () => {
    restoreAws = clearAwsEnv();
    minio = await startMinio();
    stores = createStores({
      root: `s3://${minio.bucket}/root`,
      s3: { endpoint: minio.endpoint, region: minio.region, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, maxAttempts: 1 },
    });
    const root = stores.open(stores.rootUri!);
    const put = (key: string, body: string) => root.put(key, new TextEncoder().encode(body));
    await put('runs/a/run.json', JSON.stringify({ stages: [{ name: 'base' }, { name: 'naflex' }, { name: 'acid' }] }));
    await put('runs/a/stages/naflex/checkpoints/step-0001530/checkpoint.json', '{}');
    await put('runs/a/stages/acid/checkpoints/step-0001240/checkpoint.json', '{}');
    await put('runs/a/stages/acid/checkpoints/step-0001200/checkpoint.json', '{}');
    await put('runs/a/stages/base/checkpoints/step-0001000/checkpoint.json', '{}');
    await put('runs/a/stages/acid/checkpoints/step-0001300/model.safetensors', ''); // not committed: no checkpoint.json
  });

  after(async () => {
    await minio?.stop();
    restoreAws();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("resolves a run to its last stage's newest committed checkpoint, by s3:// URI and by root-relative path", async () => {
    const want = `s3://${minio.bucket}/root/runs/a/stages/acid/checkpoints/step-0001240`;
    assert.equal(await resolveModelDir(`s3://${minio.bucket}/root/runs/a`, stores), want);
    assert.equal(await resolveModelDir(stores.resolve('runs/a'), stores), want);
    // Choosing a stage: its directory.
    assert.equal(await resolveModelDir(stores.resolve('runs/a/stages/naflex'), stores), `s3://${minio.bucket}/root/runs/a/stages/naflex/checkpoints/step-0001530`);
  });

  it('the eval activities use the stores they are given (and refuse s3:// without them)', async () => {
    const root = stores.open(stores.rootUri!);
    const acts = createEvalActivities({ store: root, stores });
    assert.deepEqual(await acts.resolveEvalModels({ models: [`s3://${minio.bucket}/root/runs/a`] }), [
      `s3://${minio.bucket}/root/runs/a/stages/acid/checkpoints/step-0001240`,
    ]);
    const bare = createEvalActivities({ store: root });
    await assert.rejects(bare.resolveEvalModels({ models: [`s3://${minio.bucket}/root/runs/a`] }), /open local files only/);
  });

  it('with no credentials anywhere, says so instead of "access denied by the server"', async () => {
    // The SDK's chain would ask the EC2 metadata address last: switched off, so no request leaves loopback.
    const env = { AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'none'), AWS_CONFIG_FILE: path.join(tmp, 'none') };
    Object.assign(process.env, env);
    try {
      const anonymous = createStores({ s3: { endpoint: minio.endpoint, region: minio.region, maxAttempts: 1 } });
      await assert.rejects(anonymous.open(`s3://${minio.bucket}/root`).get('runs/a/run.json'), (err: Error) => {
        assert.match(err.message, /no S3 credentials found, so no request was sent/);
        assert.doesNotMatch(err.message, /denied by the server/);
        return true;
      });
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
    }
  });

  it('without run.json the newest step wins (older runs)', () => {
    const found = [
      { dir: 'stages/x/checkpoints/step-5', stage: 'x', step: 5 },
      { dir: 'stages/y/checkpoints/step-3', stage: 'y', step: 3 },
    ];
    assert.equal(finalCheckpoint(found, null)?.dir, 'stages/x/checkpoints/step-5');
    assert.equal(finalCheckpoint(found, ['x', 'y'])?.dir, 'stages/y/checkpoints/step-3');
    assert.equal(finalCheckpoint([], ['x']), null);
  });

  it('the results table names the run, stage and step of a checkpoint', () => {
    assert.equal(shortModel('s3://b/root/runs/a/stages/acid/checkpoints/step-0001240'), 'a (acid, step 1240)');
    assert.equal(shortModel('file:///models/siglip2-base'), 'models/siglip2-base');
  });
});
