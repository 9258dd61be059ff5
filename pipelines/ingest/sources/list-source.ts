/**
 * A list source (CSV/TSV/JSONL) over streamed records: counting scans the file once and learns split points;
 * reading a row range starts at the split point before it (from the plan's hints, or learned by this open).
 * Memory: one block and one record, whatever the file's size.
 */
import {
  type ScannedRecord,
  scanRecords,
  type SplitPoint,
  SPLIT_ROWS,
  splitsFromFileRows,
  splitsToFileRows,
} from './list-scan.js';
import { type FileRows, type Source, type SourceHints, type SourceIO, type SourceRow } from './types.js';

/** How a list format turns records into rows. */
export interface ListFormat {
  /** Byte of the cell delimiter (CSV/TSV), or null (JSONL: one record per line). */
  readonly delimiter: number | null;
  /** Reads the header (when the format has one) from the first record; returns where data rows begin. */
  begin(first: AsyncGenerator<ScannedRecord>): Promise<{ offset: number; line: number }>;
  /** The row of a record, or null for a blank record (not counted). */
  row(r: ScannedRecord, index: number): SourceRow | null;
  /** Checks after a full scan (e.g. a JSONL extra column no line had). */
  finish?(total: number): void;
}

/** A Source over a list format. */
export function listSource(path: string, io: SourceIO, format: ListFormat, hints: SourceHints = {}): Source {
  let splits: SplitPoint[] = splitsFromFileRows(path, hints.fileRows);
  let total: number | null = null;
  let begin: Promise<{ offset: number; line: number }> | null = null;
  const dataStart = (): Promise<{ offset: number; line: number }> =>
    (begin ??= format.begin(scanRecords(io, path, format.delimiter, { offset: 0, line: 1 })));

  async function* from(startIndex: number): AsyncGenerator<SourceRow> {
    const data = await dataStart(); // the header, also when starting at a split point
    const at = [...splits].reverse().find((s) => s.index <= startIndex);
    const first = at ?? { index: 0, ...data };
    let index = first.index;
    for await (const r of scanRecords(io, path, format.delimiter, first)) {
      const row = format.row(r, index);
      if (!row) continue;
      if (index % SPLIT_ROWS === 0 && !splits.some((s) => s.index === index)) {
        splits = [...splits, { index, offset: r.offset, line: r.line }].sort((a, b) => a.index - b.index);
      }
      yield row;
      index++;
    }
    total = index;
    if (first.index === 0) format.finish?.(index);
  }

  return {
    async count() {
      if (total === null) for await (const _ of from(0)) void _;
      return total!;
    },
    async *rows(start, end) {
      if (start >= end) return;
      for await (const row of from(start)) {
        if (row.index >= end) return;
        if (row.index >= start) yield row;
      }
    },
    async fileRows(): Promise<FileRows[]> {
      const n = await this.count();
      return splits.length > 1 ? splitsToFileRows(path, splits, n) : [];
    },
  };
}
