// Orientation, separable area/bilinear resize and the dHash thumbnail. The resize works in float: two passes
// (rows, then columns) over only the source rows the region touches.
#include "resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* AVX2 and baseline copies of the vectorizable loops, picked at load time (GCC on x86-64 only). Floating-point
 * contraction stays off (-std=c11), so both copies give identical results. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SF_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SF_CLONES
#endif

sf_rect sf_orient_rect(int o, int w, int h, sf_rect r) {
  sf_rect q = r;
  switch (o) {
    case 2: q.x0 = w - r.x1; q.x1 = w - r.x0; break;
    case 3: q.x0 = w - r.x1; q.x1 = w - r.x0; q.y0 = h - r.y1; q.y1 = h - r.y0; break;
    case 4: q.y0 = h - r.y1; q.y1 = h - r.y0; break;
    case 5: q.x0 = r.y0; q.x1 = r.y1; q.y0 = r.x0; q.y1 = r.x1; break;
    case 6: q.x0 = h - r.y1; q.x1 = h - r.y0; q.y0 = r.x0; q.y1 = r.x1; break;
    case 7: q.x0 = h - r.y1; q.x1 = h - r.y0; q.y0 = w - r.x1; q.y1 = w - r.x0; break;
    case 8: q.x0 = r.y0; q.x1 = r.y1; q.y0 = w - r.x1; q.y1 = w - r.x0; break;
    default: break;
  }
  return q;
}

sf_rect sf_unorient_rect(int o, int ow, int oh, sf_rect r) {
  /* 6 and 8 undo each other; the others are their own inverse. The inverse acts on the displayed size. */
  int inverse = o == 6 ? 8 : o == 8 ? 6 : o;
  return sf_orient_rect(inverse, ow, oh, r);
}

int sf_orient(const sf_rgb* src, int o, sf_rgb* out) {
  const int w = src->width, h = src->height;
  const int swap = o >= 5;
  const int ow = swap ? h : w, oh = swap ? w : h;
  uint8_t* dst = (uint8_t*)malloc((size_t)ow * (size_t)oh * 3);
  if (!dst) return -1;
  for (int y = 0; y < h; y++) {
    const uint8_t* row = src->data + (size_t)y * (size_t)w * 3;
    for (int x = 0; x < w; x++) {
      int dx, dy;
      switch (o) {
        case 2: dx = w - 1 - x; dy = y; break;
        case 3: dx = w - 1 - x; dy = h - 1 - y; break;
        case 4: dx = x; dy = h - 1 - y; break;
        case 5: dx = y; dy = x; break;
        case 6: dx = h - 1 - y; dy = x; break;
        case 7: dx = h - 1 - y; dy = w - 1 - x; break;
        case 8: dx = y; dy = w - 1 - x; break;
        default: dx = x; dy = y; break;
      }
      uint8_t* p = dst + ((size_t)dy * (size_t)ow + (size_t)dx) * 3;
      p[0] = row[x * 3];
      p[1] = row[x * 3 + 1];
      p[2] = row[x * 3 + 2];
    }
  }
  out->data = dst;
  out->width = ow;
  out->height = oh;
  return 0;
}

/*
 * Filter taps mapping the source interval [a, b) (pixels 0..len-1 valid) onto n output pixels, `taps` weights
 * per output pixel starting at first[i] (zero-padded, so every pixel has the same count and loops have a fixed
 * length). Shrinking: each output pixel averages its footprint [a + i·s, a + (i+1)·s), partial pixels weighted
 * by overlap. Enlarging: bilinear between the two nearest source centres, clamped to the region's pixels.
 */
static int build_taps(double a, double b, int n, int len, int** first_out, float** weights_out, int* taps_out) {
  const double scale = (b - a) / n;
  int lo = (int)floor(a), hi = (int)ceil(b) - 1;
  if (lo < 0) lo = 0;
  if (hi > len - 1) hi = len - 1;
  if (hi < lo) hi = lo;
  const int shrink = scale >= 1.0 - 1e-9;
  int taps = shrink ? (int)ceil(scale) + 1 : 2;
  if (taps > len) taps = len;
  int* first = (int*)malloc(sizeof(int) * (size_t)n);
  float* weights = (float*)calloc((size_t)n * (size_t)taps, sizeof(float));
  double* w = (double*)malloc(sizeof(double) * (size_t)(taps + 2));
  if (!first || !weights || !w) {
    free(first);
    free(weights);
    free(w);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    int f, count;
    if (shrink) {
      const double s0 = a + i * scale, s1 = s0 + scale;
      int last = (int)ceil(s1) - 1;
      f = (int)floor(s0);
      if (f < lo) f = lo;
      if (last > hi) last = hi;
      if (last < f) last = f;
      if (last - f + 1 > taps) last = f + taps - 1;
      count = last - f + 1;
      double total = 0;
      for (int k = 0; k < count; k++) {
        const double x = f + k, l = x > s0 ? x : s0, h = x + 1 < s1 ? x + 1 : s1;
        w[k] = h > l ? h - l : 0;
        total += w[k];
      }
      if (total <= 0) {
        w[0] = 1;
        total = 1;
      }
      for (int k = 0; k < count; k++) w[k] /= total;
    } else {
      const double c = a + (i + 0.5) * scale - 0.5;
      int i0 = (int)floor(c), i1;
      double t = c - i0;
      if (i0 < lo) {
        i0 = lo;
        t = 0;
      }
      if (i0 > hi) i0 = hi;
      i1 = i0 + 1 > hi ? i0 : i0 + 1;
      f = i0;
      if (i1 == i0 || taps < 2) {
        count = 1;
        w[0] = 1;
      } else {
        count = 2;
        w[0] = 1 - t;
        w[1] = t;
      }
    }
    /* Keep all `taps` reads inside the source: slide the window left, weights right. */
    const int shift = f + taps > len ? f + taps - len : 0;
    float* out = weights + (size_t)i * (size_t)taps;
    for (int k = 0; k < count; k++) out[k + shift] = (float)w[k];
    first[i] = f - shift;
  }
  free(w);
  *first_out = first;
  *weights_out = weights;
  *taps_out = taps;
  return 0;
}

/* acc[x] = Σ_k w[k] · rows[k][x] over `taps` source rows `stride` bytes apart (vectorizes). */
SF_CLONES static void vertical_pass(const uint8_t* rows, size_t stride,
                                                                             const float* w, int taps, float* acc,
                                                                             size_t n) {
  for (size_t x = 0; x < n; x++) acc[x] = w[0] * rows[x];
  for (int k = 1; k < taps; k++) {
    const float wk = w[k];
    const uint8_t* row = rows + (size_t)k * stride;
    if (wk == 0) continue;
    for (size_t x = 0; x < n; x++) acc[x] += wk * row[x];
  }
}

#if defined(__SSE2__)
#include <emmintrin.h>
/*
 * One output row: RGB pixel j = Σ_k w[i·taps + k] · row[3·(first[i] + k)] as floats, i = j or its mirror. Each
 * tap adds w · (R, G, B, next R) four lanes wide; the fourth lane is junk that the next pixel's store overwrites,
 * so pixels are stored in increasing address order and both buffers have four floats of zeroed slack. Same sums in
 * the same order as the scalar version, so the same results. TAPS is a compile-time constant where common.
 */
#define HORIZONTAL_PASS(NAME, TAPS)                                                                             \
  static void NAME(const float* row, const int* first, const float* w, int taps, int n, int flip, float* out) { \
    (void)taps;                                                                                                \
    for (int j = 0; j < n; j++) {                                                                              \
      const int i = flip ? n - 1 - j : j;                                                                      \
      const float* p = row + (size_t)first[i] * 3;                                                             \
      const float* wi = w + (size_t)i * (size_t)(TAPS);                                                        \
      __m128 acc = _mm_mul_ps(_mm_set1_ps(wi[0]), _mm_loadu_ps(p));                                            \
      for (int k = 1; k < (TAPS); k++) acc = _mm_add_ps(acc, _mm_mul_ps(_mm_set1_ps(wi[k]), _mm_loadu_ps(p + 3 * k))); \
      _mm_storeu_ps(out + (size_t)j * 3, acc);                                                                 \
    }                                                                                                          \
  }
#else
/* One output row: RGB pixel j = Σ_k w[i·taps + k] · row[3·(first[i] + k)] as floats, i = j or its mirror. */
#define HORIZONTAL_PASS(NAME, TAPS)                                                                             \
  static void NAME(const float* row, const int* first, const float* w, int taps, int n, int flip, float* out) { \
    (void)taps;                                                                                                \
    for (int j = 0; j < n; j++) {                                                                              \
      const int i = flip ? n - 1 - j : j;                                                                      \
      const float* p = row + (size_t)first[i] * 3;                                                             \
      const float* wi = w + (size_t)i * (size_t)(TAPS);                                                        \
      float r = wi[0] * p[0], g = wi[0] * p[1], b = wi[0] * p[2];                                              \
      for (int k = 1; k < (TAPS); k++) {                                                                       \
        r += wi[k] * p[3 * k];                                                                                 \
        g += wi[k] * p[3 * k + 1];                                                                             \
        b += wi[k] * p[3 * k + 2];                                                                             \
      }                                                                                                        \
      out[(size_t)j * 3] = r;                                                                                  \
      out[(size_t)j * 3 + 1] = g;                                                                              \
      out[(size_t)j * 3 + 2] = b;                                                                              \
    }                                                                                                          \
  }
#endif
HORIZONTAL_PASS(horizontal_pass_1, 1)
HORIZONTAL_PASS(horizontal_pass_2, 2)
HORIZONTAL_PASS(horizontal_pass_3, 3)
HORIZONTAL_PASS(horizontal_pass_4, 4)
HORIZONTAL_PASS(horizontal_pass_n, taps)

/* Rounds to bytes (half up), clamped to 0..255. */
static void to_bytes(const float* in, size_t n, uint8_t* out) {
  size_t x = 0;
#if defined(__SSE2__)
  /* 16 at a time: truncate v + 0.5 to int32, then saturating packs clamp to 0..255. */
  const __m128 half = _mm_set1_ps(0.5f);
  for (; x + 16 <= n; x += 16) {
    const __m128i a = _mm_cvttps_epi32(_mm_add_ps(_mm_loadu_ps(in + x), half));
    const __m128i b = _mm_cvttps_epi32(_mm_add_ps(_mm_loadu_ps(in + x + 4), half));
    const __m128i c = _mm_cvttps_epi32(_mm_add_ps(_mm_loadu_ps(in + x + 8), half));
    const __m128i d = _mm_cvttps_epi32(_mm_add_ps(_mm_loadu_ps(in + x + 12), half));
    _mm_storeu_si128((__m128i*)(out + x), _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d)));
  }
#endif
  for (; x < n; x++) {
    float v = in[x] + 0.5f;
    v = v < 0 ? 0 : v;
    v = v > 255 ? 255 : v;
    out[x] = (uint8_t)(int)v;
  }
}

typedef void (*horizontal_fn)(const float*, const int*, const float*, int, int, int, float*);

int sf_resize(const sf_rgb* src, sf_rect r, uint8_t* dst, int out_w, int out_h, size_t dst_stride, int flip) {
  int *xf = NULL, *yf = NULL;
  float *xw = NULL, *yw = NULL, *acc = NULL;
  int xt, yt, status = -1;
  if (build_taps(r.x0, r.x1, out_w, src->width, &xf, &xw, &xt) || build_taps(r.y0, r.y1, out_h, src->height, &yf, &yw, &yt))
    goto done;
  /* Rows first (contiguous, vectorized) over only the columns the horizontal taps reach, then columns. */
  const int col_lo = xf[0], col_hi = xf[out_w - 1] + xt;
  const size_t n = (size_t)(col_hi - col_lo) * 3;
  const size_t stride = (size_t)src->width * 3;
  /* The row the vertical pass makes, then the output line, each with 4 floats of zeroed slack (see above). */
  acc = (float*)malloc(sizeof(float) * (n + 4 + (size_t)out_w * 3 + 4));
  if (!acc) goto done;
  float* line = acc + n + 4;
  memset(acc + n, 0, 4 * sizeof(float));
  memset(line + (size_t)out_w * 3, 0, 4 * sizeof(float));
  for (int i = 0; i < out_w; i++) xf[i] -= col_lo;
  const horizontal_fn horizontal = xt == 1   ? horizontal_pass_1
                                   : xt == 2 ? horizontal_pass_2
                                   : xt == 3 ? horizontal_pass_3
                                   : xt == 4 ? horizontal_pass_4
                                             : horizontal_pass_n;
  for (int j = 0; j < out_h; j++) {
    vertical_pass(src->data + (size_t)yf[j] * stride + (size_t)col_lo * 3, stride, yw + (size_t)j * (size_t)yt, yt, acc, n);
    horizontal(acc, xf, xw, xt, out_w, flip, line);
    to_bytes(line, (size_t)out_w * 3, dst + (size_t)j * dst_stride);
  }
  status = 0;
done:
  free(xf);
  free(xw);
  free(yf);
  free(yw);
  free(acc);
  return status;
}

void sf_grey_9x8(const uint8_t* rgb, int w, int h, uint8_t grey[72]) {
  int64_t sum[72] = {0};
  int64_t count[72] = {0};
  /* Column x is in cell floor(9x / w): cell b spans x in [ceil(b·w/9), ceil((b+1)·w/9)). */
  int edge[10];
  for (int b = 0; b <= 9; b++) edge[b] = (int)(((int64_t)b * w + 8) / 9);
  for (int y = 0; y < h; y++) {
    int row = (int)(((int64_t)y * 8) / h);
    if (row > 7) row = 7;
    const uint8_t* p = rgb + (size_t)y * (size_t)w * 3;
    for (int b = 0; b < 9; b++) {
      int64_t s = 0;
      for (int x = edge[b]; x < edge[b + 1]; x++) s += 299 * p[3 * x] + 587 * p[3 * x + 1] + 114 * p[3 * x + 2];
      sum[row * 9 + b] += s;
      count[row * 9 + b] += edge[b + 1] - edge[b];
    }
  }
  /* round(sum / count / 1000), half up, in exact integers. */
  for (int i = 0; i < 72; i++) grey[i] = count[i] ? (uint8_t)((2 * sum[i] + count[i] * 1000) / (count[i] * 2000)) : 0;
}
