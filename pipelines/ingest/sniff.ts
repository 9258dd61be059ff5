/**
 * Content sniffing: decide what a body is from its first bytes, not from the server's Content-Type.
 */

/** Image formats the decoder accepts (raster only: SVG is refused as active content). */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'tiff' | 'bmp';

const ascii = (b: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));

/** Returns the image format the magic bytes announce, or null when the body is not a known raster image. */
export function sniffImage(b: Uint8Array): ImageFormat | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && ascii(b, 1, 4) === 'PNG' && b[0] === 0x89) return 'png';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp' && /^(avif|avis|heic|heix|mif1)$/.test(ascii(b, 8, 12))) return 'avif';
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return 'tiff';
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') return 'bmp';
  return null;
}

/** A short description of a non-image body for error messages ("HTML", "JSON", "empty", "unknown binary"). */
export function describeBody(b: Uint8Array): string {
  if (b.length === 0) return 'an empty body';
  const head = ascii(b, 0, 256).trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'HTML';
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'SVG (not accepted)';
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON or text';
  return 'an unknown format';
}
