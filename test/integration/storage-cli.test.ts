// `sigforge storage init|put|get` against a real MinIO, configured as an operator would (a settings file with the
// endpoint, credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, no AWS_ENDPOINT_URL* variables).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startMinio, type MinioServer } from '../../workflows/dev/minio.js';
import { clearAwsEnv } from '../helpers/aws-env.js';

describe('sigforge storage on MinIO', () => {
  let minio: MinioServer;
  let settings: string;
  let env: NodeJS.ProcessEnv;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigforge-storage-cli-'));
  let restoreAws = (): void => undefined;

  before(async () => {
    restoreAws = clearAwsEnv();
    minio = await startMinio();
    settings = path.join(tmp, 'settings.yaml');
    writeFileSync(settings, `storage:\n  root: s3://fresh-bucket/team/a\n  s3:\n    endpoint: ${minio.endpoint}\n    region: ${minio.region}\n`);
    env = { AWS_ACCESS_KEY_ID: minio.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' };
  });

  after(async () => {
    await minio?.stop();
    restoreAws();
  });

  it('init creates the bucket, checks conditional PUT, and is idempotent', async () => {
    const first = await runCli(['-c', settings, 'storage', 'init'], env);
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /bucket: created/);
    assert.match(first.output, /conditional put \(If-None-Match: \*\): ok/);
    assert.match(first.output, /storage root s3:\/\/fresh-bucket\/team\/a is ready/);
    const again = await runCli(['-c', settings, 'storage', 'init'], env);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /bucket: exists/);
  });

  it('put uploads a file and a folder under the root; get downloads them back byte for byte', async () => {
    const lists = path.join(tmp, 'lists');
    mkdirSync(path.join(lists, 'more'), { recursive: true });
    writeFileSync(path.join(lists, 'a.csv'), 'url,caption\nhttp://127.0.0.1/x.jpg,un chat\n');
    writeFileSync(path.join(lists, 'more', 'b.jsonl'), '{"url":"http://127.0.0.1/y.jpg","caption":"ein Hund"}\n');
    const up = await runCli(['-c', settings, 'storage', 'put', lists, 'sources/lists'], env);
    assert.equal(up.code, 0, up.output);
    assert.match(up.output, /2 object\(s\), \d+ bytes → s3:\/\/fresh-bucket\/team\/a\/sources\/lists/);

    const down = path.join(tmp, 'down');
    const got = await runCli(['-c', settings, 'storage', 'get', 'sources/lists', down], env);
    assert.equal(got.code, 0, got.output);
    assert.equal(readFileSync(path.join(down, 'a.csv'), 'utf8'), readFileSync(path.join(lists, 'a.csv'), 'utf8'));
    assert.equal(readFileSync(path.join(down, 'more', 'b.jsonl'), 'utf8'), readFileSync(path.join(lists, 'more', 'b.jsonl'), 'utf8'));

    const one = path.join(tmp, 'one.csv');
    const single = await runCli(['-c', settings, 'storage', 'get', `s3://fresh-bucket/team/a/sources/lists/a.csv`, one], env);
    assert.equal(single.code, 0, single.output);
    assert.equal(readFileSync(one, 'utf8'), readFileSync(path.join(lists, 'a.csv'), 'utf8'));
  });

  it('get of nothing fails naming the place', async () => {
    const r = await runCli(['-c', settings, 'storage', 'get', 'no/such/thing', path.join(tmp, 'x')], env);
    assert.equal(r.code, 1);
    assert.match(r.output, /copy from s3:\/\/fresh-bucket\/team\/a\/no\/such\/thing: no object there, and no objects under it/);
  });
});
