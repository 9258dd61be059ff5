// Float32 Add/Sub/Mul/Div with the broadcasts a train step uses: same shape, a scalar side, a side repeating along the
// trailing axes ([N, C] + [C]) or along the leading ones ([N, 1] · [N, C]). Plain IEEE single-precision arithmetic, so
// results equal the wasm backend's bit for bit; its broadcasting paths are 3-10x slower on these shapes.
#include <cstdint>
#include <string>

#include "napi_util.h"
#include "parallel.h"

namespace {

enum Op : int32_t { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };
// How b (or a) is laid out against the output: same size, one value, repeated every `n` (row), or each value held for
// `n` consecutive outputs (column).
enum Layout : int32_t { kFull = 0, kScalar = 1, kRow = 2, kCol = 3 };

template <int32_t op>
inline float Apply(float x, float y) {
  if constexpr (op == kAdd) return x + y;
  if constexpr (op == kSub) return x - y;
  if constexpr (op == kMul) return x * y;
  return x / y;
}

template <int32_t op>
__attribute__((target_clones("avx512f", "avx2", "default"))) void Range(const float* a, int32_t la, int64_t na,
                                                                       const float* b, int32_t lb, int64_t nb,
                                                                       float* y, size_t lo, size_t hi) {
  // The common pairs get their own loops so they vectorize; index arithmetic covers the rest.
  if (la == kFull && lb == kFull) {
    for (size_t i = lo; i < hi; ++i) y[i] = Apply<op>(a[i], b[i]);
  } else if (la == kFull && lb == kScalar) {
    const float s = b[0];
    for (size_t i = lo; i < hi; ++i) y[i] = Apply<op>(a[i], s);
  } else if (la == kScalar && lb == kFull) {
    const float s = a[0];
    for (size_t i = lo; i < hi; ++i) y[i] = Apply<op>(s, b[i]);
  } else {
    auto at = [](const float* v, int32_t l, int64_t n, size_t i) -> float {
      switch (l) {
        case kFull: return v[i];
        case kScalar: return v[0];
        case kRow: return v[i % static_cast<size_t>(n)];
        default: return v[i / static_cast<size_t>(n)];
      }
    };
    if (la == kFull && lb == kRow) {
      const size_t n = static_cast<size_t>(nb);
      size_t i = lo;
      while (i < hi) {
        const size_t j0 = i % n, end = std::min(hi, i + (n - j0));
        for (size_t k = i; k < end; ++k) y[k] = Apply<op>(a[k], b[j0 + (k - i)]);
        i = end;
      }
    } else if (la == kFull && lb == kCol) {
      const size_t n = static_cast<size_t>(nb);
      size_t i = lo;
      while (i < hi) {
        const float s = b[i / n];
        const size_t end = std::min(hi, (i / n + 1) * n);
        for (size_t k = i; k < end; ++k) y[k] = Apply<op>(a[k], s);
        i = end;
      }
    } else {
      for (size_t i = lo; i < hi; ++i) y[i] = Apply<op>(at(a, la, na, i), at(b, lb, nb, i));
    }
  }
}

}  // namespace

// binary(op, a, aLayout, aN, b, bLayout, bN, y): y[i] = a[·] op b[·] for i < y.length, each side read by its layout.
napi_value Binary(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 8) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", "binary: expects (op, a, aLayout, aN, b, bLayout, bN, y)");
    return nullptr;
  }
  int64_t op, la, na, lb, nb;
  View<float> a, b, y;
  if (!GetInt(env, argv[0], "binary: op must be an integer", &op) ||
      !GetView(env, argv[1], napi_float32_array, "binary: a must be a Float32Array", false, &a) ||
      !GetInt(env, argv[2], "binary: aLayout must be an integer", &la) ||
      !GetInt(env, argv[3], "binary: aN must be an integer", &na) ||
      !GetView(env, argv[4], napi_float32_array, "binary: b must be a Float32Array", false, &b) ||
      !GetInt(env, argv[5], "binary: bLayout must be an integer", &lb) ||
      !GetInt(env, argv[6], "binary: bN must be an integer", &nb) ||
      !GetView(env, argv[7], napi_float32_array, "binary: y must be a Float32Array", false, &y)) {
    return nullptr;
  }
  const size_t n = y.length;
  // Each side must hold every element its layout reads for an output of n elements.
  auto needs = [n](int64_t l, int64_t k) -> int64_t {
    if (l == kFull) return static_cast<int64_t>(n);
    if (l == kScalar) return 1;
    if (k < 1) return -1;
    if (l == kRow) return n % static_cast<size_t>(k) == 0 ? k : -1;
    if (l == kCol) return n % static_cast<size_t>(k) == 0 ? static_cast<int64_t>(n) / k : -1;
    return -1;
  };
  const int64_t wa = needs(la, na), wb = needs(lb, nb);
  if (op < kAdd || op > kDiv || wa < 0 || wb < 0 || static_cast<int64_t>(a.length) < wa ||
      static_cast<int64_t>(b.length) < wb) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           ("binary: op " + std::to_string(op) + " with layouts " + std::to_string(la) + "/" +
                            std::to_string(lb) + " does not fit a " + std::to_string(a.length) + "- and " +
                            std::to_string(b.length) + "-element input for " + std::to_string(n) + " outputs")
                               .c_str());
    return nullptr;
  }
  if (n == 0) return nullptr;
  const int32_t ia = static_cast<int32_t>(la), ib = static_cast<int32_t>(lb);
  sigforge::ParallelFor(n, [&](size_t lo, size_t hi) {
    switch (op) {
      case kAdd: Range<kAdd>(a.data, ia, na, b.data, ib, nb, y.data, lo, hi); break;
      case kSub: Range<kSub>(a.data, ia, na, b.data, ib, nb, y.data, lo, hi); break;
      case kMul: Range<kMul>(a.data, ia, na, b.data, ib, nb, y.data, lo, hi); break;
      default: Range<kDiv>(a.data, ia, na, b.data, ib, nb, y.data, lo, hi); break;
    }
  });
  return nullptr;
}
