/**
 * JSON Lines URL lists: one object per line with url and caption fields (caption fields may be arrays).
 */
import { IngestInputError } from '../errors.js';
import { captionsFrom, extraFrom, type Source, type SourceFactory, type SourceRow } from './types.js';

/** JSONL source factory. */
export const jsonlSource: SourceFactory = (path, options, io): Source => {
  let cache: Promise<SourceRow[]> | null = null;
  const load = async (): Promise<SourceRow[]> => {
    const lines = new TextDecoder().decode(await io.readFile(path)).split(/\r?\n/);
    const out: SourceRow[] = [];
    const seen = new Set<string>();
    lines.forEach((line, lineNo) => {
      if (line.trim() === '') return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (cause) {
        throw new IngestInputError(`line ${lineNo + 1} is not valid JSON: ${(cause as Error).message}`, path, { cause });
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        throw new IngestInputError(`line ${lineNo + 1} is not a JSON object`, path);
      }
      const o = obj as { [k: string]: unknown };
      const url = o[options.urlColumn];
      for (const c of options.extraColumns) if (c in o) seen.add(c);
      out.push({
        index: out.length,
        url: typeof url === 'string' ? url.trim() : '',
        ...captionsFrom(options.captionColumns.map((c) => o[c])),
        extra: extraFrom(options.extraColumns, (c) => o[c]),
      });
    });
    // JSON Lines has no header: a column no line has is missing (one some lines lack is null there).
    const missing = out.length === 0 ? [] : options.extraColumns.filter((c) => !seen.has(c));
    if (missing.length > 0) {
      throw new IngestInputError(`no line has the extra column ${missing.map((m) => JSON.stringify(m)).join(', ')}`, path);
    }
    return out;
  };
  const rows = (): Promise<SourceRow[]> => (cache ??= load());
  return {
    count: async () => (await rows()).length,
    async *rows(start, end) {
      yield* (await rows()).slice(start, end);
    },
  };
};
