// Weighted softmax cross-entropy over rows of logits with integer targets, and its gradient, one pass each (the
// composite runs logSumExp, oneHot, products and sums as ~15 tfjs kernels forward and ~25 backward).
#include <cmath>
#include <vector>

#include "args.h"
#include "fast_math.h"

namespace {

// log Σ_j exp(row[j]) with the max subtracted first; `scratch` holds n floats.
__attribute__((target_clones("avx512f", "avx2", "default"))) float LogSumExp(const float* row, size_t n,
                                                                             float* scratch) {
  const float mx = sigforge::LaneMax(row, n);
  for (size_t j = 0; j < n; ++j) scratch[j] = sigforge::FastExp(row[j] - mx);
  const float sum = sigforge::LaneSum(scratch, n);
  return mx + std::log(sum);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void SoftmaxScaled(const float* row, float lse, float s,
                                                                                 float* out, size_t n) {
  for (size_t j = 0; j < n; ++j) out[j] = s * sigforge::FastExp(row[j] - lse);
}

}  // namespace

// crossEntropy(logits, targets, weights, rows, classes, lse, loss): lse[r] = logsumexp(logits[r]) and
// loss[0] = Σ_r weights[r]·(lse[r] − logits[r, targets[r]]); a target outside [0, classes) has no logit term (as
// with a one-hot of it).
napi_value CrossEntropy(napi_env env, napi_callback_info info) {
  sigforge::Args a;
  View<float> logits, weights, lse, loss;
  View<int32_t> targets;
  size_t rows, classes;
  if (!a.Init(env, info, 7, "crossEntropy") || !a.F32(0, "logits", &logits) || !a.I32(1, "targets", &targets) ||
      !a.F32(2, "weights", &weights) || !a.Size(3, "rows", &rows) || !a.Size(4, "classes", &classes) ||
      !a.F32(5, "lse", &lse) || !a.F32(6, "loss", &loss) || !a.Length(logits, "logits", {rows, classes}) ||
      !a.Length(targets, "targets", rows) || !a.Length(weights, "weights", rows) || !a.Length(lse, "lse", rows) ||
      !a.Length(loss, "loss", 1))
    return nullptr;
  double total = 0;
  // classes is bounded by the logits only when there is a row: no row, nothing to allocate.
  std::vector<float> scratch(rows > 0 ? classes : 0);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = logits.data + r * classes;
    const float l = classes > 0 ? LogSumExp(row, classes, scratch.data()) : -INFINITY;
    lse.data[r] = l;
    const int32_t t = targets.data[r];
    const float picked = t >= 0 && static_cast<size_t>(t) < classes ? row[t] : 0.0f;
    if (weights.data[r] != 0.0f) total += static_cast<double>(weights.data[r]) * (l - picked);
  }
  loss.data[0] = static_cast<float>(total);
  return nullptr;
}

// crossEntropyGrad(dloss, logits, targets, weights, lse, rows, classes, dlogits):
// dlogits[r] = dloss·weights[r]·(softmax(logits[r]) − onehot(targets[r])).
napi_value CrossEntropyGrad(napi_env env, napi_callback_info info) {
  sigforge::Args a;
  View<float> dloss, logits, weights, lse, dlogits;
  View<int32_t> targets;
  size_t rows, classes;
  if (!a.Init(env, info, 8, "crossEntropyGrad") || !a.F32(0, "dloss", &dloss) || !a.F32(1, "logits", &logits) ||
      !a.I32(2, "targets", &targets) || !a.F32(3, "weights", &weights) || !a.F32(4, "lse", &lse) ||
      !a.Size(5, "rows", &rows) || !a.Size(6, "classes", &classes) || !a.F32(7, "dlogits", &dlogits) ||
      !a.Length(dloss, "dloss", 1) || !a.Length(logits, "logits", {rows, classes}) ||
      !a.Length(targets, "targets", rows) || !a.Length(weights, "weights", rows) || !a.Length(lse, "lse", rows) ||
      !a.Length(dlogits, "dlogits", {rows, classes}))
    return nullptr;
  for (size_t r = 0; r < rows; ++r) {
    const float s = dloss.data[0] * weights.data[r];
    float* out = dlogits.data + r * classes;
    SoftmaxScaled(logits.data + r * classes, lse.data[r], s, out, classes);
    const int32_t t = targets.data[r];
    if (t >= 0 && static_cast<size_t>(t) < classes) out[t] -= s;
  }
  return nullptr;
}
