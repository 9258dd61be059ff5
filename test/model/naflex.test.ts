// NaFlex sizes (§9.4), padding invariance (§9.5), position-embedding resize (§9.6) and PI-resize (§9.7).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { modelConfig, parseModelConfig } from '../../model/config.js';
import { naflexBatch, naflexPatchify, naflexSize } from '../../model/naflex.js';
import { ParamStore, towerSpecs } from '../../model/params.js';
import { patchResizeMatrix, piResizeKernel } from '../../model/pi-resize.js';
import { gridResizeMatrix } from '../../model/resize.js';
import { positionsForGrid, visionTower } from '../../model/vision.js';

describe('NaFlex pre-processing', () => {
  it('reproduces the sizes table of §9.4', () => {
    const cases: Array<[number, number, number, number, number, number, number]> = [
      // H, W, p, L → height, width, patches
      [480, 640, 16, 256, 224, 288, 252],
      [640, 480, 16, 256, 288, 224, 252],
      [224, 224, 16, 256, 256, 256, 256],
      [256, 256, 16, 256, 256, 256, 256],
      [32, 32, 16, 256, 256, 256, 256],
      [1080, 1920, 16, 256, 192, 336, 252],
      [100, 1000, 16, 256, 80, 800, 250],
      [480, 640, 16, 128, 144, 192, 108],
      [480, 640, 16, 1024, 432, 576, 972],
      [768, 1024, 16, 576, 336, 432, 567],
      [512, 512, 16, 784, 448, 448, 784],
      [300, 200, 14, 256, 266, 182, 247],
    ];
    for (const [h, w, p, l, eh, ew, n] of cases) {
      const s = naflexSize(h, w, p, l);
      assert.deepEqual([s.height, s.width, s.rows * s.cols], [eh, ew, n], `${h}×${w} p=${p} L=${l}`);
      assert.equal(s.height % p, 0);
      assert.equal(s.width % p, 0);
      assert.ok(s.rows * s.cols <= l);
    }
    assert.throws(() => naflexSize(0, 10, 16, 256), /image sides must be positive/);
  });

  it('patchifies into a padded sequence whose mask counts the patches', () => {
    const rgb = Uint8Array.from({ length: 20 * 30 * 3 }, (_, i) => (i * 7) % 256);
    const out = naflexPatchify(rgb, 20, 30, 4, 24);
    const n = out.size.rows * out.size.cols;
    assert.equal(out.mask.reduce((a, b) => a + b, 0), n);
    assert.ok(n <= 24 && out.mask.length === 24 && out.patches.length === 24 * 48);
    assert.ok(out.patches.subarray(0, n * 48).every((v) => v >= -1 && v <= 1));
    assert.ok(out.patches.subarray(n * 48).every((v) => v === 0));
    assert.throws(() => naflexPatchify(rgb, 21, 30, 4, 24), /pixel buffer does not match/);
  });
});

describe('NaFlex model', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('padded patch contents do not change the image embedding', () => {
    const c = parseModelConfig({ ...modelConfig('tiny'), vision: { ...modelConfig('tiny').vision, naflex: true, patchSize: 4, posGrid: 4 } });
    const params = ParamStore.init(towerSpecs(c), 5);
    const rgb = Uint8Array.from({ length: 12 * 20 * 3 }, (_, i) => (i * 13) % 256);
    const item = naflexPatchify(rgb, 12, 20, 4, 20);
    const noisy = { ...item, patches: Float32Array.from(item.patches, (v, i) => (item.mask[Math.floor(i / 48)] ? v : Math.sin(i))) };
    const diff = tf.tidy(() => {
      const a = visionTower(params.get, c, naflexBatch([item])).pooled;
      const b = visionTower(params.get, c, naflexBatch([noisy])).pooled;
      return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    });
    params.dispose();
    assert.ok(item.mask.includes(0), 'the example has padding');
    assert.ok(diff < 1e-6, `embedding moved by ${diff}`);
  });
});

describe('position-embedding resize', () => {
  it('is the identity at the same grid, and 16→24 gives the 576 tokens of 384 px', () => {
    const m = gridResizeMatrix(16, 16, 16, 16);
    for (let i = 0; i < 256; i++) for (let j = 0; j < 256; j++) assert.equal(m[i * 256 + j], i === j ? 1 : 0);
    tf.tidy(() => {
      const pos = tf.randomNormal([256, 8]);
      assert.equal(positionsForGrid(pos, 16, 24, 24).shape[0], 576);
      // A constant embedding stays constant under any resize (weights sum to one).
      const ones = positionsForGrid(tf.ones([256, 8]), 16, 7, 11).dataSync();
      assert.ok(ones.every((v) => Math.abs(v - 1) < 1e-6));
    });
  });

  it('a /16 model trained at 256 px runs at 384 px with 576 tokens on the resized 24×24 grid', async () => {
    await selectBackend('wasm');
    const tiny = modelConfig('tiny');
    const c = parseModelConfig({ ...tiny, vision: { ...tiny.vision, width: 32, depth: 1, heads: 2, mlpDim: 64, patchSize: 16, imageSize: 256 } });
    const params = ParamStore.init(towerSpecs(c), 2);
    assert.deepEqual(params.get('vision_model.embeddings.position_embedding.weight').shape, [256, 32]);
    const shape = tf.tidy(() => visionTower(params.get, c, { kind: 'fixed', images: tf.zeros([1, 384, 384, 3]) as tf.Tensor4D }).tokens.shape);
    params.dispose();
    assert.deepEqual(shape, [1, 576, 32]);
  });
});

describe('PI-resize', () => {
  const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 0.5);
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; };

  it('16→16 is the identity', () => {
    const w = rand(16 * 16 * 3 * 2, 1);
    const out = piResizeKernel(w, 16, 16, 2);
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(out[i]! - w[i]!) < 1e-5);
  });

  it('up-sampling 8→16 keeps ⟨resize(x), ŵ⟩ = ⟨x, w⟩ for random patches', () => {
    const d = 3;
    const w = rand(8 * 8 * 3 * d, 2);
    const wHat = piResizeKernel(w, 8, 16, d);
    const b = patchResizeMatrix(8, 16);
    for (let trial = 0; trial < 3; trial++) {
      const x = rand(8 * 8 * 3, 10 + trial); // (y, x, c) order
      const bx = new Float64Array(16 * 16 * 3);
      for (let r = 0; r < 256; r++) for (let i = 0; i < 64; i++) for (let c = 0; c < 3; c++) bx[r * 3 + c]! += b[r * 64 + i]! * x[i * 3 + c]!;
      for (let o = 0; o < d; o++) {
        const lhs = dot(bx, Array.from({ length: 256 * 3 }, (_, k) => wHat[k * d + o]!));
        const rhs = dot(x, Array.from({ length: 64 * 3 }, (_, k) => w[k * d + o]!));
        assert.ok(Math.abs(lhs - rhs) < 1e-4, `unit ${o}: ${lhs} vs ${rhs}`);
      }
    }
  });

  it('down-sampling 16→14 gives a kernel of the new shape', () => {
    assert.equal(piResizeKernel(rand(16 * 16 * 3, 3), 16, 14, 1).length, 14 * 14 * 3);
  });
});
