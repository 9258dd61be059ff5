// Typed calls into the image addon: JPEG header, and one-round-trip transforms (decode with DCT scaling, EXIF
// orientation, crop, antialiased resize, flip, canvas, 9×8 grey thumbnail, JPEG encode or raw/float pixels).
import { loadImageAddon, type ImageAddon } from './addon.js';
import { JpegDecodeError, NativeImageError, NativeImageOptionsError } from './errors.js';

/** libjpeg's colour spaces (J_COLOR_SPACE), by name. */
export const JPEG_COLOR_SPACES = ['unknown', 'grey', 'rgb', 'ycbcr', 'cmyk', 'ycck'] as const;
/** A JPEG's colour space as its header declares it. */
export type JpegColorSpace = (typeof JPEG_COLOR_SPACES)[number];

/** What a JPEG header says, before any pixel is decoded. */
export interface JpegHeader {
  /** Stored size (EXIF orientation not applied). */
  width: number;
  height: number;
  components: number;
  colorSpace: JpegColorSpace;
  progressive: boolean;
  /** Bits per sample (8 for almost every JPEG; 12 is not decodable here). */
  precision: number;
  /** EXIF orientation 1..8 (1 when there is none). */
  orientation: number;
  /** The file embeds an ICC profile (sharp converts such images to sRGB; this addon does not). */
  icc: boolean;
}

/** A rectangle in pixels; fractional edges are allowed (the resize weights partial pixels). */
export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Options of {@link transformJpeg} and {@link transformRgb}. */
export interface TransformOptions {
  /** Part of the displayed image (orientation applied) to resize; the whole image when absent. */
  crop?: PixelRect | null;
  /** Size the crop is resized to (area filter when shrinking, bilinear when enlarging). */
  width: number;
  height: number;
  /** Place the resized image at (left, top) on a black canvas of this size (letterboxing). */
  canvas?: PixelRect;
  /** Mirror the output horizontally. */
  flip?: boolean;
  /** EXIF orientation (1..8) to apply first; 1, the default, keeps the stored orientation. */
  orientation?: number;
  /** Encode the result as a baseline JPEG of this quality (1..100); raw RGB when absent. */
  quality?: number;
  /** Also return the 9×8 grey cells dHashFromRaw would compute from the result. */
  grey?: boolean;
  /** Write the result as floats in [−1, 1] (v / 127.5 − 1) here instead of returning bytes. */
  into?: Float32Array;
  /** Decode at 1/8, 1/4 or 1/2 scale when the output stays no larger than that (default true). */
  dctScaling?: boolean;
  /**
   * Fit the JPEG's Huffman tables to the image (sharp's default): ~4% smaller files, but the extra pass makes the
   * encode ~4x slower (0.13 → 0.5 ms for 256×192), so off by default.
   */
  optimizeCoding?: boolean;
  /** Decompression-bomb guard: JPEGs whose header declares more pixels are rejected before decoding (sharp's default). */
  maxPixels?: number;
}

/** sharp's default `limitInputPixels` (0x3FFF²), the fast path's default bomb guard. */
export const DEFAULT_MAX_PIXELS = 0x3fff * 0x3fff;

/** The result: JPEG bytes, raw RGB, or null when written `into` floats. */
export interface TransformResult {
  data: Uint8Array | null;
  /** Size of the result (the canvas when one was given). */
  width: number;
  height: number;
  /** DCT scale used: the JPEG was decoded at scale/8 (8 for raw sources). */
  scale: number;
  /** 9×8 grey cells when asked for. */
  grey: Uint8Array | null;
}

/** Positions in the Float64Array of parameters (src/addon.c reads the same layout). */
const PARAMS = {
  cropX0: 0,
  cropY0: 1,
  cropX1: 2,
  cropY1: 3,
  outW: 4,
  outH: 5,
  canvasW: 6,
  canvasH: 7,
  offX: 8,
  offY: 9,
  flip: 10,
  orientation: 11,
  quality: 12,
  grey: 13,
  dctScaling: 14,
  optimizeCoding: 15,
  maxPixels: 16,
  length: 17,
} as const;

function addon(): ImageAddon {
  const { addon: a, status } = loadImageAddon();
  if (!a) throw new NativeImageError(`image addon is off: ${status.reason}`);
  return a;
}

/** True when the bytes start like a JPEG (SOI marker followed by another marker). */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Reads a JPEG header (synchronously: microseconds); throws JpegDecodeError with libjpeg's message. */
export function jpegHeader(bytes: Uint8Array): JpegHeader {
  const a = addon();
  let h;
  try {
    h = a.jpegHeader(bytes);
  } catch (cause) {
    throw new JpegDecodeError(`JPEG header: ${(cause as Error).message}`, { cause });
  }
  return { ...h, colorSpace: JPEG_COLOR_SPACES[h.colorSpace] ?? 'unknown' };
}

function positiveInt(name: string, v: number, max = 65535): void {
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw new NativeImageOptionsError(`${name} must be an integer in 1..${max}, got ${v}`);
}

function params(o: TransformOptions): Float64Array {
  positiveInt('width', o.width);
  positiveInt('height', o.height);
  const p = new Float64Array(PARAMS.length);
  if (o.crop) {
    const { left, top, width, height } = o.crop;
    if (![left, top, width, height].every(Number.isFinite) || width <= 0 || height <= 0 || left < 0 || top < 0) {
      throw new NativeImageOptionsError(
        `crop must have left, top >= 0 and width, height > 0, got ${JSON.stringify(o.crop)}`,
      );
    }
    p[PARAMS.cropX0] = left;
    p[PARAMS.cropY0] = top;
    p[PARAMS.cropX1] = left + width;
    p[PARAMS.cropY1] = top + height;
  }
  p[PARAMS.outW] = o.width;
  p[PARAMS.outH] = o.height;
  const c = o.canvas ?? { left: 0, top: 0, width: o.width, height: o.height };
  positiveInt('canvas.width', c.width);
  positiveInt('canvas.height', c.height);
  if (
    !Number.isInteger(c.left) ||
    !Number.isInteger(c.top) ||
    c.left < 0 ||
    c.top < 0 ||
    c.left + o.width > c.width ||
    c.top + o.height > c.height
  ) {
    throw new NativeImageOptionsError(
      `canvas ${JSON.stringify(c)} must contain the ${o.width}x${o.height} output at integer offsets`,
    );
  }
  p[PARAMS.canvasW] = c.width;
  p[PARAMS.canvasH] = c.height;
  p[PARAMS.offX] = c.left;
  p[PARAMS.offY] = c.top;
  p[PARAMS.flip] = o.flip ? 1 : 0;
  const orientation = o.orientation ?? 1;
  if (!Number.isInteger(orientation) || orientation < 1 || orientation > 8)
    throw new NativeImageOptionsError(`orientation must be 1..8, got ${orientation}`);
  p[PARAMS.orientation] = orientation;
  if (o.quality !== undefined) {
    positiveInt('quality', o.quality, 100);
    if (o.into) throw new NativeImageOptionsError('quality (JPEG output) and into (float output) exclude each other');
  }
  p[PARAMS.quality] = o.quality ?? 0;
  p[PARAMS.grey] = o.grey ? 1 : 0;
  p[PARAMS.dctScaling] = o.dctScaling === false ? 0 : 1;
  p[PARAMS.optimizeCoding] = o.optimizeCoding ? 1 : 0;
  const maxPixels = o.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(maxPixels >= 1)) throw new NativeImageOptionsError(`maxPixels must be at least 1, got ${maxPixels}`);
  p[PARAMS.maxPixels] = maxPixels;
  if (o.into && o.into.length < c.width * c.height * 3) {
    throw new NativeImageOptionsError(
      `into holds ${o.into.length} floats, the ${c.width}x${c.height} RGB result needs ${c.width * c.height * 3}`,
    );
  }
  return p;
}

/** Checks options synchronously (bad options throw), then queues the work. */
function run(src: Uint8Array, rawW: number, rawH: number, o: TransformOptions): Promise<TransformResult> {
  const a = addon();
  const p = params(o);
  return a.transform(src, rawW, rawH, p, o.into ?? null).catch((cause: unknown) => {
    const what = rawW > 0 ? `raw ${rawW}x${rawH} image` : 'JPEG';
    throw new JpegDecodeError(`${what}: ${(cause as Error).message}`, { cause });
  });
}

/** Decodes a JPEG and transforms it in one call on the libuv pool; bad options throw, bad data rejects (JpegDecodeError). */
export function transformJpeg(bytes: Uint8Array, options: TransformOptions): Promise<TransformResult> {
  return run(bytes, 0, 0, options);
}

/** The same transforms from raw RGB pixels (no decode). */
export function transformRgb(
  img: { data: Uint8Array; width: number; height: number },
  options: TransformOptions,
): Promise<TransformResult> {
  positiveInt('source width', img.width);
  positiveInt('source height', img.height);
  if (img.data.length < img.width * img.height * 3) {
    throw new NativeImageOptionsError(
      `raw source holds ${img.data.length} bytes, ${img.width}x${img.height} RGB needs ${img.width * img.height * 3}`,
    );
  }
  return run(img.data, img.width, img.height, options);
}

/** Decodes a whole JPEG to RGB at full size (orientation applied when given). */
export async function decodeJpeg(
  bytes: Uint8Array,
  orientation = 1,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const h = jpegHeader(bytes);
  const swap = orientation >= 5;
  const r = await transformJpeg(bytes, {
    width: swap ? h.height : h.width,
    height: swap ? h.width : h.height,
    orientation,
  });
  return { data: r.data!, width: r.width, height: r.height };
}
