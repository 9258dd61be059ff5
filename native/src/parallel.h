// ParallelRows / ParallelFor: split [0, n) over the BLAS thread count for kernels large enough to gain from it.
#pragma once
#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

#include <cblas.h>

namespace sigforge {

// Below this many elements one thread is faster than starting others.
constexpr size_t kParallelMin = 1 << 16;

// ParallelFor over `n` items of `work` elements each (rows of a row-wise kernel), threaded by total work.
template <typename Fn>
inline void ParallelRows(size_t n, size_t work, Fn fn) {
  const size_t want = static_cast<size_t>(std::max(1, openblas_get_num_threads()));
  const size_t by_work = std::max<size_t>(1, n * std::max<size_t>(1, work) / (kParallelMin / 2));
  const size_t threads = std::min({want, by_work, std::max<size_t>(1, n)});
  if (threads <= 1) {
    fn(0, n);
    return;
  }
  std::vector<std::thread> pool;
  const size_t chunk = (n + threads - 1) / threads;
  for (size_t t = 1; t < threads; ++t) {
    const size_t lo = std::min(n, t * chunk), hi = std::min(n, lo + chunk);
    pool.emplace_back([=] { fn(lo, hi); });
  }
  fn(0, std::min(n, chunk));
  for (auto& th : pool) th.join();
}

// ParallelFor: [0, n) split by element count (rows of one element each).
template <typename Fn>
inline void ParallelFor(size_t n, Fn fn) {
  ParallelRows(n, 1, fn);
}

}  // namespace sigforge
