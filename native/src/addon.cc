// Module entry: registers the kernels and the BLAS thread controls.
#include <cblas.h>

#include "napi_util.h"

namespace {

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t n;
  if (argc != 1 || !GetInt(env, argv[0], "setThreads: expects one integer", &n)) return nullptr;
  if (n < 1 || n > 1024) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE", "setThreads: thread count must be in 1..1024");
    return nullptr;
  }
  openblas_set_num_threads(static_cast<int>(n));
  return nullptr;
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value out;
  NAPI_CALL(env, napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

napi_value BlasConfig(napi_env env, napi_callback_info) {
  napi_value out;
  NAPI_CALL(env, napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out));
  return out;
}

bool Define(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn) != napi_ok) return false;
  return napi_set_named_property(env, exports, name, fn) == napi_ok;
}

napi_value Init(napi_env env, napi_value exports) {
  static const struct {
    const char* name;
    napi_callback cb;
  } kExports[] = {
      {"sgemm", Sgemm},
      {"epilogue", Epilogue},
      {"setThreads", SetThreads},
      {"getThreads", GetThreads},
      {"blasConfig", BlasConfig},
      {"tanh", Tanh},
      {"powScalar", PowScalar},
      {"segmentSum", SegmentSum},
      {"sumAxes", SumAxes},
      {"sumSquares", SumSquares},
      {"adamw", AdamW},
      {"exp", Exp},
      {"transpose", Transpose},
      {"tile", Tile},
      {"binary", Binary},
      {"gather", Gather},
      {"layerNorm", LayerNorm},
      {"layerNormGrad", LayerNormGrad},
      {"geluTanh", GeluTanh},
      {"geluTanhGrad", GeluTanhGrad},
      {"linear", Linear},
      {"linearGrad", LinearGrad},
      {"attention", Attention},
      {"attentionGrad", AttentionGrad},
      {"crossEntropy", CrossEntropy},
      {"crossEntropyGrad", CrossEntropyGrad},
  };
  for (const auto& e : kExports) {
    if (!Define(env, exports, e.name, e.cb)) {
      napi_throw_error(env, "ERR_SIGFORGE_NATIVE", "sigforge_native: could not define exports");
      return nullptr;
    }
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
