#!/usr/bin/env python3
"""The prepared GPU benchmark (run by scripts/gpu/run.sh inside the tree scripts/gpu/build-tree.sh makes): the
stage-1 training step of `tiny` and of B/16 at 224 px on webgpu (Dawn over Vulkan, tfjs) and in PyTorch CUDA (fp32 and
bf16 autocast) at the same shapes; prints one JSON object. B/16 takes the largest batch of --b16-batches that runs.

    python3 orchestrate.py <tree> [--dry-run] [--budget-s 450] [--b16-batches 128,64,32,16] [--tiny-batch 32] [--try-s 240]
"""
import json
import os
import subprocess
import sys
import time

TINY = {"preset": "tiny"}
B16 = {"preset": "B/16", "image": 224, "vocab": 32000}


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def run_json(cmd, env, timeout):
    """Runs a child that prints one JSON line last; returns (json or None, why)."""
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s"
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if r.returncode == 0 and lines:
        return json.loads(lines[-1]), None
    tail = (r.stderr or r.stdout).strip().splitlines()
    return None, f"exit {r.returncode}: {tail[-1] if tail else ''}"[:300]


def model_json(tree, env, spec):
    """The model config as sigforge builds it (the torch peer uses exactly these shapes)."""
    code = "import('./model-config.mjs').then(m=>console.log(JSON.stringify(m.default(process.argv.slice(1)))))"
    args = [spec["preset"]] + ([str(spec["image"]), str(spec["vocab"])] if "image" in spec else [])
    out = subprocess.run([os.path.join(tree, "bin", "node"), "-e", code, "--", *args], cwd=tree, env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def main():
    tree = os.path.abspath(sys.argv[1])
    dry = "--dry-run" in sys.argv
    budget = float(arg("--budget-s", 450))
    b16_batches = [int(b) for b in arg("--b16-batches", "2" if dry else "128,64,32,16").split(",")]
    tiny_batch = int(arg("--tiny-batch", 32))
    steps = int(arg("--steps", 2 if dry else 5))
    try_s = float(arg("--try-s", 240))  # at most this long for one webgpu run (one config and batch)
    started = time.monotonic()
    left = lambda: budget - (time.monotonic() - started)
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.path.join(tree, "lib") + ":" + env.get("LD_LIBRARY_PATH", "")
    icd = "/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json"
    if os.path.exists(icd) and "VK_ICD_FILENAMES" not in env:
        env["VK_ICD_FILENAMES"] = icd
    env.setdefault("SIGFORGE_WEBGPU_ROUTE", "gles" if dry else "vulkan")
    env.setdefault("MESA_SHADER_CACHE_DIR", os.path.join(tree, ".mesa-cache"))
    node = [os.path.join(tree, "bin", "node"), os.path.join(tree, "step.mjs")]
    extra = ["--allow-software"] if dry else []
    torch_py = [sys.executable, os.path.join(tree, "torch_step.py")]
    out = {"dry_run": dry, "route": env["SIGFORGE_WEBGPU_ROUTE"], "steps": steps, "failures": []}

    def webgpu(spec, batch, timeout):
        cmd = node + ["--preset", spec["preset"], "--batch", str(batch), "--steps", str(steps)] + extra
        if "image" in spec:
            cmd += ["--image", str(spec["image"]), "--vocab", str(spec["vocab"])]
        r, why = run_json(cmd, env, timeout)
        if not r:
            out["failures"].append({"webgpu": spec["preset"], "batch": batch, "why": why})
        return r

    def torch(cfg, batch, dtype, timeout):
        r, why = run_json(torch_py + [cfg, str(batch), str(steps), dtype], env, timeout)
        if not r:
            out["failures"].append({"torch": dtype, "batch": batch, "why": why})
        return r

    for name, spec, batches in (("tiny", TINY, [tiny_batch]), ("b16_224", B16, b16_batches)):
        row = {"webgpu": None}
        for b in batches:
            if left() < 30:
                out["failures"].append({"webgpu": spec["preset"], "batch": b, "why": "benchmark budget spent"})
                break
            row["webgpu"] = webgpu(spec, b, min(left() * (0.45 if name == "tiny" else 0.6), try_s))
            if row["webgpu"]:
                row["batch"] = b
                break
        if row["webgpu"]:
            cfg = model_json(tree, env, spec)
            for dtype in ("fp32", "bf16"):
                row[f"torch_{dtype}"] = torch(cfg, row["batch"], dtype, max(10, min(left() / 2, 120))) if left() > 15 else None
            w = row["webgpu"]["step_s"]
            for dtype in ("fp32", "bf16"):
                t = row[f"torch_{dtype}"]
                row[f"ratio_vs_torch_{dtype}"] = w / t["step_s"] if t else None
            # The loader must hand the trainer this many images per second or the GPU waits.
            row["loader_images_per_s_needed"] = row["webgpu"]["images_per_s"]
            row["kernels_per_step"] = row["webgpu"]["kernels_per_step"]
            row["dispatches_per_step"] = row["webgpu"]["dispatches_per_step"]
        out[name] = row
    out["wall_s"] = time.monotonic() - started
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
