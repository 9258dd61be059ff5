import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../workflows/config.js';

function tmpFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sigforge-config-')), name);
  writeFileSync(file, text);
  return file;
}

describe('config', () => {
  it('applies defaults', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.temporal.address, '127.0.0.1:7233');
    assert.equal(c.temporal.namespace, 'default');
    assert.equal(c.temporal.tls, false);
    assert.deepEqual(c.worker.queues, ['etl', 'train', 'eval']);
    assert.match(c.storage.root, /^file:\/\/\/.*\.sigforge\/data$/);
  });

  it('takes flags over env over file', () => {
    const file = tmpFile('c.yaml', 'temporal:\n  address: file-host:1\n  namespace: from-file\nstorage:\n  root: s3://b/p\n');
    const env = { TEMPORAL_ADDRESS: 'env-host:2', TEMPORAL_API_KEY: 'k' };
    const c = loadConfig({ file, env, flags: { temporal: { address: 'flag-host:3' } } });
    assert.equal(c.temporal.address, 'flag-host:3');
    assert.equal(c.temporal.namespace, 'from-file');
    assert.equal(c.temporal.apiKey, 'k');
    assert.equal(c.storage.root, 's3://b/p');
  });

  it('reads JSON files and mTLS settings from env', () => {
    const file = tmpFile('c.json', JSON.stringify({ worker: { queues: ['train'] } }));
    const env = { TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/k.pem' };
    const c = loadConfig({ file, env });
    assert.deepEqual(c.worker.queues, ['train']);
    assert.deepEqual(c.temporal.tls, { clientCertPath: '/c.pem', clientKeyPath: '/k.pem' });
  });

  it('names the bad field and its source', () => {
    const file = tmpFile('bad.yaml', 'worker:\n  queues: [etl, gpu]\n');
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (e: unknown) => e instanceof ConfigError && e.field === 'worker.queues.1' && e.message.includes(file),
    );
    assert.throws(
      () => loadConfig({ env: { TEMPORAL_ADDRESS: 'no-port' } }),
      (e: unknown) => e instanceof ConfigError && e.field === 'temporal.address',
    );
    assert.throws(
      () => loadConfig({ env: {}, flags: { storage: { root: 'relative/dir' } } }),
      (e: unknown) => e instanceof ConfigError && e.field === 'storage.root',
    );
  });

  it('rejects unknown keys, a cert without a key, and unparsable files', () => {
    assert.throws(
      () => loadConfig({ file: tmpFile('u.yaml', 'temporal:\n  adress: x:1\n'), env: {} }),
      (e: unknown) => e instanceof ConfigError && e.field === 'temporal.adress',
    );
    assert.throws(
      () => loadConfig({ env: { TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem' } }),
      (e: unknown) => e instanceof ConfigError && e.field === 'temporal.tls',
    );
    assert.throws(
      () => loadConfig({ file: tmpFile('x.json', '{not json'), env: {} }),
      (e: unknown) => e instanceof ConfigError && /not valid JSON/.test(e.message),
    );
    assert.throws(() => loadConfig({ file: '/nonexistent/sigforge.yaml', env: {} }), /cannot read config file/);
  });
});
