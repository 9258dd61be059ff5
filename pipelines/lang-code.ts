// Language codes as the project writes them: identifiers and sources spell the same language differently
// (`iw`/`he`, `pt-BR`/`pt`, `EN`/`en`); every comparison of languages goes through normalizeLangCode.

const ALIASES: { [code: string]: string } = { iw: 'he', in: 'id', ji: 'yi', jw: 'jv', mo: 'ro', fil: 'tl', nb: 'no' };

/** A code as the project writes it: lower-case base language (`zh-Latn` → `zh`, `iw` → `he`, `pt_BR` → `pt`). */
export function normalizeLangCode(code: string): string {
  const base = code.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return ALIASES[base] ?? base;
}
