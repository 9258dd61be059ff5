// Size registry and analytic parameter counts (recipe §1.1), shape-only: nothing is allocated for the large sizes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SIZE_NAMES, modelConfig, parseModelConfig, visionPositions } from '../../model/config.js';
import { distillWeights } from '../../model/distill.js';
import { countParams, towerSpecs } from '../../model/params.js';

const within = (actual: number, expected: number, rel: number) =>
  assert.ok(Math.abs(actual - expected) <= rel * expected, `${actual} not within ${rel * 100}% of ${expected}`);

describe('model sizes', () => {
  it('registers tiny and every released size', () => {
    assert.deepEqual(SIZE_NAMES, ['tiny', 'B/16', 'B/32', 'L/16', 'So400m/14', 'So400m/16', 'g/16']);
    assert.throws(() => modelConfig('H/14'), /unknown model size "H\/14"; valid: tiny, B\/16/);
  });

  it('image encoders match §1.1 within 1% (B 86M, L 303M, without the MAP head)', () => {
    for (const [name, expected] of [['B/16', 86e6], ['L/16', 303e6]] as const) {
      const s = towerSpecs(modelConfig(name, { imageSize: 224 }));
      within(countParams(s, 'vision_model.') - countParams(s, 'vision_model.head.'), expected, 0.01);
    }
  });

  it('whole models match the released SigLIP 2 sizes within 1%', () => {
    // B/16 ≈ 375M (recipe §1.3); L/16 882M, So400m/14 1.14B, g/16 1.87B as listed for the HF checkpoints.
    for (const [name, px, expected] of [['B/16', 224, 375e6], ['L/16', 256, 882e6], ['So400m/14', 224, 1.136e9], ['g/16', 256, 1.871e9]] as const) {
      within(countParams(towerSpecs(modelConfig(name, { imageSize: px }))), expected, 0.01);
    }
  });

  it('the text embedding dominates the text tower (256k Gemma vocabulary)', () => {
    const s = towerSpecs(modelConfig('B/16'));
    within(countParams(s, 'text_model.embeddings.token_embedding'), 256_000 * 768, 1e-9);
  });

  it('sequence lengths of §5.1 and distillation weights of §4', () => {
    assert.equal(visionPositions(modelConfig('B/16', { imageSize: 224 })), 196);
    assert.equal(visionPositions(modelConfig('B/16', { imageSize: 384 })), 576);
    assert.equal(visionPositions(modelConfig('B/16', { imageSize: 512 })), 1024);
    assert.equal(visionPositions(modelConfig('B/32', { imageSize: 256 })), 64);
    assert.equal(visionPositions(modelConfig('So400m/14', { imageSize: 384 })), 729);
    assert.equal(visionPositions(modelConfig('B/16', { naflex: true })), 256);
    const w = Object.fromEntries(['B/16', 'L/16', 'So400m/14', 'g/16'].map((n) => [n, distillWeights(modelConfig(n))]));
    assert.deepEqual(w, {
      'B/16': { l2g: 0.25, mask: 0.0625 },
      'L/16': { l2g: 0.5, mask: 0.125 },
      'So400m/14': { l2g: 1, mask: 0.25 },
      'g/16': { l2g: 0.5, mask: 0.125 },
    });
  });

  it('rejects bad configs with the field named', () => {
    const good = modelConfig('tiny');
    assert.throws(() => parseModelConfig({ ...good, vision: { ...good.vision, heads: 3 } }), /vision.width must be divisible by vision.heads/);
    assert.throws(() => parseModelConfig({ ...good, text: { ...good.text, vocabSize: -1 } }), /text\.vocabSize/);
  });
});
