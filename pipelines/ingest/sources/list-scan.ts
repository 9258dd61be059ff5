/**
 * Streaming reads of CSV/TSV/JSONL URL lists of any size: records are found on bytes (quotes, delimiters and
 * newlines are ASCII, so never inside a UTF-8 sequence), a fixed-size block at a time through `readRange`.
 * Counting a list records row-aligned split points every SPLIT_ROWS rows; a partition opened with them starts
 * reading at the split point before its first row instead of at byte 0.
 *
 * Policy for bad bytes: invalid UTF-8 decodes to U+FFFD (the row is kept); a record over MAX_RECORD_BYTES, or a
 * quote still open at the end of the file, is an error naming the file, line and column, never the contents.
 */
import { IngestInputError } from '../errors.js';
import { type FileRows, type SourceIO } from './types.js';

/** Bytes read per block. */
export const BLOCK_BYTES = 1 << 20;
/** Rows between split points. */
export const SPLIT_ROWS = 50_000;
/** The largest record (one CSV row or JSON line) accepted. */
export const MAX_RECORD_BYTES = 1 << 20;
/** Captions longer than this many characters are cut to it (on a code point boundary). */
export const MAX_CAPTION_CHARS = 4096;

/** One record: its bytes, the byte offset where it starts and its 1-based line number. */
export interface ScannedRecord {
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly line: number;
}

/** Where reading may start: a record boundary with the index of the row there (data rows, header excluded). */
export interface SplitPoint {
  readonly index: number;
  readonly offset: number;
  readonly line: number;
}

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * Records from `start` (a record boundary) to the end of the file. `delimiter` set: RFC 4180 quoting (a quote
 * opens a quoted cell only at the start of a cell); null: every line is a record.
 */
export async function* scanRecords(
  io: SourceIO,
  path: string,
  delimiter: number | null,
  start: SplitPoint | { offset: number; line: number },
): AsyncGenerator<ScannedRecord> {
  const size = await io.size(path);
  let parts: Uint8Array[] = [];
  let partBytes = 0;
  let recOffset = start.offset;
  let recLine = start.line;
  let line = start.line;
  let quoted = false;
  let quoteLine = 0;
  let quoteCol = 0;
  let cellStart = true;
  let pendingQuote = false; // a quote inside a quoted cell at a block's end: closes it unless the next byte is a quote
  let skipLf = false; // after a CR: a following LF belongs to the same line break
  let lineStart = start.offset;
  for (let pos = start.offset; pos < size; ) {
    const block = await io.readRange(path, pos, Math.min(BLOCK_BYTES, size - pos));
    if (block.length === 0) break;
    let from = 0;
    for (let i = 0; i < block.length; i++) {
      const b = block[i]!;
      const at = pos + i;
      if (at - recOffset > MAX_RECORD_BYTES) {
        throw new IngestInputError(
          `line ${recLine}: a record longer than ${MAX_RECORD_BYTES} bytes (an unbalanced quote?)`,
          path,
        );
      }
      if (skipLf) {
        skipLf = false;
        if (b === NL) {
          from = i + 1;
          recOffset = at + 1;
          lineStart = at + 1;
          continue;
        }
      }
      if (pendingQuote) {
        pendingQuote = false;
        if (b === QUOTE) continue; // a doubled quote: still quoted
        quoted = false;
      }
      if (b === NL) line++;
      if (quoted) {
        if (b === QUOTE) {
          if (i + 1 < block.length) {
            if (block[i + 1] === QUOTE) i++;
            else quoted = false;
          } else pendingQuote = true;
        }
        if (b === NL) lineStart = at + 1;
        continue;
      }
      if (delimiter !== null && b === QUOTE && cellStart) {
        quoted = true;
        quoteLine = line;
        quoteCol = at - lineStart + 1;
        cellStart = false;
      } else if (delimiter !== null && b === delimiter) cellStart = true;
      else if (b === NL || b === CR) {
        parts.push(block.subarray(from, i));
        yield { bytes: concat(parts), offset: recOffset, line: recLine };
        parts = [];
        partBytes = 0;
        from = i + 1;
        recOffset = at + 1;
        lineStart = at + 1;
        if (b === CR) {
          line++;
          skipLf = true;
        }
        recLine = line;
        cellStart = true;
      } else cellStart = false;
    }
    if (from < block.length) {
      parts.push(block.slice(from));
      partBytes += block.length - from;
    }
    pos += block.length;
  }
  if (quoted && !pendingQuote) {
    throw new IngestInputError(`line ${quoteLine}, column ${quoteCol}: a quoted cell is never closed`, path);
  }
  if (partBytes > 0) yield { bytes: concat(parts), offset: recOffset, line: recLine };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** A record's text (invalid UTF-8 becomes U+FFFD; a leading BOM at offset 0 is dropped). */
export function recordText(r: ScannedRecord): string {
  const text = decoder.decode(r.bytes);
  return r.offset === 0 ? text.replace(/^\uFEFF/, '') : text;
}

/** Cuts a caption to MAX_CAPTION_CHARS characters without splitting a surrogate pair. */
export function capCaption(s: string): string {
  if (s.length <= MAX_CAPTION_CHARS) return s;
  const cut = s.charCodeAt(MAX_CAPTION_CHARS - 1) >= 0xd800 && s.charCodeAt(MAX_CAPTION_CHARS - 1) < 0xdc00;
  return s.slice(0, cut ? MAX_CAPTION_CHARS - 1 : MAX_CAPTION_CHARS);
}

/** Split points as the plan stores them (`FileRows`: `<path>#<offset>:<line>` and the rows up to the next one). */
export function splitsToFileRows(path: string, splits: readonly SplitPoint[], total: number): FileRows[] {
  return splits.map((s, k) => ({
    file: `${path}#${s.offset}:${s.line}`,
    rows: (splits[k + 1]?.index ?? total) - s.index,
  }));
}

/** Split points back from stored `FileRows` of the same path (anything else is ignored). */
export function splitsFromFileRows(path: string, rows: readonly FileRows[] | undefined): SplitPoint[] {
  const out: SplitPoint[] = [];
  let index = 0;
  for (const r of rows ?? []) {
    const m = /#(\d+):(\d+)$/.exec(r.file);
    if (!m || r.file.slice(0, m.index) !== path) return [];
    out.push({ index, offset: Number(m[1]), line: Number(m[2]) });
    index += r.rows;
  }
  return out;
}
