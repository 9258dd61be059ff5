// Layout kernels for 4-byte elements (float32 or int32 bits): Transpose of any rank (the wasm backend's own kernel
// takes ~6 ns per element on the [512, 64] shapes the matmul gradients transpose hundreds of times per train step) and
// Tile (broadcastTo; the wasm backend's own is ~100x slower, computing every element's source index).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "napi_util.h"
#include "parallel.h"

namespace {

constexpr size_t kMaxRank = 16;

// Output rows [lo, hi) of the collapsed problem: row r of the output is `inner` elements read `step` apart.
void TransposeRows(const uint32_t* x, uint32_t* y, const std::vector<int64_t>& outer_shape,
                   const std::vector<int64_t>& outer_stride, int64_t inner, int64_t step, size_t lo, size_t hi) {
  const size_t rank = outer_shape.size();
  std::vector<int64_t> idx(rank, 0);
  int64_t base = 0;
  size_t rest = lo;
  for (size_t d = rank; d-- > 0;) {
    idx[d] = static_cast<int64_t>(rest % static_cast<size_t>(outer_shape[d]));
    rest /= static_cast<size_t>(outer_shape[d]);
    base += idx[d] * outer_stride[d];
  }
  uint32_t* out = y + lo * static_cast<size_t>(inner);
  for (size_t r = lo; r < hi; ++r) {
    const uint32_t* src = x + base;
    if (step == 1) {
      std::memcpy(out, src, static_cast<size_t>(inner) * sizeof(uint32_t));
    } else {
      for (int64_t i = 0; i < inner; ++i) out[i] = src[i * step];
    }
    out += inner;
    for (size_t d = rank; d-- > 0;) {  // odometer over the outer output axes
      base += outer_stride[d];
      if (++idx[d] < outer_shape[d]) break;
      base -= outer_stride[d] * outer_shape[d];
      idx[d] = 0;
    }
  }
}

// Output rows [lo, hi) of a tile: row r repeats input row (r's outer index mod the input's) `reps_inner` times.
void TileRows(const uint32_t* x, uint32_t* y, const std::vector<int64_t>& in_shape, const std::vector<int64_t>& out_shape,
              int64_t in_inner, int64_t out_inner, size_t lo, size_t hi) {
  const size_t rank = out_shape.size();  // outer axes only
  std::vector<int64_t> idx(rank, 0), stride(rank, 1);
  for (size_t d = rank; d-- > 1;) stride[d - 1] = stride[d] * in_shape[d];
  size_t rest = lo;
  for (size_t d = rank; d-- > 0;) {
    idx[d] = static_cast<int64_t>(rest % static_cast<size_t>(out_shape[d]));
    rest /= static_cast<size_t>(out_shape[d]);
  }
  uint32_t* out = y + lo * static_cast<size_t>(out_inner);
  for (size_t r = lo; r < hi; ++r) {
    int64_t base = 0;
    for (size_t d = 0; d < rank; ++d) base += (idx[d] % in_shape[d]) * stride[d];
    const uint32_t* src = x + base * in_inner;
    if (in_inner == 1) {
      std::fill(out, out + out_inner, *src);
    } else {
      for (int64_t o = 0; o < out_inner; o += in_inner) std::memcpy(out + o, src, in_inner * sizeof(uint32_t));
    }
    out += out_inner;
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

// Whole output [batch, rows, cols] where output (r, c) reads x[base + r + c·step]: 16×16 blocks so the strided reads
// reuse the cache lines they touch (~4x the row-by-row loop on [512, 64]).
void TransposeBlocked(const uint32_t* x, uint32_t* y, const std::vector<int64_t>& batch_shape,
                      const std::vector<int64_t>& batch_stride, int64_t rows, int64_t cols, int64_t step) {
  constexpr int64_t kBlock = 16;
  const size_t rank = batch_shape.size();
  std::vector<int64_t> idx(rank, 0);
  size_t batches = 1;
  for (int64_t d : batch_shape) batches *= static_cast<size_t>(d);
  int64_t base = 0;
  for (size_t b = 0; b < batches; ++b) {
    uint32_t* out = y + b * static_cast<size_t>(rows * cols);
    for (int64_t r0 = 0; r0 < rows; r0 += kBlock) {
      const int64_t r1 = std::min(rows, r0 + kBlock);
      for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
        const int64_t c1 = std::min(cols, c0 + kBlock);
        for (int64_t r = r0; r < r1; ++r) {
          const uint32_t* src = x + base + r;
          for (int64_t c = c0; c < c1; ++c) out[r * cols + c] = src[c * step];
        }
      }
    }
    for (size_t d = rank; d-- > 0;) {
      base += batch_stride[d];
      if (++idx[d] < batch_shape[d]) break;
      base -= batch_stride[d] * batch_shape[d];
      idx[d] = 0;
    }
  }
}

bool ReadInts(napi_env env, napi_value v, const char* what, View<int32_t>* out) {
  return GetView(env, v, napi_int32_array, what, false, out);
}

}  // namespace

// transpose(x, shape, perm, y): y = x with axes permuted (y's axis j is x's axis perm[j]); x and y hold 4-byte elements
// (a Float32Array view; int32 data is moved bit for bit).
napi_value Transpose(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  View<float> x, y;
  View<int32_t> shape, perm;
  if (argc != 4) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", "transpose: expects (x, shape, perm, y)");
    return nullptr;
  }
  if (!GetView(env, argv[0], napi_float32_array, "transpose: x must be a Float32Array", false, &x) ||
      !ReadInts(env, argv[1], "transpose: shape must be an Int32Array", &shape) ||
      !ReadInts(env, argv[2], "transpose: perm must be an Int32Array", &perm) ||
      !GetView(env, argv[3], napi_float32_array, "transpose: y must be a Float32Array", false, &y)) {
    return nullptr;
  }
  const size_t rank = shape.length;
  if (perm.length != rank || rank > kMaxRank) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           ("transpose: perm has " + std::to_string(perm.length) + " axes for a rank-" +
                            std::to_string(rank) + " shape (at most " + std::to_string(kMaxRank) + ")")
                               .c_str());
    return nullptr;
  }
  std::vector<bool> seen(rank, false);
  size_t total = 1;
  for (size_t d = 0; d < rank; ++d) {
    const int32_t p = perm.data[d];
    if (p < 0 || static_cast<size_t>(p) >= rank || seen[static_cast<size_t>(p)] || shape.data[d] < 0) {
      napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE", "transpose: perm is not a permutation of the axes");
      return nullptr;
    }
    seen[static_cast<size_t>(p)] = true;
  }
  if (!sigforge::CheckedProduct(std::vector<int64_t>(shape.data, shape.data + rank), &total)) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE", "transpose: shape has more elements than memory can address");
    return nullptr;
  }
  if (x.length < total || y.length < total) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           ("transpose: shape holds " + std::to_string(total) + " elements but x has " +
                            std::to_string(x.length) + " and y " + std::to_string(y.length))
                               .c_str());
    return nullptr;
  }
  if (total == 0) return nullptr;
  // Input strides, then the output axes (size-1 axes dropped, runs that stay adjacent merged).
  std::vector<int64_t> stride(rank, 1);
  for (size_t d = rank; d-- > 1;) stride[d - 1] = stride[d] * shape.data[d];
  std::vector<int64_t> oshape, ostride;
  for (size_t j = 0; j < rank; ++j) {
    const size_t a = static_cast<size_t>(perm.data[j]);
    if (shape.data[a] == 1) continue;
    if (!oshape.empty() && ostride.back() == stride[a] * shape.data[a]) {
      oshape.back() *= shape.data[a];
      ostride.back() = stride[a];
    } else {
      oshape.push_back(shape.data[a]);
      ostride.push_back(stride[a]);
    }
  }
  if (oshape.empty()) {
    oshape.push_back(1);
    ostride.push_back(1);
  }
  const int64_t inner = oshape.back(), step = ostride.back();
  oshape.pop_back();
  ostride.pop_back();
  const size_t rows = total / static_cast<size_t>(inner);
  // A batch of 2-D transposes below the threading threshold: blocked, one thread.
  if (step != 1 && !oshape.empty() && ostride.back() == 1 && total < sigforge::kParallelMin) {
    const int64_t r = oshape.back();
    oshape.pop_back();
    ostride.pop_back();
    TransposeBlocked(reinterpret_cast<const uint32_t*>(x.data), reinterpret_cast<uint32_t*>(y.data), oshape, ostride,
                     r, inner, step);
    return nullptr;
  }
  const auto* src = reinterpret_cast<const uint32_t*>(x.data);
  auto* dst = reinterpret_cast<uint32_t*>(y.data);
  // ParallelFor splits elements; convert to whole output rows.
  sigforge::ParallelFor(total, [&](size_t lo, size_t hi) {
    const size_t r0 = lo / static_cast<size_t>(inner), r1 = hi == total ? rows : hi / static_cast<size_t>(inner);
    if (r1 > r0) TransposeRows(src, dst, oshape, ostride, inner, step, r0, r1);
  });
  return nullptr;
}

// tile(x, shape, reps, y): y[i] = x[i mod shape] per axis, y's shape being shape·reps (4-byte elements).
napi_value Tile(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  View<float> x, y;
  View<int32_t> shape, reps;
  if (argc != 4) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", "tile: expects (x, shape, reps, y)");
    return nullptr;
  }
  if (!GetView(env, argv[0], napi_float32_array, "tile: x must be a Float32Array", false, &x) ||
      !ReadInts(env, argv[1], "tile: shape must be an Int32Array", &shape) ||
      !ReadInts(env, argv[2], "tile: reps must be an Int32Array", &reps) ||
      !GetView(env, argv[3], napi_float32_array, "tile: y must be a Float32Array", false, &y)) {
    return nullptr;
  }
  const size_t rank = shape.length;
  if (reps.length != rank || rank == 0 || rank > kMaxRank) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           ("tile: reps has " + std::to_string(reps.length) + " entries for a rank-" +
                            std::to_string(rank) + " shape (1.." + std::to_string(kMaxRank) + " axes)")
                               .c_str());
    return nullptr;
  }
  size_t in_total = 1, out_total = 1;
  std::vector<int64_t> in_shape(rank), out_shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    if (shape.data[d] < 0 || reps.data[d] < 0) {
      napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE", "tile: shape and reps must be non-negative");
      return nullptr;
    }
    in_shape[d] = shape.data[d];
    out_shape[d] = static_cast<int64_t>(shape.data[d]) * reps.data[d];  // < 2^62: both factors are int32
  }
  if (!sigforge::CheckedProduct(in_shape, &in_total) || !sigforge::CheckedProduct(out_shape, &out_total)) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE", "tile: shape·reps has more elements than memory can address");
    return nullptr;
  }
  if (x.length < in_total || y.length < out_total) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           ("tile: needs " + std::to_string(in_total) + " input and " + std::to_string(out_total) +
                            " output elements, got " + std::to_string(x.length) + " and " + std::to_string(y.length))
                               .c_str());
    return nullptr;
  }
  if (out_total == 0) return nullptr;
  const int64_t in_inner = in_shape.back(), out_inner = out_shape.back();
  in_shape.pop_back();
  out_shape.pop_back();
  const size_t rows = out_total / static_cast<size_t>(out_inner);
  const auto* src = reinterpret_cast<const uint32_t*>(x.data);
  auto* dst = reinterpret_cast<uint32_t*>(y.data);
  sigforge::ParallelFor(out_total, [&](size_t lo, size_t hi) {
    const size_t r0 = lo / static_cast<size_t>(out_inner);
    const size_t r1 = hi == out_total ? rows : hi / static_cast<size_t>(out_inner);
    if (r1 > r0) TileRows(src, dst, in_shape, out_shape, in_inner, out_inner, r0, r1);
  });
  return nullptr;
}

// gather(x, outer, dim, inner, indices, y): y[o, i, :] = x[o, indices[i], :] for x viewed as [outer, dim, inner];
// returns -1, or the position of the first index outside [0, dim) (then y is untouched).
napi_value Gather(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  View<float> x, y;
  View<int32_t> idx;
  int64_t outer, dim, inner;
  if (argc != 6) {
    napi_throw_type_error(env, "ERR_SIGFORGE_NATIVE_ARG", "gather: expects (x, outer, dim, inner, indices, y)");
    return nullptr;
  }
  if (!GetView(env, argv[0], napi_float32_array, "gather: x must be a Float32Array", false, &x) ||
      !GetInt(env, argv[1], "gather: outer must be an integer", &outer) ||
      !GetInt(env, argv[2], "gather: dim must be an integer", &dim) ||
      !GetInt(env, argv[3], "gather: inner must be an integer", &inner) ||
      !ReadInts(env, argv[4], "gather: indices must be an Int32Array", &idx) ||
      !GetView(env, argv[5], napi_float32_array, "gather: y must be a Float32Array", false, &y)) {
    return nullptr;
  }
  const size_t n = idx.length;
  size_t x_needs = 0, y_needs = 0;
  const bool fits = outer >= 0 && dim >= 0 && inner >= 0 &&
                    sigforge::CheckedProduct(std::vector<int64_t>{outer, dim, inner}, &x_needs) &&
                    sigforge::CheckedProduct(std::vector<size_t>{static_cast<size_t>(outer), n, static_cast<size_t>(inner)}, &y_needs);
  if (!fits || x.length < x_needs || y.length < y_needs) {
    napi_throw_range_error(env, "ERR_SIGFORGE_NATIVE_RANGE",
                           ("gather: x of " + std::to_string(x.length) + " or y of " + std::to_string(y.length) +
                            " elements is too short for [" + std::to_string(outer) + ", " + std::to_string(dim) +
                            ", " + std::to_string(inner) + "] and " + std::to_string(n) + " indices")
                               .c_str());
    return nullptr;
  }
  napi_value result;
  for (size_t i = 0; i < n; ++i) {
    if (idx.data[i] < 0 || idx.data[i] >= dim) {
      NAPI_CALL(env, napi_create_int64(env, static_cast<int64_t>(i), &result));
      return result;
    }
  }
  const size_t row = static_cast<size_t>(inner) * sizeof(float);
  for (int64_t o = 0; o < outer; ++o) {
    const float* src = x.data + static_cast<size_t>(o * dim * inner);
    float* dst = y.data + static_cast<size_t>(o) * n * static_cast<size_t>(inner);
    for (size_t i = 0; i < n; ++i) std::memcpy(dst + i * static_cast<size_t>(inner), src + idx.data[i] * inner, row);
  }
  NAPI_CALL(env, napi_create_int64(env, -1, &result));
  return result;
}
