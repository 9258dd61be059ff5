/**
 * Decode, validate and re-encode one image: decompression-bomb limit, EXIF orientation applied, metadata stripped,
 * min-side and max-aspect filters, resize modes, JPEG or WebP output. 8-bit JPEG in (baseline or progressive,
 * grey or colour, no ICC profile) and JPEG out take the native libjpeg-turbo fast path (native/image: DCT-scaled
 * decode, area resize, encode and the dHash cells in one call off the JS thread) at sharp's output sizes; every
 * other image, and any JPEG the fast path declines or libjpeg rejects, goes through sharp.
 */
import sharp, { type Metadata } from 'sharp';
import { z } from 'zod';
import { imageAddonStatus, isJpeg, JpegDecodeError, jpegHeader, transformJpeg, type PixelRect, type JpegHeader } from '../../native/image/index.js';
import { RowError } from './errors.js';
import { dHashFromPixels, dHashFromRaw } from './hash.js';

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
/** Checks the decompression-bomb limit and the filters on header sizes; returns the displayed (oriented) size. */
function checkGeometry(width: number, height: number, orientation: number, opts: ImageOptions, url: string): { origWidth: number; origHeight: number } {
  if (width * height > opts.maxPixels) {
    throw new RowError('too_large', `${width}x${height} exceeds maxPixels ${opts.maxPixels} (decompression bomb guard)`, url);
  }
  // EXIF orientations 5–8 swap width and height.
  const swap = orientation >= 5;
  const origWidth = swap ? height : width;
  const origHeight = swap ? width : height;
  if (Math.min(origWidth, origHeight) < opts.minSide) {
    throw new RowError('too_small', `${origWidth}x${origHeight} is below minSide ${opts.minSide}`, url);
  }
  const aspect = Math.max(origWidth, origHeight) / Math.min(origWidth, origHeight);
  if (aspect > opts.maxAspect) {
    throw new RowError('bad_aspect', `aspect ratio ${aspect.toFixed(2)} exceeds maxAspect ${opts.maxAspect}`, url);
  }
  return { origWidth, origHeight };
}

/** Decodes, filters and re-encodes `bytes`; throws RowError (decode_error, too_large, too_small, bad_aspect). */
export async function processImage(bytes: Uint8Array, opts: ImageOptions, url = ''): Promise<ProcessedImage> {
  if (opts.format === 'jpeg' && isJpeg(bytes) && imageAddonStatus().enabled) {
    const fast = await processJpegNative(bytes, opts, url);
    if (fast) return fast;
  }
  return processImageWithSharp(bytes, opts, url);
}

/**
 * The size sharp's resize gives a w×h image for a square target (sharp's pipeline.cc and libvips): the shrink
 * factor from the target (`max` = fit inside / contain, `crop` = cover), JPEG shrink-on-load by 2, 4 or 8 (floor
 * division; one step less when the shrink's integer part equals it), the factor recomputed on the loaded size,
 * each axis rounded to nearest. Null when sharp would enlarge (the fast path leaves upscaling to sharp).
 */
export function sharpResizedSize(w: number, h: number, size: number, canvas: 'max' | 'crop', withoutEnlargement: boolean): [number, number] | null {
  const resolve = (x: number, y: number): number => {
    const s = canvas === 'max' ? Math.max(x / size, y / size) : Math.min(x / size, y / size);
    return withoutEnlargement ? Math.max(1, s) : s;
  };
  const shrink = resolve(w, h);
  if (shrink < 1) return null;
  let load = shrink >= 8 ? 8 : shrink >= 4 ? 4 : shrink >= 2 ? 2 : 1;
  if (load > 1 && Math.trunc(shrink) === load) load /= 2;
  const lw = Math.floor(w / load);
  const lh = Math.floor(h / load);
  const s2 = resolve(lw, lh);
  // libvips never shrinks an axis below one pixel, and reduces by 1 / (1 / s) as sharp passes the scale.
  const axis = (n: number): number => (Math.min(s2, n) === 1 ? n : Math.floor(n / (1 / (1 / Math.min(s2, n))) + 0.5));
  return [axis(lw), axis(lh)];
}

/** The fast path's resize: which part of the displayed image, to what size, at what offset on what canvas. */
interface NativePlan {
  crop: PixelRect | null;
  width: number;
  height: number;
  canvas: PixelRect;
}

/** The fast path's equivalent of sharp's resize for each mode; null where sharp would enlarge. */
function nativePlan(h: JpegHeader, origWidth: number, origHeight: number, opts: ImageOptions): NativePlan | null {
  const swap = h.orientation >= 5;
  const size = opts.size;
  const canvas = opts.resizeMode === 'center-crop' ? 'crop' : 'max';
  const resized = sharpResizedSize(h.width, h.height, size, canvas, opts.resizeMode === 'keep-aspect' && !opts.upscale);
  if (!resized) return null;
  // sharp resizes the stored image, then orients it, then crops or letterboxes.
  const [width, height] = swap ? [resized[1], resized[0]] : resized;
  if (opts.resizeMode === 'keep-aspect') return { crop: null, width, height, canvas: { left: 0, top: 0, width, height } };
  if (opts.resizeMode === 'pad') {
    // sharp's embed: centred, offsets rounded down, black.
    const canvasBox = { left: Math.floor((size - width) / 2), top: Math.floor((size - height) / 2), width: size, height: size };
    return { crop: null, width, height, canvas: canvasBox };
  }
  // center-crop: sharp crops the centre size×size of the resized image; map that window back to source pixels.
  const left = Math.floor((width - size + 1) / 2);
  const top = Math.floor((height - size + 1) / 2);
  const fx = origWidth / width;
  const fy = origHeight / height;
  return {
    crop: { left: left * fx, top: top * fy, width: size * fx, height: size * fy },
    width: size,
    height: size,
    canvas: { left: 0, top: 0, width: size, height: size },
  };
}

/** The native fast path; null when it does not apply to this image (sharp then handles it, errors included). */
async function processJpegNative(bytes: Uint8Array, opts: ImageOptions, url: string): Promise<ProcessedImage | null> {
  let h: JpegHeader;
  try {
    h = jpegHeader(bytes);
  } catch (err) {
    if (err instanceof JpegDecodeError) return null; // sharp reports unreadable headers in its own words
    throw err;
  }
  const rgbLike = (h.components === 3 && (h.colorSpace === 'ycbcr' || h.colorSpace === 'rgb')) || (h.components === 1 && h.colorSpace === 'grey');
  // Embedded ICC profiles (sharp converts to sRGB with lcms), CMYK/YCCK and 12-bit samples stay with sharp.
  if (!rgbLike || h.precision !== 8 || h.icc) return null;
  const { origWidth, origHeight } = checkGeometry(h.width, h.height, h.orientation, opts, url);
  const plan = nativePlan(h, origWidth, origHeight, opts);
  if (!plan) return null;
  let r;
  try {
    r = await transformJpeg(bytes, { ...plan, orientation: h.orientation, quality: opts.quality, grey: true, maxPixels: opts.maxPixels });
  } catch (err) {
    // Corrupt or truncated: sharp decides (failOn 'error'), so both paths reject the same files.
    if (err instanceof JpegDecodeError) return null;
    throw err;
  }
  return { image: r.data!, mime: 'image/jpeg', width: r.width, height: r.height, origWidth, origHeight, phash: dHashFromPixels(r.grey!) };
}

/** The sharp path alone (every format; what the fast path is measured against in tests). */
export async function processImageWithSharp(bytes: Uint8Array, opts: ImageOptions, url: string): Promise<ProcessedImage> {
  let meta: Metadata;
  try {
    // limitInputPixels is checked from the header, before any pixel is decoded.
    meta = await sharp(bytes, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (cause) {
    throw new RowError('decode_error', `cannot read image header: ${(cause as Error).message}`, url, { cause });
  }
  if (!meta.width || !meta.height) throw new RowError('decode_error', 'image has no dimensions', url);
  const { origWidth, origHeight } = checkGeometry(meta.width, meta.height, meta.orientation ?? 1, opts, url);
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
