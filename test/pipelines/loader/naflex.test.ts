// NaFlex in the loader: the fused bytes → patches writer equals the two-pass float patchify, and the one sizing
// search serves the model and the evaluator (values from the three former copies, which agreed on 3000 random cases).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { naflexTargetSize } from '../../../model/eval/preprocess.js';
import { naflexSize as modelNaflexSize } from '../../../model/naflex.js';
import { toUnitRange } from '../../../pipelines/loader/images.js';
import { naflexSize, patchifyInto, patchifyRgbInto } from '../../../pipelines/loader/naflex.js';

describe('loader naflex', () => {
  it('writes patches straight from bytes exactly as toUnitRange + patchifyInto', () => {
    for (const [h, w, p] of [
      [224, 288, 16],
      [32, 16, 8],
      [6, 4, 2],
    ] as const) {
      const rgb = Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 7919) % 256);
      const len = (h / p) * (w / p) + 3; // with padding rows
      const [a, am, b, bm] = [new Float32Array(len * p * p * 3), new Float32Array(len), new Float32Array(len * p * p * 3), new Float32Array(len)];
      assert.deepEqual(patchifyRgbInto(rgb, h, w, p, b, bm), patchifyInto(toUnitRange(rgb), h, w, p, a, am));
      assert.deepEqual(b, a, `${h}×${w} p${p} patches`);
      assert.deepEqual(bm, am, `${h}×${w} p${p} mask`);
      assert.equal(bm.at(-1), 0, 'padding stays masked out');
    }
  });

  it('sizes images once for loader, model and evaluator', () => {
    const cases: [number, number, number, number, [number, number]][] = [
      [480, 640, 16, 256, [224, 288]],
      [64, 64, 16, 256, [256, 256]],
      [1000, 10, 16, 64, [1024, 16]],
      [37, 91, 14, 196, [126, 294]],
    ];
    for (const [h, w, p, l, want] of cases) {
      const got = naflexSize(h, w, p, l);
      assert.deepEqual(got, want, `${h}×${w} p${p} L${l}`);
      const m = modelNaflexSize(h, w, p, l);
      assert.deepEqual([m.height, m.width, m.rows, m.cols], [...got, got[0] / p, got[1] / p]);
      assert.deepEqual(naflexTargetSize(h, w, p, l), { rows: got[0] / p, cols: got[1] / p });
    }
  });
});
