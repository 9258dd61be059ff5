// Resume tokens: the loader position after a batch, bound to the stream's identity (dataset version, loader config,
// tokenizer, pixel encoding) so a token from another stream is refused instead of silently resuming elsewhere.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type LoaderPosition, loaderPositionSchema } from '../loader/position.js';
import { FeedError } from './errors.js';
import { type FeedSpec } from './schema.js';

const tokenSchema = z.object({
  v: z.literal(1),
  data: z.string(),
  identity: z.string(),
  position: loaderPositionSchema,
});

/** JSON with object keys sorted, so equal values hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A short hash of everything that shapes the stream's batches besides the position (16 hex digits). */
export function feedIdentity(spec: FeedSpec): string {
  const { data, config, tokenizer, pixels } = spec;
  return createHash('sha256').update(canonical({ data, config, tokenizer, pixels })).digest('hex').slice(0, 16);
}

/** The resume token of a position in a stream (URL-safe base64 of JSON). */
export function encodeToken(spec: FeedSpec, position: LoaderPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, data: spec.data, identity: feedIdentity(spec), position })).toString('base64url');
}

/** The position a token resumes; FeedError if it is malformed or belongs to another dataset version or config. */
export function decodeToken(spec: FeedSpec, token: string): LoaderPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err) {
    throw new FeedError('resume token', 'is not a sigforge batch-stream token (not base64url JSON)', { cause: err });
  }
  const r = tokenSchema.safeParse(parsed);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new FeedError('resume token', `is not a sigforge batch-stream token (${i.path.join('.') || 'value'}: ${i.message})`, { cause: r.error });
  }
  if (r.data.data !== spec.data) {
    throw new FeedError('resume token', `belongs to dataset ${r.data.data}, but this stream serves ${spec.data}`);
  }
  const identity = feedIdentity(spec);
  if (r.data.identity !== identity) {
    throw new FeedError(
      'resume token',
      `was made with another loader config, tokenizer or pixel encoding (stream ${r.data.identity}, this one ${identity}): resume with the same --loader and --pixels`,
    );
  }
  return r.data.position;
}
