// Loads the optional image addon (native/image/build/Release/sigforge_image.node) once, and says why not.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variables that turn the image fast path off (`0`, `false`, `off`): the general one and its own. */
export const NATIVE_IMAGE_ENVS = ['SIGFORGE_NATIVE', 'SIGFORGE_NATIVE_IMAGE'] as const;

/** Where node-gyp puts the addon. */
export const IMAGE_ADDON_PATH = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'build',
  'Release',
  'sigforge_image.node',
);

/** What the header call returns (see src/addon.c). */
export interface RawJpegHeader {
  width: number;
  height: number;
  components: number;
  colorSpace: number;
  precision: number;
  orientation: number;
  progressive: boolean;
  icc: boolean;
}

/** What a transform resolves to (see src/addon.c). */
export interface RawTransformResult {
  data: Uint8Array | null;
  width: number;
  height: number;
  scale: number;
  grey: Uint8Array | null;
}

/** The compiled addon's functions. */
export interface ImageAddon {
  version(): string;
  jpegHeader(bytes: Uint8Array): RawJpegHeader;
  /** Async work on the libuv pool; params layout in transform.ts (PARAMS). */
  transform(
    src: Uint8Array,
    rawWidth: number,
    rawHeight: number,
    params: Float64Array,
    floatOut: Float32Array | null,
  ): Promise<RawTransformResult>;
}

/** Whether the fast path is on, and why (or why not). */
export interface ImageAddonStatus {
  enabled: boolean;
  reason: string;
}

let cached: { addon: ImageAddon | null; status: ImageAddonStatus } | undefined;

/** Loads the addon once; never throws: a switch, a missing or a broken build comes back as addon null with the reason. */
export function loadImageAddon(): { addon: ImageAddon | null; status: ImageAddonStatus } {
  cached ??= load();
  return cached;
}

/** `{ enabled, reason }` of the image fast path in this process (decided once, on first use). */
export function imageAddonStatus(): ImageAddonStatus {
  return loadImageAddon().status;
}

function load(): { addon: ImageAddon | null; status: ImageAddonStatus } {
  for (const name of NATIVE_IMAGE_ENVS) {
    const v = process.env[name]?.toLowerCase();
    if (v === '0' || v === 'false' || v === 'off') {
      return { addon: null, status: { enabled: false, reason: `disabled by ${name}=${process.env[name]}` } };
    }
  }
  if (!existsSync(IMAGE_ADDON_PATH)) {
    return {
      addon: null,
      status: {
        enabled: false,
        reason: `image addon not built (${IMAGE_ADDON_PATH} missing; needs libjpeg62-turbo-dev and a C compiler, then: node native/build.mjs)`,
      },
    };
  }
  try {
    const addon = createRequire(import.meta.url)(IMAGE_ADDON_PATH) as ImageAddon;
    return { addon, status: { enabled: true, reason: addon.version() } };
  } catch (err) {
    return { addon: null, status: { enabled: false, reason: `image addon failed to load: ${(err as Error).message}` } };
  }
}
