// Errors of the image addon's wrapper: bad arguments, an addon that is off, and images libjpeg rejects.

/** Base class: `cause` keeps the addon's own error (its message is libjpeg's). */
export class NativeImageError extends Error {
  override readonly name: string = 'NativeImageError';
}

/** The call's options are invalid (names the option and the value). */
export class NativeImageOptionsError extends NativeImageError {
  override readonly name = 'NativeImageOptionsError';
}

/**
 * The image could not be processed: libjpeg rejected it (corrupt, truncated, a kind it cannot decode such as
 * CMYK to RGB or 12-bit, over the pixel limit) or the crop lies outside it. Callers fall back to sharp on this.
 */
export class JpegDecodeError extends NativeImageError {
  override readonly name = 'JpegDecodeError';
}
