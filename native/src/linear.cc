// Dense layer y = x·W + b over rows of x, and its three gradients in one call (the composite runs reshapes,
// explicit transposes, two matmuls and a bias sum as separate tfjs kernels).
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "args.h"

namespace {

bool Dims(sigforge::Args& a, size_t m, size_t k, size_t n) {
  if (m > INT32_MAX || k > INT32_MAX || n > INT32_MAX) return a.RangeError("a dimension exceeds CBLAS's 32-bit range");
  return true;
}

// out[j, i] = in[i, j] for in [rows, cols], in 32×32 blocks.
void Transpose(const float* in, size_t rows, size_t cols, float* out) {
  constexpr size_t kB = 32;
  for (size_t i0 = 0; i0 < rows; i0 += kB) {
    for (size_t j0 = 0; j0 < cols; j0 += kB) {
      const size_t i1 = std::min(rows, i0 + kB), j1 = std::min(cols, j0 + kB);
      for (size_t i = i0; i < i1; ++i)
        for (size_t j = j0; j < j1; ++j) out[j * rows + i] = in[i * cols + j];
    }
  }
}

}  // namespace

// linear(x, w, bias|null, m, k, n, y): y[m,n] = x[m,k]·w[k,n] (+ bias[n] on every row).
napi_value Linear(napi_env env, napi_callback_info info) {
  sigforge::Args a;
  View<float> x, w, bias, y;
  size_t m, k, n;
  if (!a.Init(env, info, 7, "linear") || !a.F32(0, "x", &x) || !a.F32(1, "w", &w) ||
      !a.F32(2, "bias", &bias, true) || !a.Size(3, "m", &m) || !a.Size(4, "k", &k) || !a.Size(5, "n", &n) ||
      !a.F32(6, "y", &y) || !Dims(a, m, k, n) || !a.Length(x, "x", {m, k}) || !a.Length(w, "w", {k, n}) ||
      (bias.present && !a.Length(bias, "bias", n)) || !a.Length(y, "y", {m, n}))
    return nullptr;
  if (m == 0 || n == 0) return nullptr;
  if (k == 0) {
    std::memset(y.data, 0, m * n * sizeof(float));
  } else {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0f, x.data, static_cast<int>(k), w.data, static_cast<int>(n), 0.0f, y.data,
                static_cast<int>(n));
  }
  if (bias.present) {
    for (size_t r = 0; r < m; ++r) {
      float* row = y.data + r * n;
      for (size_t j = 0; j < n; ++j) row[j] += bias.data[j];
    }
  }
  return nullptr;
}

// linearGrad(dy, x, w, m, k, n, dx, dw, db|null): dx = dy·wᵀ, dw = xᵀ·dy, db = Σ_rows dy.
napi_value LinearGrad(napi_env env, napi_callback_info info) {
  sigforge::Args a;
  View<float> dy, x, w, dx, dw, db;
  size_t m, k, n;
  if (!a.Init(env, info, 9, "linearGrad") || !a.F32(0, "dy", &dy) || !a.F32(1, "x", &x) || !a.F32(2, "w", &w) ||
      !a.Size(3, "m", &m) || !a.Size(4, "k", &k) || !a.Size(5, "n", &n) || !a.F32(6, "dx", &dx) ||
      !a.F32(7, "dw", &dw) || !a.F32(8, "db", &db, true) || !Dims(a, m, k, n) || !a.Length(dy, "dy", {m, n}) ||
      !a.Length(x, "x", {m, k}) || !a.Length(w, "w", {k, n}) || !a.Length(dx, "dx", {m, k}) ||
      !a.Length(dw, "dw", {k, n}) || (db.present && !a.Length(db, "db", n)))
    return nullptr;
  const int mi = static_cast<int>(m), ki = static_cast<int>(k), ni = static_cast<int>(n);
  if (m == 0 || n == 0) {
    std::memset(dx.data, 0, m * k * sizeof(float));
    std::memset(dw.data, 0, k * n * sizeof(float));
  } else if (k > 0) {
    // dx against a transposed copy of w (NoTrans·NoTrans): OpenBLAS's small-matrix NoTrans·Trans path rounds a row
    // differently for different m, and rows must not depend on what else is in the batch (gradient accumulation).
    thread_local std::vector<float> wt;
    wt.resize(k * n);
    Transpose(w.data, k, n, wt.data());
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, mi, ki, ni, 1.0f, dy.data, ni, wt.data(), ki, 0.0f, dx.data, ki);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ki, ni, mi, 1.0f, x.data, ki, dy.data, ni, 0.0f, dw.data, ni);
  }
  if (db.present) {
    // Row by row in float, as the native Sum kernel reduces tf.sum(dy, 0): the same bits as the composite's bias
    // gradient (so gradients that are analytically zero, e.g. a key bias under softmax, keep the same rounding).
    std::memset(db.data, 0, n * sizeof(float));
    for (size_t r = 0; r < m; ++r) {
      const float* row = dy.data + r * n;
      for (size_t j = 0; j < n; ++j) db.data[j] += row[j];
    }
  }
  return nullptr;
}
