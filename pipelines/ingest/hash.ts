/**
 * Content hashes: sha256 of the original bytes and a 64-bit difference hash (dHash) for near-duplicate search.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';

/** Hex sha256 of the bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** dHash of 9x8 greyscale pixels: bit i is set when pixel (x, y) is brighter than (x+1, y). */
export function dHashFromPixels(gray: Uint8Array): bigint {
  if (gray.length !== 72) throw new RangeError(`dHash needs 9x8 = 72 grey pixels, got ${gray.length}`);
  let h = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      h = (h << 1n) | (gray[y * 9 + x]! > gray[y * 9 + x + 1]! ? 1n : 0n);
    }
  }
  return h;
}

/**
 * The 9x8 grey cells dHash compares: interleaved 8-bit pixels (1–4 channels) box-averaged per cell (column x in
 * cell floor(9x / width), row y in floor(8y / height)), Rec. 601 luma, rounded half up. native/image computes the
 * same cells in C (sf_grey_9x8) for the ingest fast path.
 */
export function greyCellsFromRaw(data: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  // Integer luma sums per cell (weights x1000); bins precomputed per column so the inner loop only adds.
  const sum = new Float64Array(72);
  const cnt = new Uint32Array(72);
  const xBin = new Uint8Array(width);
  for (let x = 0; x < width; x++) xBin[x] = Math.min(8, Math.floor((x * 9) / width));
  const colour = channels >= 3;
  for (let y = 0; y < height; y++) {
    const row = Math.min(7, Math.floor((y * 8) / height)) * 9;
    let o = y * width * channels;
    for (let x = 0; x < width; x++, o += channels) {
      const cell = row + xBin[x]!;
      sum[cell]! += colour ? 299 * data[o]! + 587 * data[o + 1]! + 114 * data[o + 2]! : 1000 * data[o]!;
      cnt[cell]!++;
    }
  }
  const grey = new Uint8Array(72);
  for (let i = 0; i < 72; i++) grey[i] = cnt[i]! ? Math.round(sum[i]! / cnt[i]! / 1000) : 0;
  return grey;
}

/** dHash of interleaved 8-bit pixels (1–4 channels): box-averaged to 9x8 grey (Rec. 601 luma), then compared. */
export function dHashFromRaw(data: Uint8Array, width: number, height: number, channels: number): bigint {
  return dHashFromPixels(greyCellsFromRaw(data, width, height, channels));
}

/** 64-bit perceptual hash (dHash) of an encoded image, orientation applied; unsigned. */
export async function perceptualHash(image: Uint8Array): Promise<bigint> {
  // Alpha is flattened onto white, as the ingest pipeline does before hashing.
  const { data, info } = await sharp(image)
    .rotate()
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return dHashFromRaw(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, info.channels);
}

/** Hamming distance between two 64-bit hashes. */
export function hammingDistance(a: bigint, b: bigint): number {
  let x = (a ^ b) & 0xffffffffffffffffn;
  let n = 0;
  while (x) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}
