// In-place bias add and activation after a GEMM: the fused part of tfjs _FusedMatMul.
#include <cmath>
#include <string>

#include "napi_util.h"

namespace {

// Activation codes shared with native/addon.ts (keep in sync).
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kSigmoid = 3, kLeakyRelu = 4, kElu = 5, kPrelu = 6 };

template <int kAct>
inline float Apply(float v, float alpha) {
  if (kAct == kRelu) return v < 0.0f ? 0.0f : v;
  if (kAct == kRelu6) return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
  if (kAct == kSigmoid) return 1.0f / (1.0f + std::exp(-v));
  if (kAct == kLeakyRelu) return v < 0.0f ? alpha * v : v;
  if (kAct == kElu) return v >= 0.0f ? v : std::expm1(v);
  return v;
}

// prelu: c = c + bias, then c < 0 ? weights[i % weights_len] * c : c.
void RunPrelu(float* c, size_t size, const float* bias, size_t bias_len, const float* w, size_t w_len) {
  for (size_t i = 0; i < size; ++i) {
    const float v = c[i] + (bias != nullptr ? bias[i % bias_len] : 0.0f);
    c[i] = v < 0.0f ? w[i % w_len] * v : v;
  }
}

template <int kAct>
void Run(float* c, size_t size, const float* bias, size_t bias_len, float alpha) {
  if (bias != nullptr) {
    for (size_t start = 0; start < size; start += bias_len) {
      float* row = c + start;
      for (size_t j = 0; j < bias_len; ++j) row[j] = Apply<kAct>(row[j] + bias[j], alpha);
    }
  } else {
    for (size_t i = 0; i < size; ++i) c[i] = Apply<kAct>(c[i], alpha);
  }
}

}  // namespace

// epilogue(c, bias|null, activation, alpha, preluWeights|null): c[i] = act(c[i] + bias[i % bias.length]).
napi_value Epilogue(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 5) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", "epilogue expects 5 arguments");
    return nullptr;
  }
  View<float> c, bias, weights;
  int64_t act;
  double alpha;
  if (!GetView(env, argv[0], napi_float32_array, "epilogue: c must be a Float32Array", false, &c)) return nullptr;
  if (!GetView(env, argv[1], napi_float32_array, "epilogue: bias must be a Float32Array or null", true, &bias))
    return nullptr;
  if (!GetInt(env, argv[2], "epilogue: activation must be an integer", &act)) return nullptr;
  if (!GetDouble(env, argv[3], "epilogue: alpha must be a number", &alpha)) return nullptr;
  if (!GetView(env, argv[4], napi_float32_array, "epilogue: preluWeights must be a Float32Array or null", true,
               &weights))
    return nullptr;
  if (act == kPrelu && (!weights.present || weights.length == 0 || c.length % weights.length != 0)) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           ("epilogue: prelu weights of " + std::to_string(weights.length) +
                            " elements do not tile an output of " + std::to_string(c.length))
                               .c_str());
    return nullptr;
  }
  if (bias.present && (bias.length == 0 || c.length % bias.length != 0)) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           ("epilogue: bias of " + std::to_string(bias.length) +
                            " elements does not tile an output of " + std::to_string(c.length))
                               .c_str());
    return nullptr;
  }
  const float* b = bias.present ? bias.data : nullptr;
  const float al = static_cast<float>(alpha);
  switch (act) {
    case kLinear: Run<kLinear>(c.data, c.length, b, bias.length, al); break;
    case kRelu: Run<kRelu>(c.data, c.length, b, bias.length, al); break;
    case kRelu6: Run<kRelu6>(c.data, c.length, b, bias.length, al); break;
    case kSigmoid: Run<kSigmoid>(c.data, c.length, b, bias.length, al); break;
    case kLeakyRelu: Run<kLeakyRelu>(c.data, c.length, b, bias.length, al); break;
    case kElu: Run<kElu>(c.data, c.length, b, bias.length, al); break;
    case kPrelu: RunPrelu(c.data, c.length, b, bias.length, weights.data, weights.length); break;
    default:
      napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                             ("epilogue: unknown activation code " + std::to_string(act)).c_str());
  }
  return nullptr;
}
