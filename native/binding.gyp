# Native BLAS kernels for TensorFlow.js (issue 7). Built by native/build.mjs; optional.
# -fno-trapping-math lets GCC vectorize the branch-free elementwise loops (results unchanged).
# OpenBLAS comes from the system (Debian: libopenblas-dev); pkg-config finds its headers when present.
{
  "targets": [
    {
      "target_name": "sigforge_native",
      "sources": ["src/addon.cc", "src/gemm.cc", "src/epilogue.cc", "src/elementwise.cc", "src/segment_sum.cc", "src/reduce.cc", "src/adamw.cc", "src/layout.cc", "src/binary.cc", "src/layer_norm.cc", "src/gelu.cc", "src/linear.cc", "src/attention.cc", "src/cross_entropy.cc"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags": ["-O3", "-Wall", "-Wextra", "<!@(pkg-config --cflags openblas 2>/dev/null || true)"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-pthread", "-fno-trapping-math", "-fno-math-errno"],
      "ldflags": ["-pthread"],
      "libraries": ["<!@(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)"]
    }
  ]
}
