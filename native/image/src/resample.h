// Pixel work on decoded RGB: EXIF orientation, antialiased resize of a fractional region, and the 9x8 grey
// thumbnail the dHash compares.
#ifndef SIGFORGE_IMAGE_RESAMPLE_H
#define SIGFORGE_IMAGE_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

/* Maps a rectangle of a stored w x h image to the displayed image of EXIF orientation 1..8. */
sf_rect sf_orient_rect(int orientation, int w, int h, sf_rect r);

/* Maps a rectangle of the displayed image (ow x oh, orientation applied) back to the stored image. */
sf_rect sf_unorient_rect(int orientation, int ow, int oh, sf_rect r);

/* Applies EXIF orientation 2..8 to `src` into a new malloc'd buffer; 0 on success. */
int sf_orient(const sf_rgb* src, int orientation, sf_rgb* out);

/*
 * Resizes the region `r` of `src` (fractional source pixels) to out_w x out_h RGB at `dst` (rows dst_stride
 * bytes apart). Each axis shrinks with an area (box) filter over the exact source footprint of each output
 * pixel, or enlarges bilinearly; `flip` mirrors the output horizontally. 0 on success, -1 when out of memory.
 */
int sf_resize(const sf_rgb* src, sf_rect r, uint8_t* dst, int out_w, int out_h, size_t dst_stride, int flip);

/* 9x8 grey cells of an RGB image, exactly as pipelines/ingest/hash.ts dHashFromRaw averages them. */
void sf_grey_9x8(const uint8_t* rgb, int w, int h, uint8_t grey[72]);

#endif
