// Batched single-precision GEMM over tfjs tensor buffers, in place, through the system CBLAS (OpenBLAS).
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "napi_util.h"

namespace {

bool RangeError(napi_env env, const std::string& message) {
  napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE", message.c_str());
  return false;
}

// Every matrix a batch entry touches must lie inside its buffer, or we would read or write out of bounds.
bool CheckIndices(napi_env env, const char* name, const View<int32_t>& idx, int64_t batch, size_t matrix_size,
                  size_t buffer_length) {
  for (int64_t i = 0; i < batch; ++i) {
    const int64_t m = idx.present ? idx.data[i] : i;
    size_t end = 0;
    if (m < 0 || !sigforge::CheckedMul(static_cast<size_t>(m) + 1, matrix_size, &end) || end > buffer_length) {
      return RangeError(env, std::string(name) + " batch entry " + std::to_string(i) + " selects matrix " +
                                 std::to_string(m) + " of " + std::to_string(matrix_size) +
                                 " elements beyond a buffer of " + std::to_string(buffer_length));
    }
  }
  return true;
}

}  // namespace

// sgemm(a, b, c, batch, m, n, k, transA, transB, aIndex|null, bIndex|null)
// c[i] = op(a[aIndex[i]]) · op(b[bIndex[i]]) for i < batch; matrices are dense row-major.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 11) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", "sgemm expects 11 arguments");
    return nullptr;
  }
  View<float> a, b, c;
  View<int32_t> a_idx, b_idx;
  int64_t batch, m, n, k;
  bool trans_a, trans_b;
  if (!GetView(env, argv[0], napi_float32_array, "sgemm: a must be a Float32Array", false, &a)) return nullptr;
  if (!GetView(env, argv[1], napi_float32_array, "sgemm: b must be a Float32Array", false, &b)) return nullptr;
  if (!GetView(env, argv[2], napi_float32_array, "sgemm: c must be a Float32Array", false, &c)) return nullptr;
  if (!GetInt(env, argv[3], "sgemm: batch must be an integer", &batch)) return nullptr;
  if (!GetInt(env, argv[4], "sgemm: m must be an integer", &m)) return nullptr;
  if (!GetInt(env, argv[5], "sgemm: n must be an integer", &n)) return nullptr;
  if (!GetInt(env, argv[6], "sgemm: k must be an integer", &k)) return nullptr;
  NAPI_CALL(env, napi_get_value_bool(env, argv[7], &trans_a));
  NAPI_CALL(env, napi_get_value_bool(env, argv[8], &trans_b));
  if (!GetView(env, argv[9], napi_int32_array, "sgemm: aIndex must be an Int32Array or null", true, &a_idx))
    return nullptr;
  if (!GetView(env, argv[10], napi_int32_array, "sgemm: bIndex must be an Int32Array or null", true, &b_idx))
    return nullptr;

  if (batch < 0 || m < 0 || n < 0 || k < 0) {
    RangeError(env, "sgemm: dimensions must be non-negative, got batch=" + std::to_string(batch) +
                        " m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k));
    return nullptr;
  }
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    RangeError(env, "sgemm: a dimension exceeds the 32-bit range of CBLAS");
    return nullptr;
  }
  if ((a_idx.present && static_cast<int64_t>(a_idx.length) < batch) ||
      (b_idx.present && static_cast<int64_t>(b_idx.length) < batch)) {
    RangeError(env, "sgemm: aIndex/bIndex are shorter than batch " + std::to_string(batch));
    return nullptr;
  }
  // Products checked before use: a wrapped-around size would let a short buffer pass and the BLAS run off its end.
  const size_t dims[3] = {static_cast<size_t>(batch), static_cast<size_t>(m), static_cast<size_t>(n)};
  size_t c_needs = 0;
  if (!sigforge::CheckedProduct(dims, &c_needs) || c_needs > c.length) {
    RangeError(env, "sgemm: c has " + std::to_string(c.length) + " elements, too few for batch=" +
                        std::to_string(batch) + " m=" + std::to_string(m) + " n=" + std::to_string(n));
    return nullptr;
  }
  // m, k, n < 2^31 here, so m·k and k·n fit in 62 bits.
  if (!CheckIndices(env, "sgemm: a", a_idx, batch, static_cast<size_t>(m * k), a.length)) return nullptr;
  if (!CheckIndices(env, "sgemm: b", b_idx, batch, static_cast<size_t>(k * n), b.length)) return nullptr;
  if (batch == 0 || m == 0 || n == 0) return nullptr;
  if (k == 0) {
    std::memset(c.data, 0, static_cast<size_t>(batch * m * n) * sizeof(float));
    return nullptr;
  }

  const int lda = static_cast<int>(std::max<int64_t>(1, trans_a ? m : k));
  const int ldb = static_cast<int>(std::max<int64_t>(1, trans_b ? k : n));
  const int ldc = static_cast<int>(n);
  for (int64_t i = 0; i < batch; ++i) {
    const int64_t ai = a_idx.present ? a_idx.data[i] : i;
    const int64_t bi = b_idx.present ? b_idx.data[i] : i;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a.data + ai * m * k, lda,
                b.data + bi * k * n, ldb, 0.0f, c.data + i * m * n, ldc);
  }
  return nullptr;
}
