// Decoding and augmentation off the JS thread: random-resized crops at a fixed size, NaFlex aspect-preserving
// resizes, and self-distillation views. JPEG records (and raw pixels) go through the native image addon when it
// is on (native/image: DCT-scaled partial decode, crop, area resize and flip in one call, floats written in place);
// other formats, and any JPEG libjpeg rejects, through sharp. The addon's state is fixed for the process, so a run
// (and its resumes) always takes the same path for the same record.
import sharp from 'sharp';
import { decodeJpeg, imageAddonStatus, isJpeg, JpegDecodeError, transformJpeg, transformRgb, type TransformOptions } from '../../native/image/index.js';
import { LoaderInputError } from './errors.js';
import { naflexSize } from './naflex.js';

/** A crop rectangle in source pixels. */
export interface CropBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Inception-style crop: area fraction in `scale`, aspect ratio log-uniform in [3/4, 4/3]; whole image if none fits. */
export function randomCrop(width: number, height: number, scale: readonly [number, number], rand: () => number): CropBox {
  const area = width * height;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (scale[0] + rand() * (scale[1] - scale[0]));
    const ratio = Math.exp(Math.log(3 / 4) + rand() * Math.log(16 / 9));
    const w = Math.round(Math.sqrt(target * ratio));
    const h = Math.round(Math.sqrt(target / ratio));
    if (w >= 1 && h >= 1 && w <= width && h <= height) {
      return { left: Math.floor(rand() * (width - w + 1)), top: Math.floor(rand() * (height - h + 1)), width: w, height: h };
    }
  }
  return { left: 0, top: 0, width, height };
}

const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);

/** Uint8 RGB → Float32 in [−1, 1] (table lookup). */
export function toUnitRange(rgb: Uint8Array, out: Float32Array = new Float32Array(rgb.length)): Float32Array {
  for (let i = 0; i < rgb.length; i++) out[i] = UNIT[rgb[i]!]!;
  return out;
}

/** A decoded image: raw RGB bytes and its size. */
export interface RawImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Whether the native path applies to this source (the addon is on; encoded sources must be JPEG). */
function nativeFor(img: RawImage | Uint8Array): boolean {
  return imageAddonStatus().enabled && (!(img instanceof Uint8Array) || isJpeg(img));
}

/** null for data the addon rejects (sharp then decides, and reports the error); other errors are bugs: rethrown. */
function rejected(err: unknown): null {
  if (err instanceof JpegDecodeError) return null;
  throw err;
}

/** Runs the native transform: RGB bytes, `true` when written into floats, null when the data was rejected. */
async function nativeTransform(img: RawImage | Uint8Array, o: TransformOptions): Promise<Uint8Array | null | true> {
  try {
    const r = img instanceof Uint8Array ? await transformJpeg(img, o) : await transformRgb(img, o);
    return r.data ?? true;
  } catch (err) {
    return rejected(err);
  }
}

/** Decodes encoded bytes to RGB (alpha flattened onto white); throws LoaderInputError naming the row. */
export async function decodeRgb(bytes: Uint8Array, where: string): Promise<RawImage> {
  if (nativeFor(bytes)) {
    const img = await decodeJpeg(bytes).catch(rejected);
    if (img) return img;
  }
  try {
    const { data, info } = await sharp(bytes).flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (err) {
    throw new LoaderInputError(`image does not decode (${(err as Error).message})`, where, { cause: err });
  }
}

function source(img: RawImage | Uint8Array): ReturnType<typeof sharp> {
  return img instanceof Uint8Array
    ? sharp(img).flatten({ background: '#ffffff' }).removeAlpha()
    : sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
}

/** Crops, resizes to width×height (anti-aliased) and optionally flips; returns RGB bytes. */
export async function cropResize(
  img: RawImage | Uint8Array,
  crop: CropBox | null,
  width: number,
  height: number,
  flip: boolean,
  where: string,
): Promise<Uint8Array> {
  if (nativeFor(img)) {
    const rgb = await nativeTransform(img, { crop, width, height, flip });
    if (rgb instanceof Uint8Array) return rgb;
  }
  return sharpCropResize(img, crop, width, height, flip, where);
}

/** {@link cropResize} written as [−1, 1] floats into `out` (the native path writes them in place, no JS loop). */
export async function cropResizeInto(
  img: RawImage | Uint8Array,
  crop: CropBox | null,
  width: number,
  height: number,
  flip: boolean,
  where: string,
  out: Float32Array,
): Promise<void> {
  if (nativeFor(img) && (await nativeTransform(img, { crop, width, height, flip, into: out })) === true) return;
  toUnitRange(await sharpCropResize(img, crop, width, height, flip, where), out);
}

async function sharpCropResize(
  img: RawImage | Uint8Array,
  crop: CropBox | null,
  width: number,
  height: number,
  flip: boolean,
  where: string,
): Promise<Uint8Array> {
  try {
    let s = source(img);
    if (crop) s = s.extract(crop);
    s = s.resize(width, height, { fit: 'fill', kernel: 'linear' });
    if (flip) s = s.flop();
    const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== width || info.height !== height) {
      throw new Error(`got ${info.width}×${info.height}×${info.channels}, wanted ${width}×${height}×3`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    throw new LoaderInputError(`image cannot be resized (${(err as Error).message})`, where, { cause: err });
  }
}

/** NaFlex view: aspect-preserving resize to the largest patch grid within seqLen; returns pixels and its size. */
export async function naflexView(
  img: RawImage | Uint8Array,
  size: { width: number; height: number },
  p: number,
  seqLen: number,
  where: string,
): Promise<{ pixels: Uint8Array; height: number; width: number }> {
  const [h, w] = naflexSize(size.height, size.width, p, seqLen);
  return { pixels: await cropResize(img, null, w, h, false, where), height: h, width: w };
}
