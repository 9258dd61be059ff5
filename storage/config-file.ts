// Config files on the local disk (YAML, or JSON for `.json`): the one reader behind the CLI's config, run, pipeline and
// suite files. Validation is the caller's (zod at the edge); this only reads and parses.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { StorageError } from './errors.js';

/** A config file could not be read (`stage: 'read'`) or parsed (`'parse'`); the message is the reader's or parser's. */
export class ConfigFileError extends StorageError {
  override readonly name = 'ConfigFileError';
  constructor(
    message: string,
    readonly file: string,
    readonly stage: 'read' | 'parse',
    options: { cause?: unknown } = {},
  ) {
    super(message, { subject: file, ...options });
  }

  /** The format the file was parsed as, for messages. */
  get format(): 'JSON' | 'YAML' {
    return isJsonFile(this.file) ? 'JSON' : 'YAML';
  }
}

function isJsonFile(file: string): boolean {
  return /\.json$/i.test(file);
}

/** Reads and parses a YAML or JSON (`.json`) file into an unvalidated value. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigFileError((err as Error).message, file, 'read', { cause: err });
  }
  try {
    return isJsonFile(file) ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ConfigFileError((err as Error).message, file, 'parse', { cause: err });
  }
}
