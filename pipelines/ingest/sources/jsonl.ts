/**
 * JSON Lines URL lists: one object per line with url and caption fields (caption fields may be arrays).
 */
import { IngestInputError } from '../errors.js';
import { captionsFrom, type Source, type SourceFactory, type SourceRow } from './types.js';

/** JSONL source factory. */
export const jsonlSource: SourceFactory = (path, options, io): Source => {
  let cache: Promise<SourceRow[]> | null = null;
  const load = async (): Promise<SourceRow[]> => {
    const lines = new TextDecoder().decode(await io.readFile(path)).split(/\r?\n/);
    const out: SourceRow[] = [];
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
      out.push({
        index: out.length,
        url: typeof url === 'string' ? url.trim() : '',
        ...captionsFrom(options.captionColumns.map((c) => o[c])),
      });
    });
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
