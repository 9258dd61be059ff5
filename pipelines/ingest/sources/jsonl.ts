/**
 * JSON Lines URL lists: one object per line with url and caption fields (caption fields may be arrays); streamed
 * by lines (list-scan.ts), so a list of any size is counted and read by row ranges in bounded memory.
 */
import { IngestInputError } from '../errors.js';
import { capCaption, recordText, type ScannedRecord } from './list-scan.js';
import { listSource } from './list-source.js';
import { captionsFrom, extraFrom, type Source, type SourceFactory, type SourceRow } from './types.js';

/** Parses one line as a JSON object; errors name the line and column, never the line's text. */
function parseLine(r: ScannedRecord, text: string, path: string): { [k: string]: unknown } {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    // V8's message may quote the line: only the column is reported, and the cause is left off for the same reason.
    throw new IngestInputError(`line ${r.line}, column ${errorColumn(text)}: not valid JSON`, path);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new IngestInputError(`line ${r.line}: not a JSON object`, path);
  }
  return obj as { [k: string]: unknown };
}

/** Whether `prefix` could start a valid JSON text (parses, or fails only because it ends too early). */
function validPrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (err) {
    const m = (err as Error).message;
    const pos = /position (\d+)/.exec(m);
    return /end of JSON input|Unterminated string/.test(m) || (pos !== null && Number(pos[1]) >= prefix.length);
  }
}

/** 1-based column of the first character that makes the text invalid JSON (binary search on valid prefixes). */
export function errorColumn(text: string): number {
  let lo = 0; // longest prefix known valid
  let hi = text.length; // shortest prefix known invalid (the whole text)
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (validPrefix(text.slice(0, mid))) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** JSONL source factory. */
export const jsonlSource: SourceFactory = (path, options, io, hints): Source => {
  const seen = new Set<string>();
  return listSource(
    path,
    io,
    {
      delimiter: null,
      begin: async () => await Promise.resolve({ offset: 0, line: 1 }),
      row(r, index): SourceRow | null {
        const text = recordText(r);
        if (text.trim() === '') return null;
        const o = parseLine(r, text, path);
        const url = o[options.urlColumn];
        for (const c of options.extraColumns) if (c in o) seen.add(c);
        const caps = captionsFrom(options.captionColumns.map((c) => o[c]));
        return {
          index,
          url: typeof url === 'string' ? url.trim() : '',
          caption: capCaption(caps.caption),
          alt_captions: caps.alt_captions.map(capCaption),
          extra: extraFrom(options.extraColumns, (c) => o[c]),
        };
      },
      finish(total) {
        // JSON Lines has no header: a column no line has is missing (one some lines lack is null there).
        const missing = total === 0 ? [] : options.extraColumns.filter((c) => !seen.has(c));
        if (missing.length > 0) {
          throw new IngestInputError(
            `no line has the extra column ${missing.map((m) => JSON.stringify(m)).join(', ')}`,
            path,
          );
        }
      },
    },
    hints,
  );
};
