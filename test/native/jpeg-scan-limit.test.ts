// Issue 17 defect 12: a progressive JPEG under the pixel limit with very many scans is refused by the native decoder
// (libjpeg-turbo's scan-limit mitigation) instead of burning CPU on each scan. The many-scan file is made by a
// small C program over the system libjpeg (spectral selection one coefficient per scan: a valid progression).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeJpeg, imageAddonStatus } from '../../native/image/index.js';

/** Skip reason when the image addon is not built (so no libjpeg headers either); CI with SIGFORGE_REQUIRE_NATIVE=1 fails. */
function imageSkip(): string | false {
  const { enabled, reason } = imageAddonStatus();
  if (enabled) return false;
  if (process.env.SIGFORGE_REQUIRE_NATIVE === '1' && !/disabled by/.test(reason)) throw new Error(`SIGFORGE_REQUIRE_NATIVE=1 but ${reason}`);
  return reason;
}

const GENERATOR = `
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>

/* argv[1]: output file; argv[2]: "many" (1 DC + 3 x 63 single-coefficient AC scans) or "simple" (the library's). */
int main(int argc, char** argv) {
  if (argc != 3) return 2;
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr e;
  c.err = jpeg_std_error(&e);
  jpeg_create_compress(&c);
  FILE* f = fopen(argv[1], "wb");
  jpeg_stdio_dest(&c, f);
  c.image_width = 64;
  c.image_height = 48;
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  static jpeg_scan_info scans[1 + 3 * 63];
  if (argv[2][0] == 'm') {
    int n = 0;
    scans[n].comps_in_scan = 3;
    for (int k = 0; k < 3; k++) scans[n].component_index[k] = k;
    scans[n].Ss = 0; scans[n].Se = 0; scans[n].Ah = 0; scans[n].Al = 0; n++;
    for (int comp = 0; comp < 3; comp++)
      for (int k = 1; k < 64; k++) {
        scans[n].comps_in_scan = 1; scans[n].component_index[0] = comp;
        scans[n].Ss = k; scans[n].Se = k; scans[n].Ah = 0; scans[n].Al = 0; n++;
      }
    c.scan_info = scans;
    c.num_scans = n;
  } else {
    jpeg_simple_progression(&c);
  }
  jpeg_start_compress(&c, TRUE);
  unsigned char row[64 * 3];
  while (c.next_scanline < c.image_height) {
    for (int x = 0; x < 64 * 3; x++) row[x] = (unsigned char)(x * 7 + c.next_scanline * 13);
    JSAMPROW r = row;
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  fclose(f);
  return 0;
}
`;

describe('progressive JPEG scan limit (defect 12)', { skip: imageSkip() }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sigforge-scans-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function make(kind: 'many' | 'simple'): Uint8Array {
    const exe = path.join(dir, 'gen');
    writeFileSync(path.join(dir, 'gen.c'), GENERATOR);
    const cc = spawnSync('cc', ['-O1', '-std=c11', path.join(dir, 'gen.c'), '-ljpeg', '-o', exe], { encoding: 'utf8' });
    assert.equal(cc.status, 0, `compiling the generator failed: ${cc.stderr}`);
    const out = path.join(dir, `${kind}.jpg`);
    const run = spawnSync(exe, [out, kind], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return new Uint8Array(readFileSync(out));
  }

  it('refuses a file with 190 scans and decodes an ordinary progressive one', async () => {
    const many = make('many');
    const sos = Buffer.from(many).toString('latin1').split('\xff\xda').length - 1;
    assert.equal(sos, 190, 'the generator wrote 190 scans');
    await assert.rejects(decodeJpeg(many), /more than 100 scans/);
    const simple = await decodeJpeg(make('simple'));
    assert.deepEqual([simple.width, simple.height], [64, 48]);
  });
});
