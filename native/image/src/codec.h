// JPEG header, region decode and encode over libjpeg-turbo's libjpeg API. Errors come back as messages, never
// as a longjmp out of these functions: each call installs its own error manager.
#ifndef SIGFORGE_IMAGE_CODEC_H
#define SIGFORGE_IMAGE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define SF_ERROR_LEN 256

/* What the header says, before any pixel is decoded. */
typedef struct {
  int width;        /* stored (unrotated) size */
  int height;
  int components;   /* 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK */
  int color_space;  /* libjpeg's J_COLOR_SPACE of the file */
  int progressive;
  int precision;    /* bits per sample */
  int orientation;  /* EXIF orientation 1..8 (1 when absent or invalid) */
  int icc;          /* has an APP2 ICC_PROFILE marker */
} sf_header;

/* A floating-point rectangle [x0, x1) x [y0, y1) in pixel units. */
typedef struct {
  double x0, y0, x1, y1;
} sf_rect;

/* An interleaved 8-bit RGB buffer. */
typedef struct {
  uint8_t* data;
  int width;
  int height;
} sf_rgb;

/* Reads the header (and the EXIF orientation from APP1); 0 on success, else -1 with `error` set. */
int sf_read_header(const uint8_t* data, size_t len, sf_header* out, char* error);

/*
 * Decodes the part of the image covering `region` (stored-image pixel units) at DCT scale scale_n/8, as RGB.
 * On success `out` holds the decoded block and `origin` its top-left corner in scaled pixel units (the block
 * is the region's scaled integer hull, widened to iMCU boundaries horizontally where libjpeg needs it).
 * Every libjpeg warning (corrupt or truncated data) is an error here.
 */
int sf_decode_region(const uint8_t* data, size_t len, int scale_n, sf_rect region, sf_rgb* out, int* origin_x,
                     int* origin_y, char* error);

/*
 * Encodes RGB as a baseline 4:2:0 JPEG into a malloc'd buffer the caller frees. optimize: Huffman tables fitted
 * to the image (sharp's default; ~4% smaller files for a second pass that makes the encode ~4x slower).
 */
int sf_encode_jpeg(const sf_rgb* img, int quality, int optimize, uint8_t** out, size_t* out_len, char* error);

#endif
