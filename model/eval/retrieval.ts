// Image↔text retrieval recall@k with several captions per image (COCO / Flickr / XM3600 protocol, recipe §8.1).
import { EvalDataError } from './errors.js';
import { forEachSimilarityBlock, type Matrix } from './matrix.js';

/** Recall@k in both directions, as fractions in [0, 1], keyed `r1`, `r5`, …. */
export interface RetrievalResult {
  readonly images: number;
  readonly texts: number;
  /** Image → text: an image is a hit when any of its captions ranks within the top k texts. */
  readonly imageToText: { [key: string]: number };
  /** Text → image: a caption is a hit when its image ranks within the top k images. */
  readonly textToImage: { [key: string]: number };
}

/**
 * Computes retrieval recall; `textImage[j]` is the image index of caption j. Ties between a positive and a negative
 * count against the positive, so constant embeddings score chance, not 100%.
 */
export async function retrieval(images: Matrix, texts: Matrix, textImage: ArrayLike<number>, ks: readonly number[] = [1, 5, 10]): Promise<RetrievalResult> {
  if (textImage.length !== texts.rows) throw new EvalDataError(`${textImage.length} caption owners for ${texts.rows} captions`, 'retrieval');
  const owners: number[][] = Array.from({ length: images.rows }, () => []);
  for (let j = 0; j < textImage.length; j++) {
    const i = textImage[j]!;
    if (!Number.isInteger(i) || i < 0 || i >= images.rows) throw new EvalDataError(`caption ${j} names image ${i}, outside 0..${images.rows - 1}`, 'retrieval');
    owners[i]!.push(j);
  }
  const nT = texts.rows;
  const i2t = ks.map(() => 0);
  let scoredImages = 0;
  // Image → text, in blocks of images.
  await forEachSimilarityBlock(images, texts, (start, block) => {
    for (let r = 0; r < block.rows; r++) {
      const mine = owners[start + r]!;
      if (mine.length === 0) continue; // an image without captions cannot be retrieved for
      scoredImages++;
      const row = block.data.subarray(r * nT, (r + 1) * nT);
      let best = -Infinity;
      for (const j of mine) best = Math.max(best, row[j]!);
      const own = new Set(mine);
      let rank = 0;
      for (let j = 0; j < nT; j++) if (!own.has(j) && row[j]! >= best) rank++;
      ks.forEach((k, q) => {
        if (rank < k) i2t[q]!++;
      });
    }
  });
  // Text → image, in blocks of texts.
  const t2i = ks.map(() => 0);
  const nI = images.rows;
  await forEachSimilarityBlock(texts, images, (start, block) => {
    for (let r = 0; r < block.rows; r++) {
      const truth = textImage[start + r]!;
      const row = block.data.subarray(r * nI, (r + 1) * nI);
      const s = row[truth]!;
      let rank = 0;
      for (let i = 0; i < nI; i++) if (i !== truth && row[i]! >= s) rank++;
      ks.forEach((k, q) => {
        if (rank < k) t2i[q]!++;
      });
    }
  });
  const frac = (hits: number[], n: number) => Object.fromEntries(ks.map((k, q) => [`r${k}`, n === 0 ? 0 : hits[q]! / n]));
  return { images: scoredImages, texts: nT, imageToText: frac(i2t, scoredImages), textToImage: frac(t2i, nT) };
}
