/**
 * Bounds for ranged reads of source files: every offset and length taken from a file (tar headers, Parquet
 * footers) is checked against the file's size before anything is allocated or read.
 */
import { IngestInputError } from '../errors.js';

/** Throws IngestInputError (not retryable) unless [offset, offset + length) lies inside an object of `size` bytes. */
export function checkReadRange(p: string, offset: number, length: number, size: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new IngestInputError(`range ${offset}+${length} is outside the file's ${size} bytes (corrupt index or footer?)`, p);
  }
}
