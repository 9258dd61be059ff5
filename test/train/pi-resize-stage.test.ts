// PI-resize wired to a patch-size change (recipe §5.1): a fixed-resolution continuation with a new patch size
// PI-resizes the patch kernel, so a patch up-sampled to the new size embeds as the original patch did.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectBackend } from '../../model/backend.js';
import { modelConfig } from '../../model/config.js';
import { patchResizeMatrix } from '../../model/pi-resize.js';
import { planStages } from '../../model/run/stages.js';
import { enterStage } from '../../model/run/transition.js';
import { createTrainModel, disposeTrainModel } from '../../model/train-step.js';
import { tinyRun } from '../../workflows/dev/tiny-run.js';

const PATCH = 'vision_model.embeddings.patch_embedding.weight';

describe('patch-size change at a resolution continuation', () => {
  it('PI-resizes the kernel 8 → 16: ⟨resize(x), ŵ⟩ = ⟨x, w⟩, positions follow the new grid', async () => {
    await selectBackend('cpu');
    const cfg = tinyRun({ resolutions: [{ size: 48, from: 0.95, patchSize: 16 }] });
    const base = modelConfig('tiny');
    const stage = planStages(cfg, base).find((s) => s.name === 'res-48')!;
    assert.equal(stage.patchSize, 16);
    const model = createTrainModel(base, { seed: 3 });
    const w0 = (await model.params.get(PATCH).data()) as Float32Array;
    const next = enterStage(model, stage);
    assert.equal(next.config.vision.patchSize, 16);
    assert.equal(next.config.vision.imageSize, 48);
    assert.deepEqual(next.params.get(PATCH).shape, [16 * 16 * 3, 64]);
    assert.deepEqual(next.params.get('vision_model.embeddings.position_embedding.weight').shape, [9, 64], '48 / 16 = 3×3 grid');
    const w1 = (await next.params.get(PATCH).data()) as Float32Array;
    // A random 8×8 patch and its bilinear up-sampling to 16×16, both flattened in (y, x, channel) order.
    const x = Float64Array.from({ length: 8 * 8 * 3 }, (_, i) => Math.sin(i * 1.7) * 0.8);
    const b = patchResizeMatrix(8, 16);
    const up = new Float64Array(16 * 16 * 3);
    for (let r = 0; r < 256; r++) for (let i = 0; i < 64; i++) for (let c = 0; c < 3; c++) up[r * 3 + c]! += b[r * 64 + i]! * x[i * 3 + c]!;
    let err = 0;
    let scale = 0;
    for (let o = 0; o < 64; o++) {
      let a = 0;
      let z = 0;
      for (let k = 0; k < 192; k++) a += x[k]! * w0[k * 64 + o]!;
      for (let k = 0; k < 768; k++) z += up[k]! * w1[k * 64 + o]!;
      err = Math.max(err, Math.abs(a - z));
      scale = Math.max(scale, Math.abs(a));
    }
    assert.ok(err < 1e-4 * Math.max(1, scale), `max |⟨x,w⟩ − ⟨resize(x),ŵ⟩| = ${err} (scale ${scale})`);
    disposeTrainModel(next);
  });

  it('the new size must be a multiple of the new patch size', () => {
    assert.throws(() => planStages(tinyRun({ resolutions: [{ size: 40, from: 0.95, patchSize: 16 }] }), modelConfig('tiny')), /40 is not a multiple of the patch size 16/);
  });
});
