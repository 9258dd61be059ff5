// Image↔text retrieval recall@k with several captions per image (COCO / Flickr / XM3600 protocol, recipe §8.1).
import { EvalDataError } from './errors.js';
import { type Matrix, similarity } from './matrix.js';

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
export function retrieval(images: Matrix, texts: Matrix, textImage: ArrayLike<number>, ks: readonly number[] = [1, 5, 10]): RetrievalResult {
  if (textImage.length !== texts.rows) throw new EvalDataError(`${textImage.length} caption owners for ${texts.rows} captions`, 'retrieval');
  const owners: number[][] = Array.from({ length: images.rows }, () => []);
  for (let j = 0; j < textImage.length; j++) {
    const i = textImage[j]!;
    if (!Number.isInteger(i) || i < 0 || i >= images.rows) throw new EvalDataError(`caption ${j} names image ${i}, outside 0..${images.rows - 1}`, 'retrieval');
    owners[i]!.push(j);
  }
  const sims = similarity(images, texts); // [images × texts]
  const nT = texts.rows;
  const i2t = ks.map(() => 0);
  let scoredImages = 0;
  for (let i = 0; i < images.rows; i++) {
    const mine = owners[i]!;
    if (mine.length === 0) continue; // an image without captions cannot be retrieved for
    scoredImages++;
    const row = sims.data.subarray(i * nT, (i + 1) * nT);
    let best = -Infinity;
    for (const j of mine) best = Math.max(best, row[j]!);
    const own = new Set(mine);
    let rank = 0;
    for (let j = 0; j < nT; j++) if (!own.has(j) && row[j]! >= best) rank++;
    ks.forEach((k, q) => {
      if (rank < k) i2t[q]!++;
    });
  }
  const t2i = ks.map(() => 0);
  for (let j = 0; j < nT; j++) {
    const truth = textImage[j]!;
    const s = sims.data[truth * nT + j]!;
    let rank = 0;
    for (let i = 0; i < images.rows; i++) if (i !== truth && sims.data[i * nT + j]! >= s) rank++;
    ks.forEach((k, q) => {
      if (rank < k) t2i[q]!++;
    });
  }
  const frac = (hits: number[], n: number) => Object.fromEntries(ks.map((k, q) => [`r${k}`, n === 0 ? 0 : hits[q]! / n]));
  return { images: scoredImages, texts: nT, imageToText: frac(i2t, scoredImages), textToImage: frac(t2i, nT) };
}
