// Fine-tuning from official weights (issue 15, point 4): an HF SigLIP directory (single file and sharded) starts a
// run whose step-0 sigmoid loss equals HF's on the same batch (fixture from scripts/reference/siglip2_fixtures.py),
// training then lowers it, and the parameters the checkpoint lacks (LocCa decoder) are initialised and reported.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { initModelConfig, initTrainModel, seedRunVocab, writeInitReport } from '../../model/run/init.js';
import { fromHfLayout } from '../../model/hf-layout.js';
import { checkpointKey, readCheckpointFile, readCheckpointMeta } from '../../model/run/checkpoint.js';
import { encodeSafetensors } from '../../model/safetensors.js';
import { CompactVocab, loadGemmaTokenizer, siglipTokens } from '../../model/tokenizer.js';
import { disposeTrainModel, trainStep } from '../../model/train-step.js';
import { openStore } from '../../storage/index.js';
import { withInit } from '../../workflows/cli/commands/train.js';
import { FIXTURES, readFixture, toTf } from '../model/helpers.js';
import { writeEmojiDataset } from '../../workflows/dev/emoji-dataset.js';
import { testRun, tinyRun } from '../../workflows/dev/tiny-run.js';

const meta = JSON.parse(readFileSync(path.join(FIXTURES, 'siglip-reference.json'), 'utf8')) as { fixed: { config: unknown; sigmoid_loss: number } };

describe('train --init from an HF directory', () => {
  let dir: string;
  let single: string;
  let sharded: string;
  before(async () => {
    await selectBackend('cpu');
    dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-init-'));
    single = path.join(dir, 'single');
    sharded = path.join(dir, 'sharded');
    for (const d of [single, sharded]) {
      mkdirSync(d);
      writeFileSync(path.join(d, 'config.json'), JSON.stringify(meta.fixed.config));
    }
    writeFileSync(path.join(single, 'model.safetensors'), readFileSync(path.join(FIXTURES, 'siglip-fixed.safetensors')));
    // The same tensors split over two shards with an index, as large HF checkpoints are stored.
    const tensors = [...readFixture('siglip-fixed.safetensors')];
    const half = Math.ceil(tensors.length / 2);
    const weightMap: Record<string, string> = {};
    for (const [i, part] of [tensors.slice(0, half), tensors.slice(half)].entries()) {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeFileSync(path.join(sharded, file), encodeSafetensors(new Map(part), { format: 'pt' }));
      for (const [name] of part) weightMap[name] = file;
    }
    writeFileSync(path.join(sharded, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const which of ['single', 'sharded'] as const) {
    it(`step-0 sigmoid loss equals HF's on the same batch, then training lowers it (${which} file)`, async (t) => {
      const ref = which === 'single' ? single : sharded;
      const config = await initModelConfig(ref, { locca: true });
      assert.equal(config.decoderDepth, 1, 'LocCa decoder at half the text depth');
      const before = tf.memory().numTensors;
      const { model, loaded, initialised } = await initTrainModel(ref, config, { seed: 2, optimizer: { lr: 1e-3, warmupSteps: 0, weightDecay: 0 } });
      assert.ok(loaded.length > 0 && loaded.includes('logit_bias'));
      assert.ok(initialised.length > 0 && initialised.every((n) => n.startsWith('locca.')), `initialised: ${initialised.slice(0, 3).join(', ')}…`);
      const io = readFixture('siglip-fixed-io.safetensors');
      const losses: number[] = [];
      tf.tidy(() => {
        const batch = { images: { kind: 'fixed' as const, images: toTf(io.get('images')) as tf.Tensor4D }, ids: toTf(io.get('input_ids')) as tf.Tensor2D };
        for (let i = 0; i < 8; i++) losses.push(trainStep(model, batch).sigmoid);
      });
      disposeTrainModel(model);
      assert.equal(tf.memory().numTensors, before, 'no tensor leak');
      const diff = Math.abs(losses[0]! - meta.fixed.sigmoid_loss);
      t.diagnostic(`step-0 sigmoid loss ${losses[0]!.toFixed(6)} vs HF ${meta.fixed.sigmoid_loss.toFixed(6)} (|Δ| ${diff.toExponential(2)}); after 7 steps ${losses.at(-1)!.toFixed(4)}`);
      assert.ok(diff <= 1e-4, `|Δ| ${diff}`);
      assert.ok(losses.at(-1)! < losses[0]!, `loss ${losses[0]} → ${losses.at(-1)}`);
    });
  }

  it('the CLI run config takes the model from the directory; its vocabulary and the init report go to the run', async () => {
    const run = await withInit(tinyRun({ locca: true }), single);
    assert.equal(run.init, pathToFileURL(single).href);
    assert.ok(typeof run.model === 'object' && run.model.text.vocabSize === 128 && run.model.decoderDepth === 1);
    await assert.rejects(withInit(tinyRun(), path.join(dir, 'missing')), /--init.*config\.json/);
    const store = openStore(pathToFileURL(path.join(dir, 'store')).href);
    const loc = { store, prefix: 'runs/ft' };
    // A 128-entry table without vocab.json cannot take Gemma ids: refused; with one it becomes the run's.
    await assert.rejects(seedRunVocab(loc, single, run.model as never), /no vocab\.json maps Gemma ids/);
    const vocab = JSON.stringify({ kind: 'compact-vocab', version: 1, gemmaIds: [0, 1, 3, 9, 10] });
    writeFileSync(path.join(single, 'vocab.json'), vocab);
    await seedRunVocab(loc, single, run.model as never);
    await seedRunVocab(loc, single, run.model as never); // idempotent
    assert.equal(new TextDecoder().decode(await store.get('runs/ft/vocab.json')), vocab);
    await writeInitReport(loc, run.init!, ['a', 'b'], ['locca.x']);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(await store.get('runs/ft/init.json'))), { from: run.init, loaded: 2, initialised: ['locca.x'] });
  });

  it('a run started with init trains from the directory\'s weights and reports the fresh parameters', async () => {
    const store = openStore(pathToFileURL(path.join(dir, 'train')).href);
    const shards = (await writeEmojiDataset(store, { rows: 16, shards: 1, rowGroupRows: 8 })).shardKeys;
    const cfg = await withInit(tinyRun({ batchSize: 8, examples: 16, optimizer: { lr: 3e-3, warmupSteps: 0 }, distill: false, locca: true, checkpointEvery: 2 }), sharded);
    const loc = { store, prefix: 'runs/ft' };
    // The fixture's 128 ids are not Gemma's: give it a compact table of the dataset's own ids, as an export would have.
    const gemma = await loadGemmaTokenizer();
    writeFileSync(path.join(sharded, 'vocab.json'), JSON.stringify(CompactVocab.fromSequences([siglipTokens(gemma, 'grinning face smiling eyes', 16)], 128).toJSON()));
    await seedRunVocab(loc, sharded, cfg.model as never);
    const t = await testRun(store, shards, cfg, 'runs/ft');
    const r = await t.stage('base');
    assert.ok(r.finished && r.step === 2);
    const report = JSON.parse(new TextDecoder().decode(await store.get('runs/ft/init.json'))) as { initialised: string[]; loaded: number };
    assert.ok(report.loaded > 0 && report.initialised.length > 0 && report.initialised.every((n) => n.startsWith('locca.')));
    // Two Adam steps at lr 3e-3 move a weight by ≲ 6e-3; a fresh random start would differ from the fixture by O(0.1).
    const name = 'vision_model.encoder.layers.0.mlp.fc1.weight';
    const d = checkpointKey(t.run, 'base', 2);
    const trained = (await readCheckpointFile(store, d, await readCheckpointMeta(store, d), 'model.safetensors')).get(name)!.data;
    const hf = fromHfLayout(name, readFixture('siglip-fixed.safetensors').get(name)!, 'fixture').data;
    let diff = 0;
    for (let i = 0; i < hf.length; i++) diff = Math.max(diff, Math.abs(trained[i]! - hf[i]!));
    assert.ok(diff < 0.01, `max diff from the HF weights after 2 steps: ${diff}`);
  });
});
