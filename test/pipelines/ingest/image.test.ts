import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { type RowError } from '../../../pipelines/ingest/errors.js';
import { dHashFromPixels, hammingDistance, perceptualHash } from '../../../pipelines/ingest/hash.js';
import { ImageOptionsSchema, processImage } from '../../../pipelines/ingest/image.js';
import { sniffImage } from '../../../pipelines/ingest/sniff.js';
import { bombPng, emojiBytes, emojiNames } from './fault-server.js';

const opts = (o: object = {}) => ImageOptionsSchema.parse({ minSide: 8, ...o });
const photo = (w: number, h: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: '#3a6' } })
    .composite([{ input: { create: { width: Math.ceil(w / 2), height: Math.ceil(h / 2), channels: 3, background: '#c33' } }, left: 0, top: 0 }])
    .jpeg()
    .toBuffer();

describe('processImage', () => {
  it('keep-aspect caps the longest side and keeps original sizes', async () => {
    const r = await processImage(await photo(400, 300), opts({ size: 100 }));
    assert.deepEqual([r.width, r.height, r.origWidth, r.origHeight], [100, 75, 400, 300]);
    assert.equal(sniffImage(r.image), 'jpeg');
    const small = await processImage(await photo(40, 30), opts({ size: 100 }));
    assert.deepEqual([small.width, small.height], [40, 30], 'never enlarges by default');
  });
  it('center-crop and pad make squares; webp output', async () => {
    const crop = await processImage(await photo(400, 300), opts({ size: 64, resizeMode: 'center-crop' }));
    assert.deepEqual([crop.width, crop.height], [64, 64]);
    const pad = await processImage(await photo(400, 300), opts({ size: 64, resizeMode: 'pad', format: 'webp' }));
    assert.deepEqual([pad.width, pad.height, pad.mime], [64, 64, 'image/webp']);
    assert.equal(sniffImage(pad.image), 'webp');
  });
  it('applies EXIF orientation and strips metadata', async () => {
    const rotated = await sharp(await photo(80, 40)).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    assert.equal((await sharp(rotated).metadata()).orientation, 6);
    const r = await processImage(rotated, opts({ size: 64 }));
    assert.deepEqual([r.origWidth, r.origHeight, r.width, r.height], [40, 80, 32, 64]);
    const meta = await sharp(r.image).metadata();
    assert.equal(meta.exif, undefined);
    assert.equal(meta.orientation, undefined);
  });
  it('filters small, extreme-aspect and bomb images with their status', async () => {
    const status = async (b: Buffer, o = opts()): Promise<string> =>
      processImage(b, o).then(
        () => 'ok',
        (e: unknown) => (e as RowError).status,
      );
    assert.equal(await status(await photo(20, 20), opts({ minSide: 32 })), 'too_small');
    assert.equal(await status(await photo(500, 50)), 'bad_aspect');
    assert.equal(await status(bombPng()), 'too_large');
    assert.equal(await status(Buffer.from('not an image at all')), 'decode_error');
  });
  it('flattens transparent PNGs (real emoji art) onto an opaque JPEG', async () => {
    const r = await processImage(emojiBytes(emojiNames(1)[0]!), opts({ size: 32 }));
    assert.equal((await sharp(r.image).metadata()).hasAlpha, false);
  });
});

describe('perceptual hash', () => {
  it('dHash of a left-to-right falling ramp is all ones', () => {
    const ramp = new Uint8Array(72).map((_, i) => 255 - (i % 9) * 20);
    assert.equal(dHashFromPixels(ramp), 0xffffffffffffffffn);
  });
  it('is stable under resize/re-encode and far between different images', async () => {
    const [a, b] = emojiNames(200).filter((_, i) => i === 50 || i === 150) as [string, string];
    const imgA = emojiBytes(a);
    const ha = await perceptualHash(imgA);
    const haSmall = await perceptualHash(await sharp(imgA).resize(40, 40).flatten({ background: '#ffffff' }).jpeg({ quality: 70 }).toBuffer());
    const hb = await perceptualHash(emojiBytes(b));
    assert.ok(hammingDistance(ha, haSmall) <= 8, `same image: ${hammingDistance(ha, haSmall)}`);
    assert.ok(hammingDistance(ha, hb) >= 16, `different images: ${hammingDistance(ha, hb)}`);
    const processed = await processImage(imgA, opts({ size: 48 }));
    assert.ok(hammingDistance(processed.phash, ha) <= 10, `pipeline hash vs original: ${hammingDistance(processed.phash, ha)}`);
  });
});
