// One image's work, free of N-API: decode (DCT-scaled, only the rows and columns needed) or take raw RGB,
// apply EXIF orientation, resize a fractional crop, place it on a black canvas, compute the dHash cells, then
// encode as JPEG, keep raw RGB, or write [-1, 1] floats. addon.c runs it on the libuv pool.
#ifndef SIGFORGE_IMAGE_PIPELINE_H
#define SIGFORGE_IMAGE_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

/* Layout of the parameters (native/image/transform.ts PARAMS writes the same). */
enum {
  P_CROP_X0, P_CROP_Y0, P_CROP_X1, P_CROP_Y1, /* displayed-image pixels; x1 <= x0 means the whole image */
  P_OUT_W, P_OUT_H,                            /* size of the resized region */
  P_CANVAS_W, P_CANVAS_H, P_OFF_X, P_OFF_Y,    /* black canvas the region is placed on */
  P_FLIP, P_ORIENTATION, P_QUALITY, P_GREY, P_DCT_SCALING, P_OPTIMIZE, P_MAX_PIXELS,
  P_COUNT
};

/* Inputs and results of one image. */
typedef struct {
  const uint8_t* src;
  size_t src_len;
  int raw_w, raw_h; /* > 0: src is raw RGB, not JPEG */
  double p[P_COUNT];
  float* float_out; /* optional: canvas_w x canvas_h x 3 floats */
  /* results */
  uint8_t* out; /* malloc'd JPEG or raw RGB (NULL when written to float_out); the caller frees it */
  size_t out_len;
  int width, height;
  int scale_n;
  int has_grey;
  uint8_t grey[72];
  int failed;
  char error[SF_ERROR_LEN];
} sf_job;

/* Runs the job; on failure sets failed and error (and out stays NULL). Parameters are checked by the caller. */
void sf_run_job(sf_job* j);

#endif
