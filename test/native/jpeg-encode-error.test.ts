// Issue 17 defect 13: the JPEG encoder's error path after its output buffer has grown. A small C harness links the
// real codec.c and wraps jpeg_finish_compress (ld --wrap) to feed libjpeg one row too many: libjpeg then warns
// (JWRN_TOO_MUCH_DATA), which our error manager turns into an error, after megabytes of output were written. Before
// the fix this path freed the initial output buffer a second time (glibc aborts: double free).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { imageAddonStatus } from '../../native/image/index.js';

/** Skip reason when the image addon is not built (so no libjpeg headers either); CI with SIGFORGE_REQUIRE_NATIVE=1 fails. */
function imageSkip(): string | false {
  const { enabled, reason } = imageAddonStatus();
  if (enabled) return false;
  if (process.env.SIGFORGE_REQUIRE_NATIVE === '1' && !/disabled by/.test(reason)) throw new Error(`SIGFORGE_REQUIRE_NATIVE=1 but ${reason}`);
  return reason;
}

const src = fileURLToPath(new URL('../../native/image/src/', import.meta.url));

const HARNESS = `
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
#include "codec.h"

/* One scanline more than the image has, then the real finish: libjpeg warns, and the warning is an error. */
void __real_jpeg_finish_compress(j_compress_ptr cinfo);
void __wrap_jpeg_finish_compress(j_compress_ptr cinfo) {
  static unsigned char row[3 * 1024];
  JSAMPROW r = row;
  cinfo->next_scanline = cinfo->image_height - 1;
  jpeg_write_scanlines(cinfo, &r, 1);
  jpeg_write_scanlines(cinfo, &r, 1);
  __real_jpeg_finish_compress(cinfo);
}

int main(void) {
  sf_rgb img = {0};
  img.width = 1024;
  img.height = 1024;
  img.data = malloc(3u * 1024 * 1024);
  unsigned s = 12345;
  for (size_t i = 0; i < 3u * 1024 * 1024; i++) img.data[i] = (unsigned char)((s = s * 1103515245u + 12345u) >> 24);
  for (int round = 0; round < 3; round++) {
    uint8_t* out = NULL;
    size_t out_len = 0;
    char error[SF_ERROR_LEN] = {0};
    int rc = sf_encode_jpeg(&img, 95, 0, &out, &out_len, error);
    if (rc == 0) { printf("unexpected success\\n"); return 2; }
    printf("error: %s\\n", error);
  }
  free(img.data);
  return 0;
}
`;

describe('JPEG encoder error path (defect 13)', { skip: imageSkip() }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sigforge-jpegenc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fails cleanly, freeing each buffer once, when libjpeg errors after the output grew', () => {
    writeFileSync(path.join(dir, 'harness.c'), HARNESS);
    const exe = path.join(dir, 'harness');
    const cc = spawnSync(
      'cc',
      ['-O1', '-std=c11', `-I${src}`, path.join(dir, 'harness.c'), path.join(src, 'codec.c'), '-ljpeg', '-lm', '-Wl,--wrap=jpeg_finish_compress', '-o', exe],
      { encoding: 'utf8' },
    );
    assert.equal(cc.status, 0, `compiling the harness failed: ${cc.stderr}`);
    const run = spawnSync(exe, [], { encoding: 'utf8', env: { ...process.env, MALLOC_CHECK_: '3', MALLOC_PERTURB_: '165' } });
    assert.equal(run.signal, null, `the harness crashed (${run.signal}): ${run.stderr}`);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^error: .*\n.*\n.*\n$/);
  });
});
