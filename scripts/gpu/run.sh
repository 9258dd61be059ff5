#!/usr/bin/env bash
# One command for the GPU benchmark: builds the tree (scripts/gpu/build-tree.sh, size printed) and runs it; on a machine
# without an NVIDIA GPU pass --dry-run (Mesa GLES, small batches). Copy dist/gpu-tree to a GPU machine and run its run.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$root/scripts/gpu/build-tree.sh" "$root/dist/gpu-tree" >&2
exec bash "$root/dist/gpu-tree/run.sh" "$@"
