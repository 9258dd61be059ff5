import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { StreamHasher } from '../../storage/hasher.js';

const shared = (b: Uint8Array): Uint8Array => {
  const v = new Uint8Array(new SharedArrayBuffer(b.byteLength));
  v.set(b);
  return v;
};

describe('StreamHasher', () => {
  it('matches sha256 for plain, shared (worker) and mixed chunk streams, concurrently', async () => {
    const parts = Array.from({ length: 6 }, (_, i) => randomBytes(1000 * (i + 1)));
    const want = createHash('sha256').update(Buffer.concat(parts)).digest('hex');
    const streams: ((b: Uint8Array, i: number) => Uint8Array)[] = [
      (b) => b,
      (b) => shared(b),
      (b, i) => (i % 2 === 0 ? shared(b) : b),
      (b, i) => (i % 2 === 1 ? shared(b) : b),
    ];
    const digests = await Promise.all(
      streams.map(async (as) => {
        const h = new StreamHasher();
        parts.forEach((p, i) => h.update(as(p, i)));
        return h.digest();
      }),
    );
    assert.deepEqual(
      digests,
      streams.map(() => want),
    );
    assert.equal(await new StreamHasher().digest(), createHash('sha256').digest('hex'));
  });
});
