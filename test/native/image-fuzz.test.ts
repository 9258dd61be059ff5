// Fuzz target for the native image addon (issue 17, "Also"): seeded mutations of real JPEGs (bytes overwritten,
// cut, inserted) through jpegHeader and decodeJpeg. Each either decodes or throws a NativeImageError; none crashes.
// Bounded: a fixed number of small cases (SIGFORGE_FUZZ_CASES, SIGFORGE_FUZZ_SEED to explore more).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJpeg, imageAddonStatus, jpegHeader, NativeImageError } from '../../native/image/index.js';
import { photoJpeg } from '../helpers/jpegs.js';
import { mulberry32 } from '../../pipelines/random.js';

function imageSkip(): string | false {
  const { enabled, reason } = imageAddonStatus();
  if (enabled) return false;
  if (process.env.SIGFORGE_REQUIRE_NATIVE === '1' && !/disabled by/.test(reason)) throw new Error(`SIGFORGE_REQUIRE_NATIVE=1 but ${reason}`);
  return reason;
}

describe('native image addon under mutated JPEGs (fuzz)', { skip: imageSkip() }, () => {
  it('decodes or throws a NativeImageError for every case', async () => {
    const cases = Number(process.env.SIGFORGE_FUZZ_CASES ?? 200);
    const r = mulberry32(Number(process.env.SIGFORGE_FUZZ_SEED ?? 23));
    const seeds = [await photoJpeg(1, 64, 48), await photoJpeg(2, 40, 72, { quality: 80, progressive: true })];
    let decoded = 0;
    for (let n = 0; n < cases; n++) {
      const b = Buffer.from(seeds[n % seeds.length]!);
      const mode = Math.floor(r() * 3);
      let bytes: Buffer;
      if (mode === 0) {
        for (let k = 0, m = 1 + Math.floor(r() * 6); k < m; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        bytes = b;
      } else if (mode === 1) bytes = b.subarray(0, Math.floor(r() * b.length));
      else {
        const at = Math.floor(r() * b.length);
        bytes = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + Math.floor(r() * 32) }, () => Math.floor(r() * 256))), b.subarray(at)]);
      }
      try {
        jpegHeader(bytes);
        const img = await decodeJpeg(bytes);
        assert.equal(img.data.length, img.width * img.height * 3, `case ${n}`);
        decoded++;
      } catch (err) {
        assert.ok(err instanceof NativeImageError, `case ${n}: ${String(err)}`);
      }
    }
    assert.ok(decoded < cases, 'some mutations must be refused');
  });
});
