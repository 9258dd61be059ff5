// Scalar tanh and exp approximations shared by the elementwise and fused kernels; branch-free, so loops over them
// vectorize.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sigforge {

// Rational approximation of tanh (Eigen's generic_fast_tanh_float): ≤ 3e-7 absolute error.
inline float FastTanh(float v) {
  const float a1 = 4.89352455891786e-03f, a3 = 6.37261928875436e-04f, a5 = 1.48572235717979e-05f,
              a7 = 5.12229709037114e-08f, a9 = -8.60467152213735e-11f, a11 = 2.00018790482477e-13f,
              a13 = -2.76076847742355e-16f;
  const float b0 = 4.89352518554385e-03f, b2 = 2.26843463243900e-03f, b4 = 1.18534705686654e-04f,
              b6 = 1.19825839466702e-06f;
  const float clamp = 7.90531110763549805f;
  const float c = v > clamp ? clamp : (v < -clamp ? -clamp : v);
  const float x2 = c * c;
  float p = x2 * a13 + a11;
  p = x2 * p + a9;
  p = x2 * p + a7;
  p = x2 * p + a5;
  p = x2 * p + a3;
  p = x2 * p + a1;
  p = c * p;
  float q = x2 * b6 + b4;
  q = x2 * q + b2;
  q = x2 * q + b0;
  const float r = p / q;
  // Tiny inputs: tanh(x) = x to float precision; NaN stays NaN (the clamp above would lose it).
  return std::fabs(v) < 4e-4f ? v : (v != v ? v : r);
}

// exp(x) by Cody-Waite range reduction and Cephes' expf polynomial (≤ 2 ulp; the scale 2^n is applied in two halves
// so results down to the denormals match std::exp).
inline float FastExp(float v) {
  const float c = v > 88.7228394f ? 88.7228394f : (v < -103.972084f ? -103.972084f : v);
  const float n = std::floor(c * 1.44269504088896341f + 0.5f);
  float r = c - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  const int32_t ni = static_cast<int32_t>(n);
  const int32_t n1 = ni / 2, n2 = ni - n1;
  const int32_t b1 = (n1 + 127) << 23, b2 = (n2 + 127) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, sizeof s1);
  std::memcpy(&s2, &b2, sizeof s2);
  const float out = e * s1 * s2;
  // Beyond the clamp: overflow to +Inf, underflow to 0; NaN stays NaN.
  return v != v ? v : (v > 88.7228394f ? INFINITY : (v < -103.972084f ? 0.0f : out));
}

// Max and sum over n floats with eight independent lanes, so that the loops vectorize (one accumulator fixes the
// order, which the compiler must keep for floats).
inline float LaneMax(const float* x, size_t n) {
  float acc[8];
  for (size_t l = 0; l < 8; ++l) acc[l] = x[0];
  size_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (size_t l = 0; l < 8; ++l) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
  float m = acc[0];
  for (size_t l = 1; l < 8; ++l) m = acc[l] > m ? acc[l] : m;
  for (; j < n; ++j) m = x[j] > m ? x[j] : m;
  return m;
}

inline float LaneSum(const float* x, size_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (size_t l = 0; l < 8; ++l) acc[l] += x[j + l];
  float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; j < n; ++j) s += x[j];
  return s;
}

}  // namespace sigforge
