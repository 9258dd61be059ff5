import { InvalidKeyError } from './errors.js';

/** Prefix of temporary files a local store writes before renaming; hidden from `list`. */
export const TEMP_PREFIX = '.sigforge-tmp-';

const MAX_KEY_BYTES = 1024;

/**
 * Checks that a key is a relative, normalized, slash-separated path that cannot escape a store root.
 * Returns the key unchanged so callers can validate inline.
 */
export function validateKey(key: string): string {
  const fail = (why: string): never => {
    throw new InvalidKeyError(`key ${JSON.stringify(key)}: ${why}`, { subject: key });
  };
  if (typeof key !== 'string' || key.length === 0) fail('must be a non-empty string');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) fail(`longer than ${MAX_KEY_BYTES} bytes`);
  if (key.startsWith('/')) fail('must be relative to the store root, not absolute');
  if (key.includes('\\')) fail('must use "/" separators, not "\\"');
  if ([...key].some((c) => c.charCodeAt(0) < 0x20)) fail('contains a control character');
  for (const segment of key.split('/')) {
    if (segment === '') fail('has an empty path segment ("//" or a trailing "/")');
    if (segment === '.' || segment === '..') fail(`has a "${segment}" segment (keys cannot leave the store root)`);
    if (segment.startsWith(TEMP_PREFIX)) fail(`segment starts with the reserved prefix ${TEMP_PREFIX}`);
  }
  return key;
}

/** Checks a list prefix: empty, or a key-like string that may end with "/". */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  validateKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** Joins key segments with "/" and validates the result. */
export function joinKey(...parts: string[]): string {
  return validateKey(parts.filter((p) => p !== '').join('/'));
}
