// Sum over one contiguous block of axes, without the transpose tfjs's wasm Sum does for non-innermost axes
// (bias gradients reduce the leading axes of every linear layer's output gradient).
#include <cstring>
#include <string>

#include "napi_util.h"

namespace {

// out[o, i] = Σ_r x[o, r, i] for x viewed as [outer, reduce, inner].
__attribute__((target_clones("avx512f", "avx2", "default"))) void SumMiddle(const float* x, size_t outer,
                                                                             size_t reduce, size_t inner,
                                                                             float* out) {
  if (inner == 1) {
    for (size_t o = 0; o < outer; ++o) {
      const float* row = x + o * reduce;
      float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      size_t r = 0;
      for (; r + 8 <= reduce; r += 8)
        for (int l = 0; l < 8; ++l) acc[l] += row[r + l];
      float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
      for (; r < reduce; ++r) s += row[r];
      out[o] = s;
    }
    return;
  }
  for (size_t o = 0; o < outer; ++o) {
    float* dst = out + o * inner;
    std::memset(dst, 0, inner * sizeof(float));
    for (size_t r = 0; r < reduce; ++r) {
      const float* src = x + (o * reduce + r) * inner;
      for (size_t i = 0; i < inner; ++i) dst[i] += src[i];
    }
  }
}

}  // namespace

// sumAxes(x, outer, reduce, inner, out): see SumMiddle.
napi_value SumAxes(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 5) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", "sumAxes expects 5 arguments");
    return nullptr;
  }
  View<float> x, out;
  int64_t outer, reduce, inner;
  if (!GetView(env, argv[0], napi_float32_array, "sumAxes: x must be a Float32Array", false, &x)) return nullptr;
  if (!GetInt(env, argv[1], "sumAxes: outer must be an integer", &outer)) return nullptr;
  if (!GetInt(env, argv[2], "sumAxes: reduce must be an integer", &reduce)) return nullptr;
  if (!GetInt(env, argv[3], "sumAxes: inner must be an integer", &inner)) return nullptr;
  if (!GetView(env, argv[4], napi_float32_array, "sumAxes: out must be a Float32Array", false, &out)) return nullptr;
  if (outer < 0 || reduce < 0 || inner < 0 || static_cast<size_t>(outer * reduce * inner) != x.length ||
      static_cast<size_t>(outer * inner) != out.length) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           ("sumAxes: [" + std::to_string(outer) + "," + std::to_string(reduce) + "," +
                            std::to_string(inner) + "] does not match x of " + std::to_string(x.length) +
                            " and out of " + std::to_string(out.length) + " elements")
                               .c_str());
    return nullptr;
  }
  SumMiddle(x.data, outer, reduce, inner, out.data);
  return nullptr;
}

// sumSquares(x): Σ x² in double (the global gradient norm; one call per gradient tensor).
napi_value SumSquares(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  View<float> x;
  if (argc != 1 || !GetView(env, argv[0], napi_float32_array, "sumSquares: x must be a Float32Array", false, &x))
    return nullptr;
  double acc[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= x.length; i += 4)
    for (int l = 0; l < 4; ++l) acc[l] += static_cast<double>(x.data[i + l]) * x.data[i + l];
  double s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  for (; i < x.length; ++i) s += static_cast<double>(x.data[i]) * x.data[i];
  napi_value out;
  NAPI_CALL(env, napi_create_double(env, s, &out));
  return out;
}
