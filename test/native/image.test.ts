// The image addon on real JPEGs: header facts, decode and resize parity with sharp (dims, PSNR), DCT scale
// choice, crop/flip/canvas/orientation, JPEG round trips, the dHash cells and float output bit-exact with the JS
// versions, corrupt and truncated data rejected with libjpeg's message, and the switches that turn it off.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import {
  JpegDecodeError,
  NativeImageOptionsError,
  decodeJpeg,
  imageAddonStatus,
  jpegHeader,
  transformJpeg,
  transformRgb,
} from '../../native/image/index.js';
import { greyCellsFromRaw } from '../../pipelines/ingest/hash.js';
import { toUnitRange } from '../../pipelines/loader/images.js';
import { emojiNames } from '../pipelines/ingest/fault-server.js';
import { emojiJpeg, photoJpeg, psnr, rgbOf, withOrientation } from '../helpers/jpegs.js';

/** Skip reason when the addon is not built; CI (SIGFORGE_REQUIRE_NATIVE=1) fails instead. */
function imageSkip(): string | false {
  const { enabled, reason } = imageAddonStatus();
  if (enabled) return false;
  if (process.env.SIGFORGE_REQUIRE_NATIVE === '1' && !/disabled by/.test(reason))
    throw new Error(`SIGFORGE_REQUIRE_NATIVE=1 but ${reason}`);
  return reason;
}
const skip = imageSkip();

/**
 * sharp's resize as raw RGB: of the fully decoded pixels (lanczos3, its default) for whole images, since sharp's
 * JPEG shrink-on-load drops the last W mod 8 columns and rows and so shifts the sampling grid; of a crop with the
 * loader's kernel (linear; an extract turns shrink-on-load off).
 */
async function sharpResize(
  jpeg: Uint8Array,
  w: number,
  h: number,
  crop?: { left: number; top: number; width: number; height: number },
  flip = false,
): Promise<Buffer> {
  let s;
  if (crop) {
    s = sharp(jpeg).extract(crop).resize(w, h, { fit: 'fill', kernel: 'linear' });
  } else {
    const full = await rgbOf(jpeg);
    s = sharp(full.data, { raw: { width: full.width, height: full.height, channels: 3 } }).resize(w, h, {
      fit: 'fill',
    });
  }
  if (flip) s = s.flop();
  return s.removeAlpha().toColourspace('srgb').raw().toBuffer();
}

describe('image addon', { skip }, () => {
  it('reads headers: size, components, colour space, progressive, EXIF orientation in both byte orders, ICC', async () => {
    const photo = await photoJpeg(1);
    assert.deepEqual(jpegHeader(photo), {
      width: 640,
      height: 480,
      components: 3,
      colorSpace: 'ycbcr',
      precision: 8,
      orientation: 1,
      progressive: false,
      icc: false,
    });
    const progressive = await sharp(photo).jpeg({ progressive: true }).toBuffer();
    assert.equal(jpegHeader(progressive).progressive, true);
    const grey = jpegHeader(await sharp(photo).toColourspace('b-w').jpeg().toBuffer());
    assert.deepEqual([grey.components, grey.colorSpace], [1, 'grey']);
    for (const o of [3, 6, 8]) {
      assert.equal(jpegHeader(withOrientation(photo, o)).orientation, o);
      assert.equal(jpegHeader(withOrientation(photo, o, true)).orientation, o);
    }
    assert.equal(jpegHeader(await sharp(photo).withMetadata().jpeg().toBuffer()).icc, true);
    const cmyk = jpegHeader(await sharp(photo).toColourspace('cmyk').jpeg().toBuffer());
    assert.equal(cmyk.components, 4);
    assert.throws(
      () => jpegHeader(Buffer.from('GIF89a not a jpeg at all')),
      (e: Error) => e instanceof JpegDecodeError && /Not a JPEG file/.test(e.message),
    );
  });

  it('decodes like sharp (libjpeg-turbo on both sides), grey as RGB', async () => {
    for (const jpeg of [
      await photoJpeg(2),
      await emojiJpeg(emojiNames(40)[33]!, 300, 200),
      await sharp(await photoJpeg(3))
        .jpeg({ progressive: true })
        .toBuffer(),
    ]) {
      const ours = await decodeJpeg(jpeg);
      const theirs = await rgbOf(jpeg);
      assert.deepEqual([ours.width, ours.height], [theirs.width, theirs.height]);
      assert.ok(psnr(ours.data, theirs.data) >= 45, `decode PSNR ${psnr(ours.data, theirs.data).toFixed(1)} dB`);
    }
    const grey = await sharp(await photoJpeg(4))
      .toColourspace('b-w')
      .jpeg()
      .toBuffer();
    const g = await decodeJpeg(grey);
    assert.equal(g.data.length, 640 * 480 * 3);
    assert.ok(
      g.data.every((v, i) => i % 3 !== 0 || (v === g.data[i + 1] && v === g.data[i + 2])),
      'grey decodes to R = G = B',
    );
  });

  it('decode + resize is within 30 dB of sharp, choosing the smallest DCT scale that still leaves a downscale', async () => {
    const images = [
      await photoJpeg(5),
      await photoJpeg(6, 1023, 767),
      ...(await Promise.all(
        emojiNames(300)
          .filter((_, i) => i % 60 === 7)
          .map((n) => emojiJpeg(n, 640, 480)),
      )),
    ];
    const cases: [number, number, number][] = [
      [256, 192, 4], // 640×480 → 320×240 by DCT, then area 1.25×
      [320, 240, 4],
      [600, 450, 8], // no DCT scale leaves ≥ 600 px
      [80, 60, 1],
      [100, 75, 2],
      [150, 113, 2],
    ];
    for (const jpeg of images) {
      const { width } = jpegHeader(jpeg);
      for (const [w, h, scale] of cases) {
        const ours = await transformJpeg(jpeg, { width: w, height: h });
        const theirs = await sharpResize(jpeg, w, h);
        assert.deepEqual([ours.width, ours.height], [w, h]);
        const p = psnr(ours.data!, theirs);
        assert.ok(p >= 30, `${width}px → ${w}×${h}: ${p.toFixed(1)} dB`);
        if (width === 640) assert.equal(ours.scale, scale, `DCT scale for ${w}×${h}`);
        const unscaled = await transformJpeg(jpeg, { width: w, height: h, dctScaling: false });
        assert.equal(unscaled.scale, 8);
        assert.ok(psnr(unscaled.data!, theirs) >= 30);
      }
    }
  });

  it('crops (fractional boxes too), flips, enlarges bilinearly and letterboxes like sharp', async () => {
    const jpeg = await emojiJpeg(emojiNames(60)[51]!, 640, 480);
    for (const [crop, w, h] of [
      [{ left: 100, top: 60, width: 380, height: 300 }, 224, 224],
      [{ left: 0, top: 0, width: 640, height: 480 }, 224, 224],
      [{ left: 500, top: 400, width: 140, height: 80 }, 224, 224], // enlarged in both axes
      [{ left: 33, top: 21, width: 97, height: 301 }, 64, 128],
    ] as const) {
      for (const flip of [false, true]) {
        const ours = await transformJpeg(jpeg, { crop, width: w, height: h, flip });
        const p = psnr(ours.data!, await sharpResize(jpeg, w, h, crop, flip));
        assert.ok(p >= 30, `crop ${JSON.stringify(crop)} → ${w}×${h} flip ${flip}: ${p.toFixed(1)} dB`);
      }
    }
    // A fractional crop samples between pixels: close to its integer neighbour, not equal.
    const a = await transformJpeg(jpeg, {
      crop: { left: 100, top: 60, width: 380, height: 300 },
      width: 190,
      height: 150,
    });
    const b = await transformJpeg(jpeg, {
      crop: { left: 100.5, top: 60.5, width: 380, height: 300 },
      width: 190,
      height: 150,
    });
    assert.ok(psnr(a.data!, b.data!) > 30 && psnr(a.data!, b.data!) < Infinity);
    const boxed = await transformJpeg(jpeg, {
      width: 200,
      height: 150,
      canvas: { left: 5, top: 30, width: 210, height: 210 },
    });
    assert.deepEqual([boxed.width, boxed.height], [210, 210]);
    const px = (x: number, y: number): number[] => [...boxed.data!.subarray((y * 210 + x) * 3, (y * 210 + x) * 3 + 3)];
    assert.deepEqual(px(2, 100), [0, 0, 0], 'left border is black');
    assert.deepEqual(px(100, 200), [0, 0, 0], 'bottom border is black');
    const inner = (await transformJpeg(jpeg, { width: 200, height: 150 })).data!;
    assert.deepEqual(px(105, 100), [...inner.subarray((70 * 200 + 100) * 3, (70 * 200 + 100) * 3 + 3)]);
  });

  it('applies each EXIF orientation as sharp.rotate() does', async () => {
    const base = await emojiJpeg(emojiNames(30)[20]!, 120, 80);
    for (let o = 1; o <= 8; o++) {
      const jpeg = withOrientation(base, o, o % 2 === 0);
      const h = jpegHeader(jpeg);
      const ours = await decodeJpeg(jpeg, h.orientation);
      const theirs = await rgbOf(jpeg, true);
      assert.deepEqual([ours.width, ours.height], [theirs.width, theirs.height], `orientation ${o} size`);
      assert.ok(psnr(ours.data, theirs.data) >= 45, `orientation ${o}: ${psnr(ours.data, theirs.data).toFixed(1)} dB`);
      // Crops are given in displayed pixels.
      const crop = { left: 10, top: 20, width: 40, height: 30 };
      const cropped = await transformJpeg(jpeg, { crop, width: 40, height: 30, orientation: o });
      const want = await sharp(jpeg).rotate().extract(crop).raw().toBuffer();
      assert.ok(psnr(cropped.data!, want) >= 40, `orientation ${o} crop`);
    }
  });

  it('encodes JPEGs that sharp reads back at the same size, better with higher quality', async () => {
    const jpeg = await photoJpeg(7);
    const raw = await transformJpeg(jpeg, { width: 256, height: 192 });
    const q90 = await transformJpeg(jpeg, { width: 256, height: 192, quality: 90 });
    const q50 = await transformJpeg(jpeg, { width: 256, height: 192, quality: 50 });
    const meta = await sharp(q90.data!).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['jpeg', 256, 192, 3]);
    const back90 = await rgbOf(q90.data!);
    const back50 = await rgbOf(q50.data!);
    assert.ok(q50.data!.length < q90.data!.length);
    assert.ok(psnr(back90.data, raw.data!) >= 35, `q90 round trip ${psnr(back90.data, raw.data!).toFixed(1)} dB`);
    assert.ok(psnr(back90.data, raw.data!) > psnr(back50.data, raw.data!));
    // Fitted Huffman tables are lossless: smaller file, the same pixels.
    const optimized = await transformJpeg(jpeg, { width: 256, height: 192, quality: 90, optimizeCoding: true });
    assert.ok(optimized.data!.length < q90.data!.length);
    assert.deepEqual((await rgbOf(optimized.data!)).data, back90.data);
    // Round trip through our own decoder too.
    assert.ok(psnr((await decodeJpeg(q90.data!)).data, raw.data!) >= 35);
  });

  it('gives the dHash cells and the [−1, 1] floats bit-exact with the JS versions, from JPEG and raw sources', async () => {
    const jpeg = await photoJpeg(8, 333, 251);
    for (const [w, h] of [
      [256, 193],
      [100, 75],
      [17, 9],
      [5, 3],
    ] as const) {
      const r = await transformJpeg(jpeg, { width: w, height: h, grey: true });
      assert.deepEqual(r.grey, Buffer.from(greyCellsFromRaw(r.data!, w, h, 3)), `${w}×${h} cells`);
      const into = new Float32Array(w * h * 3 + 5).fill(7);
      const f = await transformJpeg(jpeg, { width: w, height: h, into });
      assert.equal(f.data, null);
      assert.deepEqual(into.subarray(0, w * h * 3), toUnitRange(r.data!));
      assert.equal(into[w * h * 3], 7, 'nothing written past the image');
      const fromRaw = await transformRgb(
        { data: (await decodeJpeg(jpeg)).data, width: 333, height: 251 },
        { width: w, height: h, dctScaling: false },
      );
      const fromJpeg = await transformJpeg(jpeg, { width: w, height: h, dctScaling: false });
      assert.deepEqual(fromRaw.data, fromJpeg.data, 'raw and JPEG sources resize identically');
    }
  });

  it('runs many images in parallel on the libuv pool with the same results as one at a time', async () => {
    const images = await Promise.all([0, 1, 2, 3].map((i) => photoJpeg(20 + i, 320, 240)));
    const one: (Uint8Array | null)[] = [];
    for (const img of images)
      one.push((await transformJpeg(img, { width: 100, height: 75, quality: 85, grey: true })).data);
    const many = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        transformJpeg(images[i % 4]!, { width: 100, height: 75, quality: 85, grey: true }),
      ),
    );
    many.forEach((r, i) => assert.deepEqual(r.data, one[i % 4]));
  });

  it("rejects truncated and corrupt data and CMYK with libjpeg's message, never garbage", async () => {
    const jpeg = await photoJpeg(9);
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    await assert.rejects(
      transformJpeg(truncated, { width: 320, height: 240 }),
      (e: Error) => e instanceof JpegDecodeError && /Premature end of JPEG file/.test(e.message),
    );
    // A restart marker in the middle of a scan that has none: libjpeg warns and resyncs; we stop.
    const corrupt = Buffer.from(jpeg);
    corrupt.set([0xff, 0xd3], Math.floor(jpeg.length * 0.5));
    await assert.rejects(
      transformJpeg(corrupt, { width: 320, height: 240 }),
      (e: Error) => e instanceof JpegDecodeError && /Corrupt JPEG data/.test(e.message),
    );
    const cmyk = await sharp(jpeg).toColourspace('cmyk').jpeg().toBuffer();
    await assert.rejects(transformJpeg(cmyk, { width: 64, height: 48 }), /Unsupported color conversion/);
    await assert.rejects(
      transformJpeg(Buffer.from('definitely not a jpeg'), { width: 8, height: 8 }),
      /Not a JPEG file/,
    );
    // Decompression bombs are refused from the header (sharp's default limit unless given).
    const bomb = Buffer.from(jpeg);
    const sof = bomb.indexOf(Buffer.from([0xff, 0xc0]));
    bomb.writeUInt16BE(60000, sof + 5);
    bomb.writeUInt16BE(60000, sof + 7);
    await assert.rejects(
      transformJpeg(bomb, { width: 64, height: 64 }),
      /60000x60000 exceeds the limit of 268402689 pixels/,
    );
    await assert.rejects(
      transformJpeg(jpeg, { width: 64, height: 48, maxPixels: 1000 }),
      /640x480 exceeds the limit of 1000 pixels/,
    );
  });

  it('checks options before any work, naming the option', async () => {
    const jpeg = await photoJpeg(10, 64, 48);
    assert.throws(
      () => transformJpeg(jpeg, { width: 0, height: 8 }),
      (e: Error) =>
        e instanceof NativeImageOptionsError && /width must be an integer in 1\.\.65535, got 0/.test(e.message),
    );
    assert.throws(
      () => transformJpeg(jpeg, { width: 8, height: 8, canvas: { left: 4, top: 0, width: 10, height: 10 } }),
      /canvas .* must contain the 8x8 output/,
    );
    assert.throws(
      () => transformJpeg(jpeg, { width: 8, height: 8, into: new Float32Array(10) }),
      /into holds 10 floats/,
    );
    assert.throws(() => transformJpeg(jpeg, { width: 8, height: 8, orientation: 9 }), /orientation must be 1\.\.8/);
    await assert.rejects(
      transformJpeg(jpeg, { width: 8, height: 8, crop: { left: 100, top: 0, width: 5, height: 5 } }),
      /crop box lies outside the image/,
    );
    assert.throws(
      () => transformRgb({ data: new Uint8Array(10), width: 4, height: 4 }, { width: 2, height: 2 }),
      /raw source holds 10 bytes/,
    );
  });
});

describe('image addon switches', () => {
  for (const env of ['SIGFORGE_NATIVE_IMAGE', 'SIGFORGE_NATIVE']) {
    it(`${env}=0 turns it off with the reason`, () => {
      const script = `
        import { imageAddonStatus, transformJpeg } from './native/image/index.ts';
        let error = '';
        try { await transformJpeg(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), { width: 1, height: 1 }); } catch (e) { error = e.message; }
        process.stdout.write(JSON.stringify({ status: imageAddonStatus(), error }));`;
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, [env]: '0' },
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const out = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
        status: { enabled: boolean; reason: string };
        error: string;
      };
      assert.deepEqual(out.status, { enabled: false, reason: `disabled by ${env}=0` });
      assert.match(out.error, new RegExp(`image addon is off: disabled by ${env}=0`));
    });
  }
});
