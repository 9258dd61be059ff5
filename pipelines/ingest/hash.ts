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

/** 64-bit perceptual hash (dHash) of an encoded image, orientation applied; unsigned. */
export async function perceptualHash(image: Uint8Array): Promise<bigint> {
  const data = await sharp(image)
    .rotate()
    .greyscale()
    .resize(9, 8, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  return dHashFromPixels(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
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
