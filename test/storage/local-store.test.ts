import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { InvalidKeyError, InvalidUriError, openStore } from '../../storage/index.js';
import { failingBody, listKeys, objectStoreContract } from './store-contract.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'sigforge-local-store-'));
let n = 0;
const fresh = () => openStore(`file://${path.join(base, `s${n++}`)}`);

describe('LocalStore: the ObjectStore contract on disk', () => {
  after(() => rmSync(base, { recursive: true, force: true }));
  objectStoreContract(fresh);

  it('refuses symlinks that lead outside the root, for reads and writes', async () => {
    const s = fresh();
    await s.put('inside.txt', new Uint8Array([1]));
    const root = path.join(base, `s${n - 1}`);
    const outside = path.join(base, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    symlinkSync(outside, path.join(root, 'link'));
    await assert.rejects(s.get('link/secret.txt'), (err: unknown) => {
      assert.ok(err instanceof InvalidKeyError);
      assert.match(err.message, /link\/secret\.txt.*outside the store root/);
      return true;
    });
    await assert.rejects(s.put('link/new.txt', new Uint8Array([1])), InvalidKeyError);
    assert.deepEqual(readdirSync(outside), ['secret.txt']);
    assert.deepEqual(await listKeys(s, ''), ['inside.txt']);
  });

  it('leaves no temp files behind after a failed write', async () => {
    const s = fresh();
    await assert.rejects(s.put('dir/x.bin', failingBody([new Uint8Array(10)])));
    const root = path.join(base, `s${n - 1}`);
    assert.deepEqual(readdirSync(path.join(root, 'dir')), []);
  });

  it('rejects root URIs that are not absolute local file URIs', () => {
    for (const bad of ['file://host/x', 'relative/dir', 'http://x/y', 'file:///x?y=1']) {
      assert.throws(() => openStore(bad), InvalidUriError, bad);
    }
    assert.equal(openStore('file:///tmp/a b').uri('k'), 'file:///tmp/a%20b/k');
  });
});
