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

/** What one byte does: inside a record, ends the record (a line break), or is skipped (LF of CRLF, 2nd of a doubled quote). */
const enum Step {
  Inside,
  End,
  Skip,
  SkipNext,
}

/** Record-boundary state over bytes (RFC 4180 quoting when a delimiter is set). */
class Boundaries {
  quoted = false;
  quoteLine = 0;
  quoteCol = 0;
  /** A quote inside a quoted cell at a block's end: it closes the cell unless the next byte is a quote. */
  pendingQuote = false;
  private cellStart = true;
  private skipLf = false;
  constructor(
    private readonly delimiter: number | null,
    public line: number,
    public lineStart: number,
  ) {}

  step(b: number, next: number | undefined, at: number): Step {
    if (this.skipLf) {
      this.skipLf = false;
      if (b === NL) {
        this.lineStart = at + 1;
        return Step.Skip;
      }
    }
    if (this.pendingQuote) {
      this.pendingQuote = false;
      if (b === QUOTE) return Step.Inside; // a doubled quote: still quoted
      this.quoted = false;
    }
    if (b === NL) {
      this.line++;
      this.lineStart = at + 1;
    }
    if (this.quoted) {
      if (b !== QUOTE) return Step.Inside;
      if (next === undefined) this.pendingQuote = true;
      else if (next === QUOTE) return Step.SkipNext;
      else this.quoted = false;
      return Step.Inside;
    }
    if (this.delimiter !== null && b === QUOTE && this.cellStart) {
      this.quoted = true;
      this.quoteLine = this.line;
      this.quoteCol = at - this.lineStart + 1;
      this.cellStart = false;
    } else if (this.delimiter !== null && b === this.delimiter) this.cellStart = true;
    else if (b === NL || b === CR) {
      if (b === CR) {
        this.line++;
        this.lineStart = at + 1;
        this.skipLf = true;
      }
      this.cellStart = true;
      return Step.End;
    } else this.cellStart = false;
    return Step.Inside;
  }
}

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
  const st = new Boundaries(delimiter, start.line, start.offset);
  let parts: Uint8Array[] = [];
  let recOffset = start.offset;
  let recLine = start.line;
  for (let pos = start.offset; pos < size; ) {
    const block = await io.readRange(path, pos, Math.min(BLOCK_BYTES, size - pos));
    if (block.length === 0) break;
    let from = 0;
    for (let i = 0; i < block.length; i++) {
      const at = pos + i;
      if (at - recOffset > MAX_RECORD_BYTES) {
        throw new IngestInputError(
          `line ${recLine}: a record longer than ${MAX_RECORD_BYTES} bytes (an unbalanced quote?)`,
          path,
        );
      }
      const step = st.step(block[i]!, i + 1 < block.length ? block[i + 1] : undefined, at);
      if (step === Step.SkipNext) i++;
      else if (step === Step.Skip) {
        from = i + 1;
        recOffset = at + 1;
      } else if (step === Step.End) {
        parts.push(block.subarray(from, i));
        yield { bytes: concat(parts), offset: recOffset, line: recLine };
        parts = [];
        from = i + 1;
        recOffset = at + 1;
        recLine = st.line;
      }
    }
    if (from < block.length) parts.push(block.slice(from));
    pos += block.length;
  }
  if (st.quoted && !st.pendingQuote) {
    throw new IngestInputError(`line ${st.quoteLine}, column ${st.quoteCol}: a quoted cell is never closed`, path);
  }
  if (parts.some((p) => p.length > 0)) yield { bytes: concat(parts), offset: recOffset, line: recLine };
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
