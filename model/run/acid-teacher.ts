// ACID's reference model (recipe §6.3): a separate checkpoint — another sigforge run's, or an HF SigLIP / SigLIP 2
// directory — loaded like an evaluation model and scored with its own tokenizer on the super-batch's captions (texts,
// not the student's ids) and on the student's pixels resized to its resolution. The run's own weights are refused:
// with teacher = student every learnability score is 0 and selection degenerates to "the first rows".
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from '../config.js';
import { type EvalModel } from '../eval/eval-model.js';
import { loadEvalModel, type LoadOptions, modelDirUri } from '../eval/load-model.js';
import { siglipForward, siglipLogits } from '../siglip.js';
import { type VisionInput } from '../vision.js';
import { TrainConfigError } from './errors.js';

/** A loaded reference model that scores super-batches for ACID. */
export interface ReferenceTeacher {
  /** Directory URI the teacher was loaded from. */
  readonly uri: string;
  readonly config: ModelConfig;
  /** Per-row sigmoid loss Σ_j softplus(−z_ij·logit_ij) of the teacher on images (as the student sees them) and captions. */
  rowLoss(images: VisionInput, captions: readonly string[]): Promise<Float32Array>;
  dispose(): void;
}

/** Throws TrainConfigError when the teacher reference is the run itself ("base") or a checkpoint inside the run. */
export function assertSeparateTeacher(ref: string, runUri: string): void {
  const why = 'ACID needs a separate reference model (another run\'s checkpoint or an HF SigLIP directory), never the student itself';
  if (ref === 'base' || ref === 'self') throw new TrainConfigError(`"${ref}" is this run's own checkpoint: ${why}`, 'acid.teacher');
  const uri = ref.includes('://') || ref.startsWith('file:') ? ref.replace(/\/+$/, '') : modelDirUri(ref);
  const run = runUri.replace(/\/+$/, '');
  if (uri === run || uri.startsWith(`${run}/`)) throw new TrainConfigError(`${ref} lies inside this run (${run}): ${why}`, 'acid.teacher');
}

/** A teacher reference as a directory URI: URIs and absolute paths as they are, other paths under the storage root. */
export function resolveTeacherRef(ref: string, rootUri: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref) || path.isAbsolute(ref)) return modelDirUri(ref);
  return `${rootUri.replace(/\/+$/, '')}/${ref.replace(/^\.?\/+/, '').replace(/\/+$/, '')}`;
}

/** Student pixels as the teacher's input: fixed images resized to its side; NaFlex patches only at its patch size. */
function teacherImages(images: VisionInput, c: ModelConfig, uri: string): VisionInput {
  const v = c.vision;
  if (images.kind === 'naflex') {
    if (!v.naflex || v.patchSize !== Math.round(Math.sqrt(images.patches.shape[2] / 3))) {
      throw new TrainConfigError(`${uri} takes ${v.naflex ? `NaFlex patches of ${v.patchSize}` : `fixed ${v.imageSize}px images`}, not this stage's NaFlex patches`, 'acid.teacher');
    }
    return images;
  }
  const [, h, w] = images.images.shape;
  const side = v.imageSize;
  if (h === side && w === side) return images;
  return { kind: 'fixed', images: tf.image.resizeBilinear(images.images, [side, side], false, true) };
}

class LoadedTeacher implements ReferenceTeacher {
  constructor(
    readonly uri: string,
    private readonly model: EvalModel,
  ) {}

  get config(): ModelConfig {
    return this.model.config;
  }

  async rowLoss(images: VisionInput, captions: readonly string[]): Promise<Float32Array> {
    const n = captions.length;
    const ids = await this.model.tokenize(captions);
    const len = ids.length / Math.max(n, 1);
    const p = this.model.params.get;
    const loss = tf.tidy(() => {
      const input = teacherImages(images, this.model.config, this.uri);
      const out = siglipForward(p, this.model.config, input, tf.tensor2d(ids, [n, len], 'int32'));
      const logits = siglipLogits(p, out.zimg, out.ztxt);
      const z = tf.sub(tf.mul(tf.eye(n), 2), 1);
      return tf.sum(tf.softplus(tf.neg(tf.mul(z, logits))), 1);
    });
    try {
      return (await loss.data()) as Float32Array;
    } finally {
      loss.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Loads the reference teacher `ref` (path or URI) for a run at `runUri`, refusing the run's own weights. */
export async function loadReferenceTeacher(ref: string, runUri: string, opts: LoadOptions = {}): Promise<ReferenceTeacher> {
  assertSeparateTeacher(ref, runUri);
  const model = await loadEvalModel(ref, opts);
  return new LoadedTeacher(modelDirUri(ref), model);
}
