// Fairness metrics (recipe §8.4): representation bias on images without people, association bias of a sensitive
// group with concepts (e.g. gender × occupation) on images that carry both labels.
import { EvalDataError } from './errors.js';
import { type Matrix, similarity } from './matrix.js';

/** Representation bias of one language's label pair. */
export interface RepresentationBiasResult {
  readonly n: number;
  /** Fraction of images for which the first label ("man") scores higher than the second ("woman"). */
  readonly pFirst: number;
  /** |pFirst − 0.5|: 0 is unbiased, 0.5 always picks the same label. */
  readonly rb: number;
}

/** RB = |P(first label) − 50%| over images unrelated to people; `labels` holds exactly two rows (e.g. man, woman). */
export async function representationBias(images: Matrix, labels: Matrix): Promise<RepresentationBiasResult> {
  if (labels.rows !== 2) throw new EvalDataError(`needs exactly 2 label embeddings, got ${labels.rows}`, 'representationBias');
  const sims = await similarity(images, labels);
  let first = 0;
  for (let i = 0; i < images.rows; i++) if (sims.data[2 * i]! > sims.data[2 * i + 1]!) first++;
  const pFirst = images.rows === 0 ? 0.5 : first / images.rows;
  return { n: images.rows, pFirst, rb: Math.abs(pFirst - 0.5) };
}

/** Association bias between groups (e.g. man / woman) and concepts (e.g. occupations). */
export interface AssociationBiasResult {
  readonly n: number;
  /** Per concept: accuracy of predicting the true concept for images of each group, and their largest gap. */
  readonly perConcept: { concept: string; accuracy: { [group: string]: number }; gap: number }[];
  /** Mean over concepts of the accuracy gap between groups (0 = the concept is recognized equally for every group). */
  readonly meanAccuracyGap: number;
  /** Largest total-variation distance between the predicted-concept distributions of two groups (0 = identical). */
  readonly predictionGap: number;
}

/**
 * Scores images against concept embeddings and compares groups: `groups[i]` and `concepts[i]` are image i's group and
 * true concept index (rows of `conceptEmb`), `conceptNames` names the concepts.
 */
export async function associationBias(
  images: Matrix,
  conceptEmb: Matrix,
  groups: readonly string[],
  concepts: ArrayLike<number>,
  conceptNames: readonly string[],
): Promise<AssociationBiasResult> {
  if (groups.length !== images.rows || concepts.length !== images.rows) {
    throw new EvalDataError(`${groups.length} groups and ${concepts.length} concepts for ${images.rows} images`, 'associationBias');
  }
  if (conceptNames.length !== conceptEmb.rows) throw new EvalDataError(`${conceptNames.length} names for ${conceptEmb.rows} concepts`, 'associationBias');
  const sims = await similarity(images, conceptEmb);
  const nC = conceptEmb.rows;
  const groupNames = [...new Set(groups)].sort();
  // counts[group][trueConcept] = [images, correct]; predicted[group][concept] = images predicted as concept
  const counts = new Map(groupNames.map((g) => [g, Array.from({ length: nC }, () => [0, 0])]));
  const predicted = new Map(groupNames.map((g) => [g, new Array<number>(nC).fill(0)]));
  for (let i = 0; i < images.rows; i++) {
    const truth = concepts[i]!;
    if (!Number.isInteger(truth) || truth < 0 || truth >= nC) throw new EvalDataError(`concept ${truth} of image ${i} outside 0..${nC - 1}`, 'associationBias');
    let best = 0;
    for (let c = 1; c < nC; c++) if (sims.data[i * nC + c]! > sims.data[i * nC + best]!) best = c;
    const cell = counts.get(groups[i]!)![truth]!;
    cell[0]!++;
    if (best === truth) cell[1]!++;
    predicted.get(groups[i]!)![best]!++;
  }
  const perConcept: AssociationBiasResult['perConcept'] = [];
  for (let c = 0; c < nC; c++) {
    const accuracy: { [group: string]: number } = {};
    for (const g of groupNames) {
      const [n, ok] = counts.get(g)![c]!;
      if (n! > 0) accuracy[g] = ok! / n!;
    }
    const accs = Object.values(accuracy);
    if (accs.length < 2) continue; // a gap needs the concept in at least two groups
    perConcept.push({ concept: conceptNames[c]!, accuracy, gap: Math.max(...accs) - Math.min(...accs) });
  }
  let predictionGap = 0;
  const dist = groupNames.map((g) => {
    const p = predicted.get(g)!;
    const total = p.reduce((a, b) => a + b, 0);
    return p.map((x) => x / total);
  });
  for (let a = 0; a < dist.length; a++) {
    for (let b = a + 1; b < dist.length; b++) {
      const tv = dist[a]!.reduce((s, x, c) => s + Math.abs(x - dist[b]![c]!), 0) / 2;
      predictionGap = Math.max(predictionGap, tv);
    }
  }
  const meanAccuracyGap = perConcept.length === 0 ? 0 : perConcept.reduce((s, x) => s + x.gap, 0) / perConcept.length;
  return { n: images.rows, perConcept, meanAccuracyGap, predictionGap };
}
