// Class-name canonicalization, template filling and template averaging for zero-shot classifiers (recipe §8.1).
import { EvalConfigError, EvalDataError } from './errors.js';
import { type Matrix, normalizeRows } from './matrix.js';

/** Canonicalizes a class name: underscores to spaces, punctuation removed, lower-cased, whitespace collapsed. */
export function canonicalizeName(name: string): string {
  return name
    .replace(/_/g, ' ')
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Fills one template (must contain `{}`) with a class name. */
export function fillTemplate(template: string, name: string): string {
  if (!template.includes('{}')) throw new EvalConfigError(`template ${JSON.stringify(template)} has no "{}" placeholder`, 'templates');
  return template.split('{}').join(name);
}

/** The prompts of every class: classes × templates × names (a class may have several names/synonyms). */
export interface PromptSet {
  /** Every prompt text, in class order. */
  readonly texts: string[];
  /** Index into `texts` of each class's prompts. */
  readonly groups: number[][];
}

/** Builds the prompts for classes (each a list of names) and templates, canonicalizing names first. */
export function buildPrompts(classNames: readonly (readonly string[])[], templates: readonly string[]): PromptSet {
  if (templates.length === 0) throw new EvalConfigError('at least one template is needed', 'templates');
  const texts: string[] = [];
  const groups = classNames.map((names, c) => {
    if (names.length === 0) throw new EvalConfigError(`class ${c} has no name`, `classes[${c}]`);
    const idx: number[] = [];
    for (const name of names) {
      const canon = canonicalizeName(name);
      for (const t of templates) {
        idx.push(texts.length);
        texts.push(fillTemplate(t, canon));
      }
    }
    return idx;
  });
  return { texts, groups };
}

/**
 * Template averaging: each class embedding is the mean of its L2-normalized prompt embeddings, re-normalized.
 * `prompts` holds one embedding per prompt text; `groups` picks each class's rows.
 */
export function averageClassEmbeddings(prompts: Matrix, groups: readonly (readonly number[])[]): Matrix {
  const unit = normalizeRows(prompts);
  const out = new Float32Array(groups.length * prompts.cols);
  groups.forEach((rows, c) => {
    if (rows.length === 0) throw new EvalDataError(`class ${c} has no prompt embeddings`, 'averageClassEmbeddings');
    for (const r of rows) {
      if (r < 0 || r >= prompts.rows) throw new EvalDataError(`prompt row ${r} outside 0..${prompts.rows - 1}`, 'averageClassEmbeddings');
      for (let k = 0; k < prompts.cols; k++) out[c * prompts.cols + k]! += unit.data[r * prompts.cols + k]!;
    }
  });
  return normalizeRows({ rows: groups.length, cols: prompts.cols, data: out });
}
