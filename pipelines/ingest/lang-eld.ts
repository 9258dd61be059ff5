// eld (Efficient Language Detector, n-gram scores; its large database ships in the npm package) as the second
// voice of the language-ID ensemble.

/** eld's per-language scores of one text (not probabilities: the ensemble normalizes them). */
export interface EldScorer {
  scores(text: string): { [lang: string]: number };
}

interface EldInstance {
  detect(text: string): { getScores(): { [lang: string]: number } };
  setLanguageSubset(languages: string[] | boolean): unknown;
  newInstance(): EldInstance;
}

let base: Promise<EldInstance> | null = null;

/** Loads eld's large database once per process (about 4 s, 200 MB) and returns a scorer, optionally restricted. */
export async function loadEld(languages?: readonly string[]): Promise<EldScorer> {
  base ??= import('eld/large').then((m) => m.eld as unknown as EldInstance);
  base.catch(() => (base = null));
  const inst = (await base).newInstance();
  if (languages) inst.setLanguageSubset([...languages]);
  return { scores: (text) => inst.detect(text).getScores() };
}
