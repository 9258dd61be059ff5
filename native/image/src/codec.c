// JPEG header, region decode and encode over libjpeg's API (libjpeg-turbo: SIMD IDCT, DCT scaling, partial
// decode with jpeg_crop_scanline/jpeg_skip_scanlines). libjpeg reports errors through error_exit, which must not
// return: ours longjmps back to the call that installed it. Warnings (corrupt or truncated data: libjpeg then
// invents pixels) are errors too, so bad input never comes back as garbage.
#include "codec.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  char* error;
  /* Owned buffers freed on the error path (fields, not locals, so longjmp cannot lose their values). */
  uint8_t* pixels;
  unsigned char* encoded;
  unsigned long encoded_len;
} sf_error_mgr;

static void fail_with_message(j_common_ptr cinfo) {
  sf_error_mgr* err = (sf_error_mgr*)cinfo->err;
  char message[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, message);
  snprintf(err->error, SF_ERROR_LEN, "%s", message);
  longjmp(err->jump, 1);
}

static void on_error_exit(j_common_ptr cinfo) { fail_with_message(cinfo); }

/* msg_level < 0 is a warning: corrupt data, premature end of file. Trace messages (>= 0) are ignored. */
static void on_emit_message(j_common_ptr cinfo, int msg_level) {
  if (msg_level < 0) fail_with_message(cinfo);
}

static void init_errors(sf_error_mgr* err, char* error) {
  memset(err, 0, sizeof(*err));
  jpeg_std_error(&err->pub);
  err->pub.error_exit = on_error_exit;
  err->pub.emit_message = on_emit_message;
  err->error = error;
}

static unsigned read16(const uint8_t* p, int little) {
  return little ? (unsigned)p[0] | (unsigned)p[1] << 8 : (unsigned)p[0] << 8 | (unsigned)p[1];
}

static uint32_t read32(const uint8_t* p, int little) {
  return little ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
                : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The Orientation tag (0x0112) of IFD0 in an APP1 "Exif\0\0" payload; 0 when absent or malformed. */
static int exif_orientation(const uint8_t* p, size_t n) {
  if (n < 6 + 8 || memcmp(p, "Exif\0\0", 6) != 0) return 0;
  const uint8_t* tiff = p + 6;
  size_t len = n - 6;
  int little;
  if (tiff[0] == 'I' && tiff[1] == 'I')
    little = 1;
  else if (tiff[0] == 'M' && tiff[1] == 'M')
    little = 0;
  else
    return 0;
  if (read16(tiff + 2, little) != 42) return 0;
  uint32_t ifd = read32(tiff + 4, little);
  if (ifd < 8 || (size_t)ifd + 2 > len) return 0;
  unsigned count = read16(tiff + ifd, little);
  for (unsigned i = 0; i < count; i++) {
    size_t entry = (size_t)ifd + 2 + 12 * (size_t)i;
    if (entry + 12 > len) return 0;
    if (read16(tiff + entry, little) != 0x0112) continue;
    unsigned type = read16(tiff + entry + 2, little);
    uint32_t values = read32(tiff + entry + 4, little);
    if (type != 3 || values < 1) return 0; /* SHORT */
    unsigned v = read16(tiff + entry + 8, little);
    return v >= 1 && v <= 8 ? (int)v : 0;
  }
  return 0;
}

int sf_read_header(const uint8_t* data, size_t len, sf_header* out, char* error) {
  struct jpeg_decompress_struct cinfo;
  sf_error_mgr err;
  init_errors(&err, error);
  memset(&cinfo, 0, sizeof(cinfo));
  cinfo.err = &err.pub;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, (unsigned long)len);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xffff);
  /* Only the ICC signature matters here, not the profile. */
  jpeg_save_markers(&cinfo, JPEG_APP0 + 2, 14);
  jpeg_read_header(&cinfo, TRUE);
  memset(out, 0, sizeof(*out));
  out->width = (int)cinfo.image_width;
  out->height = (int)cinfo.image_height;
  out->components = cinfo.num_components;
  out->color_space = (int)cinfo.jpeg_color_space;
  out->progressive = cinfo.progressive_mode ? 1 : 0;
  out->precision = cinfo.data_precision;
  out->orientation = 1;
  int orientation_found = 0;
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
    if (m->marker == JPEG_APP0 + 1 && !orientation_found) {
      int o = exif_orientation(m->data, m->data_length);
      if (o) {
        out->orientation = o;
        orientation_found = 1;
      }
    } else if (m->marker == JPEG_APP0 + 2 && m->data_length >= 12 && memcmp(m->data, "ICC_PROFILE\0", 12) == 0) {
      out->icc = 1;
    }
  }
  jpeg_destroy_decompress(&cinfo);
  return 0;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* A progressive file may hold any number of scans, each a full pass over the coefficients: real encoders write about
 * ten, a hostile file thousands (CPU). libjpeg-turbo's documented mitigations: a scan limit (checked from the
 * progress monitor, as djpeg -maxscans does) and a cap on the memory its allocator may use (the whole-image
 * coefficient buffer of a progressive file). */
#define SF_MAX_SCANS 100
#define SF_MAX_DECODE_MEMORY (512L * 1024 * 1024)

static void on_progress(j_common_ptr cinfo) {
  j_decompress_ptr d = (j_decompress_ptr)cinfo;
  if (d->input_scan_number > SF_MAX_SCANS) {
    sf_error_mgr* err = (sf_error_mgr*)cinfo->err;
    snprintf(err->error, SF_ERROR_LEN, "progressive JPEG has more than %d scans", SF_MAX_SCANS);
    longjmp(err->jump, 1);
  }
}

int sf_decode_region(const uint8_t* data, size_t len, int scale_n, sf_rect region, sf_rgb* out, int* origin_x,
                     int* origin_y, char* error) {
  struct jpeg_decompress_struct cinfo;
  sf_error_mgr err;
  init_errors(&err, error);
  memset(&cinfo, 0, sizeof(cinfo));
  cinfo.err = &err.pub;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    free(err.pixels);
    return -1;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.mem->max_memory_to_use = SF_MAX_DECODE_MEMORY;
  struct jpeg_progress_mgr progress;
  memset(&progress, 0, sizeof(progress));
  progress.progress_monitor = on_progress;
  cinfo.progress = &progress;
  jpeg_mem_src(&cinfo, data, (unsigned long)len);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  cinfo.scale_num = (unsigned)scale_n;
  cinfo.scale_denom = 8;
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_components != 3) {
    snprintf(error, SF_ERROR_LEN, "decoder gave %d components, wanted RGB", cinfo.output_components);
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  const int full_w = (int)cinfo.output_width;
  const int full_h = (int)cinfo.output_height;
  const double s = scale_n / 8.0;
  const int x0 = clampi((int)floor(region.x0 * s), 0, full_w - 1);
  const int x1 = clampi((int)ceil(region.x1 * s), x0 + 1, full_w);
  const int y0 = clampi((int)floor(region.y0 * s), 0, full_h - 1);
  const int y1 = clampi((int)ceil(region.y1 * s), y0 + 1, full_h);
  JDIMENSION xoffset = (JDIMENSION)x0;
  JDIMENSION width = (JDIMENSION)(x1 - x0);
  /* Decode only the columns needed (libjpeg widens the span to whole iMCUs) when that saves real work. */
  if ((int)width < full_w * 3 / 4) {
    jpeg_crop_scanline(&cinfo, &xoffset, &width);
  } else {
    xoffset = 0;
    width = (JDIMENSION)full_w;
  }
  if (y0 > 0 && jpeg_skip_scanlines(&cinfo, (JDIMENSION)y0) != (JDIMENSION)y0) {
    snprintf(error, SF_ERROR_LEN, "could not skip to row %d", y0);
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  const int rows = y1 - y0;
  const size_t stride = (size_t)width * 3;
  err.pixels = (uint8_t*)malloc(stride * (size_t)rows);
  if (!err.pixels) {
    snprintf(error, SF_ERROR_LEN, "out of memory for %ux%d pixels", (unsigned)width, rows);
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  while ((int)cinfo.output_scanline < y1) {
    JSAMPROW row = err.pixels + stride * (size_t)((int)cinfo.output_scanline - y0);
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
      snprintf(error, SF_ERROR_LEN, "decoder stopped at row %u", (unsigned)cinfo.output_scanline);
      jpeg_destroy_decompress(&cinfo);
      free(err.pixels);
      return -1;
    }
  }
  /* Like libvips, do not read the tail after the last row needed: destroy also aborts. */
  jpeg_destroy_decompress(&cinfo);
  out->data = err.pixels;
  out->width = (int)width;
  out->height = rows;
  *origin_x = (int)xoffset;
  *origin_y = y0;
  return 0;
}

/* A growable memory destination whose buffer lives in the error manager, so the error path always frees the one
 * current buffer exactly once. (jpeg_mem_dest frees its first buffer itself when it grows and only reports the new
 * one at jpeg_finish_compress: an error in between left the caller a freed pointer, freed again.) */
typedef struct {
  struct jpeg_destination_mgr pub;
  sf_error_mgr* owner;
} sf_dest_mgr;

static void dest_init(j_compress_ptr cinfo) {
  sf_dest_mgr* d = (sf_dest_mgr*)cinfo->dest;
  d->owner->encoded_len = 64 * 1024;
  d->owner->encoded = (unsigned char*)malloc(d->owner->encoded_len);
  if (!d->owner->encoded) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 10);
  d->pub.next_output_byte = d->owner->encoded;
  d->pub.free_in_buffer = d->owner->encoded_len;
}

static boolean dest_grow(j_compress_ptr cinfo) {
  sf_dest_mgr* d = (sf_dest_mgr*)cinfo->dest;
  const unsigned long used = d->owner->encoded_len;
  unsigned char* bigger = (unsigned char*)realloc(d->owner->encoded, used * 2);
  if (!bigger) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 10); /* the old buffer is still owned and freed on the error path */
  d->owner->encoded = bigger;
  d->owner->encoded_len = used * 2;
  d->pub.next_output_byte = bigger + used;
  d->pub.free_in_buffer = used;
  return TRUE;
}

static void dest_term(j_compress_ptr cinfo) {
  sf_dest_mgr* d = (sf_dest_mgr*)cinfo->dest;
  d->owner->encoded_len -= d->pub.free_in_buffer;
}

int sf_encode_jpeg(const sf_rgb* img, int quality, int optimize, uint8_t** out, size_t* out_len, char* error) {
  struct jpeg_compress_struct cinfo;
  sf_error_mgr err;
  init_errors(&err, error);
  memset(&cinfo, 0, sizeof(cinfo));
  cinfo.err = &err.pub;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    free(err.encoded);
    return -1;
  }
  jpeg_create_compress(&cinfo);
  sf_dest_mgr dest;
  memset(&dest, 0, sizeof(dest));
  dest.owner = &err;
  dest.pub.init_destination = dest_init;
  dest.pub.empty_output_buffer = dest_grow;
  dest.pub.term_destination = dest_term;
  cinfo.dest = &dest.pub;
  cinfo.image_width = (JDIMENSION)img->width;
  cinfo.image_height = (JDIMENSION)img->height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  cinfo.optimize_coding = optimize ? TRUE : FALSE;
  jpeg_start_compress(&cinfo, TRUE);
  const size_t stride = (size_t)img->width * 3;
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = img->data + stride * cinfo.next_scanline;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  *out = err.encoded;
  *out_len = err.encoded_len;
  return 0;
}
