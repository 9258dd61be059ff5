// Reference parity: sigforge reproduces HF SiglipModel / Siglip2Model outputs from the same weights (fixtures written
// by scripts/reference/siglip2_fixtures.py) within 1e-4, on the cpu and wasm backends.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { modelConfigFromHf } from '../../model/hf-config.js';
import { paramsFromHfTensors } from '../../model/hf-checkpoint.js';
import { sigmoidLoss } from '../../model/losses/sigmoid.js';
import { siglipForward, siglipLogits } from '../../model/siglip.js';
import { FIXTURES, maxAbsDiff, readFixture, toTf } from './helpers.js';

const meta = JSON.parse(readFileSync(path.join(FIXTURES, 'siglip-reference.json'), 'utf8')) as {
  fixed: { config: unknown; sigmoid_loss: number };
  naflex: { config: unknown; sigmoid_loss: number };
};
const TOL = 1e-4;

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`HF parity on ${backend}`, () => {
    it('fixed-resolution SiglipModel: image/text embeddings and logits', async () => {
      await selectBackend(backend);
      const config = modelConfigFromHf(meta.fixed.config);
      const { params, unused } = paramsFromHfTensors(config, readFixture('siglip-fixed.safetensors'), 'fixture');
      assert.deepEqual(unused, []);
      const io = readFixture('siglip-fixed-io.safetensors');
      const before = tf.memory().numTensors;
      const diffs = tf.tidy(() => {
        const out = siglipForward(params.get, config, { kind: 'fixed', images: toTf(io.get('images')) as tf.Tensor4D }, toTf(io.get('input_ids')) as tf.Tensor2D);
        return {
          tokens: maxAbsDiff(out.imageTokens, toTf(io.get('vision_last_hidden_state'))),
          img: maxAbsDiff(out.zimg, toTf(io.get('image_embeds'))),
          txt: maxAbsDiff(out.ztxt, toTf(io.get('text_embeds'))),
          logits: maxAbsDiff(siglipLogits(params.get, out.zimg, out.ztxt), toTf(io.get('logits_per_image'))),
          loss: Math.abs(sigmoidLoss(out.zimg, out.ztxt, params.get('logit_scale'), params.get('logit_bias')).dataSync()[0]! - meta.fixed.sigmoid_loss),
        };
      });
      assert.equal(tf.memory().numTensors, before, 'no tensor leak');
      params.dispose();
      for (const [k, v] of Object.entries(diffs)) assert.ok(v < TOL, `${k}: max abs diff ${v}`);
    });

    it('NaFlex Siglip2Model: image/text embeddings and logits', async () => {
      await selectBackend(backend);
      const config = modelConfigFromHf(meta.naflex.config);
      assert.equal(config.vision.naflex, true);
      const { params } = paramsFromHfTensors(config, readFixture('siglip2-naflex.safetensors'), 'fixture');
      const io = readFixture('siglip2-naflex-io.safetensors');
      const shapesT = io.get('spatial_shapes')!;
      const spatialShapes = Array.from({ length: shapesT.shape[0]! }, (_, i) => [shapesT.data[2 * i]!, shapesT.data[2 * i + 1]!] as const);
      const diffs = tf.tidy(() => {
        const input = {
          kind: 'naflex' as const,
          patches: toTf(io.get('patches')) as tf.Tensor3D,
          mask: tf.cast(toTf(io.get('mask')), 'float32') as tf.Tensor2D,
          spatialShapes,
        };
        const out = siglipForward(params.get, config, input, toTf(io.get('input_ids')) as tf.Tensor2D);
        return {
          img: maxAbsDiff(out.zimg, toTf(io.get('image_embeds'))),
          txt: maxAbsDiff(out.ztxt, toTf(io.get('text_embeds'))),
          logits: maxAbsDiff(siglipLogits(params.get, out.zimg, out.ztxt), toTf(io.get('logits_per_image'))),
          loss: Math.abs(sigmoidLoss(out.zimg, out.ztxt, params.get('logit_scale'), params.get('logit_bias')).dataSync()[0]! - meta.naflex.sigmoid_loss),
        };
      });
      params.dispose();
      for (const [k, v] of Object.entries(diffs)) assert.ok(v < TOL, `${k}: max abs diff ${v}`);
    });
  });
}
