// fastText's lid.176 language-ID model (176 languages; the quantized model ships inside the fasttext.wasm.js npm
// package, so nothing is downloaded), run through its WebAssembly build.
import { getLIDModel } from 'fasttext.wasm.js';

/** One label of a fastText prediction: the language code as fastText writes it and its probability. */
export interface FastTextLabel {
  code: string;
  p: number;
}

/** The lid.176 model: the `k` most probable labels of one line of text (all 176 when k is -1). */
export interface FastTextLid {
  predict(text: string, k: number): FastTextLabel[];
}

interface FtVector {
  size(): number;
  get(i: number): [number, string];
  delete(): void;
}

let model: Promise<FastTextLid> | null = null;

/** Loads lid.176 once per process (about 1 MB of model, 0.4 s). */
export function loadFastTextLid(): Promise<FastTextLid> {
  model ??= (async () => {
    const m = await (await getLIDModel()).load();
    return {
      predict(text: string, k: number): FastTextLabel[] {
        const v = m.predict(text, k, 0) as unknown as FtVector;
        try {
          const out: FastTextLabel[] = [];
          for (let i = 0; i < v.size(); i++) {
            const [p, label] = v.get(i);
            out.push({ code: label.slice('__label__'.length), p });
          }
          return out;
        } finally {
          v.delete(); // emscripten vectors live on the WASM heap until deleted
        }
      },
    };
  })();
  model.catch(() => (model = null));
  return model;
}
