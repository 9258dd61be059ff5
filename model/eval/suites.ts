// Finds a suite by name (the built-in emoji suites) or reads it from a YAML/JSON file.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { type EmojiBenchOptions } from '../../pipelines/eval/emoji-bench.js';
import { type ObjectStore } from '../../storage/index.js';
import { EMOJI_SUITE_NAMES, type EmojiSuiteName, ensureEmojiSuites } from './emoji-suites.js';
import { EvalConfigError } from './errors.js';
import { parseSuite, type Suite } from './suite.js';

/** Names of the built-in suites. */
export const BUILTIN_SUITES: readonly string[] = [...EMOJI_SUITE_NAMES, 'emoji'];

/**
 * Resolves `nameOrFile`: a built-in name (`emoji` = all four emoji suites), or a `.json` / `.yaml` / `.yml` file.
 * Built-in suites build their dataset under `store` on first use.
 */
export async function resolveSuites(store: ObjectStore, nameOrFile: string, emoji: EmojiBenchOptions = {}): Promise<Suite[]> {
  if (BUILTIN_SUITES.includes(nameOrFile)) {
    const { suites } = await ensureEmojiSuites(store, emoji);
    return nameOrFile === 'emoji' ? Object.values(suites) : [suites[nameOrFile as EmojiSuiteName]];
  }
  if (!/\.(json|ya?ml)$/i.test(nameOrFile)) {
    throw new EvalConfigError(`suite ${JSON.stringify(nameOrFile)} is not a built-in suite (${BUILTIN_SUITES.join(', ')}) nor a .json/.yaml file`, 'suite');
  }
  let text: string;
  try {
    text = await readFile(nameOrFile, 'utf8');
  } catch (cause) {
    throw new EvalConfigError(`suite file ${nameOrFile} cannot be read (${(cause as Error).message})`, 'suite', { cause });
  }
  let value: unknown;
  try {
    value = /\.json$/i.test(nameOrFile) ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new EvalConfigError(`suite file ${nameOrFile} does not parse (${(cause as Error).message})`, 'suite', { cause });
  }
  return (Array.isArray(value) ? value : [value]).map((v, i) => parseSuite(v, Array.isArray(value) ? `${nameOrFile}[${i}]` : nameOrFile));
}
