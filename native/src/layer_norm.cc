// LayerNorm over the last axis in one pass forward and one pass backward (the composite runs ~12 tfjs kernels
// forward and ~30 backward per call). Row statistics in float (eight-lane sums, as vectorized reductions do);
// dγ and dβ accumulate over rows in double.
#include <cmath>
#include <mutex>
#include <vector>

#include "args.h"
#include "fast_math.h"
#include "parallel.h"

namespace {

struct Stats {
  float mean, rstd;
};

// Mean and 1/√(var + eps) of one row (two passes, eight-lane float sums that vectorize); `tmp` holds d floats.
__attribute__((target_clones("avx512f", "avx2", "default"))) Stats RowStats(const float* x, size_t d, float eps,
                                                                             float* tmp) {
  const float mean = sigforge::LaneSum(x, d) / static_cast<float>(d);
  for (size_t j = 0; j < d; ++j) tmp[j] = (x[j] - mean) * (x[j] - mean);
  const float var = sigforge::LaneSum(tmp, d) / static_cast<float>(d);
  return {mean, 1.0f / std::sqrt(var + eps)};
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void Forward(const float* x, const float* gamma,
                                                                           const float* beta, size_t lo, size_t hi,
                                                                           size_t d, float eps, float* y) {
  std::vector<float> tmp(d);
  for (size_t r = lo; r < hi; ++r) {
    const float* xr = x + r * d;
    float* yr = y + r * d;
    const Stats s = RowStats(xr, d, eps, tmp.data());
    for (size_t j = 0; j < d; ++j) yr[j] = (xr[j] - s.mean) * s.rstd * gamma[j] + beta[j];
  }
}

// dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ; dγ += dy·x̂ and dβ += dy into double accumulators.
__attribute__((target_clones("avx512f", "avx2", "default"))) void Backward(const float* dy, const float* x,
                                                                            const float* gamma, size_t lo, size_t hi,
                                                                            size_t d, float eps, float* dx,
                                                                            double* dgamma, double* dbeta) {
  std::vector<float> xhat(d), g(d), gx(d);
  for (size_t r = lo; r < hi; ++r) {
    const float* xr = x + r * d;
    const float* dyr = dy + r * d;
    const Stats s = RowStats(xr, d, eps, gx.data());
    for (size_t j = 0; j < d; ++j) {
      xhat[j] = (xr[j] - s.mean) * s.rstd;
      g[j] = dyr[j] * gamma[j];
      gx[j] = g[j] * xhat[j];
      dgamma[j] += static_cast<double>(dyr[j] * xhat[j]);
      dbeta[j] += static_cast<double>(dyr[j]);
    }
    const float mg = sigforge::LaneSum(g.data(), d) / static_cast<float>(d);
    const float mgx = sigforge::LaneSum(gx.data(), d) / static_cast<float>(d);
    float* dxr = dx + r * d;
    for (size_t j = 0; j < d; ++j) dxr[j] = s.rstd * (g[j] - mg - xhat[j] * mgx);
  }
}

}  // namespace

// layerNorm(x, gamma, beta, rows, d, eps, y): y = (x − mean)·rsqrt(var + eps)·γ + β per row of x viewed as [rows, d].
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  sigforge::Args a;
  View<float> x, gamma, beta, y;
  size_t rows, d;
  double eps;
  if (!a.Init(env, info, 7, "layerNorm") || !a.F32(0, "x", &x) || !a.F32(1, "gamma", &gamma) ||
      !a.F32(2, "beta", &beta) || !a.Size(3, "rows", &rows) || !a.Size(4, "d", &d) || !a.Num(5, "eps", &eps) ||
      !a.F32(6, "y", &y) || !a.Length(x, "x", {rows, d}) || !a.Length(gamma, "gamma", d) ||
      !a.Length(beta, "beta", d) || !a.Length(y, "y", {rows, d}))
    return nullptr;
  if (d == 0) return nullptr;
  const float e = static_cast<float>(eps);
  sigforge::ParallelRows(rows, d, [&](size_t lo, size_t hi) { Forward(x.data, gamma.data, beta.data, lo, hi, d, e, y.data); });
  return nullptr;
}

// layerNormGrad(dy, x, gamma, rows, d, eps, dx, dgamma, dbeta): the three gradients of layerNorm in one pass.
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  sigforge::Args a;
  View<float> dy, x, gamma, dx, dgamma, dbeta;
  size_t rows, d;
  double eps;
  if (!a.Init(env, info, 9, "layerNormGrad") || !a.F32(0, "dy", &dy) || !a.F32(1, "x", &x) ||
      !a.F32(2, "gamma", &gamma) || !a.Size(3, "rows", &rows) || !a.Size(4, "d", &d) || !a.Num(5, "eps", &eps) ||
      !a.F32(6, "dx", &dx) || !a.F32(7, "dgamma", &dgamma) || !a.F32(8, "dbeta", &dbeta) ||
      !a.Length(dy, "dy", {rows, d}) || !a.Length(x, "x", {rows, d}) || !a.Length(gamma, "gamma", d) ||
      !a.Length(dx, "dx", {rows, d}) || !a.Length(dgamma, "dgamma", d) || !a.Length(dbeta, "dbeta", d))
    return nullptr;
  const float e = static_cast<float>(eps);
  std::vector<double> sum_dgamma(d, 0.0), sum_dbeta(d, 0.0);
  std::mutex merge;
  sigforge::ParallelRows(rows, d, [&](size_t lo, size_t hi) {
    std::vector<double> pg(d, 0.0), pb(d, 0.0);
    Backward(dy.data, x.data, gamma.data, lo, hi, d, e, dx.data, pg.data(), pb.data());
    std::lock_guard<std::mutex> lock(merge);
    for (size_t j = 0; j < d; ++j) {
      sum_dgamma[j] += pg[j];
      sum_dbeta[j] += pb[j];
    }
  });
  for (size_t j = 0; j < d; ++j) {
    dgamma.data[j] = static_cast<float>(sum_dgamma[j]);
    dbeta.data[j] = static_cast<float>(sum_dbeta[j]);
  }
  return nullptr;
}
