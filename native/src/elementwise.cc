// Elementwise kernels the tiny train-step profile shows next after matmul (GELU's tanh and x^3), split over threads.
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <cblas.h>

#include "napi_util.h"
#include "parallel.h"

namespace {
using sigforge::ParallelFor;

// Rational approximation of tanh (Eigen's generic_fast_tanh_float): a few ulp, and it vectorizes.
__attribute__((target_clones("avx512f", "avx2", "default"))) void TanhRange(const float* x, float* y, size_t lo,
                                                                             size_t hi) {
  const float a1 = 4.89352455891786e-03f, a3 = 6.37261928875436e-04f, a5 = 1.48572235717979e-05f,
              a7 = 5.12229709037114e-08f, a9 = -8.60467152213735e-11f, a11 = 2.00018790482477e-13f,
              a13 = -2.76076847742355e-16f;
  const float b0 = 4.89352518554385e-03f, b2 = 2.26843463243900e-03f, b4 = 1.18534705686654e-04f,
              b6 = 1.19825839466702e-06f;
  const float clamp = 7.90531110763549805f;
  for (size_t i = lo; i < hi; ++i) {
    const float v = x[i];
    const float c = v > clamp ? clamp : (v < -clamp ? -clamp : v);
    const float x2 = c * c;
    float p = x2 * a13 + a11;
    p = x2 * p + a9;
    p = x2 * p + a7;
    p = x2 * p + a5;
    p = x2 * p + a3;
    p = x2 * p + a1;
    p = c * p;
    float q = x2 * b6 + b4;
    q = x2 * q + b2;
    q = x2 * q + b0;
    const float r = p / q;
    // Tiny inputs: tanh(x) = x to float precision; NaN stays NaN (the clamp above would lose it).
    y[i] = std::fabs(v) < 4e-4f ? v : (v != v ? v : r);
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void PowRange(const float* x, float e, float* y,
                                                                            size_t lo, size_t hi) {
  if (e == 2.0f) {
    for (size_t i = lo; i < hi; ++i) y[i] = x[i] * x[i];
  } else if (e == 3.0f) {
    for (size_t i = lo; i < hi; ++i) y[i] = x[i] * x[i] * x[i];
  } else if (e == 1.0f) {
    std::memcpy(y + lo, x + lo, (hi - lo) * sizeof(float));
  } else {
    for (size_t i = lo; i < hi; ++i) y[i] = std::pow(x[i], e);
  }
}

// exp(x) by Cody-Waite range reduction and Cephes' expf polynomial (≤ 2 ulp; the scale 2^n is applied in two halves so
// results down to the denormals match std::exp). Branch-free, so it vectorizes.
__attribute__((target_clones("avx512f", "avx2", "default"))) void ExpRange(const float* x, float* y, size_t lo,
                                                                            size_t hi) {
  for (size_t i = lo; i < hi; ++i) {
    const float v = x[i];
    const float c = v > 88.7228394f ? 88.7228394f : (v < -103.972084f ? -103.972084f : v);
    const float n = std::floor(c * 1.44269504088896341f + 0.5f);
    float r = c - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float e = p * r * r + r + 1.0f;
    const int32_t ni = static_cast<int32_t>(n);
    const int32_t n1 = ni / 2, n2 = ni - n1;
    const int32_t b1 = (n1 + 127) << 23, b2 = (n2 + 127) << 23;
    float s1, s2;
    std::memcpy(&s1, &b1, sizeof s1);
    std::memcpy(&s2, &b2, sizeof s2);
    const float out = e * s1 * s2;
    // Beyond the clamp: overflow to +Inf, underflow to 0; NaN stays NaN.
    y[i] = v != v ? v : (v > 88.7228394f ? INFINITY : (v < -103.972084f ? 0.0f : out));
  }
}

bool TwoViews(napi_env env, napi_callback_info info, size_t want_argc, napi_value* argv, View<float>* x,
              View<float>* y, const char* name) {
  size_t argc = want_argc;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return false;
  if (argc != want_argc) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", (std::string(name) + ": wrong argument count").c_str());
    return false;
  }
  if (!GetView(env, argv[0], napi_float32_array, "x must be a Float32Array", false, x)) return false;
  if (!GetView(env, argv[want_argc - 1], napi_float32_array, "y must be a Float32Array", false, y)) return false;
  if (y->length < x->length) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           (std::string(name) + ": output of " + std::to_string(y->length) +
                            " elements is shorter than the input's " + std::to_string(x->length))
                               .c_str());
    return false;
  }
  return true;
}

}  // namespace

// tanh(x, y): y = tanh(x) elementwise.
napi_value Tanh(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  View<float> x, y;
  if (!TwoViews(env, info, 2, argv, &x, &y, "tanh")) return nullptr;
  ParallelFor(x.length, [&](size_t lo, size_t hi) { TanhRange(x.data, y.data, lo, hi); });
  return nullptr;
}

// exp(x, y): y = exp(x) elementwise.
napi_value Exp(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  View<float> x, y;
  if (!TwoViews(env, info, 2, argv, &x, &y, "exp")) return nullptr;
  ParallelFor(x.length, [&](size_t lo, size_t hi) { ExpRange(x.data, y.data, lo, hi); });
  return nullptr;
}

// powScalar(x, e, y): y = x^e elementwise (exact products for e = 1, 2, 3).
napi_value PowScalar(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  View<float> x, y;
  double e;
  if (!TwoViews(env, info, 3, argv, &x, &y, "powScalar")) return nullptr;
  if (!GetDouble(env, argv[1], "powScalar: exponent must be a number", &e)) return nullptr;
  const float ef = static_cast<float>(e);
  ParallelFor(x.length, [&](size_t lo, size_t hi) { PowRange(x.data, ef, y.data, lo, hi); });
  return nullptr;
}
