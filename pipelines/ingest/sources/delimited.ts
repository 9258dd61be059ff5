/**
 * CSV/TSV URL lists (RFC 4180 quoting), with a header row naming the columns.
 */
import { IngestInputError } from '../errors.js';
import { captionsFrom, extraFrom, type Source, type SourceFactory, type SourceRow } from './types.js';

/** Parses delimited text into rows of cells; quotes may contain delimiters, newlines and doubled quotes. */
export function parseDelimited(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      cell = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Factory for a delimited source with the given delimiter. */
export function delimitedSource(delimiter: string): SourceFactory {
  return (path, options, io): Source => {
    let cache: Promise<SourceRow[]> | null = null;
    const load = async (): Promise<SourceRow[]> => {
      const text = new TextDecoder().decode(await io.readFile(path)).replace(/^\uFEFF/, '');
      const [head, ...body] = parseDelimited(text, delimiter);
      if (!head) throw new IngestInputError('file is empty (expected a header row)', path);
      const urlAt = head.indexOf(options.urlColumn);
      if (urlAt < 0) {
        throw new IngestInputError(`no column ${JSON.stringify(options.urlColumn)} (columns: ${head.join(', ')})`, path);
      }
      const capAt = options.captionColumns.map((c) => head.indexOf(c));
      const missing = options.captionColumns.filter((_, i) => capAt[i]! < 0);
      if (missing.length === options.captionColumns.length) {
        throw new IngestInputError(`no caption column ${missing.map((m) => JSON.stringify(m)).join(' or ')} (columns: ${head.join(', ')})`, path);
      }
      const extraAt = new Map(options.extraColumns.map((c) => [c, head.indexOf(c)]));
      for (const [c, at] of extraAt) {
        if (at < 0) throw new IngestInputError(`no extra column ${JSON.stringify(c)} (columns: ${head.join(', ')})`, path);
      }
      return body.map((cells, index) => ({
        index,
        url: (cells[urlAt] ?? '').trim(),
        ...captionsFrom(capAt.filter((i) => i >= 0).map((i) => cells[i])),
        extra: extraFrom(options.extraColumns, (c) => cells[extraAt.get(c)!]),
      }));
    };
    const rows = (): Promise<SourceRow[]> => (cache ??= load());
    return {
      count: async () => (await rows()).length,
      async *rows(start, end) {
        yield* (await rows()).slice(start, end);
      },
    };
  };
}
