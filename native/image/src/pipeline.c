// One image's work, free of N-API (see pipeline.h).
#include "pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resample.h"

static void fail(sf_job* j, const char* message) {
  j->failed = 1;
  strncpy(j->error, message, SF_ERROR_LEN - 1);
  j->error[SF_ERROR_LEN - 1] = 0;
}

/* The decoded block and the region of it (fractional) that the output covers, orientation applied. */
static int source_block(sf_job* j, int out_w, int out_h, sf_rgb* block, int* owned, sf_rect* region) {
  const int o = (int)j->p[P_ORIENTATION] >= 1 && (int)j->p[P_ORIENTATION] <= 8 ? (int)j->p[P_ORIENTATION] : 1;
  int w, h;
  if (j->raw_w > 0) {
    w = j->raw_w;
    h = j->raw_h;
  } else {
    sf_header hdr;
    if (sf_read_header(j->src, j->src_len, &hdr, j->error)) return -1;
    w = hdr.width;
    h = hdr.height;
    /* Decompression-bomb guard from the header, before libjpeg allocates anything image-sized. */
    if ((double)w * (double)h > j->p[P_MAX_PIXELS]) {
      snprintf(j->error, SF_ERROR_LEN, "%dx%d exceeds the limit of %.0f pixels", w, h, j->p[P_MAX_PIXELS]);
      return -1;
    }
  }
  const int ow = o >= 5 ? h : w, oh = o >= 5 ? w : h;
  sf_rect crop = {0, 0, ow, oh};
  if (j->p[P_CROP_X1] > j->p[P_CROP_X0] && j->p[P_CROP_Y1] > j->p[P_CROP_Y0]) {
    crop.x0 = fmax(0, j->p[P_CROP_X0]);
    crop.y0 = fmax(0, j->p[P_CROP_Y0]);
    crop.x1 = fmin(ow, j->p[P_CROP_X1]);
    crop.y1 = fmin(oh, j->p[P_CROP_Y1]);
    if (crop.x1 <= crop.x0 || crop.y1 <= crop.y0) {
      fail(j, "crop box lies outside the image");
      return -1;
    }
  }
  const sf_rect stored = sf_unorient_rect(o, ow, oh, crop);
  sf_rect r = stored;
  *owned = 0;
  j->scale_n = 8;
  if (j->raw_w > 0) {
    block->data = (uint8_t*)j->src;
    block->width = w;
    block->height = h;
  } else {
    /* The smallest DCT scale (SIMD ones: 1/8, 1/4, 1/2) that still leaves a downscale >= 1 on both axes. */
    if (j->p[P_DCT_SCALING] != 0) {
      const int scales[3] = {1, 2, 4};
      for (int i = 0; i < 3; i++) {
        const double s = scales[i] / 8.0;
        if ((crop.x1 - crop.x0) * s >= out_w && (crop.y1 - crop.y0) * s >= out_h) {
          j->scale_n = scales[i];
          break;
        }
      }
    }
    int bx, by;
    if (sf_decode_region(j->src, j->src_len, j->scale_n, stored, block, &bx, &by, j->error)) return -1;
    *owned = 1;
    const double s = j->scale_n / 8.0;
    r.x0 = stored.x0 * s - bx;
    r.x1 = stored.x1 * s - bx;
    r.y0 = stored.y0 * s - by;
    r.y1 = stored.y1 * s - by;
  }
  if (o != 1) {
    sf_rgb turned;
    if (sf_orient(block, o, &turned)) {
      fail(j, "out of memory orienting the image");
      if (*owned) free(block->data);
      return -1;
    }
    r = sf_orient_rect(o, block->width, block->height, r);
    if (*owned) free(block->data);
    *block = turned;
    *owned = 1;
  }
  *region = r;
  return 0;
}

void sf_run_job(sf_job* j) {
  const int out_w = (int)j->p[P_OUT_W], out_h = (int)j->p[P_OUT_H];
  const int cw = (int)j->p[P_CANVAS_W], ch = (int)j->p[P_CANVAS_H];
  const int off_x = (int)j->p[P_OFF_X], off_y = (int)j->p[P_OFF_Y];
  sf_rgb block;
  sf_rect region;
  int owned;
  if (source_block(j, out_w, out_h, &block, &owned, &region)) {
    j->failed = 1;
    return;
  }
  const size_t canvas_bytes = (size_t)cw * (size_t)ch * 3;
  const int padded = cw != out_w || ch != out_h;
  uint8_t* canvas = (uint8_t*)(padded ? calloc(canvas_bytes, 1) : malloc(canvas_bytes));
  if (!canvas) {
    if (owned) free(block.data);
    fail(j, "out of memory for the output image");
    return;
  }
  const int resized = sf_resize(&block, region, canvas + ((size_t)off_y * (size_t)cw + (size_t)off_x) * 3, out_w, out_h,
                                (size_t)cw * 3, j->p[P_FLIP] != 0);
  if (owned) free(block.data);
  if (resized) {
    free(canvas);
    fail(j, "out of memory resizing the image");
    return;
  }
  j->width = cw;
  j->height = ch;
  if (j->p[P_GREY] != 0) {
    sf_grey_9x8(canvas, cw, ch, j->grey);
    j->has_grey = 1;
  }
  if (j->float_out) {
    /* Same values as pipelines/loader/images.ts toUnitRange: v / 127.5 - 1 rounded to float32. */
    float unit[256];
    for (int v = 0; v < 256; v++) unit[v] = (float)(v / 127.5 - 1.0);
    for (size_t i = 0; i < canvas_bytes; i++) j->float_out[i] = unit[canvas[i]];
  }
  const int quality = (int)j->p[P_QUALITY];
  if (quality > 0) {
    sf_rgb img = {canvas, cw, ch};
    uint8_t* encoded;
    size_t encoded_len;
    if (sf_encode_jpeg(&img, quality, j->p[P_OPTIMIZE] != 0, &encoded, &encoded_len, j->error)) {
      free(canvas);
      j->failed = 1;
      return;
    }
    free(canvas);
    j->out = encoded;
    j->out_len = encoded_len;
  } else if (j->float_out) {
    free(canvas);
  } else {
    j->out = canvas;
    j->out_len = canvas_bytes;
  }
}

