/**
 * URL redaction for everything an ingest run stores or reports (record.url, row error text, Temporal histories):
 * userinfo (`user:pass@`) is removed and the values of secret-bearing query parameters (signed-URL signatures,
 * tokens, API keys) are replaced. Credentials in a URL are never sent by the fetcher either: the policy is
 * "strip and fetch without them", so such a row is fetched like any other and stored without the secret.
 */
import { z } from 'zod';

/** Query parameters redacted by default (case-insensitive; a trailing `*` matches any suffix). */
export const DEFAULT_REDACTED_PARAMS: readonly string[] = [
  'x-amz-*',
  'x-goog-*',
  'sig',
  'signature',
  'token',
  'access_token',
  'auth',
  'key',
  'api_key',
  'apikey',
  'policy',
  'key-pair-id',
  'password',
  'secret',
];

/** What a redacted query value becomes. */
export const REDACTED = 'REDACTED';

/** A list of query parameter names or `prefix*` patterns. */
export const RedactParamsSchema = z.array(z.string().min(1).regex(/^[^*]+\*?$/, 'a name, or a prefix followed by one *'));

function matches(name: string, patterns: readonly string[]): boolean {
  const n = name.toLowerCase();
  return patterns.some((p) => {
    const q = p.toLowerCase();
    return q.endsWith('*') ? n.startsWith(q.slice(0, -1)) : n === q;
  });
}

/**
 * The URL without userinfo and with the values of `params` replaced by {@link REDACTED}; a string that does not
 * parse as a URL is returned with anything up to an `@` before the first `/` of its authority removed.
 */
export function redactUrl(url: string, params: readonly string[] = DEFAULT_REDACTED_PARAMS): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url;
  let changed = parsed.username !== '' || parsed.password !== '';
  parsed.username = '';
  parsed.password = '';
  if (parsed.search) {
    const kept = [...parsed.searchParams].map(([k, v]): [string, string] => {
      if (!matches(k, params)) return [k, v];
      changed = true;
      return [k, REDACTED];
    });
    if (changed) parsed.search = new URLSearchParams(kept).toString();
  }
  return changed ? parsed.href : url;
}

/** Replaces every occurrence of `url` (and its parsed href) in `text` with its redacted form. */
export function redactIn(text: string, url: string, params: readonly string[] = DEFAULT_REDACTED_PARAMS): string {
  const safe = redactUrl(url, params);
  if (safe === url) return text;
  let out = text.split(url).join(safe);
  try {
    const href = new URL(url).href;
    out = out.split(href).join(safe);
  } catch {
    // Not a URL: nothing more to replace.
  }
  return out;
}
