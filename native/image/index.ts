// The image fast path (native/image): what callers import.
export { IMAGE_ADDON_PATH, NATIVE_IMAGE_ENVS, imageAddonStatus, type ImageAddonStatus } from './addon.js';
export { JpegDecodeError, NativeImageError, NativeImageOptionsError } from './errors.js';
export {
  DEFAULT_MAX_PIXELS,
  JPEG_COLOR_SPACES,
  decodeJpeg,
  isJpeg,
  jpegHeader,
  transformJpeg,
  transformRgb,
  type PixelRect,
  type JpegColorSpace,
  type JpegHeader,
  type TransformOptions,
  type TransformResult,
} from './transform.js';
