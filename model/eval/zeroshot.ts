// Zero-shot classification metrics: top-k accuracy of images against class embeddings.
import { EvalDataError } from './errors.js';
import { forEachSimilarityBlock, type Matrix } from './matrix.js';

/** Top-k accuracies and per-image predictions of one zero-shot run. */
export interface ZeroShotResult {
  /** Number of images scored. */
  readonly n: number;
  /** Accuracy for each k asked for, keyed `top1`, `top5`, … (a fraction in [0, 1]). */
  readonly accuracy: { [key: string]: number };
  /** Top-1 class index of each image. */
  readonly predictions: Int32Array;
}

/** Rank of the true class among all classes: how many classes score strictly higher, ties counted against the truth. */
function rankOf(row: Float32Array, truth: number): number {
  const s = row[truth]!;
  let rank = 0;
  for (let c = 0; c < row.length; c++) if (c !== truth && row[c]! >= s) rank++;
  return rank;
}

/** Scores images (rows of `images`) against classes (rows of `classes`); `labels[i]` is image i's true class. */
export async function zeroShot(images: Matrix, classes: Matrix, labels: ArrayLike<number>, ks: readonly number[] = [1, 5]): Promise<ZeroShotResult> {
  if (labels.length !== images.rows) {
    throw new EvalDataError(`${labels.length} labels for ${images.rows} images`, 'zeroShot');
  }
  const hits = ks.map(() => 0);
  const predictions = new Int32Array(images.rows);
  for (let i = 0; i < images.rows; i++) {
    const truth = labels[i]!;
    if (!Number.isInteger(truth) || truth < 0 || truth >= classes.rows) {
      throw new EvalDataError(`label ${truth} of image ${i} is not a class index 0..${classes.rows - 1}`, 'zeroShot');
    }
  }
  await forEachSimilarityBlock(images, classes, (start, block) => {
    for (let r = 0; r < block.rows; r++) {
      const i = start + r;
      const row = block.data.subarray(r * classes.rows, (r + 1) * classes.rows);
      let best = 0;
      for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
      predictions[i] = best;
      const rank = rankOf(row, labels[i]!);
      ks.forEach((k, j) => {
        if (rank < k) hits[j]!++;
      });
    }
  });
  const accuracy: { [key: string]: number } = {};
  ks.forEach((k, j) => (accuracy[`top${k}`] = images.rows === 0 ? 0 : hits[j]! / images.rows));
  return { n: images.rows, accuracy, predictions };
}
