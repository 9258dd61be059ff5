// processImage's native JPEG fast path against the sharp path it replaces: sharp's output sizes in every resize
// mode (a model of sharp's rounding, checked on random sizes), pixels within 30 dB, near-equal dHashes, EXIF
// orientation, grey and progressive input, the same errors for bad files, and sharp for everything it declines.
// The ingest image tests also run once more with the addon off.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { imageAddonStatus } from '../../../native/image/index.js';
import { type RowError } from '../../../pipelines/ingest/errors.js';
import { hammingDistance } from '../../../pipelines/ingest/hash.js';
import {
  ImageOptionsSchema,
  processImage,
  processImageWithSharp,
  sharpResizedSize,
  type ImageOptions,
} from '../../../pipelines/ingest/image.js';
import { emojiJpeg, photoJpeg, psnr, rgbOf, withOrientation } from '../../helpers/jpegs.js';
import { emojiBytes, emojiNames } from './fault-server.js';

const status = imageAddonStatus();
if (!status.enabled && process.env.SIGFORGE_REQUIRE_NATIVE === '1' && !/disabled by/.test(status.reason)) {
  throw new Error(`SIGFORGE_REQUIRE_NATIVE=1 but ${status.reason}`);
}
const skip = status.enabled ? false : status.reason;
const opts = (o: Partial<ImageOptions> = {}): ImageOptions => ImageOptionsSchema.parse({ minSide: 8, ...o });

/** Both paths on one image: same sizes and sizes of origin, PSNR of the decoded outputs, dHash distance. */
async function compare(
  img: Buffer,
  o: ImageOptions,
): Promise<{ psnr: number; hamming: number; identical: boolean; width: number; height: number }> {
  const fast = await processImage(img, o);
  const slow = await processImageWithSharp(img, o, '');
  assert.deepEqual(
    [fast.width, fast.height, fast.origWidth, fast.origHeight, fast.mime],
    [slow.width, slow.height, slow.origWidth, slow.origHeight, slow.mime],
  );
  const a = await rgbOf(fast.image);
  const b = await rgbOf(slow.image);
  return {
    psnr: psnr(a.data, b.data),
    hamming: hammingDistance(fast.phash, slow.phash),
    identical: Buffer.compare(Buffer.from(fast.image), Buffer.from(slow.image)) === 0,
    width: fast.width,
    height: fast.height,
  };
}

describe('sharp resize sizes', () => {
  it('sharpResizedSize predicts sharp for random sizes, with JPEG shrink-on-load', async () => {
    let seed = 3;
    const rand = (n: number): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    for (let k = 0; k < 60; k++) {
      const w = 9 + rand(2600);
      const h = 9 + rand(2600);
      const size = [32, 64, 100, 224, 256, 333, 512][rand(7)]!;
      const img = await sharp({ create: { width: w, height: h, channels: 3, background: '#777' } })
        .jpeg()
        .toBuffer();
      const inside = await sharp(img)
        .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
        .toBuffer({ resolveWithObject: true });
      assert.deepEqual(
        sharpResizedSize(w, h, size, 'max', true),
        [inside.info.width, inside.info.height],
        `${w}×${h} inside ${size}`,
      );
      const want = sharpResizedSize(w, h, size, 'crop', false);
      if (want) {
        const outside = await sharp(img)
          .resize({ width: size, height: size, fit: 'outside' })
          .toBuffer({ resolveWithObject: true });
        assert.deepEqual(want, [outside.info.width, outside.info.height], `${w}×${h} outside ${size}`);
      } else {
        assert.ok(Math.min(w, h) < size, 'null only when sharp would enlarge');
      }
    }
  });
});

describe('processImage JPEG fast path', { skip }, () => {
  it('matches sharp in every resize mode: same sizes, ≥ 30 dB, dHash within 4 bits', async () => {
    const images = [
      await photoJpeg(1),
      await photoJpeg(2, 1700, 1100),
      await photoJpeg(3, 301, 457),
      ...(await Promise.all(
        emojiNames(200)
          .filter((_, i) => i % 50 === 3)
          .map((n) => emojiJpeg(n, 500, 400)),
      )),
    ];
    for (const resizeMode of ['keep-aspect', 'center-crop', 'pad'] as const) {
      for (const size of [256, 100]) {
        for (const img of images) {
          const r = await compare(img, opts({ resizeMode, size }));
          assert.ok(!r.identical, 'the fast path ran (sharp would give the same bytes)');
          assert.ok(r.psnr >= 30, `${resizeMode} ${size}: ${r.psnr.toFixed(1)} dB`);
          assert.ok(r.hamming <= 4, `${resizeMode} ${size}: dHash distance ${r.hamming}`);
        }
      }
    }
  });

  it('handles progressive, grey, 4:4:4 and every EXIF orientation like sharp', async () => {
    const photo = await photoJpeg(4, 600, 400);
    const variants = [
      await sharp(photo).jpeg({ progressive: true }).toBuffer(),
      await sharp(photo).toColourspace('b-w').jpeg().toBuffer(),
      await sharp(photo).jpeg({ chromaSubsampling: '4:4:4', quality: 95 }).toBuffer(),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((o) => withOrientation(photo, o, o > 4)),
    ];
    for (const img of variants) {
      const r = await compare(img, opts({ size: 256 }));
      assert.ok(!r.identical && r.psnr >= 30, `${r.psnr.toFixed(1)} dB`);
    }
    const turned = await processImage(withOrientation(photo, 6), opts({ size: 256 }));
    assert.deepEqual([turned.origWidth, turned.origHeight, turned.width, turned.height], [400, 600, 171, 256]);
    const crop = await compare(withOrientation(photo, 8), opts({ size: 128, resizeMode: 'center-crop' }));
    assert.ok(crop.psnr >= 30);
  });

  it('never enlarges unless asked; enlarging goes through sharp', async () => {
    const small = await photoJpeg(5, 120, 90);
    const kept = await compare(small, opts({ size: 256 }));
    assert.deepEqual([kept.width, kept.height, kept.identical], [120, 90, false]);
    assert.ok(kept.psnr >= 35, `re-encode only: ${kept.psnr.toFixed(1)} dB`);
    for (const o of [
      opts({ size: 256, upscale: true }),
      opts({ size: 256, resizeMode: 'center-crop' }),
      opts({ size: 256, resizeMode: 'pad' }),
    ]) {
      assert.ok((await compare(small, o)).identical, `${o.resizeMode} upscale ${o.upscale} is sharp's`);
    }
  });

  it('leaves PNG, WebP output, CMYK and ICC-tagged JPEGs to sharp (byte-identical results)', async () => {
    const photo = await photoJpeg(6, 320, 240);
    const cases: [Buffer, ImageOptions][] = [
      [emojiBytes(emojiNames(1)[0]!), opts({ size: 32 })],
      [photo, opts({ size: 100, format: 'webp' })],
      [await sharp(photo).toColourspace('cmyk').jpeg().toBuffer(), opts({ size: 100 })],
      [await sharp(photo).withIccProfile('p3').jpeg().toBuffer(), opts({ size: 100 })],
    ];
    for (const [img, o] of cases) assert.ok((await compare(img, o)).identical);
  });

  it('rejects what sharp rejects, with the same status and message, and filters from the header alone', async () => {
    const photo = await photoJpeg(7);
    const outcome = (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => 'ok',
        (e: unknown) => `${(e as RowError).status}: ${(e as RowError).message}`,
      );
    const truncated = photo.subarray(0, Math.floor(photo.length * 0.7));
    const bomb = Buffer.from(photo);
    // SOF0 height and width fields → 30000 × 30000: refused before any pixel is decoded.
    const sof = bomb.indexOf(Buffer.from([0xff, 0xc0]));
    bomb.writeUInt16BE(30000, sof + 5);
    bomb.writeUInt16BE(30000, sof + 7);
    const cases: [Buffer, ImageOptions, RegExp][] = [
      [truncated, opts(), /^decode_error: cannot decode image/],
      [bomb, opts(), /^too_large: 30000x30000 exceeds maxPixels/],
      [photo, opts({ minSide: 500 }), /^too_small: 640x480 is below minSide 500/],
      [await photoJpeg(8, 500, 100), opts(), /^bad_aspect: aspect ratio 5\.00 exceeds maxAspect 4/],
    ];
    for (const [img, o, want] of cases) {
      const fast = await outcome(processImage(img, o));
      assert.match(fast, want);
      assert.equal(fast, await outcome(processImageWithSharp(img, o, '')));
    }
  });
});

describe('ingest image tests with the addon off', () => {
  it('SIGFORGE_NATIVE_IMAGE=0: the sharp path passes the same image tests', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', 'test/pipelines/ingest/image.test.ts'],
      {
        // Without NODE_TEST_CONTEXT the child reports as a standalone run (TAP), not to this runner.
        env: { ...process.env, SIGFORGE_NATIVE_IMAGE: '0', NODE_TEST_CONTEXT: undefined },
        encoding: 'utf8',
      },
    );
    assert.equal(run.status, 0, run.stdout.slice(-2000) + run.stderr.slice(-2000));
    assert.match(run.stdout, /# fail 0/);
    assert.match(run.stdout, /# pass [1-9]/);
  });
});
