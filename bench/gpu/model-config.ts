// The model config the GPU benchmark trains, as JSON for the PyTorch peer (bundled as model-config.mjs).
import { type ModelConfig, modelConfig } from '../../model/config.js';

/** [preset] or [preset, imageSize, vocabSize] → the config sigforge builds. */
export default function configFor(args: readonly string[]): ModelConfig {
  const [preset, image, vocab] = args;
  if (!preset || preset === 'tiny') return modelConfig('tiny');
  return modelConfig(preset, { imageSize: Number(image), vocabSize: Number(vocab) });
}
