# Image fast path (issues 4 and 8): JPEG decode with DCT scaling, area resize, encode, over the system
# libjpeg-turbo (Debian: libjpeg62-turbo-dev). Built by native/build.mjs after the BLAS addon; optional.
{
  "targets": [
    {
      "target_name": "sigforge_image",
      "sources": ["src/addon.c", "src/pipeline.c", "src/codec.c", "src/resample.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-Wall", "-Wextra", "-std=c11", "-fno-math-errno", "-fno-trapping-math", "<!@(pkg-config --cflags libjpeg 2>/dev/null || true)"],
      "libraries": ["<!@(pkg-config --libs libjpeg 2>/dev/null || echo -ljpeg)"]
    }
  ]
}
