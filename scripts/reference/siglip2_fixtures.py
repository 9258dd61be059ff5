#!/usr/bin/env python3
"""Writes the reference-parity fixtures for sigforge's TensorFlow.js SigLIP 2 model.

Builds a tiny random-initialized HF `SiglipModel` (fixed resolution, the SigLIP 2 layout) and a tiny `Siglip2Model`
(NaFlex), saves their weights (HF names and layouts), inputs and outputs as safetensors under
test/fixtures/model/, plus a JSON file with the configs and the expected sigmoid loss.

    pip install -r scripts/reference/requirements-reference.txt
    python scripts/reference/siglip2_fixtures.py [out_dir]
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import Siglip2Config, Siglip2Model, SiglipConfig, SiglipModel

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../test/fixtures/model")
TEXT = dict(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
            max_position_embeddings=16, projection_size=32, layer_norm_eps=1e-6, hidden_act="gelu_pytorch_tanh")


def perturb(model: torch.nn.Module, gen: torch.Generator) -> None:
    """HF initializes biases to 0 and LayerNorms to 1/0; add noise so parity checks every tensor."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in ("logit_scale", "logit_bias"):
                continue
            p.add_(0.05 * torch.randn(p.shape, generator=gen))
        model.logit_scale.fill_(torch.log(torch.tensor(10.0)).item())
        model.logit_bias.fill_(-10.0)


def sigmoid_loss(logits_per_text: torch.Tensor) -> float:
    z = 2 * torch.eye(logits_per_text.shape[0], dtype=torch.float64) - 1
    return float(-torch.nn.functional.logsigmoid(z * logits_per_text.double()).sum() / logits_per_text.shape[0])


def contiguous(d: dict) -> dict:
    return {k: v.detach().contiguous().float() if v.is_floating_point() else v.detach().contiguous() for k, v in d.items()}


def fixed_res(gen: torch.Generator) -> dict:
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, image_size=32,
                  patch_size=8, layer_norm_eps=1e-6, hidden_act="gelu_pytorch_tanh")
    cfg = SiglipConfig(text_config=TEXT, vision_config=vision)
    model = SiglipModel(cfg).eval()
    perturb(model, gen)
    b = 3
    pixels = torch.rand((b, 3, 32, 32), generator=gen) * 2 - 1
    ids = torch.randint(0, TEXT["vocab_size"], (b, TEXT["max_position_embeddings"]), generator=gen)
    with torch.no_grad():
        out = model(pixel_values=pixels, input_ids=ids)
    save_file(contiguous(model.state_dict()), os.path.join(OUT, "siglip-fixed.safetensors"))
    save_file(contiguous({
        "images": pixels.permute(0, 2, 3, 1),  # NHWC, sigforge's layout
        "input_ids": ids.int(),
        "image_embeds": out.image_embeds,
        "text_embeds": out.text_embeds,
        "logits_per_image": out.logits_per_image,
        "vision_last_hidden_state": out.vision_model_output.last_hidden_state,
    }), os.path.join(OUT, "siglip-fixed-io.safetensors"))
    return {"config": cfg.to_diff_dict(), "sigmoid_loss": sigmoid_loss(out.logits_per_text)}


def naflex(gen: torch.Generator) -> dict:
    p, length = 4, 20
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_patches=16,
                  patch_size=p, layer_norm_eps=1e-6, hidden_act="gelu_pytorch_tanh")
    text = dict(TEXT, num_hidden_layers=1)
    cfg = Siglip2Config(text_config=text, vision_config=vision)
    model = Siglip2Model(cfg).eval()
    perturb(model, gen)
    shapes = torch.tensor([[3, 5], [4, 4], [2, 7], [5, 4]])  # down- and up-sampling of the 4×4 grid
    b = shapes.shape[0]
    patches = torch.rand((b, length, p * p * 3), generator=gen) * 2 - 1
    mask = torch.zeros((b, length), dtype=torch.int32)
    for i, (h, w) in enumerate(shapes.tolist()):
        mask[i, : h * w] = 1
        patches[i, h * w:] = 0  # the processor pads with zeros
    ids = torch.randint(0, text["vocab_size"], (b, text["max_position_embeddings"]), generator=gen)
    with torch.no_grad():
        out = model(pixel_values=patches, pixel_attention_mask=mask, spatial_shapes=shapes, input_ids=ids)
    save_file(contiguous(model.state_dict()), os.path.join(OUT, "siglip2-naflex.safetensors"))
    save_file(contiguous({
        "patches": patches,
        "mask": mask,
        "spatial_shapes": shapes.int(),
        "input_ids": ids.int(),
        "image_embeds": out.image_embeds,
        "text_embeds": out.text_embeds,
        "logits_per_image": out.logits_per_image,
    }), os.path.join(OUT, "siglip2-naflex-io.safetensors"))
    return {"config": cfg.to_diff_dict(), "sigmoid_loss": sigmoid_loss(out.logits_per_text)}


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)
    meta = {"generator": "scripts/reference/siglip2_fixtures.py", "torch": torch.__version__,
            "fixed": fixed_res(gen), "naflex": naflex(gen)}
    import transformers
    meta["transformers"] = transformers.__version__
    with open(os.path.join(OUT, "siglip-reference.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True, default=str)
        f.write("\n")


if __name__ == "__main__":
    main()
