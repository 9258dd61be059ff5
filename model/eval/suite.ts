// Evaluation suites as config: a suite names a dataset (our shard format) and a task with its options. Validated
// with zod at the edge; `parseSuite` errors name the field.
import { z } from 'zod';
import { hashJson } from '../../pipelines/canonical-json.js';
import { EvalConfigError } from './errors.js';

const names = z.array(z.string().min(1)).min(1);
/** Templates per language (`*` = any language without its own list); each must contain `{}`. */
const templates = z
  .record(z.string(), z.array(z.string().includes('{}', { message: 'a template must contain "{}"' })).min(1))
  .default({ '*': ['{}'] });
const ks = (d: number[]) => z.array(z.number().int().positive()).min(1).default(d);

const base = {
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_", "-"'),
  /** `name@version` (or `name@latest`) of a dataset under the evaluation store's root. */
  dataset: z.string().min(1),
  /** Languages to score (default: every language with captions). */
  languages: z.array(z.string().min(1)).min(1).optional(),
  /** NaFlex sequence length (patches per image); only for NaFlex models. */
  seqLen: z.number().int().positive().optional(),
  description: z.string().optional(),
};

export const zeroShotSuiteSchema = z.object({
  ...base,
  task: z.literal('zeroshot'),
  /** The attribute holding each image's class (`label:<class>`). */
  labelAttr: z.string().min(1).default('label'),
  /** Class names per language and class; default: the captions of each class's images in that language. */
  classes: z.record(z.string(), z.record(z.string(), names)).optional(),
  templates,
  ks: ks([1, 5]),
});

export const retrievalSuiteSchema = z.object({ ...base, task: z.literal('retrieval'), ks: ks([1, 5, 10]) });

export const representationBiasSuiteSchema = z.object({
  ...base,
  task: z.literal('representation_bias'),
  /** Images to use: those carrying this attribute (images unrelated to people). */
  imageAttr: z.string().min(1).default('people:none'),
  /** The two labels per language, first one first: RB = |P(first) − 50%|. */
  labels: z.record(z.string(), z.tuple([z.string().min(1), z.string().min(1)])),
  templates,
});

export const associationBiasSuiteSchema = z.object({
  ...base,
  task: z.literal('association_bias'),
  groupAttr: z.string().min(1).default('gender'),
  /** Groups to compare (values of groupAttr). */
  groups: z.array(z.string().min(1)).min(2).default(['man', 'woman']),
  conceptAttr: z.string().min(1).default('occupation'),
  /** Concept names per language and concept value. */
  concepts: z.record(z.string(), z.record(z.string(), names)),
  templates,
});

export const suiteSchema = z.discriminatedUnion('task', [zeroShotSuiteSchema, retrievalSuiteSchema, representationBiasSuiteSchema, associationBiasSuiteSchema]);

/** A validated suite. */
export type Suite = z.output<typeof suiteSchema>;
export type SuiteInput = z.input<typeof suiteSchema>;
/** Task names. */
export const TASKS = ['zeroshot', 'retrieval', 'representation_bias', 'association_bias'] as const;

/** Validates a suite object; the error names the offending field and the valid tasks. */
export function parseSuite(input: unknown, where = 'suite'): Suite {
  const r = suiteSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join('.') || '(root)';
    const hint = field === 'task' ? ` (valid tasks: ${TASKS.join(', ')})` : '';
    throw new EvalConfigError(`${where}: ${field}: ${issue.message}${hint}`, field, { cause: r.error });
  }
  return r.data;
}

/** Stable hash of a suite's content (keys sorted), recorded in results. */
export function suiteHash(suite: Suite): string {
  return hashJson(suite).slice(0, 16);
}

/** Templates for a language: its own list, else `*`, else the bare class name. */
export function templatesFor(t: Record<string, string[]>, lang: string): string[] {
  return t[lang] ?? t['*'] ?? ['{}'];
}
