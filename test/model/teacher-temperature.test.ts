// Teacher-temperature warm-up (recipe §4, DINO): τ_t goes 0.04 → 0.07 over the first 30% of the distillation phase.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { TEACHER_TEMPERATURE, teacherTemperature } from '../../model/distill.js';
import { teacherProbs } from '../../model/losses/distill.js';

describe('teacher temperature warm-up', () => {
  it('starts at 0.04 at switch-on, reaches 0.07 after 30% of the phase and stays there', () => {
    // Base stage of 1000 steps with distillation from step 800: warm-up over 60 steps.
    assert.equal(teacherTemperature(800, 800, 1000), 0.04);
    assert.ok(Math.abs(teacherTemperature(830, 800, 1000) - 0.055) < 1e-12);
    assert.equal(teacherTemperature(860, 800, 1000), 0.07);
    assert.equal(teacherTemperature(999, 800, 1000), 0.07);
    let prev = 0;
    for (let s = 800; s < 1000; s++) {
      const t = teacherTemperature(s, 800, 1000);
      assert.ok(t >= prev && t >= TEACHER_TEMPERATURE.from && t <= TEACHER_TEMPERATURE.to, `step ${s}: ${t}`);
      prev = t;
    }
    // A stage whose distillation began in its parent (continuations) is past the warm-up; tiny phases still ramp.
    assert.equal(teacherTemperature(5, null, 20), 0.07);
    assert.equal(teacherTemperature(16, 16, 20), 0.04);
    assert.equal(teacherTemperature(17, 16, 20), 0.07);
  });

  it('a lower temperature gives sharper teacher targets (the knob the trainer now turns)', () => {
    const [cold, warm] = tf.tidy(() => {
      const logits = tf.tensor2d([[1, 0.5, 0, -0.5]]);
      const center = tf.zeros([4]);
      return [0.04, 0.07].map((t) => tf.max(teacherProbs(logits, center, t)).dataSync()[0]!);
    });
    assert.ok(cold! > warm!, `max prob at 0.04 ${cold} vs 0.07 ${warm}`);
  });
});
