#!/usr/bin/env python3
"""Writes the fixtures of the HF parity-gap checks (issue 15, point 7) under test/fixtures/model/.

A tiny SiglipModel whose text and vision settings differ (widths, depths, heads, layer_norm_eps), run on full-length
and shorter token sequences; the same model with vision_use_head=False (tokens only); and the pixels HF's SigLIP 2
image processors (Pillow, the default "slow" ones) produce from a few committed PNGs, fixed-resolution and NaFlex.

    python -m venv ~/.cache/sigforge/venv-ref && ~/.cache/sigforge/venv-ref/bin/pip install -r scripts/reference/requirements-reference.txt
    ~/.cache/sigforge/venv-ref/bin/python scripts/reference/hf_parity_gaps.py [out_dir]
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file
from transformers import SiglipConfig, SiglipModel

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../test/fixtures/model")
TEXT = dict(vocab_size=64, hidden_size=24, intermediate_size=40, num_hidden_layers=1, num_attention_heads=2,
            max_position_embeddings=12, projection_size=32, layer_norm_eps=1e-2, hidden_act="gelu_pytorch_tanh")
VISION = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4, image_size=16,
              patch_size=8, layer_norm_eps=1e-5, hidden_act="gelu_pytorch_tanh")
# Source images (width, height): down- and up-sampling, both aspect ratios, odd sizes.
PNG_SIZES = [(37, 23), (9, 14), (64, 64), (5, 40)]
FIXED_SIZE = 24
NAFLEX_P, NAFLEX_L = 4, 30


def perturb(model: torch.nn.Module, gen: torch.Generator) -> None:
    """HF initializes biases to 0 and LayerNorms to 1/0; add noise so parity checks every tensor."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name not in ("logit_scale", "logit_bias"):
                p.add_(0.05 * torch.randn(p.shape, generator=gen))


def contiguous(d: dict) -> dict:
    return {k: v.detach().contiguous().float() if v.is_floating_point() else v.detach().contiguous() for k, v in d.items()}


def mixed(gen: torch.Generator) -> dict:
    cfg = SiglipConfig(text_config=TEXT, vision_config=VISION)
    model = SiglipModel(cfg).eval()
    perturb(model, gen)
    b, short = 3, 7
    pixels = torch.rand((b, 3, 16, 16), generator=gen) * 2 - 1
    ids = torch.randint(0, TEXT["vocab_size"], (b, TEXT["max_position_embeddings"]), generator=gen)
    ids_short = ids[:, :short].contiguous()
    with torch.no_grad():
        out = model(pixel_values=pixels, input_ids=ids)
        short_embeds = model.get_text_features(input_ids=ids_short)
        if not torch.is_tensor(short_embeds):
            short_embeds = short_embeds.pooler_output
    save_file(contiguous(model.state_dict()), os.path.join(OUT, "hf-gaps.safetensors"))
    save_file(contiguous({
        "images": pixels.permute(0, 2, 3, 1),
        "input_ids": ids.int(),
        "input_ids_short": ids_short.int(),
        "image_embeds": out.image_embeds,
        "text_embeds": out.text_embeds,
        "text_embeds_short": short_embeds / short_embeds.norm(dim=-1, keepdim=True),
        "logits_per_image": out.logits_per_image,
    }), os.path.join(OUT, "hf-gaps-io.safetensors"))
    return {"config": cfg.to_diff_dict()}


def no_head(gen: torch.Generator) -> dict:
    cfg = SiglipConfig(text_config=TEXT, vision_config=dict(VISION, vision_use_head=False))
    model = SiglipModel(cfg).eval()
    perturb(model, gen)
    assert not any(k.startswith("vision_model.head.") for k in model.state_dict())
    pixels = torch.rand((2, 3, 16, 16), generator=gen) * 2 - 1
    with torch.no_grad():
        hidden = model.vision_model(pixel_values=pixels).last_hidden_state
    save_file(contiguous(model.state_dict()), os.path.join(OUT, "hf-nohead.safetensors"))
    save_file(contiguous({"images": pixels.permute(0, 2, 3, 1), "last_hidden_state": hidden}),
              os.path.join(OUT, "hf-nohead-io.safetensors"))
    return {"config": cfg.to_diff_dict()}


def preprocess(rng: np.random.Generator) -> dict:
    from transformers import Siglip2ImageProcessor, SiglipImageProcessor
    png_dir = os.path.join(OUT, "preprocess")
    os.makedirs(png_dir, exist_ok=True)
    fixed_proc = SiglipImageProcessor(size={"height": FIXED_SIZE, "width": FIXED_SIZE}, resample=Image.BILINEAR)
    naflex_proc = Siglip2ImageProcessor(patch_size=NAFLEX_P, max_num_patches=NAFLEX_L)
    tensors, names = {}, []
    for i, (w, h) in enumerate(PNG_SIZES):
        name = f"noise-{w}x{h}.png"
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB").save(os.path.join(png_dir, name))
        img = Image.open(os.path.join(png_dir, name)).convert("RGB")
        fixed = fixed_proc(images=img, return_tensors="pt")["pixel_values"][0].permute(1, 2, 0)  # HWC
        nf = naflex_proc(images=img, return_tensors="pt")
        tensors[f"fixed_{i}"] = fixed
        tensors[f"naflex_{i}"] = nf["pixel_values"][0]
        tensors[f"naflex_mask_{i}"] = nf["pixel_attention_mask"][0].int()
        tensors[f"naflex_shape_{i}"] = nf["spatial_shapes"][0].int()
        names.append(name)
    save_file(contiguous(tensors), os.path.join(OUT, "hf-preprocess.safetensors"))
    return {"images": names, "fixed_size": FIXED_SIZE, "naflex_patch": NAFLEX_P, "naflex_len": NAFLEX_L,
            "fixed_processor": type(fixed_proc).__name__, "naflex_processor": type(naflex_proc).__name__}


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(4321)
    import transformers
    import PIL
    meta = {"generator": "scripts/reference/hf_parity_gaps.py", "torch": torch.__version__,
            "transformers": transformers.__version__, "pillow": PIL.__version__,
            "mixed": mixed(gen), "nohead": no_head(gen), "preprocess": preprocess(np.random.default_rng(7))}
    with open(os.path.join(OUT, "hf-gaps.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True, default=str)
        f.write("\n")


if __name__ == "__main__":
    main()
