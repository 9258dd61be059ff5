import { InvalidRecordError } from './errors.js';
import { RECORD_STATUSES, type DataRecord } from './record.js';

const STATUSES = new Set<string>(RECORD_STATUSES);
const U64_MAX = (1n << 64n) - 1n;
const INT32_MAX = 2 ** 31 - 1;

/**
 * Checks that a record can be stored exactly (types, ranges, statuses); throws InvalidRecordError naming the
 * row index and field. `shard` names the file being written.
 */
export function checkRecord(r: DataRecord, row: number, shard: string): void {
  const fail = (field: string, why: string): never => {
    throw new InvalidRecordError(`${shard}: row ${row} field ${field}: ${why}`, row, field, { subject: shard });
  };
  if (r === null || typeof r !== 'object') fail('(record)', 'not an object');
  for (const f of ['id', 'source', 'url', 'caption', 'status'] as const) {
    if (typeof r[f] !== 'string') fail(f, `must be a string, got ${typeof r[f]}`);
  }
  if (!STATUSES.has(r.status))
    fail('status', `${JSON.stringify(r.status)} is not one of ${RECORD_STATUSES.join(', ')}`);
  if (!Array.isArray(r.alt_captions) || r.alt_captions.some((c) => typeof c !== 'string')) {
    fail('alt_captions', 'must be an array of strings (empty when none)');
  }
  for (const f of ['lang', 'mime', 'sha256', 'error'] as const) {
    const v = r[f];
    if (v !== null && typeof v !== 'string') fail(f, `must be a string or null, got ${typeof v}`);
  }
  for (const f of ['lang_score', 'weight'] as const) {
    const v = r[f];
    if (v !== null && typeof v !== 'number') fail(f, `must be a number or null, got ${typeof v}`);
  }
  for (const f of ['width', 'height', 'orig_width', 'orig_height'] as const) {
    const v = r[f];
    if (v !== null && !(Number.isInteger(v) && v >= 0 && v <= INT32_MAX)) {
      fail(f, `must be null or an integer in [0, ${INT32_MAX}], got ${String(v)}`);
    }
  }
  if (r.image !== null && !(r.image instanceof Uint8Array)) fail('image', 'must be a Uint8Array or null');
  if (r.phash !== null && !(typeof r.phash === 'bigint' && r.phash >= 0n && r.phash <= U64_MAX)) {
    fail('phash', `must be null or a bigint in [0, 2^64), got ${String(r.phash)}`);
  }
  if (!Number.isSafeInteger(r.fetched_at)) fail('fetched_at', `must be integer milliseconds, got ${r.fetched_at}`);
  if (r.boxes !== null) {
    if (!Array.isArray(r.boxes)) fail('boxes', 'must be an array or null');
    r.boxes.forEach((b, i) => {
      for (const k of ['x0', 'y0', 'x1', 'y1'] as const) {
        if (typeof b?.[k] !== 'number') fail(`boxes[${i}].${k}`, 'must be a number');
      }
      if (typeof b.label !== 'string') fail(`boxes[${i}].label`, 'must be a string');
    });
  }
  if (r.attrs !== null && (!Array.isArray(r.attrs) || r.attrs.some((a) => typeof a !== 'string'))) {
    fail('attrs', 'must be an array of strings or null');
  }
  if (r.lang_given !== undefined && r.lang_given !== null && typeof r.lang_given !== 'string') {
    fail('lang_given', `must be a string or null, got ${typeof r.lang_given}`);
  }
  if (r.extra !== undefined && r.extra !== null) {
    if (typeof r.extra !== 'string') fail('extra', `must be JSON object text or null, got ${typeof r.extra}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.extra);
    } catch {
      fail('extra', `is not valid JSON: ${JSON.stringify(r.extra.slice(0, 60))}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      fail('extra', `must be a JSON object, got ${JSON.stringify(r.extra.slice(0, 60))}`);
    }
  }
}
