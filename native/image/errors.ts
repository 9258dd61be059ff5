// Errors of the image addon's wrapper: bad arguments, an addon that is off, and images libjpeg rejects.

/** Base class: `cause` keeps the addon's own error (its message is libjpeg's). */
export class NativeImageError extends Error {
  override readonly name: string = 'NativeImageError';
}

/** The call's options are invalid (names the option and the value). */
export class NativeImageOptionsError extends NativeImageError {
  override readonly name = 'NativeImageOptionsError';
}

/** libjpeg rejected the image: corrupt, truncated, or a kind it cannot decode (CMYK to RGB, 12-bit, ...). */
export class JpegDecodeError extends NativeImageError {
  override readonly name = 'JpegDecodeError';
}
