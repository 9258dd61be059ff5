#!/usr/bin/env bash
# Entry point of the GPU benchmark tree (copied there as run.sh by scripts/gpu/build-tree.sh): unpacks Node and
# dawn.node (Python's lzma: no xz needed), then runs the benchmark; prints JSON. Options go to orchestrate.py
# (--dry-run: Mesa GLES, tiny config and B/16 at batch 2; --budget-s, --b16-batches, --tiny-batch, --steps).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
unxz() { [[ -f "$2" ]] || python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2] + ".part", "wb"))' "$1" "$2"; [[ -f "$2" ]] || mv "$2.part" "$2"; }
unxz "$here/bin/node.xz" "$here/bin/node" && chmod +x "$here/bin/node"
unxz "$here/node_modules/webgpu/dist/linux-x64/dawn.node.xz" "$here/node_modules/webgpu/dist/linux-x64/dawn.node"
exec python3 "$here/orchestrate.py" "$here" "$@"
