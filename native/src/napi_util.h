// Small helpers over the N-API C interface: argument unpacking with clear errors.
#pragma once
#include <node_api.h>
#include <cstddef>
#include <cstdint>

#define NAPI_CALL(env, call)                                        \
  do {                                                              \
    if ((call) != napi_ok) {                                        \
      napi_throw_error((env), "ERR_SIGFORGE_NATIVE", #call " failed"); \
      return nullptr;                                               \
    }                                                               \
  } while (0)

// A typed-array argument: data pointer and element count (no copy: it points into the JS buffer).
template <typename T>
struct View {
  T* data = nullptr;
  size_t length = 0;
  bool present = false;
};

// Reads argument `index` as a typed array of `want` type; null/undefined give present=false when optional.
// Throws a TypeError naming the argument and returns false on a wrong type.
template <typename T>
bool GetView(napi_env env, napi_value value, napi_typedarray_type want, const char* name, bool optional,
             View<T>* out) {
  napi_valuetype vt;
  if (napi_typeof(env, value, &vt) != napi_ok) return false;
  if (optional && (vt == napi_null || vt == napi_undefined)) return true;
  bool is_ta = false;
  napi_is_typedarray(env, value, &is_ta);
  if (!is_ta) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", name);
    return false;
  }
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset) != napi_ok) return false;
  if (type != want) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", name);
    return false;
  }
  out->data = static_cast<T*>(data);
  out->length = length;
  out->present = true;
  return true;
}

inline bool GetInt(napi_env env, napi_value value, const char* name, int64_t* out) {
  if (napi_get_value_int64(env, value, out) != napi_ok) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", name);
    return false;
  }
  return true;
}

inline bool GetDouble(napi_env env, napi_value value, const char* name, double* out) {
  if (napi_get_value_double(env, value, out) != napi_ok) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", name);
    return false;
  }
  return true;
}

namespace sigforge {

// *out = a·b; false (and *out unchanged) when the product does not fit in size_t.
inline bool CheckedMul(size_t a, size_t b, size_t* out) {
  size_t r;
  if (__builtin_mul_overflow(a, b, &r)) return false;
  *out = r;
  return true;
}

// *out = the product of `dims`; false when it does not fit in size_t (a zero factor makes it 0, never an overflow).
template <typename Dims>
inline bool CheckedProduct(const Dims& dims, size_t* out) {
  size_t p = 1;
  bool zero = false, overflow = false;
  for (auto d : dims) {
    if (d == 0) zero = true;
    if (!overflow && !CheckedMul(p, static_cast<size_t>(d), &p)) overflow = true;
  }
  if (zero) p = 0;
  else if (overflow) return false;
  *out = p;
  return true;
}

}  // namespace sigforge

napi_value Sgemm(napi_env env, napi_callback_info info);
napi_value Epilogue(napi_env env, napi_callback_info info);
napi_value Tanh(napi_env env, napi_callback_info info);
napi_value PowScalar(napi_env env, napi_callback_info info);
napi_value Exp(napi_env env, napi_callback_info info);
napi_value Transpose(napi_env env, napi_callback_info info);
napi_value Tile(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Gather(napi_env env, napi_callback_info info);
napi_value SegmentSum(napi_env env, napi_callback_info info);
napi_value SumAxes(napi_env env, napi_callback_info info);
napi_value AdamW(napi_env env, napi_callback_info info);
napi_value SumSquares(napi_env env, napi_callback_info info);
napi_value LayerNorm(napi_env env, napi_callback_info info);
napi_value LayerNormGrad(napi_env env, napi_callback_info info);
napi_value GeluTanh(napi_env env, napi_callback_info info);
napi_value GeluTanhGrad(napi_env env, napi_callback_info info);
napi_value Linear(napi_env env, napi_callback_info info);
napi_value LinearGrad(napi_env env, napi_callback_info info);
napi_value Attention(napi_env env, napi_callback_info info);
napi_value AttentionGrad(napi_env env, napi_callback_info info);
napi_value CrossEntropy(napi_env env, napi_callback_info info);
napi_value CrossEntropyGrad(napi_env env, napi_callback_info info);
