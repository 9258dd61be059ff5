// The tiny SigLIP 2 recipe on webgpu equals cpu: losses, gradients, weights after a whole and an accumulated step
// (sigmoid + LocCa + self-distillation + masked prediction), an exact resume from the train state, and evaluation
// (embeddings, similarities, zero-shot, retrieval). Tolerances: losses 1e-4 relative; gradients 1e-5 + 1e-3·|g|; weights 5e-5 absolute (lr 1e-3: Adam
// moves each weight by ~1e-3 per step); embeddings and similarities 1e-5; zero-shot and retrieval results identical.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { releaseBackend, selectBackend } from '../../model/backend.js';
import { modelConfig } from '../../model/config.js';
import { EvalModel } from '../../model/eval/eval-model.js';
import { similarity } from '../../model/eval/matrix.js';
import { retrieval } from '../../model/eval/retrieval.js';
import { zeroShot } from '../../model/eval/zeroshot.js';
import { loccaLoss } from '../../model/losses/locca.js';
import { sigmoidLoss } from '../../model/losses/sigmoid.js';
import { siglipForward } from '../../model/siglip.js';
import { readAll } from '../../model/step-metrics.js';
import { loadTrainState, trainStateBytes } from '../../model/train-state.js';
import {
  type TrainModel,
  type TrainStepResult,
  createTrainModel,
  disposeTrainModel,
  enableDistillation,
  trainStepAccumulatedDeferred,
  trainStepDeferred,
} from '../../model/train-step.js';
import { gpuTestGate } from './gate.js';
import { disposeBatch, hostBatch, toBatch } from './tiny-batch.js';

const gate = await gpuTestGate();
const c = modelConfig('tiny');
const hosts = { whole: hostBatch(c, 4, 11), micros: [hostBatch(c, 2, 21), hostBatch(c, 2, 22)] };

function makeModel(): TrainModel {
  const m = createTrainModel(c, { seed: 5, optimizer: { lr: 1e-3, eps: 1e-6, clipNorm: 1 } });
  enableDistillation(m, { momentum: 0.9 });
  return m;
}

async function stateOf(m: TrainModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of m.params.vars) out.set(k, (await v.data()) as Float32Array);
  for (const [k, v] of m.distill!.teacher.vars) out.set(`teacher/${k}`, (await v.data()) as Float32Array);
  for (const [k, v] of m.optimizer.stateTensors()) out.set(`opt/${k}`, (await v.data()) as Float32Array);
  out.set('center/global', (await m.distill!.centerGlobal.data()) as Float32Array);
  return out;
}

/** Gradients of sigmoid + LocCa at the initial weights, then a whole step and an accumulated step. */
async function runOn(backend: 'cpu' | 'webgpu') {
  await selectBackend(backend);
  const m = makeModel();
  const whole = toBatch(c, hosts.whole);
  const micros = hosts.micros.map((h) => toBatch(c, h));
  const names = new Map([...m.params.vars].map(([k, v]) => [v.name, k]));
  const { grads } = tf.variableGrads(() => {
    const p = m.params.get;
    const out = siglipForward(p, c, whole.images, whole.ids);
    return tf.add(
      sigmoidLoss(out.zimg, out.ztxt, p('logit_scale'), p('logit_bias')),
      loccaLoss(p, c, whole.locca!, out.imageTokens),
    ) as tf.Scalar;
  });
  const g = new Map<string, Float32Array>();
  for (const [k, t] of Object.entries(grads)) g.set(names.get(k)!, (await t.data()) as Float32Array);
  tf.dispose(grads);
  const results: TrainStepResult[] = await readAll([
    trainStepDeferred(m, whole),
    trainStepAccumulatedDeferred(m, micros),
  ]);
  const state = await stateOf(m);
  disposeTrainModel(m);
  [whole, ...micros].forEach(disposeBatch);
  return { grads: g, results, state };
}

function assertClose(name: string, a: Float32Array, b: Float32Array, abs: number, rel: number): void {
  assert.equal(a.length, b.length, name);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i]! - b[i]!) <= abs + rel * Math.abs(b[i]!), `${name}[${i}]: webgpu ${a[i]} vs cpu ${b[i]}`);
}

describe('tiny recipe on webgpu equals cpu', { skip: gate.skip }, () => {
  after(async () => releaseBackend());

  it('gradients, losses and updated weights of a whole and an accumulated step', async () => {
    const cpu = await runOn('cpu');
    const gpu = await runOn('webgpu');
    assert.equal(gpu.grads.size, cpu.grads.size);
    for (const [k, v] of cpu.grads) assertClose(`grad ${k}`, gpu.grads.get(k)!, v, 1e-5, 1e-3);
    for (const [i, r] of cpu.results.entries()) {
      for (const k of ['loss', 'sigmoid', 'locca', 'l2g', 'mask', 'gradNorm'] as const) {
        const w = gpu.results[i]![k];
        assert.ok(
          Math.abs(w - r[k]) <= 1e-4 * Math.max(1, Math.abs(r[k])),
          `step ${i + 1} ${k}: webgpu ${w} vs cpu ${r[k]}`,
        );
      }
      assert.ok(r.locca > 0 && r.l2g > 0 && r.mask > 0, JSON.stringify(r));
    }
    for (const [k, v] of cpu.state) assertClose(k, gpu.state.get(k)!, v, 5e-5, 1e-3);
  });

  it('resumes exactly from the train state on webgpu', async () => {
    await selectBackend('webgpu');
    const a = makeModel();
    const batches = hosts.micros.map((h) => toBatch(c, h));
    await readAll([trainStepDeferred(a, batches[0]!)]);
    const b = loadTrainState(await trainStateBytes(a));
    const ra = await readAll([trainStepDeferred(a, batches[1]!)]);
    const rb = await readAll([trainStepDeferred(b, batches[1]!)]);
    assert.deepEqual(rb, ra);
    const sa = await stateOf(a);
    const sb = await stateOf(b);
    for (const [k, v] of sa) assert.deepEqual(sb.get(k), v, k);
    disposeTrainModel(a);
    disposeTrainModel(b);
    batches.forEach(disposeBatch);
  });

  it('evaluation (image and text embeddings, zero-shot, retrieval) equals cpu', async () => {
    const embed = async (backend: 'cpu' | 'webgpu') => {
      await selectBackend(backend);
      const m = createTrainModel(c, { seed: 9 });
      const e = new EvalModel('test', c, m.params, () => Promise.reject(new Error('unused')), 'none');
      const z = e.fixedEmbeddings(hosts.whole.images, 4, 32);
      const images = (await z.data()) as Float32Array;
      z.dispose();
      const texts = await e.embedTokenIds(hosts.whole.ids, 4);
      const imageMatrix = { rows: 4, cols: c.embedDim, data: images };
      // Blocks of 3 rows: more than one block, as large evaluations run.
      const sims = await similarity(imageMatrix, texts, 3);
      const zs = await zeroShot(imageMatrix, texts, [0, 1, 2, 3], [1, 2]);
      const ret = await retrieval(imageMatrix, texts, [0, 1, 2, 3], [1, 2]);
      disposeTrainModel(m);
      return { images, texts: texts.data, sims: sims.data, zs, ret };
    };
    const cpu = await embed('cpu');
    const gpu = await embed('webgpu');
    assertClose('image embeddings', gpu.images, cpu.images, 1e-5, 0);
    assertClose('text embeddings', gpu.texts, cpu.texts, 1e-5, 0);
    assertClose('similarities', gpu.sims, cpu.sims, 1e-5, 0);
    assert.deepEqual(gpu.zs, cpu.zs);
    assert.deepEqual(gpu.ret, cpu.ret);
  });
});
