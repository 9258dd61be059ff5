// The run's text pipeline: Gemma tokenization with SigLIP 2 preprocessing, through a compacted vocabulary when the
// model's table is smaller than Gemma's (saved once per run as vocab.json, so every stage and resume agrees).
import { readShard, joinKey, NotFoundError, type ObjectStore, AlreadyExistsError } from '../../storage/index.js';
import { CompactVocab, GEMMA, loadGemmaTokenizer, siglipTokenBatch, type TextEncoder } from '../tokenizer.js';
import { type RunLocation } from './checkpoint.js';

/** Tokenizer and id mapping a run uses for the text tower and LocCa targets. */
export interface TextPipe {
  readonly encoder: TextEncoder;
  readonly vocab: CompactVocab | null;
  readonly length: number;
  /** Captions → [n × length] model ids. */
  tokenize(texts: readonly string[]): Int32Array;
  /** Gemma ids → model ids. */
  mapIds(ids: ArrayLike<number>): ArrayLike<number>;
}

/** Builds a TextPipe over an encoder and an optional compact vocabulary. */
export function textPipe(encoder: TextEncoder, vocab: CompactVocab | null, length: number): TextPipe {
  const mapIds = (ids: ArrayLike<number>): ArrayLike<number> => (vocab ? vocab.toCompact(ids) : ids);
  return {
    encoder,
    vocab,
    length,
    mapIds,
    tokenize: (texts) => Int32Array.from(mapIds(siglipTokenBatch(encoder, texts, length))),
  };
}

/**
 * The run's text pipe: Gemma, compacted to `vocabSize` entries (most frequent ids in the dataset's captions) when the
 * model's vocabulary is smaller than Gemma's; the table is written once to `<run>/vocab.json` and reused after.
 */
export async function runTextPipe(run: RunLocation, data: ObjectStore, shardKeys: readonly string[], vocabSize: number, length: number): Promise<TextPipe> {
  const encoder = await loadGemmaTokenizer();
  if (vocabSize >= GEMMA.vocabSize) return textPipe(encoder, null, length);
  const key = joinKey(run.prefix, 'vocab.json');
  const read = async (): Promise<CompactVocab | null> => {
    try {
      return CompactVocab.fromJSON(JSON.parse(new TextDecoder().decode(await run.store.get(key))));
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  };
  let vocab = await read();
  if (!vocab) {
    const seqs: Int32Array[] = [];
    for (const shard of shardKeys) {
      for await (const rows of readShard(data, shard, { columns: ['caption', 'alt_captions', 'status'] })) {
        for (const r of rows) {
          if (r.status !== 'ok') continue;
          for (const t of [r.caption, ...(r.alt_captions ?? [])]) seqs.push(siglipTokenBatch(encoder, [String(t)], length));
        }
      }
    }
    const built = CompactVocab.fromSequences(seqs, vocabSize);
    try {
      await run.store.putIfAbsent(key, new TextEncoder().encode(JSON.stringify(built.toJSON())));
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
    vocab = (await read())!;
  }
  return textPipe(encoder, vocab, length);
}
