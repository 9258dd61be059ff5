// Real JPEGs for image tests, made with sharp: photo-like images (the ingest benchmark's recipe: a smooth
// colour field upsampled from noise under fine grain) and emoji art from the npm package, plus PSNR.
import sharp, { type JpegOptions } from 'sharp';
import { randomBytes } from '../../pipelines/random.js';
import { emojiBytes } from '../pipelines/ingest/fault-server.js';

/** A photo-like JPEG as bench/_ingest-server.ts makes them (any size; grain scaled to it). */
export async function photoJpeg(
  seed: number,
  width = 640,
  height = 480,
  jpeg: JpegOptions = { quality: 88 },
): Promise<Buffer> {
  const grain = await sharp(randomBytes(width * height, 7 + seed), { raw: { width, height, channels: 1 } })
    .blur(0.6)
    .raw()
    .toBuffer();
  const grainPng = await sharp(grain, { raw: { width, height, channels: 1 } })
    .toColourspace('srgb')
    .png()
    .toBuffer();
  return sharp(randomBytes(16 * 12 * 3, 1000 + seed), { raw: { width: 16, height: 12, channels: 3 } })
    .resize(width, height, { kernel: 'cubic' })
    .composite([{ input: grainPng, blend: 'soft-light' }])
    .jpeg(jpeg)
    .toBuffer();
}

/** Emoji art (64 px PNG from emoji-datasource-google) flattened onto white, enlarged to w×h and saved as JPEG. */
export async function emojiJpeg(
  name: string,
  width: number,
  height = width,
  jpeg: JpegOptions = { quality: 90 },
): Promise<Buffer> {
  return sharp(emojiBytes(name))
    .flatten({ background: '#ffffff' })
    .resize(width, height, { fit: 'fill' })
    .jpeg(jpeg)
    .toBuffer();
}

/** Decodes any image to raw RGB with sharp (orientation applied when asked). */
export async function rgbOf(
  image: Uint8Array,
  rotate = false,
): Promise<{ data: Buffer; width: number; height: number }> {
  let s = sharp(image);
  if (rotate) s = s.rotate();
  const { data, info } = await s.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Peak signal-to-noise ratio of two equally long 8-bit buffers, in dB (Infinity when identical). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`psnr: lengths differ (${a.length} vs ${b.length})`);
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / a.length));
}

/** The JPEG with an EXIF APP1 segment (IFD0 holding only Orientation) inserted after SOI; Motorola order if asked. */
export function withOrientation(jpeg: Uint8Array, orientation: number, bigEndian = false): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  const u16 = (v: number, at: number): number => (bigEndian ? tiff.writeUInt16BE(v, at) : tiff.writeUInt16LE(v, at));
  const u32 = (v: number, at: number): number => (bigEndian ? tiff.writeUInt32BE(v, at) : tiff.writeUInt32LE(v, at));
  tiff.write(bigEndian ? 'MM' : 'II', 0, 'latin1');
  u16(42, 2);
  u32(8, 4); // IFD0 right after the header
  u16(1, 8); // one entry
  u16(0x0112, 10); // Orientation
  u16(3, 12); // SHORT
  u32(1, 14); // one value
  u16(orientation, 18); // value, left-justified in the 4-byte field
  u32(0, 22); // no next IFD
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}
