/**
 * CSV/TSV URL lists (RFC 4180 quoting), with a header row naming the columns; streamed by records (list-scan.ts),
 * so a list of any size is counted and read by row ranges in bounded memory.
 */
import { IngestInputError } from '../errors.js';
import { capCaption, recordText, type ScannedRecord } from './list-scan.js';
import { listSource } from './list-source.js';
import {
  captionsFrom,
  extraFrom,
  type Source,
  type SourceFactory,
  type SourceOptions,
  type SourceRow,
} from './types.js';

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

interface Columns {
  urlAt: number;
  capAt: number[];
  extraAt: Map<string, number>;
}

function columnsOf(head: string[], options: SourceOptions, path: string): Columns {
  const urlAt = head.indexOf(options.urlColumn);
  if (urlAt < 0) {
    throw new IngestInputError(`no column ${JSON.stringify(options.urlColumn)} (columns: ${head.join(', ')})`, path);
  }
  const capAt = options.captionColumns.map((c) => head.indexOf(c));
  const missing = options.captionColumns.filter((_, i) => capAt[i]! < 0);
  if (missing.length === options.captionColumns.length) {
    throw new IngestInputError(
      `no caption column ${missing.map((m) => JSON.stringify(m)).join(' or ')} (columns: ${head.join(', ')})`,
      path,
    );
  }
  const extraAt = new Map(options.extraColumns.map((c) => [c, head.indexOf(c)]));
  for (const [c, at] of extraAt) {
    if (at < 0) throw new IngestInputError(`no extra column ${JSON.stringify(c)} (columns: ${head.join(', ')})`, path);
  }
  return { urlAt, capAt: capAt.filter((i) => i >= 0), extraAt };
}

/** Factory for a delimited source with the given delimiter. */
export function delimitedSource(delimiter: string): SourceFactory {
  return (path, options, io, hints): Source => {
    let cols: Columns | null = null;
    const cellsOf = (r: ScannedRecord): string[] | null => parseDelimited(recordText(r), delimiter)[0] ?? null;
    return listSource(
      path,
      io,
      {
        delimiter: delimiter.charCodeAt(0),
        async begin(records) {
          for await (const r of records) {
            const head = cellsOf(r);
            if (!head) continue;
            cols = columnsOf(head, options, path);
            return { offset: r.offset + r.bytes.length, line: r.line };
          }
          throw new IngestInputError('file is empty (expected a header row)', path);
        },
        row(r, index): SourceRow | null {
          const cells = cellsOf(r);
          if (!cells || !cols) return null;
          const c = cols;
          const caps = captionsFrom(c.capAt.map((i) => cells[i]));
          return {
            index,
            url: (cells[c.urlAt] ?? '').trim(),
            caption: capCaption(caps.caption),
            alt_captions: caps.alt_captions.map(capCaption),
            extra: extraFrom(options.extraColumns, (name) => cells[c.extraAt.get(name)!]),
          };
        },
      },
      hints,
    );
  };
}
