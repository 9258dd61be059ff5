// The operator's path with the storage root on S3 (MinIO), through the CLI only, as README "Running on a cluster"
// describes it: storage init → put the source → ingest (s3:// source) → curate → train (tiny) → eval, with the run
// given as a root-relative path and as an s3:// URI → report → get the report. The settings file names the endpoint;
// credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; no AWS_ENDPOINT_URL* variable is set anywhere.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { startMinio, type MinioServer } from '../../workflows/dev/minio.js';
import { startTemporal } from '../helpers/temporal.js';
import { clearAwsEnv } from '../helpers/aws-env.js';

const require = createRequire(import.meta.url);

/** A folder of emoji images (npm-shipped) with their English CLDR names as captions. */
function writeEmojiFolder(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  const pkg = path.dirname(require.resolve('emoji-datasource-google/package.json'));
  const entries = JSON.parse(readFileSync(path.join(pkg, 'emoji.json'), 'utf8')) as { unified: string; image: string; has_img_google?: boolean }[];
  const names = (require('cldr-annotations-full/annotations/en/annotations.json') as { annotations: { annotations: Record<string, { tts?: string[] }> } }).annotations.annotations;
  let n = 0;
  for (const e of entries) {
    if (n === count) break;
    const tts = names[String.fromCodePoint(...e.unified.split('-').map((h) => parseInt(h, 16)))]?.tts?.[0];
    if (e.has_img_google === false || !tts) continue;
    writeFileSync(path.join(dir, `e${n}.png`), readFileSync(path.join(pkg, 'img/google/64', e.image)));
    writeFileSync(path.join(dir, `e${n}.txt`), `${tts}\n`);
    n++;
  }
}

describe('operator path on S3 through the CLI (MinIO, no AWS_ENDPOINT_URL*)', () => {
  let env: TestWorkflowEnvironment;
  let minio: MinioServer;
  let worker: CliProcess;
  let base: string[];
  let cliEnv: NodeJS.ProcessEnv;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigforge-s3-operator-'));
  let restoreAws = (): void => undefined;
  const root = 's3://ops-bucket/sigforge';

  before(async () => {
    restoreAws = clearAwsEnv();
    [env, minio] = await Promise.all([startTemporal(), startMinio()]);
    const settings = path.join(tmp, 'settings.yaml');
    writeFileSync(
      settings,
      `temporal:\n  address: ${env.connection.options.address}\nstorage:\n  root: ${root}\n  s3:\n    endpoint: ${minio.endpoint}\n    region: ${minio.region}\n`,
    );
    base = ['-c', settings];
    cliEnv = { AWS_ACCESS_KEY_ID: minio.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' };
    writeEmojiFolder(path.join(tmp, 'emoji'), 48);
    // 64 px emoji with one-word names: DataComp's basic filter (min side 200, 2 words) would drop them all.
    writeFileSync(path.join(tmp, 'curate.yaml'), 'filters:\n  - { name: basic, min_side: 32, min_words: 1 }\n  - { name: hygiene }\nm4:\n  enabled: false\n');
    writeFileSync(
      path.join(tmp, 'train.yaml'),
      'model: tiny\nbackend: wasm\nseed: 1\nbatchSize: 8\nexamples: 48\noptimizer: { lr: 0.003, warmupSteps: 1 }\ncheckpointEvery: 3\nkeepLast: 2\nloader: { windowGroups: 2, prefetch: 1 }\n',
    );
  });

  after(async () => {
    // What the worker said, for a failed or slow run (it never holds the secret key: checked below).
    if (worker) process.stderr.write(`--- worker output (tail) ---\n${worker.output().slice(-6000)}\n`);
    worker?.child.kill('SIGINT');
    await worker?.exited();
    await Promise.allSettled([env?.teardown(), minio?.stop()]);
    restoreAws();
  });

  const cli = async (args: string[]) => {
    const r = await runCli([...base, ...args], cliEnv);
    assert.equal(r.code, 0, `sigforge ${args.join(' ')}\n${r.output}`);
    return r.output;
  };

  it('ingests, curates, trains, evaluates and reports with every object on S3', { timeout: 1_200_000 }, async () => {
    assert.match(await cli(['storage', 'init']), /bucket: created/);
    await cli(['storage', 'put', path.join(tmp, 'emoji'), 'sources/emoji']);
    worker = startCli([...base, 'worker'], cliEnv);
    await worker.waitFor(/serving etl, train, eval/, 120_000);

    assert.match(await cli(['ingest', '--source', `${root}/sources/emoji`, '--format', 'folder', '--name', 'emoji', '--wait']), /"ok": 48/);
    assert.match(await cli(['curate', '--input', 'emoji@latest', '--name', 'emoji-c', '--curate-config', path.join(tmp, 'curate.yaml'), '--wait']), /"rowsOut": [1-9]\d*/);
    await cli(['train', '--config', path.join(tmp, 'train.yaml'), '--data', 'emoji-c@latest', '--out', 'runs/a', '--wait']);

    // The same run as a root-relative path and as an s3:// URI: both name the run's final checkpoint on MinIO.
    const byPath = await cli(['eval', '--model', 'runs/a', '--suite', 'emoji-zeroshot', '--max-classes', '4', '--languages', 'en', '--wait']);
    const byUri = await cli(['eval', '--model', `${root}/runs/a`, '--suite', 'emoji-zeroshot', '--max-classes', '4', '--languages', 'en', '--wait']);
    for (const out of [byPath, byUri]) assert.match(out, /summary: s3:\/\/ops-bucket\/sigforge\/eval\/runs\//);
    assert.match(byPath, /top1/);

    assert.match(await cli(['report', 'runs/a']), /^s3:\/\/ops-bucket\/sigforge\/runs\/a\/report\/index\.html \(\d+ charts\)/m);
    await cli(['storage', 'get', 'runs/a/report', path.join(tmp, 'report')]);
    const html = readFileSync(path.join(tmp, 'report', 'index.html'), 'utf8');
    assert.doesNotMatch(html, /Nothing to report/);
    assert.match(html, /<svg|charts\//);

    const shown = await cli(['datasets', 'show', 'emoji-c@latest', '--verify']);
    assert.match(shown, /verified: every shard present with its recorded sha256/);
    // Nothing in the worker's output or the CLI's carries the secret key.
    assert.doesNotMatch(worker.output(), new RegExp(minio.secretAccessKey));
  });
});
