/**
 * Decode, validate and re-encode one image with sharp: decompression-bomb limit, EXIF orientation applied,
 * metadata stripped, min-side and max-aspect filters, resize modes, JPEG or WebP output.
 */
import sharp, { type Metadata } from 'sharp';
import { z } from 'zod';
import { RowError } from './errors.js';
import { dHashFromRaw } from './hash.js';

/** Resize modes: `keep-aspect` caps the longest side (NaFlex wants native aspect), the others make a square. */
export const RESIZE_MODES = ['keep-aspect', 'center-crop', 'pad'] as const;

/** Image settings; defaults match the SigLIP 2 NaFlex recipe (native aspect, longest side 512, JPEG q90). */
export const ImageOptionsSchema = z.object({
  resizeMode: z.enum(RESIZE_MODES).default('keep-aspect'),
  /** Longest side for keep-aspect; side of the square for center-crop and pad. */
  size: z.number().int().min(8).max(8192).default(512),
  format: z.enum(['jpeg', 'webp']).default('jpeg'),
  quality: z.number().int().min(1).max(100).default(90),
  minSide: z.number().int().min(1).default(32),
  maxAspect: z.number().min(1).default(4),
  /** Decompression-bomb guard: refuse images with more pixels than this. */
  maxPixels: z.number().int().min(1).default(50_000_000),
  /** Never enlarge small images in keep-aspect mode. */
  upscale: z.boolean().default(false),
});
/** Parsed image settings. */
export type ImageOptions = z.infer<typeof ImageOptionsSchema>;

/** A re-encoded image and its sizes. */
export interface ProcessedImage {
  image: Uint8Array;
  mime: 'image/jpeg' | 'image/webp';
  width: number;
  height: number;
  origWidth: number;
  origHeight: number;
  /** dHash of the resized pixels (same as `perceptualHash` of the stored image, up to JPEG noise). */
  phash: bigint;
}

/** Decodes, filters and re-encodes `bytes`; throws RowError (decode_error, too_large, too_small, bad_aspect). */
export async function processImage(bytes: Uint8Array, opts: ImageOptions, url = ''): Promise<ProcessedImage> {
  let meta: Metadata;
  try {
    // limitInputPixels is checked from the header, before any pixel is decoded.
    meta = await sharp(bytes, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (cause) {
    throw new RowError('decode_error', `cannot read image header: ${(cause as Error).message}`, url, { cause });
  }
  if (!meta.width || !meta.height) throw new RowError('decode_error', 'image has no dimensions', url);
  if (meta.width * meta.height > opts.maxPixels) {
    throw new RowError('too_large', `${meta.width}x${meta.height} exceeds maxPixels ${opts.maxPixels} (decompression bomb guard)`, url);
  }
  // EXIF orientations 5–8 swap width and height.
  const swap = (meta.orientation ?? 1) >= 5;
  const origWidth = swap ? meta.height : meta.width;
  const origHeight = swap ? meta.width : meta.height;
  if (Math.min(origWidth, origHeight) < opts.minSide) {
    throw new RowError('too_small', `${origWidth}x${origHeight} is below minSide ${opts.minSide}`, url);
  }
  const aspect = Math.max(origWidth, origHeight) / Math.min(origWidth, origHeight);
  if (aspect > opts.maxAspect) {
    throw new RowError('bad_aspect', `aspect ratio ${aspect.toFixed(2)} exceeds maxAspect ${opts.maxAspect}`, url);
  }
  try {
    // failOn 'error' rejects truncated/corrupt data; only the first frame of animations is used.
    let pipe = sharp(bytes, { limitInputPixels: opts.maxPixels, failOn: 'error' }).rotate();
    if (opts.resizeMode === 'keep-aspect') {
      pipe = pipe.resize({ width: opts.size, height: opts.size, fit: 'inside', withoutEnlargement: !opts.upscale });
    } else if (opts.resizeMode === 'center-crop') {
      pipe = pipe.resize({ width: opts.size, height: opts.size, fit: 'cover', position: 'centre' });
    } else {
      pipe = pipe.resize({ width: opts.size, height: opts.size, fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 1 } });
    }
    // Flatten alpha onto white (as browsers show transparent web images, and as the loader and evaluation
    // pre-processing do), so JPEG output is well defined; sharp strips metadata unless asked to keep it.
    pipe = pipe.flatten({ background: { r: 255, g: 255, b: 255 } }).toColourspace('srgb');
    // Decode once to raw pixels: the encoder and the perceptual hash both start from them.
    const { data: raw, info } = await pipe.raw().toBuffer({ resolveWithObject: true });
    const input = sharp(raw, { raw: { width: info.width, height: info.height, channels: info.channels } });
    const encoded = opts.format === 'jpeg' ? input.jpeg({ quality: opts.quality, mozjpeg: false }) : input.webp({ quality: opts.quality });
    const data = await encoded.toBuffer();
    const pixels = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    return {
      phash: dHashFromRaw(pixels, info.width, info.height, info.channels),
      image: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      mime: opts.format === 'jpeg' ? 'image/jpeg' : 'image/webp',
      width: info.width,
      height: info.height,
      origWidth,
      origHeight,
    };
  } catch (cause) {
    throw new RowError('decode_error', `cannot decode image: ${(cause as Error).message}`, url, { cause });
  }
}
