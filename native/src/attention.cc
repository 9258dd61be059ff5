// Multi-head scaled dot-product attention on [B, T, D] projections, heads read in place by stride (no split/merge
// transposes): forward softmax(q·kᵀ·scale + bias)·v per (batch, head), and the backward pass from the saved
// probabilities. The composite runs ~25 tfjs kernels forward and ~40 backward per attention.
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "fast_math.h"

namespace {

struct Shape {
  size_t b, tq, tk, d, heads, hd;
};

bool CheckShape(sigforge::Args& a, const Shape& s) {
  if (s.heads == 0 || s.d % s.heads != 0)
    return a.RangeError("width " + std::to_string(s.d) + " is not a multiple of heads " + std::to_string(s.heads));
  if (s.tq > INT32_MAX || s.tk > INT32_MAX || s.d > INT32_MAX) return a.RangeError("a dimension exceeds CBLAS's 32-bit range");
  return true;
}

// Adds the bias row and applies a numerically stable softmax to one row of `n` logits.
__attribute__((target_clones("avx512f", "avx2", "default"))) void SoftmaxRow(float* row, const float* bias,
                                                                              size_t bias_stride, size_t n) {
  if (bias) {
    for (size_t j = 0; j < n; ++j) row[j] += bias[j * bias_stride];
  }
  const float mx = sigforge::LaneMax(row, n);
  for (size_t j = 0; j < n; ++j) row[j] = sigforge::FastExp(row[j] - mx);
  const float inv = 1.0f / sigforge::LaneSum(row, n);
  for (size_t j = 0; j < n; ++j) row[j] *= inv;
}

// dS = P ⊙ (dP − Σ_j dP·P) for one row, in place in dp.
__attribute__((target_clones("avx512f", "avx2", "default"))) void SoftmaxGradRow(const float* p, float* dp, size_t n) {
  float dot = 0;
  for (size_t j = 0; j < n; ++j) dot += dp[j] * p[j];
  for (size_t j = 0; j < n; ++j) dp[j] = p[j] * (dp[j] - dot);
}

bool ReadShape(sigforge::Args& a, size_t first, Shape* s, double* scale) {
  if (!a.Size(first, "b", &s->b) || !a.Size(first + 1, "tq", &s->tq) || !a.Size(first + 2, "tk", &s->tk) ||
      !a.Size(first + 3, "d", &s->d) || !a.Size(first + 4, "heads", &s->heads) || !a.Num(first + 5, "scale", scale) ||
      !CheckShape(a, *s))
    return false;
  s->hd = s->d / s->heads;
  return true;
}

}  // namespace

// attention(q, k, v, bias|null, biasStrides|null, b, tq, tk, d, heads, scale, out, probs):
// probs[b,h] = softmax(q_h·k_hᵀ·scale + bias) ([B, H, Tq, Tk]), out[b, :, h] = probs[b,h]·v_h; q [B,Tq,D],
// k and v [B,Tk,D], head h the columns h·D/H … (h+1)·D/H. bias[b,h,i,j] is read at b·s0 + h·s1 + i·s2 + j·s3.
napi_value Attention(napi_env env, napi_callback_info info) {
  sigforge::Args a;
  View<float> q, k, v, bias, out, probs;
  View<int32_t> strides;
  Shape s;
  double scale;
  if (!a.Init(env, info, 13, "attention") || !a.F32(0, "q", &q) || !a.F32(1, "k", &k) || !a.F32(2, "v", &v) ||
      !a.F32(3, "bias", &bias, true) || !a.I32(4, "biasStrides", &strides, true) || !ReadShape(a, 5, &s, &scale) ||
      !a.F32(11, "out", &out) || !a.F32(12, "probs", &probs) || !a.Length(q, "q", {s.b, s.tq, s.d}) ||
      !a.Length(k, "k", {s.b, s.tk, s.d}) || !a.Length(v, "v", {s.b, s.tk, s.d}) ||
      !a.Length(out, "out", {s.b, s.tq, s.d}) || !a.Length(probs, "probs", {s.b, s.heads, s.tq, s.tk}))
    return nullptr;
  size_t st[4] = {0, 0, 0, 0};
  if (bias.present) {
    if (!strides.present || strides.length != 4) {
      a.RangeError("bias needs 4 strides");
      return nullptr;
    }
    size_t last = 0;
    const size_t dims[4] = {s.b, s.heads, s.tq, s.tk};
    for (int i = 0; i < 4; ++i) {
      if (strides.data[i] < 0) {
        a.RangeError("bias strides must be non-negative");
        return nullptr;
      }
      st[i] = static_cast<size_t>(strides.data[i]);
      if (dims[i] > 0) last += (dims[i] - 1) * st[i];
    }
    if (s.b * s.tq * s.tk > 0 && last >= bias.length) {
      a.RangeError("bias strides reach element " + std::to_string(last) + " of " + std::to_string(bias.length));
      return nullptr;
    }
  }
  if (s.tq == 0 || s.b == 0) return nullptr;
  if (s.tk == 0) {
    std::memset(out.data, 0, out.length * sizeof(float));
    return nullptr;
  }
  const int tq = static_cast<int>(s.tq), tk = static_cast<int>(s.tk), d = static_cast<int>(s.d),
            hd = static_cast<int>(s.hd);
  for (size_t bi = 0; bi < s.b; ++bi) {
    for (size_t h = 0; h < s.heads; ++h) {
      const float* qh = q.data + bi * s.tq * s.d + h * s.hd;
      const float* kh = k.data + bi * s.tk * s.d + h * s.hd;
      const float* vh = v.data + bi * s.tk * s.d + h * s.hd;
      float* p = probs.data + (bi * s.heads + h) * s.tq * s.tk;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, tq, tk, hd, static_cast<float>(scale), qh, d, kh, d, 0.0f,
                  p, tk);
      for (size_t i = 0; i < s.tq; ++i) {
        const float* brow = bias.present ? bias.data + bi * st[0] + h * st[1] + i * st[2] : nullptr;
        SoftmaxRow(p + i * s.tk, brow, st[3], s.tk);
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, tq, hd, tk, 1.0f, p, tk, vh, d, 0.0f,
                  out.data + bi * s.tq * s.d + h * s.hd, d);
    }
  }
  return nullptr;
}

// attentionGrad(dout, q, k, v, probs, b, tq, tk, d, heads, scale, dq, dk, dv): gradients of attention's output
// with respect to q, k and v (the bias is a constant mask).
napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  sigforge::Args a;
  View<float> dout, q, k, v, probs, dq, dk, dv;
  Shape s;
  double scale;
  if (!a.Init(env, info, 14, "attentionGrad") || !a.F32(0, "dout", &dout) || !a.F32(1, "q", &q) ||
      !a.F32(2, "k", &k) || !a.F32(3, "v", &v) || !a.F32(4, "probs", &probs) || !ReadShape(a, 5, &s, &scale) ||
      !a.F32(11, "dq", &dq) || !a.F32(12, "dk", &dk) || !a.F32(13, "dv", &dv) ||
      !a.Length(dout, "dout", {s.b, s.tq, s.d}) || !a.Length(q, "q", {s.b, s.tq, s.d}) ||
      !a.Length(k, "k", {s.b, s.tk, s.d}) || !a.Length(v, "v", {s.b, s.tk, s.d}) ||
      !a.Length(probs, "probs", {s.b, s.heads, s.tq, s.tk}) || !a.Length(dq, "dq", {s.b, s.tq, s.d}) ||
      !a.Length(dk, "dk", {s.b, s.tk, s.d}) || !a.Length(dv, "dv", {s.b, s.tk, s.d}))
    return nullptr;
  if (s.tq == 0 || s.tk == 0 || s.b == 0) {
    std::memset(dq.data, 0, dq.length * sizeof(float));
    std::memset(dk.data, 0, dk.length * sizeof(float));
    std::memset(dv.data, 0, dv.length * sizeof(float));
    return nullptr;
  }
  const int tq = static_cast<int>(s.tq), tk = static_cast<int>(s.tk), d = static_cast<int>(s.d),
            hd = static_cast<int>(s.hd);
  const float sc = static_cast<float>(scale);
  std::vector<float> ds(s.tq * s.tk);
  for (size_t bi = 0; bi < s.b; ++bi) {
    for (size_t h = 0; h < s.heads; ++h) {
      const size_t qo = bi * s.tq * s.d + h * s.hd, ko = bi * s.tk * s.d + h * s.hd;
      const float* p = probs.data + (bi * s.heads + h) * s.tq * s.tk;
      // dV = Pᵀ·dO; dP = dO·Vᵀ; dS = softmax'(dP); dQ = scale·dS·K; dK = scale·dSᵀ·Q.
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, tk, hd, tq, 1.0f, p, tk, dout.data + qo, d, 0.0f,
                  dv.data + ko, d);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, tq, tk, hd, 1.0f, dout.data + qo, d, v.data + ko, d, 0.0f,
                  ds.data(), tk);
      for (size_t i = 0; i < s.tq; ++i) SoftmaxGradRow(p + i * s.tk, ds.data() + i * s.tk, s.tk);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, tq, hd, tk, sc, ds.data(), tk, k.data + ko, d, 0.0f,
                  dq.data + qo, d);
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, tk, hd, tq, sc, ds.data(), tk, q.data + qo, d, 0.0f,
                  dk.data + ko, d);
    }
  }
  return nullptr;
}
