// Evaluation image pre-processing: exact pixel mapping, white flattening of transparency, NaFlex target sizes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { EvalDataError } from '../../model/eval/errors.js';
import { fixedPixels, naflexPixels, naflexTargetSize } from '../../model/eval/preprocess.js';

async function png(width: number, height: number, rgba: [number, number, number, number]): Promise<Uint8Array> {
  return sharp({ create: { width, height, channels: 4, background: { r: rgba[0], g: rgba[1], b: rgba[2], alpha: rgba[3] / 255 } } }).png().toBuffer();
}

describe('pre-processing', () => {
  it('maps 0..255 to [-1, 1] and flattens transparency onto white', async () => {
    const px = await fixedPixels(await png(8, 8, [0, 255, 51, 255]), 4);
    assert.equal(px.length, 4 * 4 * 3);
    assert.deepEqual([...px.subarray(0, 3)].map((v) => Math.round(v * 1000) / 1000), [-1, 1, -0.6]);
    const clear = await fixedPixels(await png(8, 8, [0, 0, 0, 0]), 4);
    assert.ok(clear.every((v) => v === 1), 'fully transparent pixels become white');
  });

  it('NaFlex sizes keep the aspect ratio within the patch budget', () => {
    assert.deepEqual(naflexTargetSize(64, 64, 8, 16), { rows: 4, cols: 4 });
    assert.deepEqual(naflexTargetSize(32, 128, 8, 16), { rows: 2, cols: 8 });
    const wide = naflexTargetSize(10, 1000, 16, 256);
    assert.ok(wide.rows * wide.cols <= 256 && wide.rows >= 1 && wide.cols > wide.rows * 10, JSON.stringify(wide));
  });

  it('NaFlex patches are row-major with a mask and zero padding', async () => {
    const p = await naflexPixels(await png(16, 32, [255, 255, 255, 255]), 8, 10);
    // 16 wide × 32 high, 10 patches of 8: the largest grid that fits is 4 rows × 2 columns (8 patches).
    assert.deepEqual([p.rows, p.cols], [4, 2]);
    assert.deepEqual([...p.mask], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    assert.ok(p.patches.subarray(0, 8 * 192).every((v) => v === 1));
    assert.ok(p.patches.subarray(8 * 192).every((v) => v === 0));
  });

  it('an undecodable image names itself', async () => {
    await assert.rejects(fixedPixels(new Uint8Array([1, 2, 3]), 4, 'image 7'), (e: unknown) => e instanceof EvalDataError && /image 7: image does not decode/.test(e.message));
  });
});
