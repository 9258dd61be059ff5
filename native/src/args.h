// Positional argument unpacking for the fused kernels: every failure throws a JS error naming the function and the
// argument, and returns false.
#pragma once
#include <initializer_list>
#include <string>

#include "napi_util.h"

namespace sigforge {

class Args {
 public:
  // Reads exactly `want` arguments (at most 24) of function `fn`.
  bool Init(napi_env env, napi_callback_info info, size_t want, const char* fn) {
    env_ = env;
    fn_ = fn;
    size_t argc = want;
    if (want > kMax || napi_get_cb_info(env, info, &argc, argv_, nullptr, nullptr) != napi_ok) return false;
    if (argc != want) return TypeError("expects " + std::to_string(want) + " arguments, got " + std::to_string(argc));
    return true;
  }

  bool F32(size_t i, const char* name, View<float>* out, bool optional = false) {
    const std::string msg = Prefix() + name + " must be a Float32Array" + (optional ? " or null" : "");
    return GetView(env_, argv_[i], napi_float32_array, msg.c_str(), optional, out);
  }

  bool I32(size_t i, const char* name, View<int32_t>* out, bool optional = false) {
    const std::string msg = Prefix() + name + " must be an Int32Array" + (optional ? " or null" : "");
    return GetView(env_, argv_[i], napi_int32_array, msg.c_str(), optional, out);
  }

  // A non-negative integer.
  bool Size(size_t i, const char* name, size_t* out) {
    int64_t v;
    if (!GetInt(env_, argv_[i], (Prefix() + name + " must be an integer").c_str(), &v)) return false;
    if (v < 0) return RangeError(std::string(name) + " must be non-negative, got " + std::to_string(v));
    *out = static_cast<size_t>(v);
    return true;
  }

  bool Num(size_t i, const char* name, double* out) {
    return GetDouble(env_, argv_[i], (Prefix() + name + " must be a number").c_str(), out);
  }

  // Checks that view `name` has exactly `want` elements.
  template <typename T>
  bool Length(const View<T>& v, const char* name, size_t want) {
    if (v.length == want) return true;
    return RangeError(std::string(name) + " has " + std::to_string(v.length) + " elements, expected " +
                      std::to_string(want));
  }

  // Checks that view `name` has exactly dims[0]·dims[1]·… elements; a product beyond size_t is a RangeError, never
  // a wrapped-around length that a short buffer could match.
  template <typename T>
  bool Length(const View<T>& v, const char* name, std::initializer_list<size_t> dims) {
    size_t want = 1;
    if (!sigforge::CheckedProduct(dims, &want)) {
      std::string shape;
      for (size_t d : dims) shape += (shape.empty() ? "" : "x") + std::to_string(d);
      return RangeError(std::string(name) + " shape " + shape + " has more elements than memory can address");
    }
    return Length(v, name, want);
  }

  bool RangeError(const std::string& message) {
    napi_throw_range_error(env_, "ERR_SIGFORGE_NATIVE_RANGE", (Prefix() + message).c_str());
    return false;
  }

  bool TypeError(const std::string& message) {
    napi_throw_type_error(env_, "ERR_SIGFORGE_NATIVE_ARG", (Prefix() + message).c_str());
    return false;
  }

 private:
  static constexpr size_t kMax = 24;
  std::string Prefix() const { return std::string(fn_) + ": "; }
  napi_env env_ = nullptr;
  const char* fn_ = "";
  napi_value argv_[kMax];
};

}  // namespace sigforge
