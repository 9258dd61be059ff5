// One AdamW update in one pass (the optimizer otherwise runs ~12 tfjs kernels per parameter, and on small models
// kernel dispatch dominates). Writes new θ, m, v into separate outputs: nothing is mutated in place.
#include <cmath>
#include <string>

#include "napi_util.h"

namespace {

struct Hyper {
  float beta1, beta2, clip, shrink, step_size, eps_hat;
};

__attribute__((target_clones("avx512f", "avx2", "default"))) void Update(const float* theta, const float* m,
                                                                          const float* v, const float* g,
                                                                          float* theta1, float* m1, float* v1,
                                                                          size_t n, Hyper h) {
  for (size_t i = 0; i < n; ++i) {
    const float gc = g[i] * h.clip;
    const float mi = m[i] * h.beta1 + gc * (1.0f - h.beta1);
    const float vi = v[i] * h.beta2 + gc * gc * (1.0f - h.beta2);
    m1[i] = mi;
    v1[i] = vi;
    theta1[i] = theta[i] * h.shrink - mi / (std::sqrt(vi) + h.eps_hat) * h.step_size;
  }
}

}  // namespace

// adamw(theta, m, v, g, theta1, m1, v1, beta1, beta2, clip, shrink, stepSize, epsHat)
//   g' = g·clip; m1 = β1·m + (1−β1)·g'; v1 = β2·v + (1−β2)·g'²; θ1 = θ·shrink − m1/(√v1 + epsHat)·stepSize
napi_value AdamW(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 13) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", "adamw expects 13 arguments");
    return nullptr;
  }
  static const char* names[7] = {"theta", "m", "v", "g", "theta1", "m1", "v1"};
  View<float> t[7];
  for (int i = 0; i < 7; ++i) {
    const std::string msg = std::string("adamw: ") + names[i] + " must be a Float32Array";
    if (!GetView(env, argv[i], napi_float32_array, msg.c_str(), false, &t[i])) return nullptr;
    if (t[i].length != t[0].length) {
      napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                             ("adamw: " + std::string(names[i]) + " has " + std::to_string(t[i].length) +
                              " elements, theta has " + std::to_string(t[0].length))
                                 .c_str());
      return nullptr;
    }
  }
  double hv[6];
  for (int i = 0; i < 6; ++i) {
    if (!GetDouble(env, argv[7 + i], "adamw: hyperparameters must be numbers", &hv[i])) return nullptr;
  }
  const Hyper h{static_cast<float>(hv[0]), static_cast<float>(hv[1]), static_cast<float>(hv[2]),
                static_cast<float>(hv[3]), static_cast<float>(hv[4]), static_cast<float>(hv[5])};
  Update(t[0].data, t[1].data, t[2].data, t[3].data, t[4].data, t[5].data, t[6].data, t[0].length, h);
  return nullptr;
}
