// Deterministic Record fixtures for storage tests: every field shape, nulls on failed rows, edge values.
import { mulberry32 } from '../../pipelines/random.js';
import { RECORD_STATUSES, type DataRecord } from '../../storage/index.js';

/** The project's seeded PRNG (mulberry32), so fixtures are the same on every run. */
export const rng = mulberry32;

const LANGS = ['en', 'de', 'ja', 'zh', 'ar', 'hi', null];
const WORDS = ['cat', 'Hund', '猫', 'قطة', 'बिल्ली', 'ĉevalo', 'emoji 🐈‍⬛', 'with "quotes"', 'tab\tand\nnewline'];

/** `n` records: about 1 in 5 failed (no image, nulls), the rest with image bytes of about `imageBytes`. */
export function makeRecords(n: number, seed = 1, imageBytes = 300): DataRecord[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const out: DataRecord[] = [];
  for (let i = 0; i < n; i++) {
    const ok = r() > 0.2 || i < 2;
    const caption = Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(WORDS)).join(' ');
    const image = new Uint8Array(Math.floor(imageBytes * (0.5 + r())));
    for (let j = 0; j < image.length; j++) image[j] = Math.floor(r() * 256);
    const hi = BigInt(Math.floor(r() * 2 ** 32));
    const lo = BigInt(Math.floor(r() * 2 ** 32));
    const phash = i === 0 ? (1n << 64n) - 1n : i === 1 ? 0n : (hi << 32n) | lo;
    out.push({
      id: `id-${seed}-${i}`,
      source: pick(['laion', 'cc12m', 'folder']),
      url: `http://127.0.0.1/img/${i}.jpg`,
      caption,
      alt_captions: r() > 0.7 ? [pick(WORDS), pick(WORDS)] : [],
      lang: ok ? pick(LANGS) : null,
      lang_score: ok ? r() : null,
      image: ok ? image : null,
      mime: ok ? pick(['image/jpeg', 'image/webp']) : null,
      width: ok ? 1 + Math.floor(r() * 512) : null,
      height: ok ? 1 + Math.floor(r() * 512) : null,
      orig_width: ok ? 1 + Math.floor(r() * 4000) : null,
      orig_height: ok ? 1 + Math.floor(r() * 4000) : null,
      sha256: ok ? Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('') : null,
      phash: ok ? phash : null,
      // The failure statuses the golden shards were made with (later ones would change the seeded picks).
      status: ok ? 'ok' : pick(RECORD_STATUSES.slice(1, 13)),
      error: ok ? null : `failed: ${pick(WORDS)}`,
      fetched_at: 1_700_000_000_000 + Math.floor(r() * 1e9),
      boxes:
        r() > 0.5
          ? Array.from({ length: Math.floor(r() * 3) }, () => ({
              x0: r(),
              y0: r(),
              x1: r() * 100,
              y1: -r(),
              label: pick(WORDS),
            }))
          : null,
      attrs: r() > 0.5 ? [pick(['gender:woman', 'gender:man', 'occupation:doctor'])] : null,
      weight: r() > 0.3 ? r() * 3 : null,
      // From the row index, not the PRNG, so every other field stays what the older goldens hold.
      extra: i % 3 === 2 ? null : JSON.stringify({ license: ['cc-by', 'cc0', 'é "q"'][i % 3], id: i, nested: { k: [i, null] } }),
      lang_given: i % 4 === 1 ? null : ['en', 'de', 'pt-BR', 'ja'][i % 4]!,
    });
  }
  return out;
}
