// UnsortedSegmentSum in one pass (the gradient of gather, i.e. of every embedding lookup): out[ids[i]] += x[i].
#include <cstring>
#include <string>

#include "napi_util.h"

// segmentSum(x, ids, numSegments, out): x is [ids.length, inner], out is [numSegments, inner].
// Ids outside [0, numSegments) are skipped, as tfjs's own kernels do.
napi_value SegmentSum(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 4) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", "segmentSum expects 4 arguments");
    return nullptr;
  }
  View<float> x, out;
  View<int32_t> ids;
  int64_t segments;
  if (!GetView(env, argv[0], napi_float32_array, "segmentSum: x must be a Float32Array", false, &x)) return nullptr;
  if (!GetView(env, argv[1], napi_int32_array, "segmentSum: ids must be an Int32Array", false, &ids)) return nullptr;
  if (!GetInt(env, argv[2], "segmentSum: numSegments must be an integer", &segments)) return nullptr;
  if (!GetView(env, argv[3], napi_float32_array, "segmentSum: out must be a Float32Array", false, &out))
    return nullptr;
  const size_t n = ids.length;
  const size_t inner = n == 0 ? 0 : x.length / n;
  if (segments < 0 || (n > 0 && x.length % n != 0) || out.length != static_cast<size_t>(segments) * inner) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           ("segmentSum: x of " + std::to_string(x.length) + " elements, " + std::to_string(n) +
                            " ids and " + std::to_string(segments) + " segments do not fit an output of " +
                            std::to_string(out.length))
                               .c_str());
    return nullptr;
  }
  std::memset(out.data, 0, out.length * sizeof(float));
  for (size_t i = 0; i < n; ++i) {
    const int64_t s = ids.data[i];
    if (s < 0 || s >= segments) continue;
    float* dst = out.data + s * inner;
    const float* src = x.data + i * inner;
    for (size_t j = 0; j < inner; ++j) dst[j] += src[j];
  }
  return nullptr;
}
