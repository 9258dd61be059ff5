// Elementwise kernels the tiny train-step profile shows next after matmul (GELU's tanh and x^3), split over threads;
// tanh and exp are the approximations of fast_math.h.
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <cblas.h>

#include "fast_math.h"
#include "napi_util.h"
#include "parallel.h"

namespace {
using sigforge::ParallelFor;

__attribute__((target_clones("avx512f", "avx2", "default"))) void TanhRange(const float* x, float* y, size_t lo,
                                                                             size_t hi) {
  for (size_t i = lo; i < hi; ++i) y[i] = sigforge::FastTanh(x[i]);
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

__attribute__((target_clones("avx512f", "avx2", "default"))) void ExpRange(const float* x, float* y, size_t lo,
                                                                            size_t hi) {
  for (size_t i = lo; i < hi; ++i) y[i] = sigforge::FastExp(x[i]);
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
