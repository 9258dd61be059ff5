// Evaluation benchmark: image and text embeddings/s of the tiny config on each backend (images from encoded 64 px
// emoji PNGs, decode + resize included; texts through the real Gemma tokenizer and a compact vocabulary), and the wall
// time of the bundled emoji suite end to end (build the benchmark dataset, then all four suites on a fresh cache).
// Peer: scripts/reference/eval_throughput_torch.py (HF transformers on PyTorch CPU, same shapes and PNGs).
// Usage: npm run bench -- eval [images=256] [texts=512]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, selectBackend } from '../model/backend.js';
import { modelConfig, parseModelConfig } from '../model/config.js';
import { ensureEmojiSuites } from '../model/eval/emoji-suites.js';
import { EvalModel, gemmaTokenize } from '../model/eval/eval-model.js';
import { runSuite } from '../model/eval/run-suite.js';
import { ParamStore, towerSpecs } from '../model/params.js';
import { CompactVocab, loadGemmaTokenizer, siglipTokens } from '../model/tokenizer.js';
import { EMOJI_EVAL_STYLE, selectEmoji } from '../pipelines/eval/emoji-bench.js';
import { readEmojiPng } from '../pipelines/eval/emoji-data.js';
import { openStore } from '../storage/index.js';

const log = (msg: string): void => void process.stderr.write(`[eval bench] ${msg}\n`);

async function tinyEvalModel(texts: readonly string[]): Promise<EvalModel> {
  const gemma = await loadGemmaTokenizer();
  const vocab = CompactVocab.fromSequences(texts.map((t) => siglipTokens(gemma, t, 16)), 1024);
  const base = modelConfig('tiny');
  const config = parseModelConfig({ ...base, text: { ...base.text, vocabSize: 1024 } });
  return new EvalModel('bench-tiny', config, ParamStore.init(towerSpecs(config), 1), gemmaTokenize(config, vocab, gemma), 'gemma-compact');
}

export default async function evalBench(args: string[]): Promise<unknown> {
  const nImages = Number(args[0] ?? 256);
  const nTexts = Number(args[1] ?? 512);
  const sel = selectEmoji({ languages: ['en', 'de', 'ja', 'ar'], maxClasses: Math.max(nImages, 300) });
  const pngs = sel.entries.slice(0, nImages).map((e) => readEmojiPng(EMOJI_EVAL_STYLE, e.image));
  const texts = [...sel.names.values()].flatMap((m) => [...m.values()]).slice(0, nTexts);
  const perBackend: { [name: string]: unknown } = {};
  for (const backend of BACKEND_NAMES) {
    try {
      await selectBackend(backend);
    } catch (err) {
      perBackend[backend] = { available: false, reason: (err as Error).message };
      log(`${backend}: unavailable (${(err as Error).message})`);
      continue;
    }
    const model = await tinyEvalModel(texts);
    const prep = model.defaultPrep();
    await model.embedImages(pngs.slice(0, 8), prep); // warm-up: kernels compiled, tokenizer loaded
    await model.embedTexts(texts.slice(0, 8));
    const leak0 = tf.memory().numTensors;
    let t = performance.now();
    await model.embedImages(pngs, prep);
    const imgS = (performance.now() - t) / 1000;
    t = performance.now();
    await model.embedTexts(texts);
    const txtS = (performance.now() - t) / 1000;
    const ids = await model.tokenize(texts);
    t = performance.now();
    await model.embedTokenIds(ids, texts.length);
    const fwdS = (performance.now() - t) / 1000;
    const leaked = tf.memory().numTensors - leak0;
    model.dispose();
    perBackend[backend] = { available: true, images: pngs.length, image_embeddings_per_s: pngs.length / imgS, texts: texts.length, text_embeddings_per_s: texts.length / txtS, text_forward_only_per_s: texts.length / fwdS, leaked_tensors: leaked };
    log(`${backend}: ${(pngs.length / imgS).toFixed(1)} images/s, ${(texts.length / txtS).toFixed(1)} texts/s`);
  }

  const choice = await selectBackend();
  log(`emoji suite on ${choice.name} (${choice.reason})`);
  const root = mkdtempSync(path.join(os.tmpdir(), 'sigforge-eval-bench-'));
  try {
    const store = openStore(pathToFileURL(root).href);
    // The model's compact vocabulary covers the benchmark's captions (as a run trained on emoji captions would).
    const model = await tinyEvalModel([...selectEmoji().names.values()].flatMap((m) => [...m.values()]));
    const t0 = performance.now();
    const { ref, suites } = await ensureEmojiSuites(store);
    const buildS = (performance.now() - t0) / 1000;
    log(`built ${ref} in ${buildS.toFixed(1)} s`);
    const all = Object.values(suites);
    const suiteSeconds: { [name: string]: number } = {};
    const metrics: { [name: string]: unknown } = {};
    for (const suite of all) {
      const t = performance.now();
      const r = await runSuite({ store, model, modelUri: 'bench:tiny', suite, codeVersion: 'bench' });
      suiteSeconds[suite.name] = (performance.now() - t) / 1000;
      metrics[suite.name] = r.metrics;
      log(`${suite.name}: ${suiteSeconds[suite.name]!.toFixed(1)} s (images ${r.cache.images}, texts ${r.cache.texts})`);
    }
    model.dispose();
    const total = (performance.now() - t0) / 1000;
    const fastest = Object.values(perBackend).filter((b): b is { available: true; image_embeddings_per_s: number; text_embeddings_per_s: number } => (b as { available: boolean }).available);
    return {
      image_embeddings_per_s: Math.max(...fastest.map((b) => b.image_embeddings_per_s)),
      text_embeddings_per_s: Math.max(...fastest.map((b) => b.text_embeddings_per_s)),
      emoji_suite_seconds: total,
      emoji_suite: { backend: choice.name, dataset: ref, build_seconds: buildS, suite_seconds: suiteSeconds, images: sel.entries.length, metrics_random_tiny_model: metrics },
      per_backend: perBackend,
      config: 'tiny (vision 64×2 on 32 px / patch 8, text 64×2 on 16 tokens, compact vocabulary 1024)',
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
