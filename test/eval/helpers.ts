// Shared helpers for evaluation tests: temporary stores, a tiny random model and a tokenizer that needs no download.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { modelConfig } from '../../model/config.js';
import { EvalModel, type EvalTokenize } from '../../model/eval/eval-model.js';
import { ParamStore, towerSpecs } from '../../model/params.js';
import { openStore, type ObjectStore } from '../../storage/index.js';

/** A store in a fresh temporary folder, and a cleanup function. */
export function tempStore(): { store: ObjectStore; root: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sigforge-eval-'));
  return { store: openStore(pathToFileURL(root).href), root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Deterministic character-level ids (EOS = 1 at the end, pad 0), so tests need not load the Gemma tokenizer. */
export function charTokenize(vocab: number, length: number): EvalTokenize {
  return (texts) => {
    const out = new Int32Array(texts.length * length);
    texts.forEach((t, i) => {
      const cps = [...t.toLowerCase()].map((c) => 3 + (c.codePointAt(0)! % (vocab - 3)));
      const n = Math.min(cps.length, length - 1);
      for (let k = 0; k < n; k++) out[i * length + k] = cps[k]!;
      out[i * length + n] = 1;
    });
    return Promise.resolve(out);
  };
}

/** The `tiny` model with random weights (seeded) and the character tokenizer. */
export function tinyModel(seed = 1): EvalModel {
  const config = modelConfig('tiny');
  const params = ParamStore.init(towerSpecs(config), seed);
  return new EvalModel(`tiny-seed-${seed}`, config, params, charTokenize(config.text.vocabSize, config.text.maxLength), 'chars');
}
