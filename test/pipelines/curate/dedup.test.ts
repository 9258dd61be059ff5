import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocColumns, type CurateColumns } from '../../../pipelines/curate/columns.js';
import { dedupRows, matchReference, mergedCaptions } from '../../../pipelines/curate/dedup.js';
import { hamming64, joinU64, mulberry32, popcount32, splitU64 } from '../../../pipelines/curate/hash.js';
import { chooseLshParams, expectedRecall, forEachNearPair } from '../../../pipelines/curate/lsh.js';

/** n random hashes; the last `dups` rows are copies of earlier rows with 1..k random bits flipped. */
function hashes(n: number, dups: number, k: number, seed: number): { c: CurateColumns; pairs: [number, number][] } {
  const rand = mulberry32(seed);
  const c = allocColumns(n);
  const pairs: [number, number][] = [];
  const u32 = (): number => Math.floor(rand() * 4294967296) >>> 0;
  for (let i = 0; i < n; i++) {
    c.id[i] = `id-${String(i).padStart(6, '0')}`;
    c.caption[i] = `caption ${i}`;
    c.width[i] = 256;
    c.height[i] = 256;
    c.hasPhash[i] = 1;
    if (i < n - dups) {
      c.phashHi[i] = u32();
      c.phashLo[i] = u32();
    } else {
      const src = Math.floor(rand() * (n - dups));
      let hi = c.phashHi[src]!;
      let lo = c.phashLo[src]!;
      const flips = 1 + Math.floor(rand() * k);
      const bits = new Set<number>();
      while (bits.size < flips) bits.add(Math.floor(rand() * 64));
      for (const b of bits) {
        if (b >= 32) hi = (hi ^ (1 << (b - 32))) >>> 0;
        else lo = (lo ^ (1 << b)) >>> 0;
      }
      c.phashHi[i] = hi;
      c.phashLo[i] = lo;
      pairs.push([src, i]);
    }
  }
  return { c, pairs };
}

describe('hash helpers', () => {
  it('popcount, hamming and 64-bit splitting agree with bigint arithmetic', () => {
    const rand = mulberry32(3);
    for (let t = 0; t < 200; t++) {
      const a = (BigInt(Math.floor(rand() * 2 ** 32)) << 32n) | BigInt(Math.floor(rand() * 2 ** 32));
      const b = (BigInt(Math.floor(rand() * 2 ** 32)) << 32n) | BigInt(Math.floor(rand() * 2 ** 32));
      const [ah, al] = splitU64(a);
      const [bh, bl] = splitU64(b);
      assert.equal(joinU64(ah, al), a);
      const want = [...(a ^ b).toString(2)].filter((x) => x === '1').length;
      assert.equal(hamming64(ah, al, bh, bl), want);
    }
    assert.equal(popcount32(0xffffffff), 32);
    assert.deepEqual(splitU64(-1n), [0xffffffff, 0xffffffff]);
  });
});

describe('LSH near-duplicate search', () => {
  it('finds planted pairs within k with recall ≥ the configured target and reports no pair beyond k', () => {
    const k = 4;
    const { c, pairs } = hashes(20000, 1000, k, 1);
    const params = chooseLshParams(c.n, k, 0.995, 11);
    assert.ok(expectedRecall(k, params.bitsPerBand, params.bands) >= 0.995);
    const found = new Set<string>();
    forEachNearPair(c.phashHi, c.phashLo, params, (i, j) => {
      assert.ok(hamming64(c.phashHi[i]!, c.phashLo[i]!, c.phashHi[j]!, c.phashLo[j]!) <= k);
      found.add(`${i}:${j}`);
    });
    const recall = pairs.filter(([a, b]) => found.has(`${Math.min(a, b)}:${Math.max(a, b)}`)).length / pairs.length;
    assert.ok(recall >= 0.99, `recall ${recall}`);
  });

  it('at a very high recall target finds every pair within k (brute-force check)', () => {
    const { c } = hashes(600, 60, 3, 2);
    const params = chooseLshParams(c.n, 3, 0.999999, 5);
    const found = new Set<string>();
    forEachNearPair(c.phashHi, c.phashLo, params, (i, j) => found.add(`${i}:${j}`));
    for (let i = 0; i < c.n; i++)
      for (let j = i + 1; j < c.n; j++)
        if (hamming64(c.phashHi[i]!, c.phashLo[i]!, c.phashHi[j]!, c.phashLo[j]!) <= 3)
          assert.ok(found.has(`${i}:${j}`), `${i}:${j}`);
  });
});

describe('dedup', () => {
  it('clusters exact and near duplicates with a deterministic survivor and merged captions', () => {
    const { c } = hashes(50, 0, 4, 4);
    // Rows 1 and 2 copy row 0's bytes (exact); row 3 is near row 0 (2 bits); row 4 is larger and near row 3.
    c.sha256[0] = 'aa';
    c.sha256[1] = 'aa';
    c.sha256[2] = 'aa';
    c.phashHi[3] = c.phashHi[0]!;
    c.phashLo[3] = (c.phashLo[0]! ^ 0b101) >>> 0;
    c.phashHi[4] = c.phashHi[0]!;
    c.phashLo[4] = (c.phashLo[0]! ^ 0b1101) >>> 0;
    c.width[4] = 512;
    c.caption[1] = 'same picture, other caption';
    c.caption[2] = c.caption[0]!;
    const active = new Uint8Array(c.n).fill(1);
    const res = dedupRows(c, active, { exact: true, near: chooseLshParams(c.n, 4, 0.999, 1) });
    for (const i of [0, 1, 2, 3, 4]) assert.equal(res.survivorOf[i], 4);
    assert.deepEqual([...res.dropKind.slice(0, 5)], [2, 2, 2, 2, 0]);
    assert.equal(res.clusters, 1);
    assert.deepEqual(res.clusterSizes, [5]);
    const alt = mergedCaptions(c, res.survivorOf, 8);
    assert.deepEqual(alt.get(4), ['caption 0', 'caption 3', 'same picture, other caption']);
  });

  it('survivors do not depend on row order', () => {
    const { c } = hashes(3000, 300, 4, 9);
    const params = chooseLshParams(c.n, 4, 0.999, 1);
    const a = dedupRows(c, new Uint8Array(c.n).fill(1), { exact: true, near: params });
    // Reverse every column.
    const r = allocColumns(c.n);
    for (let i = 0; i < c.n; i++) {
      const j = c.n - 1 - i;
      r.id[i] = c.id[j]!;
      r.caption[i] = c.caption[j]!;
      r.width[i] = c.width[j]!;
      r.height[i] = c.height[j]!;
      r.phashHi[i] = c.phashHi[j]!;
      r.phashLo[i] = c.phashLo[j]!;
      r.hasPhash[i] = 1;
    }
    const b = dedupRows(r, new Uint8Array(c.n).fill(1), { exact: true, near: params });
    const keptA = c.id.filter((_, i) => a.dropKind[i] === 0).sort();
    const keptB = r.id.filter((_, i) => b.dropKind[i] === 0).sort();
    assert.deepEqual(keptA, keptB);
    assert.ok(keptA.length < c.n);
  });

  it('matches rows against a reference set (eval decontamination, earlier versions)', () => {
    const { c } = hashes(1000, 0, 4, 5);
    const active = new Uint8Array(c.n).fill(1);
    const ref = {
      name: 'eval',
      sha256: [] as string[],
      phashHi: Uint32Array.from([c.phashHi[10]!, c.phashHi[20]!, c.phashHi[30]!]),
      phashLo: Uint32Array.from([c.phashLo[10]!, (c.phashLo[20]! ^ 0b111) >>> 0, (c.phashLo[30]! ^ 0xff) >>> 0]),
    };
    const hit = matchReference(c, active, ref, chooseLshParams(c.n, 4, 0.999, 2), true);
    assert.deepEqual(
      [...hit.keys()].filter((i) => hit[i]),
      [10, 20],
    );
  });
});
