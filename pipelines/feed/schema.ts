// The Arrow schema of the batch stream: one row per sample, image tensors as fixed-size (fixed resolution) or
// variable (NaFlex) lists, token ids as int32 lists of the tokenizer's length, and the stream's identity in metadata.
import { Field, FixedSizeList, Float32, Int32, List, Schema, Struct, Uint8, Utf8, type DataType } from 'apache-arrow';
import { z } from 'zod';
import { type LoaderConfig } from '../loader/config.js';

/** Format version written as `sigforge.feed.version`; readers refuse other versions. */
export const FEED_VERSION = '1';

/** Which tokenizer produced the `tokens` column. */
export const tokenizerInfoSchema = z.object({
  /** e.g. `gemma-256k/siglip2` (lower-cased, no BOS, sticky EOS, pad 0). */
  name: z.string().min(1),
  vocabSize: z.number().int().positive(),
  /** Token ids per caption (the `tokens` list length). */
  length: z.number().int().positive(),
});
export type TokenizerInfo = z.output<typeof tokenizerInfoSchema>;

/** What a stream serves: dataset version, loader config, tokenizer and pixel encoding. */
export interface FeedSpec {
  /** Resolved `name@version` (never `latest`). */
  data: string;
  config: LoaderConfig;
  tokenizer: TokenizerInfo;
  /** `float32` in [-1, 1] as the loader makes them, or `uint8` = (x + 1) · 127.5 rounded half to even, clamped. */
  pixels: 'float32' | 'uint8';
}

const item = (t: DataType): Field => new Field('item', t, false);

/** The element type of image columns. */
export function pixelType(spec: FeedSpec): Float32 | Uint8 {
  return spec.pixels === 'uint8' ? new Uint8() : new Float32();
}

/** The stream's Arrow schema; `metadata` carries `sigforge.feed` JSON (spec and identity) for clients. */
export function feedSchema(spec: FeedSpec, identity: string): Schema {
  const res = spec.config.resolution;
  const px = pixelType(spec);
  const images =
    res.kind === 'fixed'
      ? [new Field('image', new FixedSizeList(res.size * res.size * 3, item(px)), false)]
      : [
          new Field('patches', new List(item(px)), false),
          new Field('mask', new List(item(new Uint8())), false),
          new Field('spatial_shape', new FixedSizeList(2, item(new Int32())), false),
        ];
  const box = new Struct([...['x0', 'y0', 'x1', 'y1'].map((k) => new Field<DataType>(k, new Float32(), false)), new Field('label', new Utf8(), false)]);
  const fields = [
    new Field('id', new Utf8(), false),
    new Field('caption', new Utf8(), false),
    new Field('weight', new Float32(), false),
    new Field('tokens', new FixedSizeList(spec.tokenizer.length, item(new Int32())), false),
    ...images,
    new Field('boxes', new List(item(box)), false),
    new Field('resume_token', new Utf8(), false),
  ];
  const meta = {
    version: FEED_VERSION,
    data: spec.data,
    identity,
    tokenizer: spec.tokenizer,
    pixels: spec.pixels,
    pixelRange: spec.pixels === 'uint8' ? 'uint8 0..255, x = v / 127.5 - 1' : 'float32 [-1, 1]',
    resolution: res,
    batchSize: spec.config.batchSize,
    layout:
      res.kind === 'fixed'
        ? { image: [res.size, res.size, 3] }
        : { patches: ['seq_len', res.patchSize * res.patchSize * 3], mask: ['seq_len'], spatialShape: ['rows', 'cols'] },
  };
  return new Schema(fields, new Map([['sigforge.feed', JSON.stringify(meta)]]));
}
