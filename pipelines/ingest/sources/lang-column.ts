// The source's own language column (`langColumn`): read through the readers' extra-column path (so every format
// reads it, and one the source lacks is an error), then moved from `extra` to the row's `lang`.
import {
  type Source,
  type SourceFactory,
  type SourceHints,
  type SourceIO,
  type SourceOptions,
  type SourceRow,
} from './types.js';

/** A language cell as a code: trimmed text, null when empty or not text/number. */
function langCell(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

/** Opens `factory` so that rows carry `lang` from `options.langColumn` (unchanged when none is set). */
export function withLangColumn(
  factory: SourceFactory,
  path: string,
  options: SourceOptions,
  io: SourceIO,
  hints?: SourceHints,
): Source {
  const column = options.langColumn;
  if (!column) return factory(path, options, io, hints);
  const keepExtra = options.extraColumns.includes(column);
  const inner = factory(
    path,
    { ...options, extraColumns: keepExtra ? options.extraColumns : [...options.extraColumns, column] },
    io,
    hints,
  );
  const move = (row: SourceRow): SourceRow => {
    const lang = langCell(row.extra?.[column]);
    if (keepExtra || !row.extra) return { ...row, lang };
    const { [column]: _, ...rest } = row.extra;
    return { ...row, lang, extra: options.extraColumns.length > 0 ? rest : undefined };
  };
  return {
    count: () => inner.count(),
    async *rows(start, end) {
      for await (const row of inner.rows(start, end)) yield move(row);
    },
    ...(inner.fileRows ? { fileRows: () => inner.fileRows!() } : {}),
  };
}
