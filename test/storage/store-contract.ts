// The ObjectStore contract, run against every backend (local disk and MinIO) so both behave the same.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { AlreadyExistsError, InvalidKeyError, NotFoundError, type ObjectStore } from '../../storage/index.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Collects a store listing into an array of keys. */
export async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const e of store.list(prefix)) keys.push(e.key);
  return keys;
}

/** An async body that yields `chunks` and then throws, like a producer that dies midway. */
export async function* failingBody(
  chunks: Uint8Array[],
  error = new Error('producer died'),
): AsyncIterable<Uint8Array> {
  for (const c of chunks) {
    await new Promise((r) => setImmediate(r));
    yield c;
  }
  throw error;
}

/** Registers the contract tests; `store()` returns a fresh, empty store per test. */
export function objectStoreContract(store: () => ObjectStore): void {
  it('put/get/head round-trip bytes and report size and sha256', async () => {
    const s = store();
    const body = randomBytes(1000);
    const res = await s.put('a/b/c.bin', body);
    assert.deepEqual(res, { size: 1000, sha256: sha(body) });
    assert.deepEqual(Buffer.from(await s.get('a/b/c.bin')), body);
    const info = await s.head('a/b/c.bin');
    assert.equal(info?.size, 1000);
    if (info?.sha256 !== undefined) assert.equal(info.sha256, sha(body));
    assert.equal(await s.head('a/b/missing.bin'), null);
    await assert.rejects(s.get('a/b/missing.bin'), NotFoundError);
  });

  it('streams an async-iterable body and overwrites atomically', async () => {
    const s = store();
    const parts = [randomBytes(10), randomBytes(0), randomBytes(70_000)];
    async function* body(): AsyncIterable<Uint8Array> {
      yield* parts;
    }
    const res = await s.put('x.bin', body());
    const all = Buffer.concat(parts);
    assert.deepEqual(res, { size: all.length, sha256: sha(all) });
    await s.put('x.bin', new Uint8Array([1, 2, 3]));
    assert.deepEqual([...(await s.get('x.bin'))], [1, 2, 3]);
  });

  it('stores gather-list chunks (many views into other buffers) in order, as one object', async () => {
    const s = store();
    const blob = randomBytes(3 * 1024 * 1024);
    // 2,000 ranges (more than IOV_MAX, so a writev takes several system calls) interleaved with 4-byte buffers.
    const ranges: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) ranges.push(Uint8Array.from([i & 255, i >> 8, 7, 9]), blob.subarray(i * 1500, i * 1500 + 1000 + (i % 500)));
    async function* body(): AsyncIterable<Uint8Array | readonly Uint8Array[]> {
      yield randomBytes(0);
      yield ranges.slice(0, 1000);
      yield [];
      yield ranges.slice(1000);
      yield blob.subarray(0, 5);
    }
    const all = Buffer.concat([...ranges, blob.subarray(0, 5)]);
    const res = await s.put('g.bin', body());
    assert.deepEqual(res, { size: all.length, sha256: sha(all) });
    assert.ok(Buffer.from(await s.get('g.bin')).equals(all), 'stored bytes equal the concatenated ranges');
  });

  it('getRange returns exactly the requested bytes', async () => {
    const s = store();
    const body = randomBytes(5000);
    await s.put('r.bin', body);
    assert.deepEqual(Buffer.from(await s.getRange('r.bin', 0, 10)), body.subarray(0, 10));
    assert.deepEqual(Buffer.from(await s.getRange('r.bin', 4990, 10)), body.subarray(4990));
    assert.deepEqual(Buffer.from(await s.getRange('r.bin', 1234, 2000)), body.subarray(1234, 3234));
    assert.equal((await s.getRange('r.bin', 100, 0)).byteLength, 0);
    await assert.rejects(s.getRange('missing.bin', 0, 1), NotFoundError);
    await assert.rejects(s.getRange('r.bin', -1, 1), /invalid range/);
  });

  it('lists by prefix in key order, and delete removes (idempotently)', async () => {
    const s = store();
    for (const k of ['d/2.txt', 'd/1.txt', 'd/sub/3.txt', 'dx/4.txt', 'e/5.txt']) {
      await s.put(k, new TextEncoder().encode(k));
    }
    assert.deepEqual(await listKeys(s, 'd/'), ['d/1.txt', 'd/2.txt', 'd/sub/3.txt']);
    assert.deepEqual(await listKeys(s, 'd'), ['d/1.txt', 'd/2.txt', 'd/sub/3.txt', 'dx/4.txt']);
    assert.deepEqual(await listKeys(s, 'd/sub/3'), ['d/sub/3.txt']);
    assert.deepEqual(await listKeys(s, 'nothing/'), []);
    const sizes = [];
    for await (const e of s.list('e/')) sizes.push(e.size);
    assert.deepEqual(sizes, [7]);
    await s.delete('d/1.txt');
    await s.delete('d/1.txt');
    assert.deepEqual(await listKeys(s, 'd/'), ['d/2.txt', 'd/sub/3.txt']);
  });

  it('putIfAbsent creates once; concurrent writers: exactly one wins, the rest get AlreadyExistsError', async () => {
    const s = store();
    const bodies = Array.from({ length: 8 }, (_, i) => new TextEncoder().encode(`writer ${i}`));
    const results = await Promise.allSettled(bodies.map((b) => s.putIfAbsent('m/manifest.json', b)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 7);
    for (const l of lost) assert.ok(l.reason instanceof AlreadyExistsError, String(l.reason));
    const stored = new TextDecoder().decode(await s.get('m/manifest.json'));
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    assert.equal(stored, `writer ${winner}`);
    assert.deepEqual(await listKeys(s, 'm/'), ['m/manifest.json']);
  });

  it('an interrupted upload leaves nothing visible, and a retry succeeds', async () => {
    const s = store();
    await assert.rejects(
      s.put('i/obj.bin', failingBody([randomBytes(1000), randomBytes(1000)])),
      /producer died|nothing was written|write failed/,
    );
    assert.equal(await s.head('i/obj.bin'), null);
    assert.deepEqual(await listKeys(s, 'i/'), []);
    const body = randomBytes(2000);
    await s.put('i/obj.bin', body);
    assert.deepEqual(Buffer.from(await s.get('i/obj.bin')), body);
  });

  it('rejects keys that could escape the root, naming the key', async () => {
    const s = store();
    for (const bad of ['', '/abs', '../up', 'a/../../b', 'a//b', 'a/./b', 'trail/', 'back\\slash']) {
      await assert.rejects(s.put(bad, new Uint8Array(1)), (err: unknown) => {
        assert.ok(err instanceof InvalidKeyError, `${JSON.stringify(bad)}: ${String(err)}`);
        assert.ok(err.message.includes(JSON.stringify(bad)), err.message);
        return true;
      });
      await assert.rejects(s.get(bad), InvalidKeyError);
    }
  });

  it('uri(key) is the root URI plus the key', () => {
    const s = store();
    assert.equal(s.uri('a/b.parquet'), `${s.rootUri}/a/b.parquet`);
  });
}
