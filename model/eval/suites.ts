// Finds a suite by name (the built-in emoji suites) or reads it from a YAML/JSON file.
import { type EmojiBenchOptions } from '../../pipelines/eval/emoji-bench.js';
import { ConfigFileError, readConfigFile } from '../../storage/config-file.js';
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
  let value: unknown;
  try {
    value = readConfigFile(nameOrFile);
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    const problem = err.stage === 'read' ? 'cannot be read' : 'does not parse';
    throw new EvalConfigError(`suite file ${nameOrFile} ${problem} (${err.message})`, 'suite', { cause: err.cause });
  }
  return (Array.isArray(value) ? value : [value]).map((v, i) => parseSuite(v, Array.isArray(value) ? `${nameOrFile}[${i}]` : nameOrFile));
}
